"""The validated-policy cache (core/policycache.py): same result as a full check; broken
policies are never cached and keep every located issue."""

from __future__ import annotations

from importlib import resources

from aftersales.authoring.policyload import PolicySource, check_policy_full
from aftersales.core import policycache


def _use(tmp_path, monkeypatch):
    monkeypatch.setenv("AFTERSALES_POLICY_CACHE", str(tmp_path / "cache"))
    policycache.folder.cache_clear()


def test_cached_policy_gives_the_same_data(tmp_path, monkeypatch):
    _use(tmp_path, monkeypatch)
    try:
        text = resources.files("aftersales.policies").joinpath("apple.yaml").read_text(encoding="utf-8")
        source = PolicySource("policies/apple.yaml", text)
        first, node1, issues1 = check_policy_full(source)
        assert first is not None and not issues1
        assert list((tmp_path / "cache").glob(f"{source.sha256}-*.json"))
        second, node2, issues2 = check_policy_full(source)
        assert second == first and issues2 == []
        assert node2 is not None and node2.start_mark.line == node1.start_mark.line
    finally:
        policycache.folder.cache_clear()


def test_broken_policy_is_not_cached(tmp_path, monkeypatch):
    _use(tmp_path, monkeypatch)
    try:
        source = PolicySource("bad.yaml", "schema_version: 1\nid: x\n")
        data, _, issues = check_policy_full(source)
        assert data is None and issues
        assert not list((tmp_path / "cache").glob("*.json"))
        again = check_policy_full(source)[2]
        assert [str(i) for i in again] == [str(i) for i in issues]
    finally:
        policycache.folder.cache_clear()


def test_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("AFTERSALES_POLICY_CACHE", "off")
    policycache.folder.cache_clear()
    try:
        assert policycache.folder() is None
        assert policycache.get("0" * 64) is None
    finally:
        policycache.folder.cache_clear()
