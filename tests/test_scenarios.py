"""Every scenario is a test, through the Python API and through the CLI."""

from __future__ import annotations

import json

import pytest
from scenario_helpers import check_expect, load_scenario, scenario_files

from aftersales.core.casefile import load_case_file
from aftersales.core.errors import AftersalesError

SCENARIOS = scenario_files()


def test_there_are_scenarios():
    assert len(SCENARIOS) >= 15


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_through_python_api(path, registry):
    scenario = load_scenario(path)
    expect = scenario["expect"]
    if expect.get("error"):
        with pytest.raises(AftersalesError) as info:
            registry.evaluate(registry.parse_case(scenario["case"]))
        for word in expect.get("error_mentions", ()):
            assert word in str(info.value)
        return
    decision = registry.evaluate(registry.parse_case(scenario["case"]))
    assert check_expect(decision.to_dict(), expect) == []


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_through_cli(path, cli):
    expect = load_scenario(path)["expect"]
    code, out, err = cli("evaluate", str(path), "--json")
    if expect.get("error"):
        assert code != 0
        assert "Traceback" not in out + err
        for word in expect.get("error_mentions", ()):
            assert word in err
        assert len(err.strip().splitlines()) == 1
        return
    assert code == 0, err
    assert check_expect(json.loads(out), expect) == []


def test_scenario_file_and_plain_case_file_read_the_same(tmp_path):
    path = SCENARIOS[0]
    case = load_case_file(path)
    plain = tmp_path / "case.json"
    plain.write_text(json.dumps(case, default=str), encoding="utf-8")
    assert load_case_file(plain)["brand"] == case["brand"]
