"""Fixtures of the store suite: every test runs on SQLite and, when ``AFTERSALES_TEST_PG_URL``
is set, on PostgreSQL too (a fresh schema per test, dropped afterwards)."""

from __future__ import annotations

import os
import uuid

import pytest
from store_helpers import CASE, NOW

PG_ENV = "AFTERSALES_TEST_PG_URL"
def pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _with_search_path(url: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    query = dict(parsed.query)
    query["options"] = f"-csearch_path={schema}"
    return parsed.set(query=query).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    if request.param == "postgresql" and not pg_url():
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    return request.param


@pytest.fixture
def empty_url(backend, tmp_path):
    """A database URL with nothing in it yet (SQLite: a file path that does not exist)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.sqlite3'}"
        return
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url())
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield _with_search_path(pg_url(), schema)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def db_url(empty_url):
    """A migrated database URL."""
    from aftersales.store import db

    engine = db.create_database(empty_url)
    engine.dispose()
    return empty_url


@pytest.fixture(scope="session")
def evaluator():
    from aftersales.store.evaluator import RegistryEvaluator

    return RegistryEvaluator()


@pytest.fixture
def store(db_url, evaluator):
    from aftersales.store.casestore import CaseStore

    s = CaseStore.open(db_url, evaluator=evaluator)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def new_case(store):
    def make(**overrides):
        kwargs = {"store": "SZ01", "staff": "王芳", "customer": "李雷", "phone": "13800138000", "now": NOW}
        case = overrides.pop("case", CASE)
        kwargs.update(overrides)
        return store.create_case(case, **kwargs)

    return make


@pytest.fixture
def store_cli(capsys, monkeypatch):
    """Run ``aftersales ARGS`` in-process as the console script does: ``(exit code, stdout, stderr)``."""
    from aftersales.cli import main_group
    from aftersales.cli.group import run

    def invoke(*args: str, now: str | None = "2026-06-15T10:00:00", env: dict | None = None):
        capsys.readouterr()
        monkeypatch.setenv("AFTERSALES_LANG", "en")  # the tests read the English messages
        if now:
            monkeypatch.setenv("AFTERSALES_NOW", now)
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        rc = run(main_group, list(args))
        out, err = capsys.readouterr()
        return rc, out, err

    return invoke
