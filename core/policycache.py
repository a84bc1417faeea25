"""A cache of validated policies, keyed by content hash: skip constructing and JSON Schema
validating (and importing jsonschema) for a policy file already found valid. The YAML node
tree is still composed, so cross-policy issues keep their file:line:column.

Key: SHA-256 of the policy text, together with a fingerprint of what validated it (the schema
file, the checker's source ``policyload.py`` and this cache's format). Change the policy, the
schema or the checks and the entry is simply not found. Only policies with no issue at all are
stored; a policy with errors or warnings is checked in full every time, so every message still
shows. The value is the validated mapping as JSON (stored only when it survives a JSON round
trip unchanged). Compiling into rules happens after, as always.

Location: ``$AFTERSALES_POLICY_CACHE`` (a folder; ``off`` disables the cache), else the user
cache folder (``~/.cache/aftersales/policies`` on Linux, ``$XDG_CACHE_HOME`` honoured). Any problem reading or
writing the cache is ignored: the policy is then validated as if there were no cache.

Not on the decision path: this runs while policies load, never while a case is decided.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

FORMAT = "1"


@lru_cache(maxsize=1)
def folder() -> Path | None:
    setting = os.environ.get("AFTERSALES_POLICY_CACHE")
    if setting is not None and setting.strip().lower() in ("off", "0", "no", "false", ""):
        return None
    if setting:
        return Path(setting)
    return _user_cache() / "aftersales" / "policies"


def _user_cache() -> Path:
    """The user cache folder, as platformdirs gives it (without importing platformdirs: start-up)."""
    import sys

    if sys.platform == "win32":  # pragma: no cover
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":  # pragma: no cover
        return Path.home() / "Library" / "Caches"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What validation depends on besides the policy text."""
    from importlib import resources

    h = hashlib.sha256(FORMAT.encode())
    try:
        h.update(resources.files("aftersales.policies").joinpath("policy.schema.json").read_bytes())
        h.update(Path(__file__).with_name("policyload.py").read_bytes())
    except OSError:
        return ""
    return h.hexdigest()[:16]


def _path(sha256: str) -> Path | None:
    base = folder()
    fp = fingerprint()
    if base is None or not fp:
        return None
    return base / f"{sha256}-{fp}.json"


def get(sha256: str) -> dict[str, Any] | None:
    """The validated mapping of the policy with this text hash, if cached."""
    path = _path(sha256)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def compose_node(text: str, loader_cls: Any) -> Any:
    """The YAML node tree of a cached policy (for locating cross-policy issues): composing is
    cheap next to constructing and validating, and the text already passed the size checks."""
    loader = loader_cls(text)
    try:
        return loader.get_single_node()
    except Exception:  # noqa: BLE001 - a location aid only
        return None
    finally:
        loader.dispose()


def put(sha256: str, data: Mapping[str, Any]) -> None:
    """Remember a policy found valid (no issue at all). Never raises."""
    path = _path(sha256)
    if path is None:
        return
    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=False)
        if json.loads(text) != data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        return
