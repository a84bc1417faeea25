"""Finding a case (phone, part of an IMEI or serial, number, brand in either language) and
correcting a saved one in place, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from store_helpers import CASE, NOW, counts

from aftersales.store import StoreError

IMEI = "356938035643809"
BRANDS = {"huawei": ["华为", "Huawei"], "apple": ["苹果", "Apple"]}


def with_device(**device) -> dict:
    case = copy.deepcopy(CASE)
    case["device"].update(device)
    return case


def numbers(found) -> list[str]:
    return [c["number"] for c in found]


def test_search_by_full_phone_in_any_form_shows_it_masked(store, new_case):
    mine = new_case(phone="13800138000")["number"]
    hk = new_case(phone="+852 9123 4567")["number"]
    new_case(phone="13900139000")
    for text in ("13800138000", "138 0013 8000", "+86 138-0013-8000"):
        found = store.search(text, today=NOW.date())
        assert numbers(found) == [mine]
        assert found[0]["customer"]["phone"] == "138 **** 8000"
    assert numbers(store.search("+85291234567", today=NOW.date())) == [hk]
    assert numbers(store.search("00852 9123 4567", today=NOW.date())) == [hk]
    # the eight digits a Hong Kong customer gives, typed without +852
    assert numbers(store.search("9123 4567", today=NOW.date())) == [hk]
    # the digits the mask shows find it too; the masked text's hidden digits do not
    assert numbers(store.search("8000", today=NOW.date())) == [mine]
    assert store.search("0013", today=NOW.date()) == []


def test_a_number_without_its_code_finds_a_macao_or_taiwan_customer_too(store, new_case):
    mo = new_case(phone="+853 6612 3456")["number"]
    tw = new_case(phone="+886 912 345 678")["number"]
    assert numbers(store.search("66123456", today=NOW.date())) == [mo]
    assert numbers(store.search("0912 345 678", today=NOW.date())) == [tw]
    assert numbers(store.search("+86 6612 3456", today=NOW.date())) == []   # a country code is taken as given


def test_search_by_part_of_an_imei_or_serial_by_number_and_brand(store, new_case):
    a = new_case(case=with_device(imei=IMEI, serial="F2LXK0ABCD"))["number"]
    b = new_case(case={**copy.deepcopy(CASE), "brand": "apple",
                       "device": {"model": "iPhone 15", "serial": "C39ZZ1234"}})["number"]
    assert numbers(store.search("35643", today=NOW.date())) == [a]
    assert numbers(store.search("k0ab", today=NOW.date())) == [a]
    assert numbers(store.search("zz12", today=NOW.date())) == [b]
    assert numbers(store.search(a[-4:], today=NOW.date())) == [a]
    assert numbers(store.search(a.lower(), today=NOW.date())) == [a]
    assert numbers(store.search("华为", brands=BRANDS, today=NOW.date())) == [a]
    assert numbers(store.search("苹果", brands=BRANDS, today=NOW.date())) == [b]
    assert numbers(store.search("APPLE", brands=BRANDS, today=NOW.date())) == [b]
    assert store.search("%", today=NOW.date()) == []          # no wildcard of the database
    with pytest.raises(StoreError, match="search"):
        store.search("  ")


def test_a_second_case_for_a_unit_with_an_open_case_says_so(store, new_case):
    first = new_case(case=with_device(imei=IMEI))["number"]
    second = new_case(case=with_device(imei=IMEI), phone="13900139000")
    assert second["same_unit"] == [first]
    assert any(first in w for w in second["warnings"])
    assert numbers(store.open_cases_with_device(serial=None, imei=IMEI, exclude=second["number"])) == [first]
    store.move(first, "cancelled", actor="王芳", note="重复登记", now=NOW)
    assert numbers(store.open_cases_with_device(imei=IMEI, exclude=second["number"])) == []


def test_a_correction_keeps_the_number_logs_what_changed_and_decides_again(store, new_case, db_url):
    saved = new_case(case=with_device(imei="490154203237518"))
    number = saved["number"]
    fixed = with_device(imei=IMEI)
    fixed["purchase"] = {**fixed["purchase"], "date": "2026-06-10"}
    later = NOW + timedelta(minutes=5)
    before = counts(db_url)
    out = store.edit_case(number, actor="王芳", case_input=fixed, phone="+852 9123 4567", now=later,
                          note="IMEI 录错一位")
    assert out["number"] == number
    assert counts(db_url)["cases"] == before["cases"]
    assert out["device"]["imei"] == IMEI
    assert [d["trigger"] for d in out["decisions"]] == ["intake", "edit"]
    assert out["decisions"][-1]["case"]["purchase"]["date"] == "2026-06-10"
    event = out["events"][-1]
    assert event["kind"] == "edited" and event["note"] == "IMEI 录错一位"
    changes = event["data"]["changes"]
    assert changes["device.imei"]["to"] == IMEI
    assert changes["purchase.date"] == {"from": "2026-01-10", "to": "2026-06-10"}
    assert changes["customer.phone"] == {"from": "138 **** 8000", "to": "+852 **** 4567"}
    assert store.get(number)["customer"]["phone"] == "+85291234567"
    assert store.search(IMEI, today=NOW.date())[0]["number"] == number


def test_the_test_confirming_the_fault_is_its_result_not_a_correction(store, new_case):
    """The fault confirmed by the service point's test (and its component or description, alone)
    read 更正 in the log and 更正后判定 in the decisions: a clerk's mistake to a manager. It is the
    test's result (检测结果, 检测后判定); any other field changed with it is a correction."""
    untested = copy.deepcopy(CASE)
    untested["fault"] = {**untested["fault"], "confirmed": False}
    number = new_case(case=untested)["number"]
    tested = copy.deepcopy(untested)
    tested["fault"] = {**tested["fault"], "confirmed": True, "description": "主板故障，无法开机"}
    out = store.edit_case(number, actor="王芳", case_input=tested, now=NOW + timedelta(hours=2), note="检测确认")
    event = out["events"][-1]
    assert event["kind"] == "diagnosed" and event["data"]["changes"]["fault.confirmed"] == {"from": False, "to": True}
    assert [d["trigger"] for d in out["decisions"]] == ["intake", "diagnosis"]
    from aftersales.store.workflow import event_label, trigger_label

    assert (event_label("diagnosed"), trigger_label("diagnosis")) == ("检测结果", "检测后判定")
    other = copy.deepcopy(untested)
    other["fault"] = {**other["fault"], "confirmed": False}
    other["purchase"] = {**other["purchase"], "date": "2026-06-01"}
    again = new_case(case=with_device(imei="490154203237518"))["number"]
    out = store.edit_case(again, actor="王芳", case_input={**other, "device": {**other["device"], "imei": "490154203237518"}},
                          now=NOW + timedelta(hours=2))
    assert out["events"][-1]["kind"] == "edited" and out["decisions"][-1]["trigger"] == "edit"


def test_a_correction_that_changes_nothing_or_is_bad_writes_nothing(store, new_case, db_url):
    number = new_case()["number"]
    before = counts(db_url)
    with pytest.raises(StoreError, match="nothing to change"):
        store.edit_case(number, actor="王芳", case_input=CASE, now=NOW)
    with pytest.raises(StoreError, match="phone"):
        store.edit_case(number, actor="王芳", phone="12345", now=NOW)
    with pytest.raises(Exception, match="imei"):
        store.edit_case(number, actor="王芳", case_input=with_device(imei="356938035643800"), now=NOW)
    with pytest.raises(StoreError, match="after the intake day"):
        store.edit_case(number, actor="王芳", case_input={**CASE, "case_date": "2026-06-16"}, now=NOW)
    store.move(number, "cancelled", actor="王芳", note="客户取消", now=NOW)
    with pytest.raises(StoreError, match="can no longer be corrected"):
        store.edit_case(number, actor="王芳", customer="韩梅梅", now=NOW)
    after = counts(db_url)
    assert after["decisions"] == before["decisions"]
    assert after["events"] == before["events"] + 1      # the cancellation only
