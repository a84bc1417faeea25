from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=CST)


@pytest.fixture
def clock():
    """A fixed counter clock: 2026-06-15 10:30 China Standard Time."""
    return lambda: NOW


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory):
    """An empty case store migrated to head once (each test gets a copy: a migration per test
    took a fifth of a second)."""
    from aftersales.store.db import create_database

    path = tmp_path_factory.mktemp("template") / "cases.sqlite3"
    create_database(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def store(tmp_path, migrated_file):
    """A fresh SQLite case store in a temporary folder, migrated to head."""
    import shutil

    from aftersales.store.casestore import CaseStore
    from aftersales.store.db import open_engine

    path = tmp_path / "cases.sqlite3"
    shutil.copyfile(migrated_file, path)
    path.chmod(0o600)                  # as the store makes its files (no warning about others reading it)
    engine = open_engine(f"sqlite:///{path}")
    store = CaseStore(engine)
    yield store
    store.close()


@pytest.fixture
def make(registry, store, clock):
    """``make(**options)``: the app on the session registry, the temp store and the fixed clock."""
    from aftersales.tui.app import make_app

    def build(**options):
        options.setdefault("staff", "王芳")
        options.setdefault("store_code", "SZ01")
        options.setdefault("cursor_blink", False)
        return make_app(options.pop("registry", registry), options.pop("store", store),
                        options.pop("lang", "zh"), options.pop("clock", clock), **options)

    return build



@pytest.fixture(autouse=True)
def draft_file(tmp_path, monkeypatch):
    """The intake draft of each test in its own temporary folder (never the user's)."""
    path = tmp_path / "state" / "intake-draft.json"
    monkeypatch.setenv("AFTERSALES_DRAFT", str(path))
    return path
