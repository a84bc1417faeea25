from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=CST)


@pytest.fixture
def clock():
    """A fixed counter clock: 2026-06-15 10:30 China Standard Time."""
    return lambda: NOW


@pytest.fixture
def store(tmp_path):
    """A fresh SQLite case store in a temporary folder, migrated to head."""
    from aftersales.store.casestore import CaseStore
    from aftersales.store.db import create_database

    engine = create_database(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
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
