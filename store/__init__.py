"""The case store: SQLite by default, PostgreSQL for a network of stores.

    from aftersales.store import CaseStore
    with CaseStore.open("sqlite:////tmp/cases.sqlite3") as store:   # after `aftersales db upgrade`
        summary = store.create_case(case_mapping, store="SZ01", staff="王芳",
                                    customer="李雷", phone="13800138000", now=now)
        store.move(summary["number"], "diagnosing", actor="王芳", now=now)

See docs/store.md for running one counter on the default file or a network on PostgreSQL.
"""

from __future__ import annotations

from .errors import DatabaseUnavailable, SchemaError, StoreError

__all__ = ["CaseStore", "StoreError", "DatabaseUnavailable", "SchemaError", "open_store"]


def __getattr__(name: str):
    # SQLAlchemy is imported only when the store is used.
    if name == "CaseStore":
        from .casestore import CaseStore

        return CaseStore
    raise AttributeError(name)


def open_store(url: str | None = None, **kwargs):
    """``CaseStore.open(url)``: the store at ``url``, else ``AFTERSALES_DB``, else the default file."""
    from .casestore import CaseStore

    return CaseStore.open(url, **kwargs)
