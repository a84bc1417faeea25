"""A plugin installed as a distribution with an ``aftersales.plugins`` entry point is registered."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aftersales.core.registry import load_registry


def _dist(root: Path, folder: str, name: str, entry_points_txt: str | None) -> Path:
    info = root / folder
    info.mkdir(parents=True)
    (info / ("PKG-INFO" if folder.endswith(".egg-info") else "METADATA")).write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\nName: not-this-one\n", encoding="utf-8")
    if entry_points_txt is not None:
        (info / "entry_points.txt").write_text(entry_points_txt, encoding="utf-8")
    return info


def test_a_plugin_installed_beside_the_bundled_ones_is_registered(tmp_path, monkeypatch):
    (tmp_path / "demo_brand_plugin.py").write_text(
        "from aftersales import hookimpl\n\nclass Plugin:\n    version = '9.9'\n\n"
        "    @hookimpl\n    def aftersales_predicates(self):\n        return {}\n\nplugin = Plugin()\n", encoding="utf-8")
    _dist(tmp_path, "demo_brand-1.0.dist-info", "demo-brand", "[aftersales.plugins]\ndemo_brand = demo_brand_plugin:plugin\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)] + sys.path)
    try:
        reg = load_registry()
        info = reg.plugins["demo_brand"]
        assert (info.origin, info.version, info.hooks) == ("entry point", "9.9", ["aftersales_predicates"])
        assert reg.plugins["apple"].origin == "bundled"
    finally:
        sys.modules.pop("demo_brand_plugin", None)


def test_a_plugin_installed_after_the_entry_points_were_remembered_is_found(tmp_path, monkeypatch):
    """The entry points are remembered per ``sys.path`` and the time each of its folders last
    changed: installing a distribution into a folder already searched is noticed."""
    from aftersales.core import policycache

    monkeypatch.setenv("AFTERSALES_POLICY_CACHE", str(tmp_path / "cache"))
    policycache.folder.cache_clear()
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [str(site)] + sys.path)
    try:
        assert "late_brand" not in load_registry().plugins
        assert (tmp_path / "cache" / "entry-points-aftersales.plugins.json").exists()
        (site / "late_brand_plugin.py").write_text(
            "class Plugin:\n    version = '1.2'\n\nplugin = Plugin()\n", encoding="utf-8")
        _dist(site, "late_brand-1.0.dist-info", "late-brand", "[aftersales.plugins]\nlate_brand = late_brand_plugin:plugin\n")
        info = load_registry().plugins["late_brand"]
        assert (info.origin, info.version) == ("entry point", "1.2")
        # and remembered: found again without asking importlib.metadata
        calls = []
        real = policycache._search_path_mark
        monkeypatch.setattr(policycache, "_search_path_mark", lambda: calls.append(1) or real())
        import importlib.metadata

        monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: pytest.fail("not remembered"))
        assert load_registry().plugins["late_brand"].version == "1.2" and calls
    finally:
        sys.modules.pop("late_brand_plugin", None)
        policycache.folder.cache_clear()
