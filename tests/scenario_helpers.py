"""Scenario files (tests/scenarios, the format of tests/scenarios/README.md) for the tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from aftersales.core.policytest import check_expect  # noqa: F401 - one implementation for policy tests and these

SCENARIOS = Path(__file__).parent / "scenarios"


def scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.yaml"))


def load_scenario(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
