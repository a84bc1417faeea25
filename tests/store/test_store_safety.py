"""Privacy and safety of the store commands (issue 18): masked phones, private files, no ID
numbers stored, no terminal control, clean failures on output paths, the intake date."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa
import yaml
from store_helpers import CASE, MAIL_IN, counts

ID_NUMBER = "110101199003074514"  # valid GB 11643 check digit
OSC = "\x1b]0;pwned\x07"
CSI = "\x1b[2J"


@pytest.fixture
def files(tmp_path):
    def write(name, data):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return str(path)

    return {"case": write("case.yaml", CASE), "mail": write("mail.yaml", MAIL_IN), "write": write}


def _new(store_cli, db_url, case, *extra, customer="李雷", env=None):
    return store_cli("cases", "new", case, "--customer", customer, "--phone", "13800138000",
                     "--store", "SZ01", "--staff", "王芳", "--db", db_url, *extra, env=env)


def _dump(url: str) -> str:
    """Every text column of every table, read straight from the database."""
    from aftersales.store import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return "\n".join(repr(row) for t in ("cases", "decisions", "events") for row in
                             conn.execute(sa.text(f"SELECT * FROM {t}")))
    finally:
        engine.dispose()


# --- phones masked in every output --------------------------------------------------------------

def test_every_json_output_masks_phones_unless_reveal(store_cli, db_url, files):
    rc, out, err = _new(store_cli, db_url, files["case"], "--mail-in", files["mail"], "--json")
    assert rc == 0, err
    n = json.loads(out)["number"]
    outputs = {"new": out}
    outputs["move"] = store_cli("cases", "move", n, "diagnosing", "--db", db_url, "--json")[1]
    outputs["follow-up"] = store_cli("cases", "follow-up", n, "--note", "ok", "--db", db_url, "--json")[1]
    outputs["reevaluate"] = store_cli("cases", "reevaluate", n, "--db", db_url, "--json")[1]
    outputs["show"] = store_cli("cases", "show", n, "--db", db_url, "--json")[1]
    outputs["ticket"] = store_cli("cases", "ticket", n, "--db", db_url)[1]
    outputs["agreement"] = store_cli("cases", "ticket", n, "--agreement", "--db", db_url)[1]
    outputs["export"] = store_cli("cases", "export", "--db", db_url)[1]
    for name, text in outputs.items():
        assert "13800138000" not in text and "13900139000" not in text and "0013" not in text, name
    assert json.loads(outputs["move"])["mail_in_record"]["return_phone"] == "139 **** 9000"
    revealed = store_cli("cases", "move", n, "in_repair", "--db", db_url, "--json", "--reveal", "--reason", "核对")[1]
    assert "13800138000" in revealed and "13900139000" in revealed
    assert "138 0013 8000" in store_cli("cases", "ticket", n, "--db", db_url, "--reveal", "--reason", "客户联")[1]


# --- the SQLite file and its folder are private -------------------------------------------------

@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_default_sqlite_file_is_private_and_a_loosened_one_is_reported(store_cli, files, tmp_path, monkeypatch):
    monkeypatch.delenv("AFTERSALES_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    old = os.umask(0o022)
    try:
        rc, _, err = store_cli("cases", "new", files["case"], "--customer", "李雷", "--phone", "13800138000",
                               "--store", "SZ01")
    finally:
        os.umask(old)
    assert rc == 0, err
    folder = tmp_path / "data" / "aftersales"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "cases.sqlite3").stat().st_mode) == 0o600
    assert "warning" not in err

    os.chmod(folder / "cases.sqlite3", 0o644)
    os.chmod(folder, 0o755)
    rc, _, err = store_cli("cases", "list")
    assert rc == 0
    assert "cases.sqlite3 has mode 0644" in err and "chmod 600" in err
    assert "chmod 700" in err
    rc, _, err = store_cli("cases", "list", env={"AFTERSALES_LANG": "zh"})
    assert rc == 0 and "警告：" in err and "cases.sqlite3 权限为 0644，他人可读取客户资料" in err
    assert "others can read" not in err


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_db_upgrade_creates_a_private_file(store_cli, tmp_path):
    path = tmp_path / "new.sqlite3"
    old = os.umask(0o022)
    try:
        rc, _, err = store_cli("db", "upgrade", "--db", f"sqlite:///{path}")
    finally:
        os.umask(old)
    assert rc == 0, err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- ID numbers never stored ----------------------------------------------------------------------

def test_id_numbers_in_free_text_are_masked_before_storing(store_cli, db_url, files):
    case = files["write"]("id.yaml", {**CASE, "fault": {**CASE["fault"], "description": f"屏幕闪烁 身份证 {ID_NUMBER}"}})
    mail = files["write"]("mail-id.yaml", {**MAIL_IN, "return_address": f"深圳 身份证{ID_NUMBER}"})
    zh = {"AFTERSALES_LANG": "zh"}
    rc, out, err = _new(store_cli, db_url, case, "--mail-in", mail, "--json",
                        "--note", "护照 E12345678", customer=f"李雷{ID_NUMBER}", env=zh)
    assert rc == 0, err
    n = json.loads(out)["number"]
    rc, _, err2 = store_cli("cases", "follow-up", n, "--note", f"客户报身份证 {ID_NUMBER[:6]} {ID_NUMBER[6:14]} "
                            f"{ID_NUMBER[14:]}", "--db", db_url, env=zh)
    assert rc == 0
    rc, _, err3 = store_cli("cases", "move", n, "diagnosing", "--note", "港澳通行证 H12345678", "--db", db_url, env=zh)
    assert rc == 0
    stored = _dump(db_url)
    for secret in (ID_NUMBER, "E12345678", "H12345678", ID_NUMBER[6:14]):
        assert secret not in stored
    assert "**************4514" in stored
    assert "客户姓名：身份证号码已隐去，不予保存" in err and "备注：证件号码" in err and "故障描述：身份证号码" in err
    assert "寄修单（return_address）：" in err
    assert "备注：身份证号码" in err2 and "备注：证件号码" in err3
    export = store_cli("cases", "export", "--db", db_url, "--format", "csv")[1]
    assert ID_NUMBER not in export and "4514" in export


def test_a_number_that_fails_the_id_check_digit_is_kept(db_url, evaluator):
    from store_helpers import NOW

    from aftersales.store.casestore import CaseStore

    with CaseStore.open(db_url, evaluator=evaluator) as store:
        view = store.create_case(CASE, store="SZ01", staff="王芳", customer="李雷", phone="13800138000", now=NOW,
                                 note="订单 110101199003074515")
    assert view["events"][0]["note"] == "订单 110101199003074515" and view["warnings"] == []


def test_ids_stored_before_masking_are_masked_on_output(store_cli, db_url, files):
    rc, out, _ = _new(store_cli, db_url, files["case"], "--json")
    n = json.loads(out)["number"]
    from aftersales.store import db

    engine = db.make_engine(db_url)
    with engine.begin() as conn:  # a row from before intake masked numbers
        conn.execute(sa.text("UPDATE cases SET customer_name = :v"), {"v": f"李雷 {ID_NUMBER}"})
    engine.dispose()
    for args in (("list",), ("show", n), ("show", n, "--json"), ("ticket", n), ("export",)):
        rc, out, _ = store_cli("cases", *args, "--db", db_url)
        assert rc == 0 and ID_NUMBER not in out and (args == ("list",) or "4514" in out), args


# --- nothing drives the terminal --------------------------------------------------------------

def test_control_sequences_are_stripped_at_intake(store_cli, db_url, files):
    rc, out, err = _new(store_cli, db_url, files["case"], "--json", "--note", f"备注{CSI}\x9b31m",
                        customer=f"李{OSC}雷", env={"AFTERSALES_LANG": "zh"})
    assert rc == 0, err
    view = json.loads(out)
    assert view["customer"]["name"] == "李雷" and view["events"][0]["note"] == "备注"
    assert "客户姓名：已删除控制字符" in err and "备注：已删除控制字符" in err
    # --json: the warnings in the messages' language too
    assert "客户姓名：已删除控制字符" in view["warnings"] and not any("/" in w for w in view["warnings"])
    stored = _dump(db_url)
    assert "\x1b" not in stored and "pwned" not in stored and "\x9b" not in stored


def test_stored_control_characters_are_escaped_on_every_output(store_cli, db_url, files, tmp_path):
    rc, out, _ = _new(store_cli, db_url, files["case"], "--json", "--note", "ok")
    n = json.loads(out)["number"]
    from aftersales.store import db

    engine = db.make_engine(db_url)
    with engine.begin() as conn:  # a row stored before intake refused control characters
        conn.execute(sa.text("UPDATE cases SET customer_name = :v"), {"v": f"李{OSC}雷\x9b31m"})
    engine.dispose()
    for args in (("list",), ("list", "--json"), ("show", n), ("show", n, "--json"), ("ticket", n),
                 ("ticket", n, "--html"), ("export",), ("export", "--format", "csv")):
        rc, out, err = store_cli("cases", *args, "--db", db_url)
        assert rc == 0, (args, err)
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out, args
        assert "x1b" in out or "u001b" in out, args  # escaped, not hidden: the clerk sees what is there
    rc, out, _ = store_cli("cases", "show", n, "--json", "--db", db_url)
    assert json.loads(out)["customer"]["name"] == f"李{OSC}雷\x9b31m"  # JSON escapes, readers get it back
    target = tmp_path / "t.txt"
    assert store_cli("cases", "ticket", n, "-o", str(target), "--db", db_url)[0] == 0
    assert "\x1b" not in target.read_text(encoding="utf-8")


def test_a_case_number_with_control_characters_is_refused_escaped(store_cli, db_url):
    rc, _, err = store_cli("cases", "show", f"SZ01{CSI}", "--db", db_url)
    assert rc == 2 and "\x1b" not in err and "\\x1b" in err


# --- output paths ---------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("export", "-o", "/nonexistent/x.jsonl"),
    ("export", "--format", "csv", "-o", "/nonexistent/x.csv"),
    ("ticket", "SZ01-20260615-0001", "-o", "/nonexistent/t.txt"),
    ("ticket", "SZ01-20260615-0001", "--agreement", "-o", "/nonexistent/a.txt"),
])
def test_an_unwritable_output_is_one_line(store_cli, db_url, files, args):
    assert _new(store_cli, db_url, files["case"], "--mail-in", files["mail"])[0] == 0
    rc, out, err = store_cli("cases", *args, "--db", db_url)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: cannot write /nonexistent/") and "Traceback" not in err


def test_an_output_that_is_a_folder_is_one_line(store_cli, db_url, tmp_path):
    rc, _, err = store_cli("cases", "export", "-o", str(tmp_path), "--db", db_url)
    assert rc == 2 and err.count("\n") == 1 and "is a directory" in err
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({**CASE, "case_date": "2026-06-15"}, ensure_ascii=False) + "\n", encoding="utf-8")
    rc, _, err = store_cli("replay", str(cases), "--out", str(tmp_path / "d.jsonl"), "--summary-json",
                           str(tmp_path), "-q")
    assert rc == 2 and err.count("\n") == 1 and "is a directory" in err


def test_an_output_is_checked_before_the_database_is_opened(store_cli, tmp_path):
    rc, _, err = store_cli("cases", "export", "-o", "/nonexistent/x.jsonl",
                           "--db", f"sqlite:///{tmp_path / 'missing.sqlite3'}")
    assert rc == 2 and "cannot write /nonexistent/x.jsonl" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_destination_is_one_line(store_cli, db_url, files):
    assert _new(store_cli, db_url, files["case"])[0] == 0
    rc, _, err = store_cli("cases", "export", "-o", "/dev/full", "--db", db_url)
    assert rc == 2 and err.count("\n") == 1 and "no space left" in err


def test_a_failed_write_leaves_the_old_file_and_no_temporary(store_cli, db_url, files, tmp_path, monkeypatch):
    assert _new(store_cli, db_url, files["case"])[0] == 0
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    rc, _, err = store_cli("cases", "export", "-o", str(target), "--db", db_url)
    assert rc == 2 and "no space left" in err
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_export_file_is_synced_before_it_replaces_the_old_one(store_cli, db_url, files, tmp_path, monkeypatch):
    assert _new(store_cli, db_url, files["case"])[0] == 0
    target = tmp_path / "out.jsonl"
    seen = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (seen.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (seen.append("replace"), real_replace(a, b))[1])
    rc, _, err = store_cli("cases", "export", "-o", str(target), "--db", db_url)
    assert rc == 0, err
    assert seen[:2] == ["fsync", "replace"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 or os.name == "nt"
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1


KILLED_EXPORT = textwrap.dedent("""
    import os, signal, sys
    from aftersales.cli import main
    from aftersales.store.casestore import CaseStore

    real = CaseStore.export
    def export(self, **kw):
        for i, row in enumerate(real(self, **kw)):
            if i == 2:
                os.kill(os.getpid(), signal.SIGKILL)  # the power cord, mid-export
            yield row
    CaseStore.export = export
    sys.argv = ["aftersales", "cases", "export", "-o", sys.argv[1], "--db", sys.argv[2]]
    main()
""")


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_an_export_killed_midway_leaves_the_old_file_whole(store_cli, db_url, files, tmp_path):
    for _ in range(4):
        assert _new(store_cli, db_url, files["case"])[0] == 0
    target = tmp_path / "out.jsonl"
    target.write_text("yesterday's export\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", KILLED_EXPORT, str(target), db_url], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert target.read_text(encoding="utf-8") == "yesterday's export\n"


# --- the intake date --------------------------------------------------------------------------

def test_new_refuses_an_earlier_case_date_without_backdate(store_cli, db_url, files):
    old = files["write"]("old.yaml", {**CASE, "case_date": "2026-03-01"})
    before = counts(db_url)
    rc, _, err = _new(store_cli, db_url, old)
    assert rc == 2 and "case_date 2026-03-01 is before the intake day 2026-06-15" in err and "--backdate" in err
    assert counts(db_url) == before


def test_backdate_decides_as_of_the_file_and_records_it(store_cli, db_url, files):
    old = files["write"]("old.yaml", {**CASE, "case_date": "2026-03-01"})
    rc, out, err = _new(store_cli, db_url, old, "--backdate", "--json")
    assert rc == 0, err
    view = json.loads(out)
    assert view["case_date"] == "2026-03-01" and "back-dated" in err and "补登" not in err
    rc, out, _ = store_cli("cases", "show", view["number"], "--json", "--db", db_url)
    created = json.loads(out)["events"][0]
    assert created["data"]["backdated"] == "2026-03-01" and created["data"]["intake_day"] == "2026-06-15"


def test_new_decides_as_of_the_intake_day(store_cli, db_url, files):
    rc, out, err = _new(store_cli, db_url, files["case"], "--json")
    assert rc == 0 and json.loads(out)["case_date"] == "2026-06-15" and "backdated" not in out
    today = files["write"]("today.yaml", {**CASE, "case_date": "2026-06-15"})
    assert _new(store_cli, db_url, today)[0] == 0
    later = files["write"]("later.yaml", {**CASE, "case_date": "2026-06-16"})
    rc, _, err = _new(store_cli, db_url, later, "--backdate")
    assert rc == 2 and "after the intake day" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("list",), ("show", "SZ01-20260615-0001", "--json"), ("export",),
                                  ("ticket", "SZ01-20260615-0001")])
def test_a_full_standard_output_is_one_line(store_cli, db_url, files, args):
    assert _new(store_cli, db_url, files["case"])[0] == 0
    env = {**os.environ, "AFTERSALES_LANG": "en", "AFTERSALES_NOW": "2026-06-15T10:00:00"}
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "aftersales", "cases", *args, "--db", db_url],
                              stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "error: cannot write to standard output: No space left on device\n"


def test_the_python_api_needs_backdate_for_an_earlier_case_date(store, new_case):
    from aftersales.store.errors import StoreError

    early = {**CASE, "case_date": "2026-03-01"}
    with pytest.raises(StoreError, match="before the intake day 2026-06-15"):
        new_case(case=early)
    assert store.count() == 0
    view = new_case(case=CASE)
    assert view["case_date"] == "2026-06-15" and "backdated" not in view["events"][0]["data"]
    view = new_case(case=early, backdate=True)
    assert view["case_date"] == "2026-03-01"
    assert view["events"][0]["data"]["backdated"] == "2026-03-01"
    assert store.get(view["number"])["events"][0]["data"]["intake_day"] == "2026-06-15"


def test_a_private_file_is_0600_whatever_an_earlier_copy_or_a_left_part_had(tmp_path):
    from aftersales.store.files import write_private

    path = tmp_path / "sub" / "draft.json"
    path.parent.mkdir()
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    part = path.with_name(".draft.json.part")
    part.write_text("left by a killed run", encoding="utf-8")
    part.chmod(0o666)
    write_private(path, "李雷 13800138000")
    assert path.read_text(encoding="utf-8") == "李雷 13800138000"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not part.exists()
    write_private(tmp_path / "new" / "t.html", "x")          # its folder made when missing
    assert stat.S_IMODE((tmp_path / "new" / "t.html").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700   # its owner alone lists it


def test_printing_goes_to_lp_when_a_printer_is_set(tmp_path, monkeypatch):
    from aftersales.store import printing

    calls = []

    class Done:
        returncode = 0
        stdout = "request id is counter-12 (1 file(s))"
        stderr = ""

    monkeypatch.setattr(printing.shutil, "which", lambda name: "/usr/bin/lp")
    monkeypatch.setattr(printing.subprocess, "run", lambda args, **kw: calls.append(args) or Done())
    printed = printing.print_page("T.html", "<html></html>", "counter", folder=tmp_path)
    assert printed.how == "printer" and calls[0][:3] == ["/usr/bin/lp", "-d", "counter"]
    assert (tmp_path / "T.html").stat().st_mode & 0o777 == 0o600
    opened = []
    printed = printing.print_page("T.html", "<html></html>", None, folder=tmp_path,
                                  open_browser=lambda uri: opened.append(uri) or True)
    assert printed.how == "browser" and opened == [(tmp_path / "T.html").resolve().as_uri()]


def test_each_store_keeps_its_tickets_beside_its_own_database(store, tmp_path, monkeypatch):
    """A store's printed pages go to a folder of its own database, made 0700: beside a SQLite file,
    and for PostgreSQL in the user data folder, named after the database (and its server)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from aftersales.store.printing import ENV_FOLDER, save_page, tickets_folder

    monkeypatch.delenv(ENV_FOLDER, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = store.engine.url
    folder = store.tickets_folder
    if url.get_backend_name() == "sqlite":
        assert folder == Path(url.database).with_name(Path(url.database).name + "-tickets")
    else:
        assert folder.parent == tmp_path / "data" / "aftersales" and folder.name.startswith(f"{url.database}@")
    saved = save_page("SZ01-20260615-0001.txt", "李雷 13800138000", folder)
    assert saved.parent == folder and stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    def named(text: str) -> str:
        found = tickets_folder(make_url(text))
        assert found.parent == tmp_path / "data" / "aftersales"
        return found.name

    net = named("postgresql+psycopg://sz01:secret@db.example:5433/net_a")
    assert net == "net_a@db.example_5433-tickets"                      # never the password
    assert named("postgresql+psycopg://sz02@db.example:5433/net_a") == net   # another login, the same store
    assert len({net, named("postgresql+psycopg://sz01@db.example:5433/net_b"),
                named("postgresql+psycopg://sz01@other.example:5433/net_a")}) == 3
    assert named("postgresql+psycopg://u@h/a/../b") == "a_.._b@h-tickets"        # one folder, never a path
    monkeypatch.setenv(ENV_FOLDER, str(tmp_path / "set"))
    assert store.tickets_folder == tmp_path / "set"                   # the setting still wins


def test_an_id_number_typed_into_the_name_with_a_wrong_check_digit_is_masked_too(db_url, evaluator):
    """刘备 110101199003077777: the birth date is real, the check digit wrong (a typo); in a name it
    is someone's ID number all the same, and was stored and shown whole (in a note, a number like
    it may be an order number: kept, as above)."""
    from store_helpers import NOW

    from aftersales.store.casestore import CaseStore

    mistyped = "110101199003077777"
    with CaseStore.open(db_url, evaluator=evaluator) as store:
        view = store.create_case(CASE, store="SZ01", staff="王芳", customer=f"刘备 {mistyped}", phone="13800138000",
                                 now=NOW)
        assert mistyped not in str(view) and view["customer"]["name"] == "刘备 **************7777"
        assert any("ID-card number masked" in str(w) or "身份证号码已隐去" in str(w) for w in view["warnings"])
    assert mistyped not in _dump(db_url)
