"""Small records describing plugins and brands (metadata, not decisions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Brand(NamedTuple):
    """A brand a plugin serves: its id in case files and the names people read."""

    id: str
    label_zh: str
    label_en: str
    plugin: str = ""


@dataclass(slots=True)
class PluginInfo:
    """What ``aftersales plugins list`` shows for one plugin."""

    name: str
    version: str
    origin: str  # bundled | entry point | folder
    hooks: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    policies: list[dict] = field(default_factory=list)
    error: str | None = None

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
