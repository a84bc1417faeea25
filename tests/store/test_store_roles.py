"""PostgreSQL roles: a store's role sees and changes only its own store's cases, the manager sees
every store's, the owner alone migrates, and no role rewrites the event log.

Each test runs in a fresh schema with roles named after it (``as18_<hex>_…``), all dropped
afterwards. Skipped (with the reason) without ``AFTERSALES_TEST_PG_URL``.
"""

from __future__ import annotations

import uuid

import pytest
from conftest import _with_search_path, pg_url
from store_helpers import CASE, NOW

pytestmark = pytest.mark.skipif(not pg_url(), reason="PostgreSQL roles need AFTERSALES_TEST_PG_URL "
                                "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")


def _login_url(login: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    return _with_search_path(make_url(pg_url()).set(username=login, password=None)
                             .render_as_string(hide_password=False), schema)


@pytest.fixture
def network(evaluator):
    """A migrated schema with roles for SZ01 and SZ02, a login for each store, the manager and
    the owner; yields a namespace of URLs and opened stores."""
    import sqlalchemy as sa

    from aftersales.store import db, roles
    from aftersales.store.casestore import CaseStore

    tag = f"as18_{uuid.uuid4().hex[:8]}"
    schema = f"{tag}_s"
    admin = sa.create_engine(pg_url())
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin_url = _with_search_path(pg_url(), schema)
    logins = {"sz01": f"{tag}_sz01", "sz02": f"{tag}_sz02", "manager": f"{tag}_boss", "owner": f"{tag}_dba"}
    opened: list = []
    try:
        engine = db.create_database(admin_url)
        made = roles.create_roles(engine, tag, ["SZ01", "SZ02"])
        roles.create_login(engine, logins["sz01"], made["stores"]["SZ01"], None)
        roles.create_login(engine, logins["sz02"], made["stores"]["SZ02"], None)
        roles.create_login(engine, logins["manager"], made["manager"], None)
        roles.create_login(engine, logins["owner"], made["owner"], None)
        engine.dispose()

        class Net:
            pass

        net = Net()
        net.admin_url = admin_url  # type: ignore[attr-defined]
        net.roles = made  # type: ignore[attr-defined]
        net.urls = {k: _login_url(v, schema) for k, v in logins.items()}  # type: ignore[attr-defined]

        def open_as(who: str) -> CaseStore:
            s = CaseStore.open(net.urls[who], evaluator=evaluator)  # type: ignore[attr-defined]
            opened.append(s)
            return s

        net.open = open_as  # type: ignore[attr-defined]
        yield net
    finally:
        for s in opened:
            s.close()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            names = [r[0] for r in conn.execute(
                sa.text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :t)"), {"t": tag})]
            for name in names:
                conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
            for name in sorted(names, key=lambda n: n.endswith(("_owner", "_manager")) or "_store_" in n):
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
        admin.dispose()


def _take_in(store, code: str) -> str:
    return store.create_case(CASE, store=code, staff="王芳", customer="李雷", phone="13800138000",
                             now=NOW)["number"]


def _raw(url: str, sql: str, params: dict | None = None):
    """Run one statement as the URL's role; returns the result's rowcount (or raises)."""
    import sqlalchemy as sa

    from aftersales.store import db

    engine = db.make_engine(url)
    try:
        with db.write_transaction(engine) as conn:
            result = conn.execute(sa.text(sql), params or {})
            return result.rowcount
    finally:
        engine.dispose()


def _scalar(url: str, sql: str):
    import sqlalchemy as sa

    from aftersales.store import db

    engine = db.make_engine(url)
    try:
        with db.read_connection(engine) as conn:
            return conn.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def test_a_store_sees_only_its_own_cases(network):
    from aftersales.store.errors import StoreError

    sz01, sz02 = network.open("sz01"), network.open("sz02")
    mine = _take_in(sz01, "SZ01")
    theirs = _take_in(sz02, "SZ02")
    assert [c["number"] for c in sz01.list_cases(today=NOW.date())] == [mine]
    assert [c["number"] for c in sz02.list_cases(today=NOW.date())] == [theirs]
    assert [c["number"] for c in sz01.export(today=NOW.date())] == [mine]
    with pytest.raises(StoreError, match="no case numbered"):
        sz01.get(theirs)
    # not through the raw tables either: every table holding case data is filtered
    for table in ("cases", "decisions", "events", "follow_ups", "case_counters"):
        assert _scalar(network.urls["sz01"], f"SELECT count(*) FROM {table} WHERE "
                       + ("store_code = 'SZ02'" if table in ("cases", "case_counters") else
                          f"case_id = (SELECT id FROM cases WHERE number = '{theirs}')")) == 0
    assert _scalar(network.admin_url, "SELECT count(*) FROM cases") == 2


def test_a_store_cannot_change_or_follow_up_another_stores_case(network):
    from aftersales.store.errors import StoreError

    sz01, sz02 = network.open("sz01"), network.open("sz02")
    theirs = _take_in(sz02, "SZ02")
    with pytest.raises(StoreError, match="no case numbered"):
        sz01.move(theirs, "diagnosing", actor="王芳", now=NOW)
    with pytest.raises(StoreError, match="no case numbered"):
        sz01.follow_up(theirs, actor="王芳", note="问进度", now=NOW)
    # straight SQL: the rows are not there for it, so nothing changes
    assert _raw(network.urls["sz01"], "UPDATE cases SET state = 'closed' WHERE store_code = 'SZ02'") == 0
    assert _raw(network.urls["sz01"], "UPDATE follow_ups SET done_by = 'x'") == 0
    assert sz02.get(theirs)["state"] == "received"


def test_a_store_cannot_number_or_take_in_for_another_store(network):
    from aftersales.store.errors import AccessDenied, StoreError

    sz01, sz02 = network.open("sz01"), network.open("sz02")
    assert _take_in(sz01, "SZ01") == "SZ01-20260615-0001"
    assert _take_in(sz02, "SZ02") == "SZ02-20260615-0001"
    with pytest.raises(AccessDenied):
        _take_in(sz01, "SZ02")  # the counter row and the case row are another store's
    with pytest.raises(AccessDenied):
        _raw(network.urls["sz01"], "INSERT INTO case_counters (store_code, day, last_seq) "
             "VALUES ('SZ02', '20260616', 1)")
    assert _raw(network.urls["sz01"], "UPDATE case_counters SET last_seq = 0 WHERE store_code = 'SZ02'") == 0
    # a number of another store under its own code is refused by the database too: it could
    # neither take SZ02's next number nor learn from a duplicate-key error that it exists
    copy = ("INSERT INTO cases SELECT nextval('cases_id_seq'), {number}, 'SZ01', staff, customer_name,"
            " customer_phone, brand, device_model, device_serial, device_imei, case_date, intake_at, state,"
            " state_since, mail_in, mail_in_record, case_input, repair_kind, repair_due_from, repair_due_by,"
            " awaiting_parts, workflow, entitlement, decision_count, updated_at, closed_at FROM cases")
    for number in ("'SZ02-20260615-0002'", "'SZ02-20260615-0001'"):
        with pytest.raises(StoreError, match="ck_cases_number_store"):
            _raw(network.urls["sz01"], copy.format(number=number))
    with pytest.raises(StoreError, match="ck_cases_number_store"):
        _raw(network.urls["sz01"], "UPDATE cases SET number = 'SZ02-20260615-0002'")
    # each store goes on numbering from where it was
    assert _take_in(sz01, "SZ01") == "SZ01-20260615-0002"
    assert _take_in(sz02, "SZ02") == "SZ02-20260615-0002"
    assert _scalar(network.admin_url, "SELECT count(*) FROM cases") == 4


def test_no_role_rewrites_history(network):
    from aftersales.store.errors import AccessDenied, StoreError

    sz01 = network.open("sz01")
    mine = _take_in(sz01, "SZ01")
    theirs = _take_in(network.open("sz02"), "SZ02")
    for who in ("sz01", "manager"):
        for sql in ("UPDATE events SET note = 'rewritten'", "DELETE FROM events", "TRUNCATE events",
                    "UPDATE decisions SET entitlement = 'exchange'", "DELETE FROM decisions",
                    "DELETE FROM cases", "DELETE FROM access_log"):
            with pytest.raises(AccessDenied, match="permission denied"):
                _raw(network.urls[who], sql)
    # appending to another store's history is refused as well
    with pytest.raises(AccessDenied, match="row-level security"):
        _raw(network.urls["sz01"], "INSERT INTO events (case_id, at, actor, kind) "
             f"SELECT id, now(), 'x', 'note' FROM cases WHERE number = '{mine}' UNION ALL "
             f"SELECT {_scalar(network.admin_url, f'SELECT id FROM cases WHERE number = {theirs!r}')}, now(), 'x', 'note'")
    # the owner, and a superuser, meet the triggers
    for who in ("owner",):
        for sql in ("UPDATE events SET note = 'rewritten'", "DELETE FROM events", "TRUNCATE events CASCADE"):
            with pytest.raises(StoreError, match="append-only"):
                _raw(network.urls[who], sql)
    with pytest.raises(StoreError, match="append-only"):
        _raw(network.admin_url, "TRUNCATE decisions CASCADE")
    assert [e["kind"] for e in sz01.get(mine)["events"]] == ["created"]


def test_a_store_cannot_lift_its_own_limits(network):
    from aftersales.store.errors import AccessDenied

    for sql in ("ALTER TABLE cases DISABLE ROW LEVEL SECURITY", "DROP POLICY aftersales_rows ON cases",
                "ALTER TABLE cases ADD COLUMN x integer", "DROP TRIGGER events_append_only ON events",
                "UPDATE aftersales_roles SET kind = 'manager'",
                "INSERT INTO staff (code, name, role, pin_hash, active, created_at, updated_at) "
                "VALUES ('X1', 'x', 'manager', 'x', true, now(), now())"):
        with pytest.raises(AccessDenied):
            _raw(network.urls["sz01"], sql)
    # a temporary table named like the roles table does not stand in for it
    import sqlalchemy as sa

    from aftersales.store import db

    _take_in(network.open("sz02"), "SZ02")
    engine = db.make_engine(network.urls["sz01"])
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TEMP TABLE aftersales_roles (role_name text, kind text, store_code text)")
            conn.exec_driver_sql("INSERT INTO aftersales_roles VALUES (current_user, 'manager', NULL)")
            conn.exec_driver_sql("SET LOCAL search_path = pg_temp, " + network.urls["sz01"].rsplit("%3D", 1)[-1])
            assert conn.execute(sa.text("SELECT count(*) FROM cases")).scalar() == 0
    finally:
        engine.dispose()


def test_the_manager_reads_and_changes_every_store(network):
    sz01, boss = network.open("sz01"), network.open("manager")
    a = _take_in(sz01, "SZ01")
    b = _take_in(network.open("sz02"), "SZ02")
    assert sorted(c["number"] for c in boss.list_cases(today=NOW.date())) == sorted([a, b])
    assert boss.move(b, "diagnosing", actor="店长", now=NOW)["state"] == "diagnosing"
    assert len(list(boss.export(today=NOW.date()))) == 2


def test_only_the_owner_migrates(network, store_cli):
    rc, out, err = store_cli("db", "upgrade", "--db", network.urls["sz01"])
    assert rc == 0 and "already at revision" in out  # nothing to do is not an error
    rc, out, err = store_cli("db", "roles", "--db", network.urls["sz01"], "--prefix", "as18_x", "--store", "SZ09")
    assert rc == 7 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    from aftersales.store.errors import AccessDenied

    for who in ("sz01", "manager"):
        with pytest.raises(AccessDenied, match="must be owner"):
            _raw(network.urls[who], "ALTER TABLE cases ADD COLUMN probe integer")
    _raw(network.urls["owner"], "ALTER TABLE cases ADD COLUMN probe integer")  # the owner may


def test_db_roles_cli_and_a_counter_connecting_as_its_login(network, store_cli, tmp_path):
    import json

    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    rc, out, err = store_cli("db", "roles", "--db", network.admin_url, "--prefix", network.roles["owner"][:-6],
                             "--store", "SZ01", "--store", "SZ02", "--json")
    assert rc == 0, err
    assert json.loads(out)["created"] == []  # run again: kept, grants set again
    for who, code in (("sz01", "SZ01"), ("sz02", "SZ02")):
        rc, out, err = store_cli("cases", "new", str(case_file), "--customer", "李雷", "--phone", "13800138000",
                                 "--store", code, "--staff", "王芳", "--db", network.urls[who])
        assert rc == 0, err
    rc, out, err = store_cli("cases", "list", "--db", network.urls["sz01"], "--json")
    assert rc == 0 and [c["store"] for c in json.loads(out)] == ["SZ01"]
    rc, out, err = store_cli("cases", "new", str(case_file), "--customer", "李雷", "--phone", "13800138000",
                             "--store", "SZ02", "--staff", "王芳", "--db", network.urls["sz01"])
    assert rc == 7 and "may not" in err and len(err.strip().splitlines()) == 1


def test_reveal_is_logged_under_the_store_and_exports_are_the_managers(network, store_cli):
    import json

    number = _take_in(network.open("sz01"), "SZ01")
    rc, out, err = store_cli("cases", "show", number, "--db", network.urls["sz01"], "--reveal", "--reason", "核对",
                             env={"AFTERSALES_STAFF": "王芳"})
    assert rc == 0 and "138 0013 8000" in out  # revealed, as phonenumbers writes it
    rc, out, err = store_cli("cases", "export", "--db", network.urls["sz01"])
    assert rc == 7 and out == "" and "manager" in err
    rc, out, err = store_cli("cases", "export", "--db", network.urls["manager"], env={"AFTERSALES_STAFF": "店长"})
    assert rc == 0 and number in out
    log = json.loads(store_cli("staff", "log", "--db", network.urls["manager"], "--json")[1])
    assert [(e["actor"], e["action"], e["store"]) for e in log] == [("店长", "export", None), ("王芳", "reveal", "SZ01")]
    assert json.loads(store_cli("staff", "log", "--db", network.urls["sz02"], "--json")[1]) == []
    assert [e["action"] for e in json.loads(store_cli("staff", "log", "--db", network.urls["sz01"], "--json")[1])] \
        == ["reveal"]


def test_db_login_sets_a_password_with_quotes_intact(network, store_cli):
    import sqlalchemy as sa

    login = network.urls["sz01"].split("://", 1)[1].split("@", 1)[0] + "_pw"
    rc, out, err = store_cli("db", "login", login, "--role", network.roles["stores"]["SZ01"], "--db",
                             network.admin_url, env={"AFTERSALES_DB_PASSWORD": "it's a \\ 'secret'"})
    assert rc == 0, err
    admin = sa.create_engine(pg_url())
    try:
        with admin.connect() as conn:
            row = conn.execute(sa.text("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = :n"),
                               {"n": login}).one()
            member = conn.execute(sa.text("SELECT pg_has_role(:n, :r, 'MEMBER')"),
                                  {"n": login, "r": network.roles["stores"]["SZ01"]}).scalar()
    finally:
        admin.dispose()
    assert row.rolcanlogin and row.rolpassword.startswith("SCRAM-SHA-256$") and member
