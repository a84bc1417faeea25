"""``parse_case``: the lean pass gives exactly what the careful parser gives — the same ``Case``
for a good case, the same one-line error naming the field for a bad one — whatever the input."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import random
from datetime import date, datetime

import pytest
from stdnum import imei as stdnum_imei
from stdnum.exceptions import ValidationError

from aftersales.core import model
from aftersales.core.errors import CaseError
from aftersales.core.generate import generate_cases
from aftersales.core.model import Case, Condition, Device, Fault, History, Purchase, parse_case

PLANS = frozenset({"applecare_plus", "huawei_extended_warranty", "huawei_screen_cover"})
TODAY = date(2026, 6, 1)

#: odd values tried in every field
ODD = [None, "", "  ", " x ", "x", 0, 1, -1, 2, 1.0, True, False, [], {}, ["invoice"], {"a": 1},
       "2026-01-01", " 2026-01-01 ", "2026-02-30", "20260101", date(2026, 1, 1), datetime(2026, 1, 1, 9, 30),
       "CN", "cn", "C1", "中国", "host", "screen", "HK", "authorized_reseller", "applecare_plus",
       "356938035643809", " 356938035643809", "356938035643800", "35-693803-564380-9", "35693803564380"]

PATHS = ["schema_version", "case_date", "brand", "device", "device.model", "device.part_number", "device.model_code",
         "device.serial", "device.imei", "device.region", "device.production_date", "purchase", "purchase.date",
         "purchase.channel", "purchase.country", "purchase.received_date", "activation_date", "documents",
         "fault", "fault.component", "fault.description", "fault.confirmed", "fault.part", "condition",
         "condition.liquid_damage", "condition.frame_bent", "history", "history.warranty_repairs_for_fault",
         "history.days_in_repair", "history.awaiting_parts", "history.plan_claims", "coverage_plans", "extra",
         "device.extra", "purchase.extra", "fault.extra", "condition.extra", "history.extra"]


def outcome(data, **kw):
    """What the careful parser says, and what parse_case says, as comparable values."""
    def run(fn):
        try:
            case = fn()
        except CaseError as exc:
            return ("error", str(exc), exc.field)
        return ("case", case, type(case), type(case.device), type(case.purchase))
    careful = run(lambda: model._parse_careful(data, kw.get("today"), kw.get("coverage_plans")))
    lean = run(lambda: parse_case(data, **kw))
    return careful, lean


def put(case: dict, path: str, value) -> dict:
    case = copy.deepcopy(case)
    node = case
    keys = path.split(".")
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value
    return case


def drop(case: dict, path: str) -> dict:
    case = copy.deepcopy(case)
    node = case
    keys = path.split(".")
    for key in keys[:-1]:
        node = node.get(key)
        if not isinstance(node, dict):
            return case
    node.pop(keys[-1], None)
    return case


GENERATED = list(generate_cases(400, seed=21))


def test_generated_cases_take_the_lean_pass_and_match():
    for data in GENERATED:
        assert model._parse_lean(data, None, PLANS) is not None, data
        careful, lean = outcome(data, coverage_plans=PLANS)
        assert careful == lean


@pytest.mark.parametrize("path", PATHS)
def test_every_odd_value_in_every_field_gives_the_careful_answer(path):
    for base in GENERATED[:12]:
        for value in ODD:
            data = put(base, path, value)
            careful, lean = outcome(data, coverage_plans=PLANS)
            assert careful == lean, (path, value)
            careful, lean = outcome(data, today=TODAY)       # bundled plan ids, a default day
            assert careful == lean, (path, value)
        careful, lean = outcome(drop(base, path), coverage_plans=PLANS)
        assert careful == lean, (path, "missing")


def test_values_memoised_as_good_do_not_excuse_a_wrong_type():
    base = GENERATED[0]
    # first the good forms, so every memo table holds them
    good = put(put(put(base, "fault.confirmed", True), "condition", {"liquid_damage": True}),
               "history", {"days_in_repair": 1, "awaiting_parts": False})
    parse_case(good, coverage_plans=PLANS)
    # then the same values as numbers: equal in Python (True == 1), refused by the case format
    for path, value, field in [("fault.confirmed", 1, "fault.confirmed"), ("fault.confirmed", 1.0, "fault.confirmed"),
                               ("condition", {"liquid_damage": 1}, "condition.liquid_damage"),
                               ("history", {"days_in_repair": True}, "history.days_in_repair"),
                               ("history", {"days_in_repair": 1, "awaiting_parts": 0}, "history.awaiting_parts")]:
        with pytest.raises(CaseError) as err:
            parse_case(put(good, path, value), coverage_plans=PLANS)
        assert err.value.field == field


def test_dates_and_relations_between_them():
    base = {"case_date": "2026-06-15", "brand": "generic", "device": {"model": "x"}, "fault": {"component": "host"}}
    cases = [
        {"purchase": {"date": "2026-06-16"}},                                     # after the case date
        {"purchase": {"date": "2026-06-01", "received_date": "2026-05-31"}},      # received before bought
        {"purchase": {"date": "2026-06-01", "received_date": "2026-06-16"}},
        {"activation_date": "2026-06-16"},
        {"device": {"model": "x", "production_date": "2026-06-02"}, "purchase": {"date": "2026-06-01"}},
        {"device": {"model": "x", "production_date": "2026-06-16"}},
        {"device": {"model": "x", "production_date": "2026-05-02"}, "purchase": {"date": "2026-06-01"}},
        {"purchase": {"date": "2026-06-15", "received_date": "2026-06-15"}, "activation_date": "2026-06-15"},
    ]
    for extra in cases:
        data = {**base, **extra}
        careful, lean = outcome(data)
        assert careful == lean, extra
    assert outcome(cases[-1] | base)[1][0] == "case"


def test_imei_check_digit_agrees_with_stdnum():
    rng = random.Random(5)
    base = GENERATED[1]
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(15))
        try:
            stdnum_imei.validate(digits)
            valid = True
        except ValidationError:
            valid = False
        careful, lean = outcome(put(base, "device.imei", digits), coverage_plans=PLANS)
        assert careful == lean
        assert (lean[0] == "case") is valid, digits


def test_lean_cases_are_ordinary_frozen_dataclasses():
    data = GENERATED[2]
    case = parse_case(data, coverage_plans=PLANS)
    assert type(case) is Case and type(case.device) is Device and type(case.purchase) is Purchase
    assert type(case.fault) is Fault and type(case.condition) is Condition and type(case.history) is History
    assert case == model._parse_careful(data, None, PLANS)
    assert hash(case) == hash(model._parse_careful(data, None, PLANS))
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.brand = "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.device.imei = "x"
    assert dataclasses.replace(case, brand="apple").brand == "apple"
    assert pickle.loads(pickle.dumps(case)) == case and copy.deepcopy(case) == case
    assert model.case_to_dict(case) == model.case_to_dict(model._parse_careful(data, None, PLANS))


def test_other_mappings_take_the_careful_path():
    from types import MappingProxyType

    data = GENERATED[3]
    assert parse_case(MappingProxyType(data), coverage_plans=PLANS) == parse_case(data, coverage_plans=PLANS)
    with pytest.raises(CaseError, match="a case must be a mapping of fields, not list"):
        parse_case([data])


def test_memo_tables_stay_bounded(monkeypatch):
    monkeypatch.setattr(model, "_MEMO_LIMIT", 50)
    for table in (model._DATES, model._FAULTS, model._ID_SETS, model._COUNTRIES, model._CONDITIONS, model._HISTORIES):
        table.clear()
    for data in generate_cases(300, seed=8):
        parse_case(data, coverage_plans=PLANS)
    for table in (model._DATES, model._FAULTS, model._ID_SETS, model._COUNTRIES, model._CONDITIONS, model._HISTORIES):
        assert len(table) <= 50
    assert model._DATES   # and they are used
