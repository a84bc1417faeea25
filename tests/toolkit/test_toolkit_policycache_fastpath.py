"""The policy cache's fast path: a cached policy is neither parsed nor compiled again, yet every
located issue shows exactly as without the cache; any change invalidates; a damaged or
unwritable cache only costs time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aftersales.authoring import policyload
from aftersales.authoring.policyload import LazyNode, PolicySource, check_policy_full, locate, version_issues
from aftersales.core import policycache
from aftersales.core.errors import PolicyError
from aftersales.core.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
HUAWEI = (POLICIES / "huawei.yaml").read_text(encoding="utf-8")
CASE = {
    "case_date": "2026-06-15", "brand": "huawei",
    "device": {"model": "Mate 60", "model_code": "ALN-AL00"},
    "purchase": {"channel": "authorized_reseller", "date": "2026-06-05", "country": "CN"},
    "documents": ["invoice", "sanbao_certificate"],
    "fault": {"component": "host", "confirmed": True},
}


def _clear() -> None:
    policycache.folder.cache_clear()
    policycache.fingerprint.cache_clear()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache folder for this test only."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("AFTERSALES_POLICY_CACHE", str(folder))
    _clear()
    yield folder
    _clear()


@pytest.fixture
def counted(monkeypatch):
    """Count the YAML parses and the code compilations the policy loading does."""
    counts = {"yaml": 0, "compile": 0}
    real_read_yaml = policyload.read_yaml

    def read_yaml(text, name):
        counts["yaml"] += 1
        return real_read_yaml(text, name)

    def counting_compile(*args, **kwargs):
        counts["compile"] += 1
        return compile(*args, **kwargs)

    monkeypatch.setattr(policyload, "read_yaml", read_yaml)
    monkeypatch.setattr(policycache, "compile", counting_compile, raising=False)
    return counts


def _write_versions(folder: Path, *, boundary: str, until: str) -> None:
    old = HUAWEI.replace('  from: "2018-01-01"', f'  from: "2018-01-01"\n  until: "{until}"', 1)
    new = HUAWEI.replace('version: "2026.1"', 'version: "2026.2"', 1).replace('  from: "2018-01-01"', f'  from: "{boundary}"', 1)
    (folder / "huawei.yaml").write_text(old, encoding="utf-8")
    (folder / "huawei-2026.2.yaml").write_text(new, encoding="utf-8")


def _decide(registry) -> dict:
    return registry.evaluate(registry.parse_case(CASE)).to_dict()


# --------------------------------------------------------------------------- the fast path

def test_a_cached_policy_is_not_parsed_or_compiled_again(cache, counted):
    first = load_registry()
    assert counted["yaml"] == 3 and counted["compile"] > 0
    policies = [p for p in cache.iterdir() if not p.name.startswith("entry-points-")]
    assert sorted(p.name.rsplit(".", 1)[1] for p in policies) == ["code"] * 3 + ["json"] * 3
    counted["yaml"] = counted["compile"] = 0
    second = load_registry()
    assert counted == {"yaml": 0, "compile": 0}
    assert _decide(second) == _decide(first)
    assert [(p.id, p.version, p.sha256) for p in second.all_policies()] == \
           [(p.id, p.version, p.sha256) for p in first.all_policies()]


def test_a_cached_policy_decides_like_an_uncached_one(cache, monkeypatch):
    load_registry()
    cached = _decide(load_registry())
    monkeypatch.setenv("AFTERSALES_POLICY_CACHE", "off")
    _clear()
    assert _decide(load_registry()) == cached


def test_the_node_tree_of_a_cached_policy_is_composed_only_for_a_location(cache):
    source = PolicySource("huawei.yaml", HUAWEI)
    data, node, issues = check_policy_full(source)
    assert not isinstance(node, LazyNode) and not issues
    cached, lazy, issues = check_policy_full(source)
    assert cached == data and issues == []
    assert isinstance(lazy, LazyNode) and lazy._done is False
    for parts in (["effective", "from"], ["offers", 3, "when"], ["periods", "host"], ["no", "such", "path"]):
        assert locate(lazy, parts) == locate(node, parts)
    assert lazy.start_mark.line == node.start_mark.line


def test_the_checker_and_yaml_stay_unimported_on_a_cache_hit(cache):
    """Nor importlib.metadata: the plugins' entry points are remembered while nothing is installed."""
    modules = ("yaml", "jsonschema", "aftersales.authoring.policyload", "importlib.metadata")
    code = ("import sys\nfrom aftersales.core.registry import load_registry\nr = load_registry()\n"
            f"print(len(r.all_policies()), ','.join(m for m in {modules!r} if m in sys.modules))")
    env = dict(os.environ, AFTERSALES_POLICY_CACHE=str(cache))
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/")
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout.split()[0] == "3" and "yaml" in cold.stdout and "aftersales.authoring.policyload" in cold.stdout
    assert "importlib.metadata" in cold.stdout
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/")
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.strip() == "3"


# --------------------------------------------------------------------------- located issues

def test_version_issues_between_cached_policies_keep_their_locations(cache, tmp_path, monkeypatch):
    folder = tmp_path / "policies"
    folder.mkdir()
    _write_versions(folder, boundary="2025-06-01", until="2025-12-31")   # versions overlap

    def refused() -> PolicyError:
        # the versions are huawei's: huawei is quarantined (its cases answer with the first
        # error), the other brands decide; the errors are the registry's, located
        registry = load_registry(policies_dir=folder)
        assert "huawei" in registry.quarantined and "apple" not in registry.quarantined
        errors = registry.errors
        assert errors
        return PolicyError("; ".join(str(i) for i in errors), issues=errors)

    cold = refused()
    warm = refused()   # both files now come from the cache
    assert len(list(cache.glob("*.json"))) >= 5
    monkeypatch.setenv("AFTERSALES_POLICY_CACHE", "off")
    _clear()
    off = refused()
    line = next(n for n, text in enumerate((folder / "huawei-2026.2.yaml").read_text().splitlines(), 1)
                if text.startswith('  from: "2025-06-01"'))
    assert str(cold) == str(warm) == str(off)
    assert [str(i) for i in warm.issues] == [str(i) for i in off.issues]
    assert f"huawei-2026.2.yaml:{line}:9: $.effective.from: version '2026.2'" in str(warm)


def test_version_issues_located_through_lazy_nodes(cache, tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    _write_versions(folder, boundary="2026-03-01", until="2025-12-31")   # a gap
    sources = [PolicySource(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]
    full = [(check_policy_full(s), s.name) for s in sources]
    cached = [(check_policy_full(s), s.name) for s in sources]
    assert all(isinstance(node, LazyNode) for (_, node, _), _ in cached)
    expected = [str(i) for i in version_issues([(d, n, name) for (d, n, _), name in full])]
    got = [str(i) for i in version_issues([(d, n, name) for (d, n, _), name in cached])]
    assert got == expected and len(got) == 1 and "gap in effective dates" in got[0]


def test_floor_warnings_of_cached_policies_show_exactly_as_without_the_cache(cache, monkeypatch, cli):
    first = cli("policy", "validate", "--show-acknowledged", str(POLICIES / "apple.yaml"))
    warm = cli("policy", "validate", "--show-acknowledged", str(POLICIES / "apple.yaml"))
    monkeypatch.setenv("AFTERSALES_POLICY_CACHE", "off")
    _clear()
    off = cli("policy", "validate", "--show-acknowledged", str(POLICIES / "apple.yaml"))
    assert first == warm == off
    assert "acknowledged [floor:exchange:exchange]: $.exchange.warranty_after" in warm[1]
    floor = load_registry().floor_issues()
    assert floor and all(i.line > 1 for i in floor)


def test_a_policy_with_issues_is_never_served_from_the_cache(cache, counted, tmp_path):
    text = HUAWEI.replace("  earphone: {months: 3}", "  earphone: {months: 3}\n  earphone: {months: 4}", 1)
    source = PolicySource("huawei.yaml", text)
    _, _, first = check_policy_full(source)
    _, _, again = check_policy_full(source)
    assert [str(i) for i in first] == [str(i) for i in again] != []
    assert "given twice" in str(first[0])
    assert counted["yaml"] == 2
    assert not list(cache.glob(f"{source.sha256}-*"))


# --------------------------------------------------------------------------- invalidation

def test_changing_the_policy_text_misses_the_cache(cache, counted):
    check_policy_full(PolicySource("huawei.yaml", HUAWEI))
    edited = HUAWEI.replace("  earphone: {months: 3}", "  earphone: {months: 6}", 1)
    data, _, issues = check_policy_full(PolicySource("huawei.yaml", edited))
    assert counted["yaml"] == 2 and not issues
    assert data["periods"]["earphone"] == {"months": 6}


def test_changing_the_schema_or_the_checker_code_changes_the_key(cache, tmp_path, monkeypatch, counted):
    source = PolicySource("huawei.yaml", HUAWEI)
    check_policy_full(source)
    check_policy_full(source)
    assert counted["yaml"] == 1
    before = policycache.fingerprint()

    # the checker's code: a copy of the checker's modules where policyload.py differs by one comment
    core = Path(policycache.__file__).parent
    copy = tmp_path / "core"
    copy.mkdir()
    for name in policycache.CHECKER_MODULES:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((core / name).read_bytes())
    with open(copy / "../authoring/policyload.py", "a", encoding="utf-8") as fh:
        fh.write("\n# a new check\n")
    monkeypatch.setattr(policycache, "__file__", str(copy / "policycache.py"))
    policycache.fingerprint.cache_clear()
    changed_code = policycache.fingerprint()
    assert changed_code not in ("", before)
    check_policy_full(source)
    assert counted["yaml"] == 2
    monkeypatch.setattr(policycache, "__file__", str(core / "policycache.py"))

    # the schema
    schema = policycache._schema_bytes()
    monkeypatch.setattr(policycache, "_schema_bytes", lambda: schema + b" ")
    policycache.fingerprint.cache_clear()
    assert policycache.fingerprint() not in ("", before, changed_code)
    check_policy_full(source)
    assert counted["yaml"] == 3

    # the Python that compiled the code objects
    monkeypatch.setattr(policycache, "_schema_bytes", lambda: schema)
    policycache.fingerprint.cache_clear()
    assert policycache.fingerprint() == before
    version = sys.version
    monkeypatch.setattr(sys, "version", version + " (another build)")
    policycache.fingerprint.cache_clear()
    assert policycache.fingerprint() not in ("", before)
    monkeypatch.setattr(sys, "version", version)

    # a library that parses or validates, upgraded
    mark = policycache._library_mark
    monkeypatch.setattr(policycache, "_library_mark", lambda name: mark(name) + (" upgraded" if name == "yaml" else ""))
    policycache.fingerprint.cache_clear()
    assert policycache.fingerprint() not in ("", before)


def test_a_changed_code_generator_never_gets_a_stale_code_object(cache, monkeypatch):
    load_registry()
    path = next(cache.glob("*.code"))
    payload = policycache._read(path, "code", path.name.split("-")[0], own=True)
    import marshal

    codes = marshal.loads(payload)
    key, code = next(iter(codes.items()))
    filename, _, text = key.partition("\n")
    assert code.co_filename == filename and compile(text, filename, "exec").co_code == code.co_code
    # the key is the exact source: another text is another key
    with policycache.compiling(path.name.split("-")[0]):
        other = policycache.code(text + "\n# changed", filename)
    assert other is not code


# --------------------------------------------------------------------------- damaged or unwritable cache

@pytest.mark.parametrize("damage", [
    lambda raw: b"",
    lambda raw: b"not a cache file",
    lambda raw: raw[: len(raw) // 2],
    lambda raw: raw[:-3] + bytes([raw[-3] ^ 0x01]) + raw[-2:],       # one bit of the payload
    lambda raw: raw.replace(b"aftersales-policycache 2", b"aftersales-policycache 1", 1),
])
def test_a_damaged_cache_file_is_ignored(cache, counted, damage):
    first = load_registry()
    for path in cache.iterdir():
        path.write_bytes(damage(path.read_bytes()))
    counted["yaml"] = counted["compile"] = 0
    second = load_registry()
    assert counted["yaml"] == 3 and counted["compile"] > 0
    assert _decide(second) == _decide(first)


def test_a_payload_changed_after_writing_is_ignored(cache, counted):
    """Well-formed but altered content (data or code) does not match its digest: not served."""
    import marshal

    first = load_registry()
    for path in cache.iterdir():
        head, _, payload = path.read_bytes().partition(b"\n")
        if path.suffix == ".json":
            data = json.loads(payload)
            data["periods"] = {key: {"months": 1} for key in data.get("periods", {})}
            payload = json.dumps(data, ensure_ascii=False).encode()
        else:
            codes = marshal.loads(payload)
            nothing = compile("def _fn(*args):\n    return None", "<altered>", "exec")
            payload = marshal.dumps({key: nothing for key in codes})
        path.write_bytes(head + b"\n" + payload)
    counted["yaml"] = counted["compile"] = 0
    second = load_registry()
    assert counted["yaml"] == 3 and counted["compile"] > 0
    assert _decide(second) == _decide(first)
    assert second.policies["huawei"][0].periods == first.policies["huawei"][0].periods


def test_a_cache_entry_of_another_policy_is_ignored(cache, counted):
    apple = PolicySource("apple.yaml", (POLICIES / "apple.yaml").read_text(encoding="utf-8"))
    huawei = PolicySource("huawei.yaml", HUAWEI)
    check_policy_full(apple)
    # huawei's entry holding apple's (valid, well-formed) data: not served for huawei
    apple_file = next(cache.glob(f"{apple.sha256}-*.json"))
    apple_file.rename(apple_file.with_name(apple_file.name.replace(apple.sha256, huawei.sha256)))
    data, _, _ = check_policy_full(huawei)
    assert data["id"] == "huawei" and counted["yaml"] == 2


def test_valid_json_that_is_not_a_mapping_is_ignored(cache, counted):
    source = PolicySource("huawei.yaml", HUAWEI)
    check_policy_full(source)
    path = next(cache.glob("*.json"))
    payload = json.dumps([1, 2]).encode()
    path.write_bytes(policycache._header("data", source.sha256, payload) + payload)
    data, _, _ = check_policy_full(source)
    assert data["id"] == "huawei" and counted["yaml"] == 2


def test_code_that_others_may_write_is_not_loaded(cache, counted):
    load_registry()
    for path in cache.glob("*.code"):
        path.chmod(0o666)
    counted["compile"] = 0
    load_registry()
    assert counted["compile"] > 0


def test_an_unwritable_cache_folder_costs_only_time(tmp_path, monkeypatch, counted):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AFTERSALES_POLICY_CACHE", str(blocker / "cache"))
    _clear()
    try:
        first = load_registry()
        second = load_registry()
        assert counted["yaml"] == 6
        assert _decide(first) == _decide(second)
        assert not list(tmp_path.glob("**/*.tmp"))
    finally:
        _clear()


def test_the_cache_lives_in_the_user_cache_folder_unless_told(monkeypatch, tmp_path):
    monkeypatch.delenv("AFTERSALES_POLICY_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _clear()
    try:
        if sys.platform.startswith("linux"):
            assert policycache.folder() == tmp_path / "xdg" / "aftersales" / "policies"
        monkeypatch.setenv("AFTERSALES_POLICY_CACHE", "on")  # a switch, not a folder named "on"
        _clear()
        if sys.platform.startswith("linux"):
            assert policycache.folder() == tmp_path / "xdg" / "aftersales" / "policies"
        monkeypatch.setenv("AFTERSALES_POLICY_CACHE", "off")
        _clear()
        assert policycache.folder() is None
        with policycache.compiling("0" * 64):
            assert policycache.code("x = 1", "<t>").co_filename == "<t>"
    finally:
        _clear()
