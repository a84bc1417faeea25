"""``aftersales db``: the case store's schema (Alembic migrations shipped in the package).

``aftersales db upgrade`` creates or migrates the database named by ``--db`` /
``AFTERSALES_DB`` (default: the SQLite file in the user data directory). Run it once for a new
PostgreSQL database and after installing a version with a new migration; the default SQLite
file is migrated automatically on first use.
"""

from __future__ import annotations

import click

from aftersales.cli._common import echo_json

DB_OPTION = click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
                         help="数据库 / database URL (sqlite:///FILE or postgresql+psycopg://...); env AFTERSALES_DB.")


@click.group("db")
def db() -> None:
    """数据库迁移 / The case store's database schema."""


@db.command("upgrade")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
def upgrade(db_url, as_json) -> None:
    """创建或升级数据库结构 / Create or migrate the database to this program's schema."""
    from aftersales.store import db as store_db

    url, _ = store_db.resolve_url(db_url)
    engine = store_db.make_engine(url)
    try:
        store_db.ensure_sqlite_folder(engine)
        path = store_db.sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
        if path is not None:
            store_db.create_private_file(path)  # mode 0600: it will hold customers' data
        for line in store_db.permission_warnings(engine):
            click.echo(f"warning: {line}", err=True)
        before, after = store_db.upgrade(engine)
    finally:
        engine.dispose()
    where = store_db.display_url(url)
    if as_json:
        echo_json({"database": where, "before": before, "after": after, "head": store_db.head_revision()})
        return
    if before == after:
        click.echo(f"{where}: already at revision {after}")
    else:
        click.echo(f"{where}: upgraded {before or '(empty)'} -> {after}")


@db.command("current")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
def current(db_url, as_json) -> None:
    """数据库结构版本 / Show the database's schema revision and this program's."""
    from aftersales.store import db as store_db
    from aftersales.store.errors import SchemaError

    url, _ = store_db.resolve_url(db_url)
    engine = store_db.make_engine(url)
    path = store_db.sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
    if path is not None and not path.exists():
        raise SchemaError(f"database file {path} does not exist: create it with `aftersales db upgrade`")
    try:
        rev = store_db.current_revision(engine)
    finally:
        engine.dispose()
    head = store_db.head_revision()
    status = "up to date" if rev == head else ("empty: run `aftersales db upgrade`" if rev is None
                                               else "needs `aftersales db upgrade`")
    where = store_db.display_url(url)
    if as_json:
        echo_json({"database": where, "revision": rev, "head": head, "up_to_date": rev == head})
        return
    click.echo(f"{where}: revision {rev or '(none)'}, program {head} — {status}")
