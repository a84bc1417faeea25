"""Nothing lost: crashes, concurrent writers, a read-only or full database."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import CASE, NOW, assert_complete, counts

from aftersales.store import DatabaseUnavailable

WRITER = str(Path(__file__).with_name("store_writer.py"))


def _writer(url: str, store: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, WRITER, url, store, str(count)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_sigkill_mid_burst_leaves_only_complete_cases(db_url):
    proc = _writer(db_url, "SZ01", 100_000)
    committed: list[str] = []
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        deadline = time.monotonic() + 60
        while len(committed) < 150 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            committed.append(line.strip())
        proc.send_signal(signal.SIGKILL)  # mid-burst: the next case is being written
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(committed) >= 150, proc.stderr.read()
    stored = assert_complete(db_url)  # every case has its decision, event and follow-ups
    assert stored >= len(committed)   # one more may have committed before its number was printed
    assert stored <= len(committed) + 1
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        numbers = set(conn.execute(sa.text("SELECT number FROM cases")).scalars())
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    engine.dispose()
    assert set(committed) <= numbers


def test_two_processes_write_one_database_at_once(db_url):
    procs = [_writer(db_url, code, 150) for code in ("SZ01", "SZ02")]
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert len(out.split()) == 151
    assert assert_complete(db_url) == 300
    assert counts(db_url)["events"] == 300 + 2 * 50


def test_two_processes_share_one_store_code_without_repeating_numbers(db_url):
    procs = [_writer(db_url, "SZ01", 100) for _ in range(2)]
    numbers = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        numbers += [line for line in out.split() if line != "ready"]
    assert sorted(numbers) == [f"SZ01-20260615-{i:04d}" for i in range(1, 201)]


def _read_only_url(db_url: str) -> str:
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    from sqlalchemy.engine import make_url

    parsed = make_url(db_url)
    query = dict(parsed.query)
    query["options"] = (query.get("options", "") + " -cdefault_transaction_read_only=on").strip()
    return parsed.set(query=query).render_as_string(hide_password=False)


def test_a_read_only_database_gives_a_clear_error_and_loses_nothing(db_url, evaluator, store_cli):
    from aftersales.store.casestore import CaseStore

    with CaseStore.open(db_url, evaluator=evaluator) as s:
        n = s.create_case(CASE, store="SZ01", staff="a", customer="c", phone="13800138000", now=NOW)["number"]
    before = counts(db_url)
    ro = _read_only_url(db_url)
    with CaseStore.open(ro, evaluator=evaluator) as s:
        assert s.get(n)["number"] == n  # reading still works
        with pytest.raises(DatabaseUnavailable, match="read-only"):
            s.create_case(CASE, store="SZ01", staff="a", customer="c", phone="13800138000", now=NOW)
        with pytest.raises(DatabaseUnavailable, match="read-only"):
            s.move(n, "diagnosing", actor="a", now=NOW)
    rc, out, err = store_cli("cases", "move", n, "diagnosing", "--db", ro)
    assert rc == 4 and out == ""
    assert err.startswith("error: database") and "read-only" in err and err.count("\n") == 1
    assert counts(db_url) == before
    assert assert_complete(db_url) == 1


def test_a_full_disk_gives_a_clear_error_and_loses_nothing(db_url, evaluator, backend):
    if backend != "sqlite":
        pytest.skip("disk-full is simulated with SQLite's max_page_count; PostgreSQL has no per-connection limit")
    from sqlalchemy import event

    from aftersales.store.casestore import CaseStore

    s = CaseStore.open(db_url, evaluator=evaluator)
    for _ in range(5):
        s.create_case(CASE, store="SZ01", staff="a", customer="c", phone="13800138000", now=NOW)
    s.engine.dispose()

    @event.listens_for(s.engine, "connect")
    def _cap(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    stored = 5
    with pytest.raises(DatabaseUnavailable, match="full") as info:
        for _ in range(10_000):
            s.create_case(CASE, store="SZ01", staff="a", customer="c" * 90, phone="13800138000", now=NOW)
            stored += 1
    assert "\n" not in str(info.value)
    s.close()
    assert assert_complete(db_url) == stored


@pytest.mark.parametrize("setting,expected", [(None, 2), ("normal", 1), (" EXTRA ", 3), ("", 2)])
def test_sqlite_synchronous_follows_the_environment(tmp_path, monkeypatch, setting, expected):
    """FULL (2) unless AFTERSALES_SQLITE_SYNCHRONOUS says NORMAL (1) or EXTRA (3)."""
    from aftersales.store.db import ENV_SYNCHRONOUS, make_engine

    if setting is None:
        monkeypatch.delenv(ENV_SYNCHRONOUS, raising=False)
    else:
        monkeypatch.setenv(ENV_SYNCHRONOUS, setting)
    engine = make_engine(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == expected
    finally:
        engine.dispose()


def test_an_unknown_sqlite_synchronous_setting_is_refused(tmp_path, monkeypatch):
    from aftersales.store.db import ENV_SYNCHRONOUS, make_engine
    from aftersales.store.errors import StoreError

    monkeypatch.setenv(ENV_SYNCHRONOUS, "OFF")
    with pytest.raises(StoreError, match="AFTERSALES_SQLITE_SYNCHRONOUS='OFF': one of FULL, NORMAL, EXTRA"):
        make_engine(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
