"""Scenario files (tests/scenarios, the format of tests/scenarios/README.md) for the tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from aftersales.authoring.policytest import check_expect  # noqa: F401 - one implementation for policy tests and these

SCENARIOS = Path(__file__).parent / "scenarios"

#: a generic mainland unit on day 10 with a confirmed host fault and its papers (copy before changing)
DAY10_CASE = {
    "schema_version": 1,
    "case_date": "2026-06-15",
    "brand": "generic",
    "device": {"model": "Redmi Note 13", "imei": "356938035643809"},
    "purchase": {"channel": "authorized_reseller", "date": "2026-06-05", "country": "CN"},
    "documents": ["invoice", "sanbao_certificate"],
    "fault": {"component": "host", "confirmed": True},
    "condition": {"accessories_complete": True, "packaging_complete": True},
}


def scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.yaml"))


def load_scenario(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
