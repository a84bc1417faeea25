"""``aftersales cases generate``: reproducible, valid, counter-like cases."""

from __future__ import annotations

import json
from collections import Counter

from click.testing import CliRunner
from stdnum import imei

from aftersales.batch.generate import generate_cases
from aftersales.cli.generate import generate


def test_same_seed_same_cases_other_seed_other_cases():
    a = list(generate_cases(300, seed=5))
    assert a == list(generate_cases(300, seed=5))
    assert a != list(generate_cases(300, seed=6))


def test_command_output_is_byte_identical_for_a_seed(tmp_path):
    runner = CliRunner()
    first = runner.invoke(generate, ["200", "--seed", "9"])
    second = runner.invoke(generate, ["200", "--seed", "9"])
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    lines = first.stdout.splitlines()
    assert len(lines) == 200
    out = tmp_path / "c.jsonl"
    assert runner.invoke(generate, ["200", "--seed", "9", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == first.stdout


def test_every_generated_case_is_valid_and_decidable(registry):

    entitlements = Counter()
    for data in generate_cases(1500, seed=2):
        json.dumps(data)                      # JSON-ready
        case = registry.parse_case(data)      # valid v1 case
        if case.device.imei:
            assert imei.is_valid(case.device.imei)
        entitlements[registry.evaluate(case).entitlement] += 1
    # a counter sees every outcome
    assert set(entitlements) == {"return", "exchange", "repair", "paid_repair"}


def test_the_mix_looks_like_a_counter():
    cases = list(generate_cases(3000, seed=3))
    brands = Counter(c["brand"] for c in cases)
    assert set(brands) == {"apple", "huawei", "generic"}
    parts = {c["device"].get("part_number", "")[-4:] for c in cases if c["brand"] == "apple"}
    assert {"CH/A", "ZP/A", "LL/A"} <= parts
    codes = {c["device"].get("model_code", "").split("-")[-1] for c in cases if c["brand"] == "huawei"}
    assert {"AL00", "L29"} <= codes
    assert len({c["purchase"]["channel"] for c in cases}) >= 6
    assert len({c["fault"]["component"] for c in cases}) >= 6
    assert any(c["condition"].get("liquid_damage") for c in cases)
    assert any("coverage_plans" in c for c in cases)
    assert any(c.get("history", {}).get("warranty_repairs_for_fault", 0) >= 2 for c in cases)
    dates = sorted(c["case_date"] for c in cases)
    assert "2025-01-01" <= dates[0] and dates[-1] <= "2026-12-31"


def test_case_date_range_is_respected():
    from datetime import date

    for c in generate_cases(200, seed=1, start=date(2026, 3, 1), end=date(2026, 3, 31)):
        assert "2026-03-01" <= c["case_date"] <= "2026-03-31"
