"""Alembic environment of the case store.

``aftersales db upgrade`` passes an open connection (already inside a transaction that holds
the write lock) in ``config.attributes["connection"]``. Run by hand, the URL comes from
``-x db=URL`` or ``AFTERSALES_DB``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import text

from aftersales.store.schema import metadata

config = context.config

# one lock id for every aftersales migration on a PostgreSQL server
_PG_LOCK_ID = 0x41465453  # "AFTS"


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    if connection.dialect.name == "postgresql":
        # two counters upgrading at once: the second waits, then finds nothing to do
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from aftersales.store.db import make_engine

    url = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("AFTERSALES_DB")
    if not url:
        raise SystemExit("give the database: alembic -x db=URL ... (or set AFTERSALES_DB)")
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execution_options(aftersales_write=True)
        with conn.begin():
            _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) mode is not supported; run against a database")
run_migrations_online()
