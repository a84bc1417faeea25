"""``aftersales cases`` and ``aftersales db`` through the command line, on both backends."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from store_helpers import CASE, MAIL_IN, counts


@pytest.fixture
def files(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(CASE, allow_unicode=True), encoding="utf-8")
    mail = tmp_path / "mail.yaml"
    mail.write_text(yaml.safe_dump(MAIL_IN, allow_unicode=True), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**CASE, "fault": {"component": "toaster"}}), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("brand: apple\ndevice: [unclosed\n", encoding="utf-8")
    return {"case": str(case), "mail": str(mail), "bad": str(bad), "broken": str(broken)}


def _new(store_cli, db_url, files, *extra, env=None):
    return store_cli("cases", "new", files["case"], "--customer", "李雷", "--phone", "13800138000",
                     "--store", "SZ01", "--staff", "王芳", "--db", db_url, *extra, env=env)


ZH = {"AFTERSALES_LANG": "zh"}


def test_counter_day_through_the_cli(store_cli, db_url, files):
    rc, out, err = _new(store_cli, db_url, files, env=ZH)
    assert rc == 0, err
    assert out.startswith("已受理 SZ01-20260615-0001") and "回访：2026-06-25" in out
    n = "SZ01-20260615-0001"
    rc, out, _ = _new(store_cli, db_url, files, "--mail-in", files["mail"], "--json")
    assert rc == 0 and json.loads(out)["mail_in"] is True

    rc, out, _ = store_cli("cases", "list", "--db", db_url)
    assert rc == 0 and "138 **** 8000" in out and "0013" not in out
    rc, out, _ = store_cli("cases", "list", "--db", db_url, "--reveal", "--reason", "客户来电核对")
    assert "138 0013 8000" in out     # as phonenumbers writes it for people
    rc, out, _ = store_cli("cases", "list", "--db", db_url, "--json", "--brand", "huawei", "--state", "受理")
    assert [c["number"] for c in json.loads(out)] == ["SZ01-20260615-0002", n]

    assert store_cli("cases", "move", n, "diagnosing", "--db", db_url, "--by", "王芳")[0] == 0
    rc, out, _ = store_cli("cases", "move", n, "维修中", "--db", db_url, "--repair-kind", "complex",
                           now="2026-06-16T09:00:00", env=ZH)
    assert rc == 0 and "检测 → 维修中" in out
    rc, out, _ = store_cli("cases", "list", "--due", "--db", db_url, now="2026-06-25T09:00:00", env=ZH)
    assert n in out and "回访" in out
    rc, out, _ = store_cli("cases", "follow-up", n, "--note", "维修站：等屏幕", "--awaiting-parts",
                           "--db", db_url, now="2026-06-25T10:00:00")
    assert rc == 0
    rc, out, _ = store_cli("cases", "reevaluate", n, "--db", db_url, now="2026-08-20T10:00:00", env=ZH)
    assert rc == 0 and "第 2 次判定" in out and "换货" in out
    rc, out, _ = store_cli("cases", "show", n, "--db", db_url, "--json")
    view = json.loads(out)
    assert view["customer"]["phone"] == "138 **** 8000"
    assert [d["seq"] for d in view["decisions"]] == [1, 2]
    assert [e["kind"] for e in view["events"]] == ["created", "move", "move", "follow_up", "reevaluated"]
    rc, out, _ = store_cli("cases", "show", n, "--db", db_url, env=ZH)
    assert rc == 0 and "维修中" in out and "判定" in out
    # the follow-ups, decisions and events are labelled in Chinese, no raw ids
    assert "维修站  回访维修进度" in out and "重新判定" in out and "受理时判定" in out
    for raw in ("repair_station", "progress", "follow_up", "reevaluated", "intake "):
        assert raw not in out, raw

    rc, out, _ = store_cli("cases", "export", "--db", db_url)
    lines = [json.loads(x) for x in out.splitlines()]
    assert [c["number"] for c in lines] == [n, "SZ01-20260615-0002"]
    assert "13800138000" not in out
    rc, out, _ = store_cli("cases", "export", "--format", "csv", "--db", db_url, "--reveal", "--reason", "月度对账")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["customer_phone"] == "13800138000" and rows[0]["state"] == "in_repair"

    rc, out, _ = store_cli("cases", "ticket", n, "--db", db_url)
    assert rc == 0 and "手机售后服务受理单" in out and n in out and "身份证件：已查验（不登记证件号码）" in out
    rc, out, _ = store_cli("cases", "ticket", n, "--html", "--db", db_url)
    assert out.startswith("<!DOCTYPE html>") and "受理单" in out
    rc, out, _ = store_cli("cases", "ticket", "SZ01-20260615-0002", "--agreement", "--db", db_url)
    assert rc == 0 and "寄送维修协议书" in out and "顺丰速运" in out and "518057" in out
    rc, out, _ = store_cli("cases", "ticket", "SZ01-20260615-0002", "--agreement", "--html", "--db", db_url)
    assert "<table>" in out and "☑公路运输" in out
    rc, _, err = store_cli("cases", "ticket", n, "--agreement", "--db", db_url)
    assert rc == 2 and "not a mail-in case" in err


def test_the_mail_in_agreement_names_the_service_point_as_the_ticket_does(store_cli, db_url, files):
    """The customer signs the agreement: it names the store (its code beside, as on the ticket)
    once a name is set, and as 门店 SZ01 before."""
    from aftersales.store.casestore import CaseStore

    rc, out, err = _new(store_cli, db_url, files, "--mail-in", files["mail"], "--json")
    assert rc == 0, err
    number = json.loads(out)["number"]
    for fmt in ((), ("--html",)):
        rc, out, _ = store_cli("cases", "ticket", number, "--agreement", *fmt, "--db", db_url)
        assert rc == 0 and "服务网点：门店 SZ01" in out, out
    with CaseStore.open(db_url) as store:
        store.set_store_info("SZ01", actor="店长", name="华强北旗舰店")
    for fmt in ((), ("--html",)):
        rc, out, _ = store_cli("cases", "ticket", number, "--agreement", *fmt, "--db", db_url)
        assert rc == 0 and "服务网点：华强北旗舰店（SZ01）" in out, out
        rc, ticket, _ = store_cli("cases", "ticket", number, *fmt, "--db", db_url)
        assert "华强北旗舰店（SZ01）" in ticket


def test_listings_and_the_report_name_the_brand_as_people_read_it_and_json_keeps_the_id(store_cli, db_url, files):
    """The brand's Chinese name (华为) in what a clerk or a manager reads, its English name with
    AFTERSALES_LANG=en, its id in JSON (programs match on ids)."""
    from rich.cells import cell_len

    zh, en = {"AFTERSALES_LANG": "zh"}, {"AFTERSALES_LANG": "en"}

    def device_line(out):   # the line naming the unit (show also names the policies, by id)
        return next(line for line in out.splitlines() if "Mate 60" in line)

    n = "SZ01-20260615-0001"
    rc, out, err = store_cli("cases", "new", files["case"], "--customer", "李雷", "--phone", "13800138000",
                             "--store", "SZ01", "--staff", "王芳", "--db", db_url, env=zh)
    assert rc == 0, err
    assert out.startswith(f"已受理 {n}  华为 Mate 60  ")
    for args in (("cases", "list"), ("cases", "show", n), ("cases", "search", "Mate")):
        rc, out, err = store_cli(*args, "--db", db_url, env=zh)
        assert rc == 0, err
        assert "华为 " in device_line(out) and "huawei" not in device_line(out).lower(), (args, out)
        rc, out, err = store_cli(*args, "--db", db_url, env=en)
        assert rc == 0, err
        assert "Huawei " in device_line(out) and "华为" not in device_line(out), (args, out)
        rc, out, _ = store_cli(*args, "--db", db_url, "--json", env=zh)
        data = json.loads(out)
        assert {c["brand"] for c in (data if isinstance(data, list) else [data])} == {"huawei"}
    # the manager's report: its text in the messages' language, its page in Chinese, its JSON by id
    rc, out, _ = store_cli("report", "--db", db_url, env=zh)
    assert rc == 0 and "在办按品牌：华为 1" in out
    english = store_cli("report", "--db", db_url, env=en)[1]
    assert "open by brand: Huawei 1" in english and "by state: received 1" in english
    assert not re.search(r"[\u4e00-\u9fff（）：]", english.replace("李雷", "")), english
    page = store_cli("report", "--html", "--db", db_url, env=en)[1]
    assert ">华为</text>" in page and "huawei" not in page
    assert json.loads(store_cli("report", "--json", "--db", db_url)[1])["by_brand_open"][0]["brand"] == "huawei"
    # the columns after the name start where they did with the id (a Chinese character is two cells)
    rc, out, _ = store_cli("cases", "list", "--db", db_url, env=zh)
    assert cell_len(out[:out.index("Mate 60")]) == cell_len(f"{n:<20} {'受理':<8} {'huawei':<8} ")


def _one_line_error(rc, out, err, code):
    assert rc == code, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_a_note_is_recorded_on_its_own_and_changes_nothing_else(store_cli, db_url, files):
    """``cases note``: what the customer said, kept in the event log under 备注; the state and
    the calls due stay as they were, and a closed case takes a note too."""
    assert _new(store_cli, db_url, files)[0] == 0
    n = "SZ01-20260615-0001"
    _, out, _ = store_cli("cases", "show", n, "--db", db_url, "--json")
    before = json.loads(out)
    rc, out, err = store_cli("cases", "note", n, "--note", "客户说周五来取机", "--db", db_url,
                             now="2026-06-16T09:00:00", env=ZH)
    assert (rc, out.strip(), err) == (0, f"{n}：已记录备注", "")
    _, out, _ = store_cli("cases", "show", n, "--db", db_url, "--json")
    view = json.loads(out)
    assert [e["kind"] for e in view["events"]] == ["created", "note"]
    assert view["events"][-1]["note"] == "客户说周五来取机"
    assert (view["state"], view["follow_ups"], view["next_follow_up"]) == (
        before["state"], before["follow_ups"], before["next_follow_up"])
    rc, out, _ = store_cli("cases", "show", n, "--db", db_url, env=ZH)
    assert "备注  受理  客户说周五来取机" in re.sub(r" +", "  ", out), out

    assert store_cli("cases", "move", n, "cancelled", "--note", "客户撤回", "--db", db_url)[0] == 0
    rc, out, _ = store_cli("cases", "note", n, "--note", "customer called back", "--db", db_url)
    assert (rc, out.strip()) == (0, f"{n}: note recorded")


@pytest.mark.parametrize("args,code,text", [
    (["cases", "move", "SZ01-20260615-0001", "closed"], 2, "cannot move a case from received"),
    (["cases", "move", "SZ01-20260615-0001", "cancelled"], 2, "needs --note"),
    (["cases", "move", "SZ01-20260615-0042", "diagnosing"], 2, "no case numbered SZ01-20260615-0042"),
    (["cases", "show", "SZ99-20260615-0001"], 2, "no case numbered"),
    (["cases", "follow-up", "nope", "--note", "x"], 2, "no case numbered NOPE"),
    (["cases", "note", "nope", "--note", "x"], 2, "no case numbered NOPE"),
    (["cases", "note", "SZ01-20260615-0001", "--note", "  "], 2, "a note needs --note"),
    (["cases", "reevaluate", "SZ01-20260615-0099"], 2, "no case numbered"),
    (["cases", "ticket", "SZ01-20260615-0099"], 2, "no case numbered"),
])
def test_bad_input_is_one_line_and_writes_nothing(store_cli, db_url, files, args, code, text):
    assert _new(store_cli, db_url, files)[0] == 0
    before = counts(db_url)
    rc, out, err = store_cli(*args, "--db", db_url)
    _one_line_error(rc, out, err, code)
    assert text in err
    assert counts(db_url) == before


@pytest.mark.parametrize("which,extra,text", [
    ("bad", [], "fault.component"),
    ("broken", [], "broken.yaml:"),
    ("case", ["--phone", "12345"], "phone"),
    ("case", ["--store", "深圳"], "store"),
])
def test_a_bad_case_file_or_phone_writes_nothing(store_cli, db_url, files, which, extra, text):
    args = ["cases", "new", files[which], "--customer", "李雷", "--phone", "13800138000", "--store", "SZ01",
            "--staff", "王芳", "--db", db_url, *extra]
    rc, out, err = store_cli(*args)
    _one_line_error(rc, out, err, 2)
    assert text in err
    assert counts(db_url) == {"cases": 0, "decisions": 0, "events": 0, "follow_ups": 0}


def test_a_bad_mail_in_record_writes_nothing(store_cli, db_url, files, tmp_path):
    bad = tmp_path / "mail.yaml"
    bad.write_text(yaml.safe_dump({**MAIL_IN, "return_postcode": "12"}), encoding="utf-8")
    rc, out, err = _new(store_cli, db_url, files, "--mail-in", str(bad))
    _one_line_error(rc, out, err, 2)
    assert "mail_in.return_postcode" in err
    assert counts(db_url)["cases"] == 0


@pytest.mark.parametrize("url,code,text", [
    ("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", 4, "cannot use database"),
    ("sqlite:////nonexistent-dir/cases.sqlite3", 5, "does not exist"),
    ("mysql://x@y/z", 4, "unsupported database"),
    ("not a url", 4, "not a database URL"),
])
def test_an_unreachable_database_is_one_line(store_cli, files, url, code, text):
    rc, out, err = store_cli("cases", "new", files["case"], "--customer", "李雷", "--phone", "13800138000",
                             "--store", "SZ01", "--db", url)
    _one_line_error(rc, out, err, code)
    assert text in err
    rc, out, err = store_cli("cases", "list", "--db", url)
    _one_line_error(rc, out, err, code)


def test_the_database_comes_from_the_environment(store_cli, db_url, files):
    rc, _, err = store_cli("cases", "new", files["case"], "--customer", "李雷", "--phone", "13800138000",
                           "--store", "SZ01", env={"AFTERSALES_DB": db_url, "AFTERSALES_STAFF": "王芳"})
    assert rc == 0, err
    rc, out, _ = store_cli("cases", "list", "--json", env={"AFTERSALES_DB": db_url})
    assert json.loads(out)[0]["staff"] == "王芳"


def test_a_database_without_schema_asks_for_db_upgrade(store_cli, empty_url, files):
    from aftersales.store import db

    db.make_engine(empty_url).connect().close()
    rc, out, err = store_cli("cases", "list", "--db", empty_url)
    _one_line_error(rc, out, err, 5)
    assert "aftersales db upgrade" in err
    rc, out, err = store_cli("db", "current", "--db", empty_url)
    assert rc == 5 and "(none)" in out     # a monitoring script can tell: exit 5 until upgraded
    rc, out, err = store_cli("db", "upgrade", "--db", empty_url)
    assert rc == 0 and out.endswith(f": schema created, at the latest revision ({db.head_revision()})\n"), out
    rc, out, err = store_cli("db", "upgrade", "--db", empty_url, "--json")
    assert json.loads(out)["after"] == db.head_revision()
    rc, out, err = store_cli("db", "current", "--db", empty_url)
    assert rc == 0 and "up to date" in out
    assert store_cli("cases", "list", "--db", empty_url)[0] == 0


def test_a_database_a_newer_program_migrated_is_said_alike_by_db_current_db_upgrade_and_the_counters(
        store_cli, tmp_path):
    """db current said it needed `db upgrade` (exit 0), and db upgrade ended in Alembic's
    traceback (exit 1): each says what the counters say, one line, exit 5, nothing written."""
    import sqlalchemy as sa

    from aftersales.store import db

    url = f"sqlite:///{tmp_path / 'ahead.sqlite3'}"
    assert store_cli("db", "upgrade", "--db", url)[0] == 0
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()
    said = f"database {url} has schema revision 0099_future, newer than this program knows ({db.head_revision()}); " \
           f"upgrade aftersales"
    for args in (("db", "upgrade"), ("cases", "list")):
        rc, out, err = store_cli(*args, "--db", url)
        assert rc == 5 and out == "" and said in err and "Traceback" not in err and err.count("\n") == 1, err
    rc, out, err = store_cli("db", "current", "--db", url)
    assert rc == 5 and "newer than this program: upgrade aftersales" in out, out
    rc, out, err = store_cli("db", "current", "--db", url, "--json")
    assert rc == 5 and json.loads(out)["newer"] is True
    engine = db.make_engine(url)
    assert db.current_revision(engine) == "0099_future"     # nothing written
    engine.dispose()


def test_db_upgrade_says_the_revision_it_is_at_now_in_chinese(store_cli, tmp_path):
    """A new database: its schema created, at the latest revision; an older one: from which
    revision to the latest; Chinese unless English is asked for."""
    from aftersales.store import db

    head = db.head_revision()
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    rc, out, _ = store_cli("db", "upgrade", "--db", url, env={"AFTERSALES_LANG": "zh"})
    assert rc == 0 and out == f"{url}：已建立数据库结构，为最新版本（{head}）\n", out
    assert "（空）" not in out

    older = f"sqlite:///{tmp_path / 'older.sqlite3'}"
    engine = db.make_engine(older)
    db.upgrade(engine, "0003")
    engine.dispose()
    rc, out, _ = store_cli("db", "upgrade", "--db", older, env={"AFTERSALES_LANG": "zh"})
    assert rc == 0 and out == f"{older}：数据库结构已从 0003 升级到最新版本（{head}）\n", out
    rc, out, _ = store_cli("db", "upgrade", "--db", older)
    assert rc == 0 and out == f"{older}: already at revision {head}\n", out


def test_python_dash_m_gives_one_line_and_no_traceback(db_url, files):
    env = {**os.environ, "AFTERSALES_DB": db_url, "AFTERSALES_LANG": "en"}
    proc = subprocess.run([sys.executable, "-m", "aftersales", "cases", "move", "SZ01-20260615-0001", "closed"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == "error: no case numbered SZ01-20260615-0001\n"
    proc = subprocess.run([sys.executable, "-m", "aftersales", "cases", "list", "--db",
                           "postgresql+psycopg://postgres@127.0.0.1:1/x"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 4 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_edit_and_search_through_the_cli(store_cli, db_url, files, tmp_path):
    rc, out, err = _new(store_cli, db_url, files)
    assert rc == 0, err
    n = "SZ01-20260615-0001"
    rc, out, err = store_cli("cases", "edit", n, "--set", "device.imei=356938035643809",
                             "--set", "fault.confirmed=false", "--phone", "+852 9123 4567",
                             "--note", "IMEI 录错", "--staff", "王芳", "--db", db_url, env=ZH)
    assert rc == 0, err
    assert out.startswith(f"已更正 {n}  第 2 次判定")
    # in Chinese a field is named by its label alone (--set takes it too)
    assert "  IMEI：（空） → 356938035643809" in out and "  已检测确认性能故障：是 → 否" in out, out
    assert "  联系电话：138 **** 8000 → +852 **** 4567" in out and "device.imei" not in out
    # the case's record says what each correction changed, at the counter's time
    rc, out, err = store_cli("cases", "show", n, "--db", db_url, env=ZH)
    assert "  2026-06-15 10:00  王芳" in out and "更正  受理  IMEI 录错\n      IMEI：（空） → 356938035643809" in out, out
    assert "T10:00" not in out and "(received)" not in out
    # found by the full number in another form, by part of the IMEI, by the brand's Chinese name
    # (a number typed in groups without quotes is one text)
    for text in ("00852 91234567", ("00852", "9123", "4567"), "35643", "华为", n[-4:]):
        words = text if isinstance(text, tuple) else (text,)
        rc, out, err = store_cli("cases", "search", *words, "--db", db_url, "--json")
        assert rc == 0, err
        found = json.loads(out)
        assert [c["number"] for c in found] == [n], text
        assert found[0]["customer"]["phone"] == "+852 **** 4567"
    # a whole corrected file
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(yaml.safe_dump({**CASE, "device": {"model": "Mate 60 Pro", "region": "CN"}},
                                    allow_unicode=True), encoding="utf-8")
    rc, out, err = store_cli("cases", "edit", n, str(fixed), "--db", db_url, "--json")
    assert rc == 0, err
    view = json.loads(out)
    assert view["number"] == n and view["device"]["model"] == "Mate 60 Pro"
    assert view["changes"]["device.model"] == {"from": "Mate 60", "to": "Mate 60 Pro"}
    assert [e["kind"] for e in view["events"]] == ["created", "edited", "edited"]
    assert counts(db_url)["cases"] == 1


@pytest.mark.parametrize("args,text", [
    (("--set", "zzz=1"), "no case field 'zzz'; fields: case_date, brand"),
    (("--set", "device.imeii=1"), "no case field 'device.imeii'; did you mean 'device.imei'?"),
    (("--set", "device.imei"), "give FIELD=VALUE"),
    (("--set", "fault.confirmed=maybe"), "true or false"),
    (("--set", "device.imei=123"), "IMEI"),
    ((), "nothing to change"),
    (("--set", "device.model=Mate 60"), "nothing to change"),
])
def test_a_bad_edit_is_one_line_and_writes_nothing(store_cli, db_url, files, args, text):
    assert _new(store_cli, db_url, files)[0] == 0
    before = counts(db_url)
    rc, out, err = store_cli("cases", "edit", "SZ01-20260615-0001", *args, "--db", db_url)
    assert rc == 2
    assert text in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert counts(db_url) == before


def test_every_label_of_show_list_and_search_follows_the_language(store_cli, db_url, files):
    """``cases show`` / ``list`` / ``search`` and the one-line answers say states, brands,
    remedies, follow-ups, events and corrected papers in the language asked for: with
    AFTERSALES_LANG=en no Chinese word is left (the customer's data here is ASCII), in Chinese no
    raw id."""
    import re

    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    en = {"AFTERSALES_LANG": "en"}
    n = "SZ01-20260615-0001"
    rc, out, err = store_cli("cases", "new", files["case"], "--customer", "Li Lei", "--phone", "13800138000",
                             "--store", "SZ01", "--staff", "Wang", "--db", db_url, env=en)
    assert rc == 0 and out.startswith(f"taken in {n}  Huawei Mate 60  entitled to: ") and not cjk.search(out), out
    steps = [("cases", "move", n, "diagnosing", "--by", "Wang"),
             ("cases", "remedy", n, "repair", "--by", "Wang"),
             ("cases", "edit", n, "--set", "documents=invoice", "--note", "papers", "--by", "Wang"),
             ("cases", "follow-up", n, "--note", "called", "--by", "Wang")]
    for args in steps:
        rc, out, err = store_cli(*args, "--db", db_url, env=en)
        assert rc == 0 and not cjk.search(out), (args, out, err)
    rc, out, _ = store_cli("cases", "show", n, "--db", db_url, env=en)
    assert rc == 0 and not cjk.search(out), out
    assert out.startswith(f"{n}  diagnosing  SZ01  taken in by Wang")
    assert "Papers presented (documents): identity document, invoice, three-guarantees certificate → invoice" in out
    assert "repair station  follow-up on progress" in out and "chosen free repair (to be done)" in out
    for args in (("cases", "list"), ("cases", "search", "Mate")):
        rc, out, _ = store_cli(*args, "--db", db_url, env=en)
        assert rc == 0 and "diagnosing" in out and "Huawei" in out and not cjk.search(out), (args, out)
    rc, out, _ = store_cli("cases", "show", n, "--db", db_url, env=ZH)
    assert out.startswith(f"{n}  检测  SZ01  受理人 Wang") and "出示的单证：身份证件、购机发票、三包凭证 → 购机发票" in out
    for raw in ("diagnosing", "invoice", "repair_station", "repair "):
        assert raw not in out, raw
