"""Small records describing plugins and brands (metadata, not decisions)."""

from __future__ import annotations

from typing import NamedTuple


class Brand(NamedTuple):
    """A brand a plugin serves: its id in case files and the names people read."""

    id: str
    label_zh: str
    label_en: str
    plugin: str = ""


class PluginInfo:
    """What ``aftersales plugins list`` shows for one plugin."""

    __slots__ = ("name", "version", "origin", "hooks", "brands", "policies", "error")

    def __init__(self, name: str, version: str, origin: str, *, hooks: list[str] | None = None,
                 brands: list[str] | None = None, policies: list[dict] | None = None, error: str | None = None) -> None:
        self.name = name
        self.version = version
        self.origin = origin  # bundled | entry point | folder
        self.hooks = list(hooks or [])
        self.brands = list(brands or [])
        self.policies = list(policies or [])
        self.error = error

    def __repr__(self) -> str:
        return f"PluginInfo({self.name!r}, {self.version!r}, {self.origin!r}, error={self.error!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PluginInfo):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "origin": self.origin,
            "hooks": list(self.hooks),
            "brands": list(self.brands),
            "policies": list(self.policies),
            "error": self.error,
        }
