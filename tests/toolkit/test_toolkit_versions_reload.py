"""Versions of one policy switch at the boundary date; reload validates, then swaps in one step."""

from __future__ import annotations

from pathlib import Path

from aftersales.core.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
HUAWEI = (ROOT / "policies" / "huawei.yaml").read_text(encoding="utf-8")


def _write_versions(folder: Path, *, boundary: str = "2026-01-01", until: str = "2025-12-31") -> None:
    old = HUAWEI.replace('  from: "2018-01-01"', f'  from: "2018-01-01"\n  until: "{until}"', 1)
    new = (HUAWEI.replace('version: "2026.1"', 'version: "2026.2"', 1)
                 .replace('  from: "2018-01-01"', f'  from: "{boundary}"', 1)
                 .replace("  earphone: {months: 3}", "  earphone: {months: 12}", 1))
    (folder / "huawei.yaml").write_text(old, encoding="utf-8")
    (folder / "huawei-2026.2.yaml").write_text(new, encoding="utf-8")


def _earphone_case(purchase: str) -> dict:
    return {
        "case_date": "2026-06-20", "brand": "huawei",
        "device": {"model": "Mate 60", "model_code": "ALN-AL00"},
        "purchase": {"channel": "authorized_reseller", "date": purchase, "country": "CN"},
        "documents": ["invoice", "sanbao_certificate"],
        "fault": {"component": "earphone", "confirmed": True},
    }


def _huawei_version(decision) -> str:
    return next(p.version for p in decision.policies if p.id == "huawei")


def test_the_version_in_force_on_the_purchase_date_decides(tmp_path):
    _write_versions(tmp_path)
    registry = load_registry(policies_dir=tmp_path)
    assert [p.version for p in registry.policies["huawei"]] == ["2026.1", "2026.2"]

    before = registry.evaluate(registry.parse_case(_earphone_case("2025-12-31")))
    on = registry.evaluate(registry.parse_case(_earphone_case("2026-01-01")))

    assert _huawei_version(before) == "2026.1"
    assert "repair" not in before.available()          # earphone 3 months: over
    assert _huawei_version(on) == "2026.2"
    assert "repair" in on.available()                  # earphone 12 months from the boundary on
    refs = {p["id"]: p for p in on.to_dict()["policies"]}
    assert refs["huawei"]["version"] == "2026.2" and len(refs["huawei"]["sha256"]) == 64


def test_a_version_picked_by_case_date(tmp_path):
    _write_versions(tmp_path)
    for path in tmp_path.glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("  by: purchase_date", "  by: case_date", 1), encoding="utf-8")
    registry = load_registry(policies_dir=tmp_path)
    decision = registry.evaluate(registry.parse_case(_earphone_case("2025-12-20")))
    assert _huawei_version(decision) == "2026.2"


def test_reload_swaps_in_a_valid_set(tmp_path):
    (tmp_path / "huawei.yaml").write_text(HUAWEI, encoding="utf-8")
    registry = load_registry(policies_dir=tmp_path)
    _write_versions(tmp_path)
    assert registry.reload() == []
    assert [p.version for p in registry.policies["huawei"]] == ["2026.1", "2026.2"]
    decision = registry.evaluate(registry.parse_case(_earphone_case("2026-01-01")))
    assert _huawei_version(decision) == "2026.2"


def test_reload_with_an_error_keeps_the_policies_in_force(tmp_path):
    (tmp_path / "huawei.yaml").write_text(HUAWEI, encoding="utf-8")
    registry = load_registry(policies_dir=tmp_path)
    before = registry.evaluate(registry.parse_case(_earphone_case("2026-05-01")))
    engine = registry.engine

    (tmp_path / "huawei.yaml").write_text(HUAWEI.replace("host: {months: 12}", "host: {months: twelve}", 1), encoding="utf-8")
    issues = registry.reload()
    assert issues and all(i.severity == "error" for i in issues)
    assert issues[0].file.endswith("huawei.yaml") and issues[0].line > 1
    assert "expected a whole number here, got text 'twelve'" in issues[0].message
    assert registry.engine is engine
    after = registry.evaluate(registry.parse_case(_earphone_case("2026-05-01")))
    assert after.to_dict() == before.to_dict()

    # a gap between versions is an error too: nothing half-loaded
    _write_versions(tmp_path, boundary="2026-03-01")
    issues = registry.reload()
    assert any("gap in effective dates" in i.message for i in issues)
    assert [p.version for p in registry.policies["huawei"]] == ["2026.1"]


def test_reload_with_a_broken_drop_in_plugin_keeps_everything(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    registry = load_registry(plugins_dir=plugins)
    brands = set(registry.brands)
    (plugins / "broken.py").write_text("raise RuntimeError('half-written plugin')\n", encoding="utf-8")
    issues = registry.reload()
    assert len(issues) == 1
    assert issues[0].file.endswith("broken.py") and issues[0].line == 1
    assert "half-written plugin" in issues[0].message and issues[0].code == "plugin"
    assert set(registry.brands) == brands
