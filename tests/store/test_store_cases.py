"""The case store through its Python API, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from store_helpers import CASE, MAIL_IN, NOW, assert_complete, counts

from aftersales.core.dates import DEFAULT_CALENDAR
from aftersales.core.errors import CaseError
from aftersales.store import StoreError
from aftersales.store.errors import SchemaError


def at(day: int, hour: int = 10, month: int = 6) -> datetime:
    return NOW.replace(month=month, day=day, hour=hour)


def test_a_case_is_stored_with_its_decision_event_and_follow_ups(store, new_case, db_url):
    view = new_case()
    assert view["number"] == "SZ01-20260615-0001"
    assert view["state"] == "received" and view["state_zh"] == "受理"
    assert view["customer"] == {"name": "李雷", "phone": "13800138000"}
    assert view["decision_count"] == 1
    dec = view["decisions"][0]
    assert dec["trigger"] == "intake"
    assert {p["id"] for p in dec["policies"]} >= {"generic_sanbao"}
    assert all(p.get("version") for p in dec["policies"])
    assert dec["decision"]["schema_version"] == 1
    assert view["entitlement"] == "repair"
    assert [e["kind"] for e in view["events"]] == ["created"]
    assert view["events"][0]["actor"] == "王芳"
    due = {(f["party"], f["purpose"], f["due"]) for f in view["follow_ups"]}
    assert due == {("repair_station", "progress", "2026-06-25"), ("customer", "progress", "2026-06-25")}
    assert assert_complete(db_url) == 1


def test_case_numbers_count_per_store_and_day(new_case):
    numbers = [new_case()["number"] for _ in range(3)]
    assert numbers == ["SZ01-20260615-0001", "SZ01-20260615-0002", "SZ01-20260615-0003"]
    assert new_case(store="gz02")["number"] == "GZ02-20260615-0001"
    assert new_case(now=at(16))["number"] == "SZ01-20260616-0001"


def test_the_local_day_names_the_case_not_utc(new_case):
    # 01:30 in Shenzhen is still the previous day in UTC
    assert new_case(now=at(16, hour=1))["number"] == "SZ01-20260616-0001"


def test_concurrent_intake_never_repeats_a_number(store, evaluator, db_url):
    from aftersales.store.casestore import CaseStore

    numbers: list[str] = []
    errors: list[BaseException] = []

    def worker():
        s = CaseStore.open(db_url, evaluator=evaluator)
        try:
            for _ in range(10):
                numbers.append(s.create_case(CASE, store="SZ01", staff="a", customer="c",
                                             phone="13800138000", now=NOW)["number"])
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            s.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"SZ01-20260615-{i:04d}" for i in range(1, 41)]
    assert assert_complete(db_url) == 40


def test_the_whole_counter_process(store, new_case):
    n = new_case()["number"]
    store.move(n, "diagnosing", actor="王芳", now=at(15, 11))
    store.move(n, "in_repair", actor="王芳", now=at(16))
    view = store.follow_up(n, actor="王芳", note="维修站:主板已更换,测试中", now=at(25))
    assert all(f["done_at"] for f in view["follow_ups"])
    view = store.move(n, "ready_for_pickup", actor="李工", now=at(26))
    pickup = [f for f in view["follow_ups"] if f["purpose"] == "pickup"]
    assert pickup == [{"party": "customer", "purpose": "pickup", "due": "2026-06-26", "done_at": None, "done_by": None,
                       "called": False, "moot_by": None}]
    store.move(n, "picked_up", actor="王芳", now=at(27), note="客户测试正常,已签字")
    view = store.move(n, "closed", actor="王芳", now=at(27, 12))
    assert view["state"] == "closed" and view["closed_at"].startswith("2026-06-27")
    assert all(f["done_at"] for f in view["follow_ups"])
    moves = [(e["from"], e["to"], e["actor"]) for e in view["events"] if e["kind"] == "move"]
    assert moves == [("received", "diagnosing", "王芳"), ("diagnosing", "in_repair", "王芳"),
                     ("in_repair", "ready_for_pickup", "李工"), ("ready_for_pickup", "picked_up", "王芳"),
                     ("picked_up", "closed", "王芳")]
    assert view["repair"]["days_in_repair"] == 11  # 06-15 .. 06-26
    assert view["notices"] == []


@pytest.mark.parametrize("path,target", [
    ([], "closed"), ([], "in_repair"), (["diagnosing"], "picked_up"),
    (["diagnosing", "in_repair"], "received"), (["diagnosing", "in_repair"], "cancelled"),
    (["diagnosing", "ready_for_pickup", "picked_up", "closed"], "received"), ([], "received"),
    ([], "no_such_state"),
])
def test_a_move_the_workflow_does_not_allow_writes_nothing(store, new_case, db_url, path, target):
    n = new_case()["number"]
    for state in path:
        store.move(n, state, actor="a", now=NOW)
    before = counts(db_url)
    with pytest.raises(StoreError):
        store.move(n, target, actor="a", now=NOW, note="x")
    assert counts(db_url) == before
    assert store.get(n)["state"] == (path[-1] if path else "received")


def test_cancelling_needs_a_note(store, new_case):
    n = new_case()["number"]
    with pytest.raises(StoreError, match="--note"):
        store.move(n, "cancelled", actor="a", now=NOW)
    assert store.move(n, "cancelled", actor="a", now=NOW, note="客户放弃送修")["state"] == "cancelled"
    with pytest.raises(StoreError, match="nothing to follow up"):
        store.follow_up(n, actor="a", note="x", now=NOW)


def test_unknown_case_number(store, db_url):
    before = counts(db_url)
    for call in (lambda: store.get("SZ01-20260615-9999"),
                 lambda: store.move("SZ01-20260615-9999", "diagnosing", actor="a", now=NOW),
                 lambda: store.follow_up("SZ01-20260615-9999", actor="a", note="x", now=NOW),
                 lambda: store.reevaluate("SZ01-20260615-9999", actor="a", now=NOW)):
        with pytest.raises(StoreError, match="no case numbered SZ01-20260615-9999"):
            call()
    assert counts(db_url) == before


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800", "+852 1234", "abc", "", "0755-123"])
def test_a_phone_number_that_is_not_one_is_refused(new_case, db_url, phone):
    with pytest.raises(StoreError, match="phone"):
        new_case(phone=phone)
    assert counts(db_url)["cases"] == 0


@pytest.mark.parametrize("raw,stored,masked", [
    ("13800138000", "13800138000", "138 **** 8000"),
    ("+86 138-0013-8000", "13800138000", "138 **** 8000"),
    ("0755-87654321", "0755-87654321", "0755 **** 4321"),
    ("010 1234 5678", "010-12345678", "010 **** 5678"),
    ("+852 9123 4567", "+85291234567", "+852 **** 4567"),
    ("00853 6612 3456", "+85366123456", "+853 **** 3456"),
    ("+886 912 345 678", "+886912345678", "+886 *** **5 678"),
    ("+44 20 7946 0958", "+442079460958", "+44 ** **** 0958"),
])
def test_phones_are_normalised_and_masked_in_lists(store, new_case, raw, stored, masked):
    n = new_case(phone=raw)["number"]
    assert store.get(n)["customer"]["phone"] == stored
    assert store.list_cases(today=NOW.date())[0]["customer"]["phone"] == masked
    assert store.list_cases(today=NOW.date(), reveal=True)[0]["customer"]["phone"] == stored
    exported = list(store.export(today=NOW.date()))
    assert exported[0]["customer"]["phone"] == masked


def test_an_invalid_case_writes_nothing(new_case, db_url):
    bad = {**CASE, "fault": {"component": "toaster"}}
    with pytest.raises(CaseError, match="fault.component"):
        new_case(case=bad)
    with pytest.raises(CaseError):
        new_case(case={**CASE, "id_card_number": "110101199003074514"})
    assert counts(db_url) == {"cases": 0, "decisions": 0, "events": 0, "follow_ups": 0}


def test_no_identity_number_is_stored_only_that_the_paper_was_seen(store, new_case, db_url):
    view = new_case()
    assert "id_document" in view["case"]["documents"]
    from aftersales.store.schema import metadata

    columns = {c.name for t in metadata.tables.values() for c in t.columns}
    assert not any(re.search(r"id_?card|passport|id_number|identity", c) for c in columns)


def test_repair_due_dates_are_working_days_on_the_rest_day_calendar(new_case, store):
    # intake on the eve of the National Day holiday: the week off does not count
    intake = datetime(2026, 9, 30, 10, tzinfo=NOW.tzinfo)
    view = new_case(now=intake)
    assert view["repair"]["due_from"] == DEFAULT_CALENDAR.add_working_days(date(2026, 9, 30), 3).isoformat()
    assert view["repair"]["due_by"] == DEFAULT_CALENDAR.add_working_days(date(2026, 9, 30), 5).isoformat()
    assert date.fromisoformat(view["repair"]["due_by"]) > date(2026, 10, 7)
    view = store.move(view["number"], "diagnosing", actor="a", now=intake, repair_kind="complex")
    assert view["repair"]["due_by"] == DEFAULT_CALENDAR.add_working_days(date(2026, 9, 30), 10).isoformat()


def test_follow_ups_are_due_on_day_10_and_listed_when_due(store, new_case):
    n = new_case()["number"]
    assert store.list_cases(due=True, today=date(2026, 6, 22)) == []
    early = store.get(n, today=date(2026, 6, 24))["notices"]
    assert not [x for x in early if x["id"].startswith("follow_up")]
    due = store.list_cases(due=True, today=date(2026, 6, 25))
    assert [c["number"] for c in due] == [n]
    assert {x["id"] for x in due[0]["notices"]} >= {"follow_up_progress_repair_station", "follow_up_progress_customer"}
    store.follow_up(n, actor="a", note="维修站:等配件", now=at(25), party="repair_station", next_in_days=3)
    view = store.get(n, today=date(2026, 6, 25))
    open_ = [(f["party"], f["due"]) for f in view["follow_ups"] if not f["done_at"]]
    assert open_ == [("customer", "2026-06-25"), ("repair_station", "2026-06-28")]


def test_spare_phone_after_7_days_and_exchange_after_30(store, new_case):
    n = new_case()["number"]
    store.move(n, "diagnosing", actor="a", now=NOW)
    store.move(n, "in_repair", actor="a", now=NOW)
    ids = lambda d: {x["id"] for x in store.get(n, today=d)["notices"]}  # noqa: E731
    assert "spare_phone" not in ids(date(2026, 6, 22))        # day 7
    assert "spare_phone" in ids(date(2026, 6, 23))            # day 8
    assert "repair_overdue_exchange" not in ids(date(2026, 7, 15))  # day 30
    assert "repair_overdue_exchange" in ids(date(2026, 7, 16))      # day 31


def test_a_spare_phone_lent_meets_the_notice_that_one_is_owed(store, new_case, store_cli, db_url):
    """Nothing recorded a spare phone lent: the case and the manager's report said one was owed
    for as long as the repair lasted. Recorded once, while the unit is with the service point."""
    n = new_case()["number"]
    store.move(n, "diagnosing", actor="a", now=NOW)
    store.move(n, "in_repair", actor="a", now=NOW)
    ids = lambda d: {x["id"] for x in store.get(n, today=d)["notices"]}  # noqa: E731
    assert "spare_phone" in ids(date(2026, 6, 23))            # day 8
    rc, out, err = store_cli("cases", "spare", n, "--note", "备用机 iPhone 11 白", "--db", db_url, "--lang", "zh")
    assert rc == 0 and f"{n}：已记录借出备用机" in out, err
    assert "spare_phone" not in ids(date(2026, 6, 23))
    events = [e for e in store.get(n)["events"] if e["kind"] == "spare_phone"]
    assert len(events) == 1 and events[0]["note"] == "备用机 iPhone 11 白"
    with pytest.raises(StoreError, match="lent already"):
        store.lend_spare(n, actor="a", now=NOW)
    store.move(n, "ready_for_pickup", actor="a", now=NOW)
    m = new_case(case={**CASE, "device": {**CASE["device"], "imei": "490154203237518"}})["number"]
    store.move(m, "diagnosing", actor="a", now=NOW)
    store.move(m, "cancelled", actor="a", now=NOW, note="客户取回")
    with pytest.raises(StoreError, match="with the service point"):
        store.lend_spare(m, actor="a", now=NOW)


def test_missing_parts_give_60_days(store, new_case):
    n = new_case()["number"]
    store.move(n, "diagnosing", actor="a", now=NOW)
    store.move(n, "in_repair", actor="a", now=NOW, awaiting_parts=True)
    notices = {x["id"] for x in store.get(n, today=date(2026, 7, 20))["notices"]}
    assert "repair_overdue_exchange" not in notices
    notices = {x["id"] for x in store.get(n, today=date(2026, 8, 15))["notices"]}
    assert "repair_overdue_exchange" in notices


def test_reevaluation_appends_a_decision_with_days_from_the_event_log(store, new_case, db_url):
    n = new_case()["number"]
    store.move(n, "diagnosing", actor="a", now=NOW)
    store.move(n, "in_repair", actor="a", now=at(16))
    first = store.reevaluate(n, actor="a", now=at(20))
    assert first["decision_count"] == 2
    assert first["decisions"][1]["case"]["history"]["current_repair_days"] == 5
    assert first["entitlement"] == "repair"
    later = store.reevaluate(n, actor="a", now=datetime(2026, 7, 20, 10, tzinfo=NOW.tzinfo))
    assert [d["seq"] for d in later["decisions"]] == [1, 2, 3]
    assert later["decisions"][0] == first["decisions"][0]  # never overwritten
    assert later["decisions"][2]["case"]["history"]["current_repair_days"] == 35
    exchange = [r for r in later["decisions"][2]["decision"]["remedies"] if r["remedy"] == "exchange"][0]
    assert exchange["available"] and exchange["basis"] == "repair_overdue"
    assert later["entitlement"] == "exchange"
    assert assert_complete(db_url) == 1


def test_days_in_repair_stop_while_ready_for_pickup(store, new_case):
    n = new_case()["number"]
    store.move(n, "diagnosing", actor="a", now=NOW)
    store.move(n, "in_repair", actor="a", now=NOW)
    store.move(n, "ready_for_pickup", actor="a", now=at(20))               # 5 days
    store.move(n, "in_repair", actor="a", now=at(25), note="取机测试仍不开机")   # 5 days not counted
    assert store.get(n, today=date(2026, 6, 28))["repair"]["days_in_repair"] == 8


def test_the_event_log_and_decisions_are_append_only(store, new_case):
    new_case()
    for statement in ("UPDATE events SET note = 'x'", "DELETE FROM events",
                      "UPDATE decisions SET entitlement = 'return'", "DELETE FROM decisions"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.exec_driver_sql(statement)


def test_a_mail_in_case_carries_its_record(store, new_case):
    view = new_case(mail_in=MAIL_IN)
    assert view["mail_in"] is True
    record = view["mail_in_record"]
    assert record["courier"] == "顺丰速运" and record["transport"] == "road"
    assert record["insurance_amount"] == "5000.00"
    assert record["serial"] is None or isinstance(record["serial"], str)
    assert record["product"].endswith("Mate 60")
    exported = list(store.export(today=NOW.date()))[0]
    assert exported["mail_in_record"]["return_phone"] == "139 **** 9000"


@pytest.mark.parametrize("change,field", [
    ({"return_address": None}, "mail_in.return_address"),
    ({"return_postcode": "5180"}, "mail_in.return_postcode"),
    ({"transport": "boat"}, "mail_in.transport"),
    ({"insurance_amount": None}, "mail_in.insurance_amount"),
    ({"data_backup_acknowledged": False}, "mail_in.data_backup_acknowledged"),
    ({"return_phone": "12"}, "mail_in.return_phone"),
    ({"colour": "red"}, "mail_in.colour"),
])
def test_a_bad_mail_in_record_writes_nothing(new_case, db_url, change, field):
    record = {k: v for k, v in {**MAIL_IN, **change}.items() if v is not None}
    with pytest.raises(StoreError) as info:
        new_case(mail_in=record)
    assert info.value.field == field
    assert counts(db_url)["cases"] == 0


def test_pickup_by_the_customer_needs_no_address(new_case):
    record = {"courier": "EMS", "original_packaging": False, "return_by": "pickup",
              "pickup_note": "到店自取", "data_backup_acknowledged": True}
    assert new_case(mail_in=record)["mail_in_record"]["return_by"] == "pickup"


def test_list_filters(store, new_case):
    a = new_case()["number"]
    b = new_case(case={**CASE, "brand": "apple", "device": {"model": "iPhone 15"}})["number"]
    store.move(a, "diagnosing", actor="x", now=NOW)
    assert [c["number"] for c in store.list_cases(state="diagnosing")] == [a]
    assert [c["number"] for c in store.list_cases(state="received,diagnosing")] == [b, a]
    assert [c["number"] for c in store.list_cases(brand="apple")] == [b]
    with pytest.raises(StoreError, match="unknown state"):
        store.list_cases(state="repairing")


def test_export_has_every_decision_and_event(store, new_case):
    for _ in range(3):
        n = new_case()["number"]
    store.reevaluate(n, actor="a", now=at(16))
    rows = list(store.export(today=NOW.date()))
    assert [r["number"] for r in rows] == [f"SZ01-20260615-{i:04d}" for i in (1, 2, 3)]
    assert len(rows[2]["decisions"]) == 2 and rows[2]["events"][-1]["kind"] == "reevaluated"


def test_a_missing_schema_is_a_clear_error(empty_url, evaluator):
    from aftersales.store import db
    from aftersales.store.casestore import CaseStore

    if empty_url.startswith("sqlite"):
        with pytest.raises(SchemaError, match="does not exist"):
            CaseStore.open(empty_url, evaluator=evaluator)
        db.make_engine(empty_url).connect().close()  # an empty file
    with pytest.raises(SchemaError, match="db upgrade"):
        CaseStore.open(empty_url, evaluator=evaluator)


def test_a_newer_schema_is_a_clear_error(db_url, evaluator):
    from aftersales.store import db
    from aftersales.store.casestore import CaseStore

    engine = db.make_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
    engine.dispose()
    with pytest.raises(SchemaError, match="newer than this program"):
        CaseStore.open(db_url, evaluator=evaluator)


def test_upgrade_twice_is_harmless(db_url):
    from aftersales.store import db

    engine = db.make_engine(db_url)
    try:
        assert db.upgrade(engine) == (db.head_revision(), db.head_revision())
    finally:
        engine.dispose()


def test_the_default_file_is_created_on_first_use(tmp_path, monkeypatch, evaluator):
    from aftersales.store import db
    from aftersales.store.casestore import CaseStore

    monkeypatch.delenv("AFTERSALES_DB", raising=False)
    monkeypatch.setattr(db, "default_path", lambda: tmp_path / "data" / "cases.sqlite3")
    with CaseStore.open(evaluator=evaluator) as s:
        s.create_case(CASE, store="SZ01", staff="a", customer="c", phone="13800138000", now=NOW)
    assert (tmp_path / "data" / "cases.sqlite3").exists()
    with CaseStore.open(evaluator=evaluator) as s:
        assert s.count() == 1


def test_the_default_file_is_backed_up_before_a_migration(tmp_path, monkeypatch, evaluator):
    from aftersales.store import db
    from aftersales.store.casestore import CaseStore

    path = tmp_path / "cases.sqlite3"
    monkeypatch.delenv("AFTERSALES_DB", raising=False)
    monkeypatch.setattr(db, "default_path", lambda: path)
    with CaseStore.open(evaluator=evaluator) as s:
        s.create_case(CASE, store="SZ01", staff="a", customer="c", phone="13800138000", now=NOW)
    # pretend the file is at an older known revision: the head is then "newer", so migrate
    current = db.head_revision()
    monkeypatch.setattr(db, "head_revision", lambda: "9999")
    calls = []
    monkeypatch.setattr(db, "upgrade", lambda engine, revision="head": calls.append(revision) or (current, "9999"))
    monkeypatch.setattr(db, "known_revisions", lambda: frozenset({current, "9999"}))
    CaseStore.open(evaluator=evaluator).close()
    assert calls == ["head"]
    assert (tmp_path / f"cases.sqlite3.bak-{current}").exists()


def test_the_head_revision_constant_is_alembics_head():
    from aftersales.store import db

    assert db.head_revision() == db.alembic_head()
    assert db.head_revision() in db.known_revisions()


@pytest.mark.parametrize("current,target,note,zh", [
    ("received", "closed", None, "案例不能从「受理」转为「结案」；可转为：「检测」、「已撤销」"),
    ("received", "received", None, "案例已是「受理」"),
    ("received", "cancelled", " ", "从「受理」转为「已撤销」需要在备注里写明原因"),
])
def test_a_refused_move_says_why_in_chinese_too(current, target, note, zh):
    """The counter UI shows the store's refusals in its language."""
    from aftersales.store.errors import StoreError
    from aftersales.store.workflow import check_move, state_label

    assert state_label("received") == "受理"  # the labels the messages are made of
    with pytest.raises(StoreError) as info:
        check_move(current, target, note)
    assert zh in info.value.text("zh")
    assert info.value.text("en") == info.value.message and target in info.value.message
