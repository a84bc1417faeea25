from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=CST)


@pytest.fixture(autouse=True)
def answer_at_once(monkeypatch):
    """Questions take answers as soon as they are shown: Pilot presses the answer at once (the
    guard against keys typed before a question could be read has its own test)."""
    from aftersales.tui.screens.confirm import ConfirmDialog

    monkeypatch.setattr(ConfirmDialog, "GUARD_SECONDS", 0)


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


def _open_store(path, migrated_file):
    import shutil

    from aftersales.store.casestore import CaseStore
    from aftersales.store.db import open_engine

    shutil.copyfile(migrated_file, path)
    path.chmod(0o600)                  # as the store makes its files (no warning about others reading it)
    return CaseStore(open_engine(f"sqlite:///{path}"))


@pytest.fixture
def store(tmp_path, migrated_file):
    """A fresh SQLite case store in a temporary folder, migrated to head."""
    store = _open_store(tmp_path / "cases.sqlite3", migrated_file)
    yield store
    store.close()


@pytest.fixture
def other_store(tmp_path, migrated_file):
    """A second fresh case store (to compare a case stored two ways)."""
    store = _open_store(tmp_path / "other.sqlite3", migrated_file)
    yield store
    store.close()


@pytest.fixture
def save_day5(registry, clock):
    """``save_day5(store)``: the case ``fill_day5_case`` types in (customer 李雷), stored as the
    intake's Ctrl+S stores it (the form's case mapping, decided with the registry, by 王芳 at SZ01
    at the fixed clock); returns its number. For tests of what follows a saved case (the queue,
    the detail, the outcome); ``test_save_stores_the_case_and_shows_its_number`` checks that it
    is the case the intake stores."""
    from helpers_tui import DAY5_CASE, DAY5_CUSTOMER

    from aftersales.store.casestore import CaseStore
    from aftersales.store.evaluator import RegistryEvaluator
    from aftersales.tui.form import FormState

    def save(store, now=None, *, phone: str | None = None, imei: str | None = None) -> str:
        """``phone``, ``imei``: in place of the day-5 case's (as if typed over them before saving)."""
        now = now or clock()
        case = DAY5_CASE if imei is None else {**DAY5_CASE, "device": {**DAY5_CASE["device"], "imei": imei}}
        mapping = FormState.from_case(case, now.date()).build("zh")
        name, phone = DAY5_CUSTOMER[0], phone or DAY5_CUSTOMER[1]
        bound = CaseStore(store.engine, RegistryEvaluator(registry))
        return bound.create_case(mapping, store="SZ01", staff="王芳", customer=name, phone=phone, now=now)["number"]

    return save


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


#: tests that start the real program in a terminal and mostly wait on it, longest first
_WAITING = ("test_tui_tmux.py", "test_tui_terminal.py")


def _order(item) -> tuple[int, int]:
    import inspect

    waiting = _WAITING.index(item.path.name) if item.path.name in _WAITING else len(_WAITING)
    # the Pilot tests are coroutines; the snapshot tests start the app through snap_compare
    starts_the_app = (inspect.iscoroutinefunction(getattr(item, "obj", None))
                      or "snap_compare" in getattr(item, "fixturenames", ()))
    return waiting, 0 if starts_the_app else 1


def pytest_collection_modifyitems(items):
    """The tests that wait on the real program in a terminal run first: under pytest-xdist their
    waiting then overlaps the other tests in the other worker instead of ending the run alone.
    The tests that start no app (a fraction of a second each) run last, so that the workers
    run out of work together."""
    items.sort(key=_order)


@pytest.fixture
def held_policies(registry):
    """Policies that take their time: ``factory`` (an app's ``registry_factory``) waits until
    ``release()`` (at the latest when the test ends), then gives the session's registry."""
    import threading
    from types import SimpleNamespace

    loaded = threading.Event()

    def factory():
        loaded.wait(10)
        return registry

    yield SimpleNamespace(factory=factory, release=loaded.set)
    loaded.set()
