"""A plugin installed as a distribution with an ``aftersales.plugins`` entry point is registered."""

from __future__ import annotations

import sys
from pathlib import Path

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
        "    @hookimpl\n    def aftersales_notices(self, case, ctx):\n        return []\n\nplugin = Plugin()\n", encoding="utf-8")
    _dist(tmp_path, "demo_brand-1.0.dist-info", "demo-brand", "[aftersales.plugins]\ndemo_brand = demo_brand_plugin:plugin\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)] + sys.path)
    try:
        reg = load_registry()
        info = reg.plugins["demo_brand"]
        assert (info.origin, info.version, info.hooks) == ("entry point", "9.9", ["aftersales_notices"])
        assert reg.plugins["apple"].origin == "bundled"
    finally:
        sys.modules.pop("demo_brand_plugin", None)
