"""Checks a decision JSON against a scenario's ``expect`` block (see tests/scenarios/README.md)."""

from __future__ import annotations

FREE = ("return", "exchange", "repair")


def check_expect(decision: dict, expect: dict) -> list[str]:
    problems: list[str] = []
    remedies = {r["remedy"]: r for r in decision["remedies"]}
    available = {name for name, r in remedies.items() if r["available"]}
    if "available" in expect and available != set(expect["available"]):
        problems.append(f"available: expected {sorted(expect['available'])}, got {sorted(available)}")
    for name in expect.get("available_includes", ()):
        if name not in available:
            problems.append(f"available_includes: {name} is not available")
    for name in list(expect.get("available_excludes", ())) + list(expect.get("unavailable", ())):
        if name in available:
            problems.append(f"{name} should not be available")
    if "free_remedy" in expect and bool(available & set(FREE)) != expect["free_remedy"]:
        problems.append(f"free_remedy: expected {expect['free_remedy']}, got {sorted(available)}")
    for name, basis in (expect.get("basis") or {}).items():
        got = remedies.get(name, {}).get("basis")
        if got != basis:
            problems.append(f"basis of {name}: expected {basis}, got {got}")
    for name, docs in (expect.get("missing") or {}).items():
        got = remedies.get(name, {}).get("missing_documents")
        if got is None:
            problems.append(f"missing: {name} not in remedies")
        elif docs == [] and got:
            problems.append(f"missing of {name}: expected none, got {got}")
        elif any(d not in got for d in docs):
            problems.append(f"missing of {name}: expected {docs} among {got}")
    ex = decision.get("exchange") or {}
    if "exchange_mode" in expect and ex.get("mode") != expect["exchange_mode"]:
        problems.append(f"exchange_mode: expected {expect['exchange_mode']}, got {ex.get('mode')}")
    if "warranty_after" in expect and ex.get("warranty_after") != expect["warranty_after"]:
        problems.append(f"warranty_after: expected {expect['warranty_after']}, got {ex.get('warranty_after')}")
    for key in ("region", "service_location"):
        if key in expect and decision.get(key) != expect[key]:
            problems.append(f"{key}: expected {expect[key]}, got {decision.get(key)}")
    cov = decision.get("coverage") or {}
    for key in ("coverage_start", "coverage_end"):
        if key in expect and cov.get(key.split("_")[1]) != str(expect[key]):
            problems.append(f"{key}: expected {expect[key]}, got {cov.get(key.split('_')[1])}")
    ids = {e["id"] for e in decision.get("exclusions", ())}
    for ex_id in expect.get("exclusions", ()):
        if ex_id not in ids:
            problems.append(f"exclusion {ex_id} not among {sorted(ids)}")
    return problems


from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

SCENARIOS = Path(__file__).parent / "scenarios"


def scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.yaml"))


def load_scenario(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
