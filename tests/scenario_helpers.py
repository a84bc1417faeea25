"""Scenario files (tests/scenarios, the format of tests/scenarios/README.md) for the tests."""

from __future__ import annotations

import subprocess
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


#: a YAML alias bomb: nine levels, each nine of the one before (387 million nodes when expanded)
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def scenario_case_file(tmp_path: Path, scenario: str, **changes: str) -> str:
    """A scenario's case (top-level fields changed by ``changes``) written as a JSON case file
    in ``tmp_path``; its path."""
    import json

    data = yaml.safe_load((SCENARIOS / f"{scenario}.yaml").read_text(encoding="utf-8"))["case"]
    data.update(changes)
    path = tmp_path / f"{scenario}-{'-'.join(changes.values()) or 'case'}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def evaluate_with_drop_in(tmp_path: Path, name: str, source: str, scenario: str = "generic-day10-exchange",
                          lang: str = "zh") -> subprocess.CompletedProcess:
    """``aftersales evaluate`` of a scenario, run as a user runs it, with a drop-in plugin
    ``name`` (its Python ``source``) in a plugins folder of ``tmp_path``."""
    import os
    import sys

    plugins = tmp_path / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / f"{name}.py").write_text(source, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "aftersales", "evaluate", str(SCENARIOS / f"{scenario}.yaml"),
                           "--plugins-dir", str(plugins)], capture_output=True, text=True,
                          env={**os.environ, "AFTERSALES_LANG": lang})


def scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.yaml"))


def load_scenario(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
