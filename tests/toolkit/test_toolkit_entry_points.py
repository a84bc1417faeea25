"""Plugins' entry points are read without importing importlib.metadata, with the same result."""

from __future__ import annotations

import importlib.metadata
import sys
import zipfile
from pathlib import Path

import pytest

from aftersales.core import registry
from aftersales.core.registry import ENTRY_POINT_GROUP, entry_points, load_registry


def _seen(eps) -> list[tuple]:
    return [(ep.name, ep.value, ep.group, ep.dist.name if ep.dist else None) for ep in eps]


def _dist(root: Path, folder: str, name: str, entry_points_txt: str | None) -> Path:
    info = root / folder
    info.mkdir(parents=True)
    (info / ("PKG-INFO" if folder.endswith(".egg-info") else "METADATA")).write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\nName: not-this-one\n", encoding="utf-8")
    if entry_points_txt is not None:
        (info / "entry_points.txt").write_text(entry_points_txt, encoding="utf-8")
    return info


@pytest.mark.parametrize("group", [ENTRY_POINT_GROUP, "console_scripts", "pytest11", "no.such.group"])
def test_same_entry_points_as_importlib_metadata_on_this_path(group):
    assert _seen(registry._read_entry_points(group)) == _seen(importlib.metadata.entry_points(group=group))


def test_same_entry_points_as_importlib_metadata_on_a_made_up_path(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(first, "Demo.Plugins-1.0.dist-info", "Demo.Plugins",
          "# a comment\n[console_scripts]\ndemo = demo:main\n\n[aftersales.plugins]\n"
          "  xiaomi = demo_xiaomi.plugin : plugin [extra]\nvivo=demo_vivo:plugin.instance\n")
    _dist(first, "legacy_pkg-0.1.egg-info", "legacy-pkg", "[aftersales.plugins]\nlegacy = legacy_mod\n")
    _dist(first, "no_entry_points-2.0.dist-info", "no-entry-points", None)
    # the same distribution again, later on the path: hidden by the first
    _dist(second, "demo_plugins-2.0.dist-info", "demo_plugins", "[aftersales.plugins]\nshadowed = nope:plugin\n")
    _dist(second, "other-3.0.dist-info", "other", "[aftersales.plugins]\nother = other_mod:plugin\n")
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    mine = _seen(registry._read_entry_points(ENTRY_POINT_GROUP))
    assert mine == _seen(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    assert sorted(name for name, *_ in mine) == ["legacy", "other", "vivo", "xiaomi"]
    assert ("xiaomi", "demo_xiaomi.plugin : plugin [extra]", ENTRY_POINT_GROUP, "Demo.Plugins") in mine


def test_an_entry_point_loads_the_object_it_names(tmp_path, monkeypatch):
    (tmp_path / "demo_ep_pkg").mkdir()
    (tmp_path / "demo_ep_pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "demo_ep_pkg" / "mod.py").write_text("class Holder:\n    plugin = object()\n", encoding="utf-8")
    _dist(tmp_path, "demo_ep-1.0.dist-info", "demo-ep",
          "[aftersales.plugins]\ndemo = demo_ep_pkg.mod:Holder.plugin [extra]\nmodule = demo_ep_pkg.mod\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)] + sys.path)
    try:
        found = {ep.name: ep for ep in registry._read_entry_points(ENTRY_POINT_GROUP)}
        from demo_ep_pkg import mod

        assert found["demo"].load() is mod.Holder.plugin
        assert found["module"].load() is mod
    finally:
        sys.modules.pop("demo_ep_pkg.mod", None)
        sys.modules.pop("demo_ep_pkg", None)


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


def test_a_zip_on_the_path_is_left_to_importlib_metadata(tmp_path, monkeypatch):
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n")
        zf.writestr("zipped-1.0.dist-info/entry_points.txt", "[aftersales.plugins]\nzipped = zipped_mod:plugin\n")
    monkeypatch.setattr(sys, "path", [str(archive)] + sys.path)
    assert registry._read_entry_points(ENTRY_POINT_GROUP) is None
    names = [ep.name for ep in entry_points(ENTRY_POINT_GROUP)]
    assert "zipped" in names and {"apple", "huawei", "generic_sanbao"} <= set(names)


def test_a_finder_that_finds_distributions_is_left_to_importlib_metadata(monkeypatch):
    class Finder:
        @staticmethod
        def find_spec(*args, **kwargs):
            return None

        @staticmethod
        def find_distributions(context=None):
            return iter(())

    monkeypatch.setattr(sys, "meta_path", sys.meta_path + [Finder])
    assert registry._read_entry_points(ENTRY_POINT_GROUP) is None
    assert _seen(entry_points(ENTRY_POINT_GROUP)) == _seen(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
