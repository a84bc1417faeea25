"""Staff sign-in (code and PIN, Argon2id hash), events naming the staff member, and the access
log of ``--reveal`` and exports."""

from __future__ import annotations

import json

import pytest
from store_helpers import CASE

PIN_M, PIN_C = "246810", "135790"


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def staffed(store_cli, db_url):
    """A manager M001 (every store) and a clerk S001 of SZ01."""
    rc, out, err = store_cli("staff", "add", "S001", "--name", "王芳", "--store", "SZ01", "--db", db_url,
                             env={"AFTERSALES_NEW_PIN": PIN_C})
    assert rc == 2 and "first staff member must be a manager" in err
    rc, out, err = store_cli("staff", "add", "M001", "--name", "张经理", "--manager", "--db", db_url,
                             env={"AFTERSALES_NEW_PIN": PIN_M})
    assert rc == 0, err
    rc, out, err = store_cli("staff", "add", "S001", "--name", "王芳", "--store", "SZ01", "--db", db_url,
                             "--by", "M001", env={"AFTERSALES_NEW_PIN": PIN_C, "AFTERSALES_PIN": PIN_M})
    assert rc == 0, err
    return db_url


def _as(code: str, pin: str) -> dict:
    return {"AFTERSALES_STAFF": code, "AFTERSALES_PIN": pin}


def test_the_pin_is_kept_only_as_a_salted_argon2_hash(staffed, store_cli):
    import sqlalchemy as sa

    from aftersales.store import db

    engine = db.make_engine(staffed)
    try:
        with engine.connect() as conn:
            hashes = dict(conn.execute(sa.text("SELECT code, pin_hash FROM staff")).all())
    finally:
        engine.dispose()
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert PIN_C not in hashes["S001"] and PIN_M not in hashes["M001"]
    rc, out, err = store_cli("staff", "list", "--db", staffed, "--json")
    rows = json.loads(out)
    assert [(r["code"], r["role"], r["store"]) for r in rows] == [("M001", "manager", None), ("S001", "clerk", "SZ01")]
    assert "argon2" not in out and PIN_C not in out


def test_a_clerk_adds_no_staff(staffed, store_cli):
    rc, out, err = store_cli("staff", "add", "S002", "--name", "李四", "--store", "SZ01", "--db", staffed,
                             "--by", "S001", env={"AFTERSALES_NEW_PIN": "111111", "AFTERSALES_PIN": PIN_C})
    assert rc == 7 and "only a manager" in err


def test_writes_sign_in_and_the_event_log_names_the_staff_member(staffed, store_cli, case_file):
    new = ("cases", "new", case_file, "--customer", "李雷", "--phone", "13800138000", "--store", "SZ01",
           "--db", staffed, "--json")
    rc, out, err = store_cli(*new, env={"AFTERSALES_STAFF": "S001", "AFTERSALES_PIN": ""})
    assert rc == 7 and "sign in" in err and len(err.strip().splitlines()) == 1
    wrong_pin = store_cli(*new, env=_as("S001", "000000"))
    unknown = store_cli(*new, env=_as("S999", PIN_C))
    assert wrong_pin[0] == unknown[0] == 7 and wrong_pin[2] == unknown[2]  # the same answer for both
    rc, out, err = store_cli("cases", "new", case_file, "--customer", "李雷", "--phone", "13800138000",
                             "--store", "SZ02", "--db", staffed, env=_as("S001", PIN_C))
    assert rc == 7 and "SZ01" in err  # a clerk of SZ01 takes in nothing for SZ02
    rc, out, err = store_cli(*new, env=_as("S001", PIN_C))
    assert rc == 0, err
    view = json.loads(out)
    assert view["staff"] == "S001 王芳" and view["events"][0]["actor"] == "S001 王芳"
    rc, out, err = store_cli("cases", "move", view["number"], "diagnosing", "--db", staffed, "--json",
                             env=_as("M001", PIN_M))
    assert rc == 0 and json.loads(out)["events"][-1]["actor"] == "M001 张经理"
    assert store_cli("staff", "disable", "S001", "--db", staffed, env=_as("M001", PIN_M))[0] == 0
    assert store_cli(*new, env=_as("S001", PIN_C))[0] == 7
    # the list in Chinese: roles and state in words, not the ids
    rc, out, err = store_cli("staff", "list", "--db", staffed, env={"AFTERSALES_LANG": "zh"})
    assert out.splitlines() == ["M001     张经理  店长  *", "S001     王芳  店员  SZ01  （已停用）"], out


def test_reveal_needs_a_reason_and_is_logged_with_who_and_why(staffed, store_cli, case_file):
    rc, out, err = store_cli("cases", "new", case_file, "--customer", "李雷", "--phone", "13800138000",
                             "--store", "SZ01", "--db", staffed, "--json", env=_as("S001", PIN_C))
    number = json.loads(out)["number"]
    rc, out, err = store_cli("cases", "show", number, "--db", staffed, "--reveal", env=_as("S001", PIN_C))
    assert rc == 2 and "--reason" in err and "13800138000" not in out
    rc, out, err = store_cli("cases", "show", number, "--db", staffed, "--reveal", "--reason", "客户来电核对",
                             env={"AFTERSALES_STAFF": "S001", "AFTERSALES_PIN": "000000"})
    assert rc == 7 and "13800138000" not in out and "138 0013 8000" not in out
    rc, out, err = store_cli("cases", "show", number, "--db", staffed, "--reveal", "--reason", "客户来电核对",
                             env=_as("S001", PIN_C))
    assert rc == 0 and "138 0013 8000" in out
    rc, out, err = store_cli("cases", "show", number, "--db", staffed)  # masked: not logged
    rc, out, err = store_cli("staff", "log", "--db", staffed, "--json")
    log = json.loads(out)
    assert [(e["actor"], e["action"], e["reason"], e["cases"], e["store"]) for e in log] == [
        ("S001 王芳", "reveal", "客户来电核对", [number], "SZ01")]


def test_exports_are_a_managers_and_logged(staffed, store_cli, case_file, tmp_path):
    store_cli("cases", "new", case_file, "--customer", "李雷", "--phone", "13800138000", "--store", "SZ01",
              "--db", staffed, env=_as("S001", PIN_C))
    rc, out, err = store_cli("cases", "export", "--db", staffed, env=_as("S001", PIN_C))
    assert rc == 7 and "manager" in err and out == ""
    rc, out, err = store_cli("cases", "export", "--db", staffed, "-o", str(tmp_path / "x.jsonl"),
                             env=_as("M001", PIN_M))
    assert rc == 0, err
    log = json.loads(store_cli("staff", "log", "--db", staffed, "--json")[1])
    assert [(e["actor"], e["action"], e["case_count"]) for e in log] == [("M001 张经理", "export", 1)]


def test_the_access_log_is_append_only(staffed, store_cli, case_file):
    from aftersales.store import db, staff

    engine = db.make_engine(staffed)
    try:
        from datetime import datetime

        from aftersales.store.workflow import CHINA_TZ

        staff.log_access(engine, actor="M001 张经理", action="reveal", reason="x", cases=["SZ01-20260615-0001"],
                         now=datetime(2026, 6, 15, 10, tzinfo=CHINA_TZ))
        import sqlalchemy as sa

        for sql in ("UPDATE access_log SET reason = 'y'", "DELETE FROM access_log"):
            with pytest.raises(Exception, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def test_without_staff_the_free_name_stays_and_reveal_is_still_logged(store_cli, db_url, case_file):
    rc, out, err = store_cli("cases", "new", case_file, "--customer", "李雷", "--phone", "13800138000",
                             "--store", "SZ01", "--staff", "王芳", "--db", db_url, "--json", "--reveal",
                             "--reason", "客户联")
    assert rc == 0 and json.loads(out)["staff"] == "王芳"
    log = json.loads(store_cli("staff", "log", "--db", db_url, "--json")[1])
    assert [(e["actor"], e["action"], e["command"]) for e in log] == [("王芳", "reveal", "cases new")]


def test_every_command_that_writes_an_event_signs_in(staffed, store_cli, case_file, tmp_path):
    """Correcting a case and recording the customer's choice, its outcome and what was received
    need the code and PIN too, and name the staff member in the log."""
    rc, out, err = store_cli("cases", "new", case_file, "--customer", "李雷", "--phone", "13800138000",
                             "--store", "SZ01", "--db", staffed, "--json", env=_as("S001", PIN_C))
    assert rc == 0, err
    number = json.loads(out)["number"]
    writes = [
        ("cases", "edit", number, "--set", "device.model=iPhone 15 Pro"),
        ("cases", "inspect", number, "--accessories", "充电线"),
        ("cases", "remedy", number, "repair"),
        ("cases", "outcome", number, "repair", "--work", "更换主板"),
    ]
    for command in writes:
        rc, out, err = store_cli(*command, "--db", staffed, env={"AFTERSALES_STAFF": "S001", "AFTERSALES_PIN": ""})
        assert rc == 7 and "sign in" in err, (command, rc, err)
    for command in writes:
        rc, out, err = store_cli(*command, "--db", staffed, "--json", env=_as("S001", PIN_C))
        assert rc == 0, (command, err)
        assert json.loads(out)["events"][-1]["actor"] == "S001 王芳", command


def test_policy_bundles_and_store_details_are_changed_by_the_signed_in_staff_only(staffed, store_cli, tmp_path):
    """Publishing, activating and rolling back a bundle change every counter's decisions: once staff
    exist only a signed-in manager does it, and the bundle names who. Store details sign in too."""
    from aftersales.policies import bundled

    folder = tmp_path / "net"
    folder.mkdir()
    for name in ("huawei.yaml", "huawei.cases.yaml"):
        (folder / name).write_text(bundled(name).read_text(encoding="utf-8"), encoding="utf-8")
    publish = ("policy", "publish", str(folder), "--db", staffed, "--json")
    rc, out, err = store_cli(*publish, "--by", "M001", env={"AFTERSALES_PIN": ""})
    assert rc == 7 and "only a signed-in manager publishes" in err
    rc, out, err = store_cli(*publish, "--by", "S001", env={"AFTERSALES_PIN": PIN_C})
    assert rc == 7 and "S001 is a clerk" in err
    rc, out, err = store_cli(*publish, "--by", "M001", env={"AFTERSALES_PIN": "000000"})
    assert rc == 7
    rc, out, err = store_cli("policy", "bundles", "--db", staffed, "--json")
    assert json.loads(out) == []                      # nothing was stored by the refused tries
    rc, out, err = store_cli(*publish, "--by", "M001", env={"AFTERSALES_PIN": PIN_M})
    assert rc == 0, err
    assert json.loads(out)["author"] == "M001 张经理"
    rc, out, err = store_cli("policy", "activate", "1", "--db", staffed, "--by", "S001", env={"AFTERSALES_PIN": PIN_C})
    assert rc == 7
    rc, out, err = store_cli("policy", "activate", "1", "--db", staffed, "--by", "M001", env={"AFTERSALES_PIN": PIN_M})
    assert rc == 0, err
    rc, out, err = store_cli("policy", "rollback", "--db", staffed, env={"AFTERSALES_STAFF": "S001",
                                                                         "AFTERSALES_PIN": PIN_C})
    assert rc == 7
    rc, out, err = store_cli("stores", "set", "SZ01", "--name", "深圳一店", "--db", staffed,
                             env={"AFTERSALES_STAFF": "S001", "AFTERSALES_PIN": ""})
    assert rc == 7 and "sign in" in err
    rc, out, err = store_cli("stores", "set", "SZ01", "--name", "深圳一店", "--db", staffed, "--json",
                             env=_as("S001", PIN_C))
    assert rc == 0, err
