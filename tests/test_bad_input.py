"""Bad input is one clear line naming the field, exit 2, and no traceback."""

from __future__ import annotations

import copy

import pytest
import yaml
from scenario_helpers import DAY10_CASE as BASE


def variant(path: str, value, *, delete: bool = False) -> dict:
    case = copy.deepcopy(BASE)
    node = case
    keys = path.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if delete:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return case


BAD = [
    ("brand", "nokia", ["brand", "apple", "generic", "huawei"]),
    ("device.imei", "356938035643808", ["device.imei", "IMEI"]),
    ("purchase.date", "2026-07-01", ["purchase.date", "after the case date"]),
    ("activation_date", "2026-06-20", ["activation_date", "after the case date"]),
    ("purchase.date", "2026-02-30", ["purchase.date", "not a date"]),
    ("documents", ["invoice", "passport"], ["documents[1]", "passport", "invoice"]),
    ("fault.component", "antenna", ["fault.component", "antenna", "host"]),
    ("purchase.channel", "street", ["purchase.channel", "street", "carrier"]),
    ("device.region", "EU", ["device.region", "EU", "CN"]),
    ("coverage_plans", ["gold_care"], ["coverage_plans", "gold_care", "applecare_plus"]),
    ("condition.wet", True, ["condition.wet", "liquid_damage"]),
    ("fault.confirmed", "yes", ["fault.confirmed", "true or false"]),
    ("history.days_in_repair", -3, ["history.days_in_repair", "0 to 3650", "-3"]),
    ("device.model", None, ["device.model", "required"]),
]


@pytest.mark.parametrize("path,value,words", BAD, ids=[b[0] + "=" + str(b[1]) for b in BAD])
def test_bad_case_is_one_line_exit_2(tmp_path, cli, path, value, words):
    case_file = tmp_path / "case.yaml"
    case_file.write_text(yaml.safe_dump(variant(path, value), allow_unicode=True), encoding="utf-8")
    code, out, err = cli("evaluate", str(case_file), "--json")
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err


def test_missing_fault_is_named(tmp_path, cli):
    case_file = tmp_path / "case.yaml"
    case_file.write_text(yaml.safe_dump(variant("fault", None, delete=True)), encoding="utf-8")
    code, _, err = cli("evaluate", str(case_file))
    assert code == 2 and "fault" in err


def test_case_that_is_not_a_mapping(tmp_path, cli):
    case_file = tmp_path / "case.yaml"
    case_file.write_text("- just\n- a list\n", encoding="utf-8")
    code, _, err = cli("evaluate", str(case_file))
    assert code == 2 and "mapping" in err


def test_yaml_syntax_error_is_located(tmp_path, cli):
    case_file = tmp_path / "case.yaml"
    case_file.write_text("brand: apple\ndevice: {model: x\n", encoding="utf-8")
    code, _, err = cli("evaluate", str(case_file))
    assert code == 2
    assert f"{case_file}:" in err and "Traceback" not in err


def test_missing_file(cli, tmp_path):
    code, _, err = cli("evaluate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in err


def test_json_case_file(tmp_path, cli):
    import json

    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(BASE), encoding="utf-8")
    code, out, _ = cli("evaluate", str(case_file), "--json")
    assert code == 0 and json.loads(out)["brand"] == "generic"


def test_case_date_defaults_to_today(registry):
    from datetime import date

    case = variant("case_date", None, delete=True)
    case["purchase"]["date"] = "2026-01-01"
    parsed = registry.parse_case(case, today=date(2026, 6, 1))
    assert parsed.case_date == date(2026, 6, 1)


@pytest.mark.parametrize("path,value,words", BAD, ids=[b[0] + "=" + str(b[1]) for b in BAD])
def test_every_case_error_says_it_in_chinese_too(registry, path, value, words):
    """The counter UI shows ``message_zh``: each refusal has one of its own, with the same values."""
    from aftersales.core.errors import CaseError

    with pytest.raises(CaseError) as info:
        registry.evaluate(registry.parse_case(variant(path, value)))
    error = info.value
    assert error.text("zh") == error.message_zh != error.message == error.text("en")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh), error.message_zh
    if isinstance(value, str) and value in error.message:
        assert value in error.message_zh
