"""Outcomes, the replacement unit, the intake record and service levels, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from store_helpers import NOW, counts

from aftersales.store import StoreError
from aftersales.store.workflow import CHINA_TZ

IMEI = "356938035643817"
NEW_IMEI = "356938035643866"


def generic(purchase: str, imei: str = IMEI, **condition) -> dict:
    return {
        "schema_version": 1, "brand": "generic",
        "device": {"model": "Redmi Note 13", "imei": imei},
        "purchase": {"channel": "authorized_reseller", "date": purchase, "country": "CN"},
        "documents": ["invoice", "sanbao_certificate"],
        "fault": {"component": "host", "description": "无法开机", "confirmed": True},
        "condition": {"accessories_complete": True, "packaging_complete": True, **condition},
    }


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CHINA_TZ)


def _all_rows(url: str) -> dict[str, int]:
    from aftersales.store import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            extra = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                     for t in ("unit_records", "store_settings")}
    finally:
        engine.dispose()
    return {**counts(url), **extra}


def test_a_return_refunds_at_most_the_invoice_price_and_has_its_own_path(store, new_case, db_url):
    n = new_case(case=generic("2026-06-10"))["number"]
    store.move(n, "diagnosing", actor="王芳", now=at(6, 15, 11))
    before = _all_rows(db_url)
    with pytest.raises(StoreError, match="more than the invoice price 3000"):
        store.record_outcome(n, "return", {"refund": 3000.5, "invoice_price": 3000}, actor="王芳", now=at(6, 15, 12))
    with pytest.raises(StoreError, match="invoice price is not on the case"):
        store.record_outcome(n, "return", {"refund": 100}, actor="王芳", now=at(6, 15, 12))
    assert _all_rows(db_url) == before
    view = store.record_outcome(n, "return", {"refund": 2999, "invoice_price": 2999}, actor="王芳", now=at(6, 15, 12))
    assert view["state"] == "returned" and view["state_zh"] == "已退货退款"
    assert view["outcome"]["kind"] == "return" and view["outcome"]["refund"] == 2999
    assert view["badge"] == "已退货退款" and view["entitlement"] == "return"
    assert [e["kind"] for e in view["events"]][-2:] == ["remedy", "outcome"]
    with pytest.raises(StoreError, match="returned"):
        store.record_outcome(n, "return", {"refund": 1, "invoice_price": 2999}, actor="王芳", now=at(6, 15, 13))
    with pytest.raises(StoreError, match="cases outcome"):
        store.move(n, "exchanged", actor="王芳", now=at(6, 15, 13))
    closed = store.move(n, "closed", actor="王芳", now=at(6, 16))
    assert closed["badge"] == "已退货退款" and closed["outcome"]["summary_zh"] == "已退货退款 2999 元"


def test_a_full_return_refunds_the_invoice_price_less_only_with_a_managers_reason(store, new_case, db_url):
    """Day 5, the statutory return: a refund below the invoice price (a deduction the law does not
    allow within 7 days) is refused, nothing written; with a manager's reason it is recorded with it."""
    n = new_case(case=generic("2026-06-10"))["number"]
    store.move(n, "diagnosing", actor="王芳", now=at(6, 15, 11))
    before = _all_rows(db_url)
    with pytest.raises(StoreError, match="less than the invoice price 2999") as refused:
        store.record_outcome(n, "return", {"refund": 2500, "invoice_price": 2999}, actor="王芳", now=at(6, 15, 12),
                             note="扣折旧")
    assert refused.value.field == "override"
    assert "退款 2500 元少于发票金额 2999 元：判定给出的退货应按发票金额全额退款" in refused.value.text("zh")
    assert _all_rows(db_url) == before
    view = store.record_outcome(n, "return", {"refund": 2500, "invoice_price": 2999}, actor="王芳", now=at(6, 15, 12),
                                override="客户自愿：赠品耳机未退回，店长李明同意")
    assert view["state"] == "returned" and view["outcome"]["refund"] == 2500
    outcome = [e for e in view["events"] if e["kind"] == "outcome"][-1]
    assert outcome["data"]["below_invoice"] == "客户自愿：赠品耳机未退回，店长李明同意"


def test_a_remedy_not_offered_is_refused_unless_a_manager_overrides(store, new_case, db_url):
    n = new_case(case=generic("2026-02-15"))["number"]  # day 120: free repair only
    before = _all_rows(db_url)
    with pytest.raises(StoreError, match=r"does not offer exchange .*offered: repair.*--override"):
        store.choose_remedy(n, "exchange", actor="王芳", now=NOW)
    assert _all_rows(db_url) == before
    view = store.choose_remedy(n, "exchange", actor="店长", now=NOW, override="老客户,经理特批")
    remedy = [e for e in view["events"] if e["kind"] == "remedy"][-1]
    assert remedy["data"] == {"remedy": "exchange", "offered": ["repair"], "override": "老客户,经理特批"}
    assert view["remedy"] == "exchange"


def test_an_exchange_links_the_replacement_whose_later_case_restarts_its_period(store, new_case, db_url):
    n = new_case(case=generic("2026-06-05"))["number"]  # day 10: exchange
    store.move(n, "diagnosing", actor="王芳", now=at(6, 15, 11))
    assert store.choose_remedy(n, "exchange", actor="王芳", now=at(6, 15, 11))["state"] == "awaiting_exchange"
    before = _all_rows(db_url)
    for imei, text in (("356938035643818", "not a valid IMEI"), (IMEI, "is the original unit's")):
        with pytest.raises(StoreError, match=text):
            store.record_outcome(n, "exchange", {"imei": imei}, actor="王芳", now=at(6, 18))
    assert _all_rows(db_url) == before
    view = store.record_outcome(n, "exchange", {"imei": NEW_IMEI, "serial": "f2lxk0ab12", "certificate": "SB-01"},
                                actor="王芳", now=at(6, 18))
    assert view["state"] == "exchanged"
    assert {k: view["outcome"][k] for k in ("imei", "serial", "date", "certificate")} == {
        "imei": NEW_IMEI, "serial": "F2LXK0AB12", "date": "2026-06-18", "certificate": "SB-01"}
    # the customer back with the unit handed over: its IMEI or serial, or part of one, finds the case
    for typed in (NEW_IMEI, NEW_IMEI[-6:], "f2lxk0ab12", "LXK0"):
        assert [c["number"] for c in store.search(typed, today=at(6, 18).date())] == [n], typed
    # a later case on the replacement: 第二十一条, the period restarts on the exchange date
    later = new_case(case=generic("2026-06-05", imei=NEW_IMEI), now=at(6, 24))
    decided = later["decisions"][0]
    assert decided["case"]["purchase"]["date"] == "2026-06-18"
    assert decided["decision"]["coverage"]["start"] == "2026-06-18"
    assert later["entitlement"] == "return"  # day 6 after the exchange: within the 7 days again
    assert later["events"][0]["data"]["unit"]["replacement_of"] == n
    assert any("第二十一条" in w.zh for w in later["warnings"])
    shown = store.get(later["number"], today=at(6, 24).date())
    assert shown["unit_history"][0]["kind"] == "replacement" and shown["unit_history"][0]["case"] == n
    # the same IMEI cannot be handed over twice
    other = new_case(case=generic("2026-06-05", imei="356938035643825"), now=at(6, 18))["number"]
    with pytest.raises(StoreError, match="already recorded as the replacement"):
        store.record_outcome(other, "exchange", {"imei": NEW_IMEI}, actor="王芳", now=at(6, 18, 11))


def test_a_case_corrected_to_a_replacement_units_imei_restarts_its_period_as_a_new_one_would(store, new_case):
    """The clerk typed a wrong IMEI, then corrects it to the unit handed over in an exchange: the
    corrected case takes the replacement's restarted period (第二十一条), as taking it in anew would."""
    n = new_case(case=generic("2026-06-05"))["number"]  # day 10: exchange
    store.move(n, "diagnosing", actor="王芳", now=at(6, 15, 11))
    store.choose_remedy(n, "exchange", actor="王芳", now=at(6, 15, 11))
    store.record_outcome(n, "exchange", {"imei": NEW_IMEI}, actor="王芳", now=at(6, 18))
    typo = new_case(case=generic("2026-06-05", imei="356938035643825"), now=at(6, 24))["number"]
    view = store.edit_case(typo, actor="王芳", case_input=generic("2026-06-05", imei=NEW_IMEI), now=at(6, 24, 11))
    decided = view["decisions"][-1]
    assert decided["case"]["purchase"]["date"] == "2026-06-18"
    assert decided["decision"]["coverage"]["start"] == "2026-06-18" and view["entitlement"] == "return"
    assert view["events"][-1]["kind"] == "edited"


def test_a_replacement_whose_warranty_continues_keeps_the_original_dates(store, new_case):
    apple_hk = {
        "schema_version": 1, "brand": "apple",
        "device": {"model": "iPhone 15", "part_number": "MTLE3ZP/A", "imei": IMEI},
        "purchase": {"channel": "brand_store_retail", "date": "2026-04-16", "country": "HK"},
        "documents": ["purchase_receipt", "exit_entry_proof"],
        "fault": {"component": "host", "description": "无法开机", "confirmed": True},
    }
    n = new_case(case=apple_hk)["number"]
    first = store.get(n, today=NOW.date())["decisions"][0]["decision"]
    assert first["exchange"]["warranty_after"] == "continues"
    store.record_outcome(n, "exchange", {"imei": NEW_IMEI}, actor="王芳", now=at(6, 20), override="整机更换")
    later = new_case(case={**apple_hk, "device": {**apple_hk["device"], "imei": NEW_IMEI},
                           "purchase": {**apple_hk["purchase"], "date": "2026-06-20"}}, now=at(7, 1))
    assert later["decisions"][0]["case"]["purchase"]["date"] == "2026-04-16"
    assert later["events"][0]["data"]["unit"]["warranty_after"] == "continues"


def test_a_free_repair_feeds_days_in_repair_of_the_next_case_on_the_unit(store, new_case):
    n = new_case(case=generic("2026-02-15"))["number"]
    store.move(n, "diagnosing", actor="王芳", now=at(6, 15, 11))
    store.move(n, "in_repair", actor="王芳", now=at(6, 15, 12))
    view = store.record_outcome(n, "repair", {"work": "更换主板", "parts": ["主板"]}, actor="李工", now=at(6, 22))
    assert view["outcome"]["days"] == 7 and view["state"] == "ready_for_pickup"   # repaired: to be collected
    later = new_case(case=generic("2026-02-15"), now=at(9, 1))
    history = later["decisions"][0]["case"]["history"]
    assert history["days_in_repair"] == 7 and history["warranty_repairs_for_fault"] == 1
    assert later["decisions"][0]["decision"]["coverage"]["end"] == "2027-02-22"  # 2027-02-15 + 7 days


def test_a_paid_repair_records_quote_consent_and_amount(store, new_case, db_url):
    n = new_case(case=generic("2026-01-16", unauthorized_repair=True))["number"]
    before = _all_rows(db_url)
    with pytest.raises(StoreError, match="did not consent"):
        store.record_outcome(n, "paid_repair", {"quote": 680, "consent": False, "amount": 10}, actor="王芳", now=NOW)
    with pytest.raises(StoreError, match="does not offer repair"):
        store.record_outcome(n, "repair", {"work": "x", "days": 1}, actor="王芳", now=NOW)
    # more than the customer agreed to is not charged: a new quote is agreed first
    with pytest.raises(StoreError, match="charged 700 is more than the quote 680 the customer agreed to") as refused:
        store.record_outcome(n, "paid_repair", {"quote": 680, "consent": True, "amount": 700}, actor="王芳", now=NOW)
    assert refused.value.field == "amount" and "实收 700 元超过客户同意的报价 680 元" in refused.value.message_zh
    assert _all_rows(db_url) == before
    view = store.record_outcome(n, "paid_repair", {"quote": 680, "consent": True, "amount": 680},
                                actor="王芳", now=NOW)
    assert view["outcome"]["summary_zh"] == "已付费维修 680 元" and view["badge"] == "已付费维修"


def test_nothing_is_recorded_on_a_cancelled_case(store, new_case, db_url):
    n = new_case()["number"]
    store.move(n, "cancelled", actor="王芳", now=NOW, note="客户撤回")
    before = _all_rows(db_url)
    with pytest.raises(StoreError, match="cancelled"):
        store.record_outcome(n, "repair", {"work": "x"}, actor="王芳", now=NOW)
    assert _all_rows(db_url) == before
    assert store.get(n, today=NOW.date())["badge"] == "已撤销"


def test_unit_records_are_append_only(store, new_case, db_url):
    n = new_case(case=generic("2026-06-05"))["number"]
    store.record_outcome(n, "exchange", {"imei": NEW_IMEI}, actor="王芳", now=NOW)
    for stmt in ("UPDATE unit_records SET imei = '1'", "DELETE FROM unit_records"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(sa.text(stmt))


def test_service_levels_follow_working_hours_and_rest_days(store, new_case):
    store.set_store_info("SZ01", actor="店长", now=NOW, name="华强北店", opens="09:00", closes="18:00")
    # Friday 2026-06-12 17:00 -> answer Monday 17:00, solution Tuesday 17:00
    friday = new_case(now=datetime(2026, 6, 12, 17, tzinfo=CHINA_TZ))
    level = friday["service_level"]
    assert level["answer_due"] == "2026-06-15T17:00+08:00" and level["solution_due"] == "2026-06-16T17:00+08:00"
    # Monday 20:00 (after closing) -> 24 h is Tuesday 20:00, so Wednesday at opening
    late = new_case(now=datetime(2026, 6, 15, 20, tzinfo=CHINA_TZ))["service_level"]
    assert late["answer_due"] == "2026-06-17T09:00+08:00"
    # the 2026 National Day holiday (10-01..10-07): 09-30 10:00 -> 14 hours that day, the clock
    # stops over the holiday, 10 more hours on 10-08
    nd = new_case(now=datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ))["service_level"]
    assert nd["answer_due"] == "2026-10-08T10:00+08:00"
    n = friday["number"]
    overdue = store.list_cases(overdue=True, now=datetime(2026, 6, 15, 18, tzinfo=CHINA_TZ),
                               today=datetime(2026, 6, 15).date())
    assert n in [c["number"] for c in overdue]
    assert overdue[-1]["service_level"]["overdue"] == ["answer"]
    store.move(n, "diagnosing", actor="王芳", now=datetime(2026, 6, 15, 18, 30, tzinfo=CHINA_TZ))
    store.choose_remedy(n, "repair", actor="王芳", now=datetime(2026, 6, 15, 18, 40, tzinfo=CHINA_TZ))
    view = store.get(n, now=datetime(2026, 6, 17, 9, tzinfo=CHINA_TZ), today=datetime(2026, 6, 17).date())
    assert view["service_level"]["answered_at"] and view["service_level"]["overdue"] == []


def test_the_store_settings_are_checked(store):
    with pytest.raises(StoreError, match="opening time 18:00 is not before"):
        store.set_store_info("SZ01", actor="店长", opens="18:00", closes="09:00")
    # the hotline is read as a customer's phone is (phonenumbers): refused unless it is a number
    for bad in ("call us", "99999", "1380013800"):
        with pytest.raises(StoreError, match="not a valid phone number") as refused:
            store.set_store_info("SZ01", actor="店长", hotline=bad)
        assert refused.value.field == "hotline" and "不是有效的电话号码" in refused.value.line("zh")
    info = store.set_store_info("SZ01", actor="店长", name="华强北店", address="深圳市福田区华强北路1号",
                                hotline="0755 1234 5678")
    assert store.store_info("sz01") == info and info.opens == "09:00"
    assert info.hotline == "0755-12345678"      # stored as a customer's landline is
    # a mainland service number (a bank's, a network's) is a hotline too, kept as its digits
    assert store.set_store_info("SZ01", actor="店长", hotline=" 95588 ").hotline == "95588"
    for typed, stored in (("400-800-1234", "4008001234"), ("+852 2345 6789", "+85223456789"),
                          ("00853 2888 1234", "+85328881234"), ("+886 2 2345 6789", "+886223456789")):
        assert store.set_store_info("SZ01", actor="店长", hotline=typed).hotline == stored


def test_the_intake_record_is_kept_and_merged(store, new_case):
    view = new_case(intake={"accessories": "充电线、卡针", "checklist": "backed_up,signed_out", "passcode": "removed"})
    assert view["intake_record"] == {"accessories": ["充电线", "卡针"], "appearance": None,
                                     "checklist": ["backed_up", "signed_out"], "passcode": "removed"}
    view = store.record_intake(view["number"], {"appearance": "后盖轻微划痕"}, actor="王芳", now=NOW)
    assert view["intake_record"]["appearance"] == "后盖轻微划痕" and view["intake_record"]["accessories"] == ["充电线", "卡针"]
    with pytest.raises(StoreError, match="checklist"):
        store.record_intake(view["number"], {"checklist": "wiped"}, actor="王芳", now=NOW)


def test_the_report_counts_the_day(store, new_case):
    a = new_case(case=generic("2026-06-05"))["number"]
    store.move(a, "diagnosing", actor="王芳", now=at(6, 15, 11))
    store.choose_remedy(a, "exchange", actor="王芳", now=at(6, 15, 11))
    b = new_case(case=generic("2026-02-15", imei="356938035643825"))["number"]
    store.move(b, "diagnosing", actor="王芳", now=at(6, 15, 11))
    store.move(b, "in_repair", actor="王芳", now=at(6, 15, 12))
    report = store.report(now=at(6, 25))
    assert [c["number"] for c in report["exchanges_waiting"]] == [a]
    assert b in [c["number"] for c in report["spare_phones"]]
    assert b in [c["number"] for c in report["follow_ups_today"]]
    assert b in [c["number"] for c in report["overdue_repairs"]]
    assert {s["state"]: s["count"] for s in report["by_state"]} == {"in_repair": 1, "awaiting_exchange": 1}
    assert report["week_intake"][-1] == {"date": "2026-06-25", "count": 0}
    assert sum(d["count"] for d in report["week_intake"]) == 0
    assert sum(d["count"] for d in store.report(now=at(6, 16))["week_intake"]) == 2
    json.dumps(report)
    # a paid repair (out of warranty) owes no spare phone: said neither on the case nor in the report
    p = new_case(case=generic("2024-02-15", imei="490154203237518"))["number"]
    store.move(p, "diagnosing", actor="王芳", now=at(6, 15, 11))
    store.move(p, "in_repair", actor="王芳", now=at(6, 15, 12))
    from datetime import date

    assert store.get(p, today=date(2026, 6, 25))["entitlement"] == "paid_repair"
    assert "spare_phone" not in {n["id"] for n in store.get(p, today=date(2026, 6, 25))["notices"]}
    assert "spare_phone" in {n["id"] for n in store.get(b, today=date(2026, 6, 25))["notices"]}
    assert p not in [c["number"] for c in store.report(now=at(6, 25))["spare_phones"]]


def test_a_refund_in_place_of_an_exchange_is_at_least_the_depreciated_price(store, new_case, db_url):
    """Day 10 (第十九条): the decision offers a refund in place of the exchange, the invoice price
    less 0.5 % a day; the refund recorded may not be less, nor more than the invoice price."""
    case = generic("2026-06-05")
    case["purchase"]["price"] = 3000
    n = new_case(case=case)["number"]
    offered_refund = store.get(n, today=NOW.date())["decisions"][0]["decision"]["remedies"]
    amount = next(r["refund_instead"]["amount"] for r in offered_refund if r["remedy"] == "exchange")
    assert amount == 2850.0
    before = _all_rows(db_url)
    with pytest.raises(StoreError, match="less than the 2850 the decision offers"):
        store.record_outcome(n, "return", {"refund": 2000}, actor="王芳", now=NOW)
    with pytest.raises(StoreError, match="more than the invoice price 3000"):
        store.record_outcome(n, "return", {"refund": 3001}, actor="王芳", now=NOW)
    assert _all_rows(db_url) == before
    view = store.record_outcome(n, "return", {"refund": 2850}, actor="王芳", now=NOW)
    assert view["state"] == "returned" and view["outcome"]["invoice_price"] == 3000
    assert view["outcome"]["refund_instead"]["amount"] == 2850.0


def test_a_late_pickup_call_makes_a_case_overdue(store, new_case):
    n = new_case(case=generic("2026-02-15"))["number"]
    store.move(n, "diagnosing", actor="王芳", now=at(6, 15, 11))
    store.move(n, "ready_for_pickup", actor="王芳", now=at(6, 15, 12))
    assert [c["number"] for c in store.list_cases(overdue=True, now=at(6, 15, 17), today=at(6, 15).date())] == []
    late = store.list_cases(overdue=True, now=at(6, 17), today=at(6, 17).date())
    assert [c["number"] for c in late] == [n]


def test_follow_ups_an_outcome_makes_moot_are_not_shown_as_calls_made(store, new_case):
    """A return settles the open follow-up calls: they are done, but no call was made, and the
    case says so (无需回访) instead of 已完成 beside a call nobody made."""
    from aftersales.store.documents import render_ticket

    n = new_case(case=generic("2026-06-10"))["number"]
    store.move(n, "diagnosing", actor="王芳", now=at(6, 15, 11))
    opened = store.get(n)["follow_ups"]
    assert opened and all(f["done_at"] is None for f in opened)
    called = store.follow_up(n, actor="王芳", note="维修站：已检测", party=opened[0]["party"], now=at(6, 15, 11))
    was_called = [f for f in called["follow_ups"] if f["done_at"]]
    assert was_called and all(f["called"] for f in was_called)
    view = store.record_outcome(n, "return", {"refund": 2999, "invoice_price": 2999}, actor="王芳", now=at(6, 15, 12))
    moot = [f for f in view["follow_ups"] if f["done_at"] and not f["called"]]
    assert moot and all(f["done_at"] for f in view["follow_ups"])
    assert len(moot) + len(was_called) == len(view["follow_ups"])
    text = render_ticket(view)
    # why no call was needed: the return came before the follow-up day
    assert "无需回访：案例在回访日前已转为“已退货退款”" in text
    assert all(f["moot_by"] == "returned" for f in moot)


@pytest.mark.parametrize(("kind", "fields"), [("repair", {"work": "更换主板"}),
                                              ("paid_repair", {"quote": 680, "consent": True, "amount": 680})])
def test_a_repair_recorded_makes_the_unit_ready_for_pickup_as_the_move_there_does(store, new_case, kind, fields):
    """A repair recorded (free or paid) while the unit is with the service point moves the case on
    to 待取机, as moving it there does: the progress calls are settled, the customer's pickup call is
    due, the repair clock stops; the case offers pickup next. Recorded once the unit is ready, it
    stays there. (It stayed in 受理, its calls and clock running.)"""
    case = generic("2026-02-15") if kind == "repair" else generic("2026-01-16", unauthorized_repair=True)
    n = new_case(case=case)["number"]
    view = store.record_outcome(n, kind, fields, actor="李工", now=at(6, 17))
    assert view["state"] == "ready_for_pickup" and view["state_since"].startswith("2026-06-17")
    assert {(f["purpose"], f["due"], f["moot_by"]) for f in view["follow_ups"]} == {
        ("progress", "2026-06-25", "ready_for_pickup"), ("pickup", "2026-06-17", None)}
    later = store.get(n, today=at(6, 27).date())
    assert later["repair"]["days_in_repair"] == 2                   # 06-15 to 06-17, not to 06-27
    from aftersales.store.workflow import allowed_moves

    assert allowed_moves(later["state"]) == ("picked_up", "in_repair")
    again = store.record_outcome(n, kind, fields, actor="李工", now=at(6, 18))
    assert again["state"] == "ready_for_pickup"                    # (recorded again: stays)


def test_an_outcome_that_moves_the_case_stops_its_repair_clock(store, new_case):
    """An exchange recorded on day 1 of the repair: the days with the service point stop there (the
    outcome's event says where the case went), as a move's would."""
    n = new_case(case=generic("2026-06-05"))["number"]
    store.move(n, "diagnosing", actor="王芳", now=at(6, 15, 11))
    view = store.record_outcome(n, "exchange", {"imei": NEW_IMEI}, actor="王芳", now=at(6, 16))
    assert view["state"] == "exchanged"
    assert store.get(n, today=at(6, 25).date())["repair"]["days_in_repair"] == 1


def test_open_cases_are_those_the_workflow_has_not_finished(store, new_case):
    """What the store calls open (``list_cases(open_only=…)``, ``search(open_only=…)``, the cases
    due) is what the counter's 全部未结 lists: not an exchanged case, a returned one or one picked
    up (an exchanged case was listed open while its only move left was → 结案)."""
    from aftersales.store.workflow import FINISHED, STATES, allowed_moves

    numbers = {}
    for name, imei in (("repairing", IMEI), ("exchanged", "356938035643825"), ("picked_up", "356938035643833")):
        numbers[name] = new_case(case=generic("2026-06-05", imei))["number"]
    store.move(numbers["repairing"], "diagnosing", actor="王芳", now=at(6, 15, 11))
    store.record_outcome(numbers["exchanged"], "exchange", {"imei": NEW_IMEI}, actor="王芳", now=at(6, 15, 11))
    for target in ("diagnosing", "ready_for_pickup", "picked_up"):
        store.move(numbers["picked_up"], target, actor="王芳", now=at(6, 15, 12))
    listed = {c["number"] for c in store.list_cases(open_only=True, today=at(6, 15).date())}
    found = {c["number"] for c in store.search("13800138000", open_only=True, today=at(6, 15).date())}
    assert listed == found == {numbers["repairing"]}
    # a finished state has nothing left but closing it; an open one has work to move on
    assert all(allowed_moves(s) == ("closed",) for s in FINISHED if s not in ("closed", "cancelled"))
    assert all(set(allowed_moves(s)) - {"cancelled", "closed"} for s in STATES if s not in FINISHED)


def test_a_repairs_summary_says_the_work_the_parts_and_the_days_paid_or_free():
    """What the customer's ticket and the case say of a repair: a paid one said only its price."""
    from aftersales.store.outcomes import outcome_summary

    paid = {"consent": True, "amount": 450, "quote": 450, "work": "更换触摸屏", "parts": ["触摸屏"]}
    assert outcome_summary("paid_repair", paid) == "已付费维修 450 元 更换触摸屏 更换：触摸屏"
    assert outcome_summary("paid_repair", paid, "en") == "paid repair CNY 450 更换触摸屏 parts: 触摸屏"
    assert outcome_summary("repair", {"work": "更换主板", "parts": ["主板"], "days": 3}) == "已免费维修 更换主板 更换：主板，修理 3 天"
    assert outcome_summary("paid_repair", {"consent": False, "quote": 300}) == "已付费维修（客户未同意报价）"
