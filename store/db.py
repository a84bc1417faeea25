"""Opening the database: URL resolution, engine settings, error translation, migrations.

* ``default_url()`` — the SQLite file in the user data directory (platformdirs).
* ``make_engine(url)`` — SQLite: WAL, ``busy_timeout``, foreign keys, ``synchronous=FULL``
  (``AFTERSALES_SQLITE_SYNCHRONOUS=NORMAL`` to trade power-cut durability for speed), and
  write transactions that take the write lock up front (``BEGIN IMMEDIATE``) so two processes
  writing at once wait for each other instead of failing. PostgreSQL: a connect timeout.
* ``translate_errors(url)`` — every driver error becomes a ``DatabaseUnavailable`` /
  ``StoreError`` with one clear line (the password never shown).
* ``upgrade(engine)``, ``current_revision(engine)``, ``head_revision()``, ``check_schema(engine)``.

The default SQLite file is created and upgraded automatically on first use (a counter expects
it to just work; an existing file is copied to ``*.bak-<revision>`` before a migration). Any
database given with ``--db`` / ``AFTERSALES_DB`` must be migrated with ``aftersales db upgrade``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url

from aftersales.core.errors import os_reason
from aftersales.core.plugininfo import Said

from .errors import AccessDenied, DatabaseUnavailable, SchemaError, StoreError

#: environment variable naming the database URL (the CLI's ``--db``)
ENV_DB = "AFTERSALES_DB"
DEFAULT_FILENAME = "cases.sqlite3"
#: seconds a writer waits for another writer's lock (SQLite) before giving up
BUSY_TIMEOUT_S = 30
#: SQLite's fsync policy: FULL (default) syncs every commit, so a power cut loses no committed case;
#: NORMAL (env AFTERSALES_SQLITE_SYNCHRONOUS=NORMAL) is faster and still never loses a case to a
#: crashed or killed program, but a power cut may undo the last commits (the file stays sound).
ENV_SYNCHRONOUS = "AFTERSALES_SQLITE_SYNCHRONOUS"
#: seconds to wait for a PostgreSQL server to answer
PG_CONNECT_TIMEOUT_S = 5


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("aftersales", appauthor=False)) / DEFAULT_FILENAME


def default_url() -> str:
    return f"sqlite:///{default_path()}"


def resolve_url(url: str | None) -> tuple[str, bool]:
    """``(url, is_default)``: the URL given, else ``AFTERSALES_DB``, else the default file."""
    if url:
        return url, False
    env = os.environ.get(ENV_DB)
    if env:
        return env, False
    return default_url(), True


def display_url(url: str | URL) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for messages
        return "<unreadable URL>"


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL (``None`` for in-memory or ``file:`` URI forms)."""
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url`` with the store's settings (see the module docstring)."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise DatabaseUnavailable(f"not a database URL: {url!r} (expected e.g. sqlite:///path/cases.sqlite3 "
                                  "or postgresql+psycopg://user@host/db)",
                                  zh=f"{url!r} 不是数据库地址（应如 sqlite:///path/cases.sqlite3 "
                                  "或 postgresql+psycopg://user@host/db）") from None
    backend = parsed.get_backend_name()
    # every use of a connection ends in COMMIT or ROLLBACK (write_transaction / read_connection),
    # so the pool need not roll back again when it takes the connection back
    kwargs: dict = {"echo": echo, "json_serializer": _json_dumps, "pool_reset_on_return": None}
    if backend == "sqlite":
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
    elif backend == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "aftersales"}
        kwargs["pool_pre_ping"] = True
    else:
        raise DatabaseUnavailable(f"unsupported database {backend!r} in {display_url(parsed)}: use sqlite or postgresql+psycopg",
                                  zh=f"不支持的数据库 {backend!r}（{display_url(parsed)}）：请用 sqlite 或 postgresql+psycopg")
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (ImportError, exc.ArgumentError, exc.NoSuchModuleError) as e:
        raise DatabaseUnavailable(f"cannot use {display_url(parsed)}: {e}",
                                  zh=f"无法使用数据库 {display_url(parsed)}：{e}") from None
    if backend == "sqlite":
        synchronous = os.environ.get(ENV_SYNCHRONOUS, "FULL").strip().upper() or "FULL"
        if synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise StoreError(f"{ENV_SYNCHRONOUS}={synchronous!r}: one of FULL, NORMAL, EXTRA",
                             zh=f"{ENV_SYNCHRONOUS}={synchronous!r}：应为 FULL、NORMAL 或 EXTRA")
        _sqlite_settings(engine, synchronous)
    return engine


def _sqlite_settings(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised through every test
        # We issue BEGIN ourselves (below): pysqlite's implicit transactions would start a
        # write transaction lazily and fail with "database is locked" on the lock upgrade.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA foreign_keys = ON")
        try:
            cur.execute("PRAGMA journal_mode = WAL")
        except Exception:  # noqa: BLE001 - a read-only file keeps its journal mode
            pass
        cur.execute(f"PRAGMA synchronous = {synchronous}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised through every test
        write = conn.get_execution_options().get("aftersales_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# --- errors ----------------------------------------------------------------------------------

def _driver_message(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return text


def describe_db_error(error: BaseException, url: str | URL) -> StoreError:
    """One clear line for a driver error."""
    where = display_url(url)
    msg = _driver_message(error)
    low = msg.lower()
    if "readonly" in low or "read-only" in low or "read only" in low:
        return DatabaseUnavailable(f"database {where} is read-only; nothing was written ({msg})",
                                   zh=f"数据库 {where} 只读，未写入任何内容（{msg}）")
    if "disk is full" in low or "no space left" in low or "disk full" in low:
        return DatabaseUnavailable(f"database {where} is full (disk or size limit); nothing was written ({msg})",
                                   zh=f"数据库 {where} 已满（磁盘已满或达到大小上限），未写入任何内容（{msg}）")
    if "database is locked" in low or "lock timeout" in low:
        return DatabaseUnavailable(f"database {where} stayed locked by another writer for {BUSY_TIMEOUT_S}s; "
                                   f"nothing was written, try again",
                                   zh=f"数据库 {where} 正被其他程序写入，等待 {BUSY_TIMEOUT_S} 秒仍未解锁；未写入任何内容，请重试")
    if "unable to open database file" in low:
        return DatabaseUnavailable(f"cannot open database {where}: the file or its folder is missing or not accessible",
                                   zh=f"无法打开数据库 {where}：文件或其所在文件夹不存在，或没有访问权限")
    if "row-level security" in low or "permission denied" in low or "must be owner" in low:
        return AccessDenied(f"the database role connected to {where} may not do this (another store's cases, "
                            f"or a manager's or the owner's right); nothing was written ({msg})",
                            zh=f"连接 {where} 的数据库角色无权执行此操作（涉及其他门店的案例，或需要经理或所有者的权限），"
                            f"未写入任何内容（{msg}）")
    if "no such table" in low or ("relation" in low and "does not exist" in low):
        return SchemaError(f"database {where} has no aftersales schema: run `aftersales db upgrade`",
                           zh=f"数据库 {where} 还没有 aftersales 的数据库结构：请执行 `aftersales db upgrade`")
    if isinstance(error, exc.IntegrityError):
        return StoreError(f"the database refused the write ({msg}); nothing was written",
                          zh=f"数据库拒绝写入（{msg}），未写入任何内容")
    if isinstance(error, exc.OperationalError) or isinstance(error, exc.InterfaceError):
        return DatabaseUnavailable(f"cannot use database {where}: {msg}", zh=f"无法使用数据库 {where}：{msg}")
    return DatabaseUnavailable(f"database error on {where}: {msg}", zh=f"数据库 {where} 出错：{msg}")


@contextmanager
def translate_errors(url: str | URL) -> Iterator[None]:
    """Turn driver errors raised inside the block into the store's one-line errors."""
    try:
        yield
    except StoreError:
        raise
    except exc.DBAPIError as e:
        raise describe_db_error(e, url) from e
    except exc.SQLAlchemyError as e:
        raise DatabaseUnavailable(f"database error on {display_url(url)}: {e}",
                                  zh=f"数据库 {display_url(url)} 出错：{e}") from e
    except OSError as e:
        raise describe_db_error(e, url) from e


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """One write transaction: everything inside commits together or not at all."""
    with translate_errors(engine.url):
        with engine.connect() as conn:
            conn.execution_options(aftersales_write=True)
            with conn.begin():
                yield conn


@contextmanager
def read_connection(engine: Engine) -> Iterator[sa.Connection]:
    """A consistent read (one transaction, a snapshot in WAL mode)."""
    with translate_errors(engine.url):
        with engine.connect() as conn:
            with conn.begin():
                yield conn


# --- migrations ------------------------------------------------------------------------------

def _alembic_config():
    from alembic.config import Config

    base = resources.files("aftersales.store")
    ini = base / "alembic.ini"
    cfg = Config(str(ini)) if ini.is_file() else Config()
    cfg.set_main_option("script_location", str(base / "migrations"))
    return cfg


#: the newest migration in ``migrations/versions`` (a test checks it against Alembic's head), so
#: opening a store that is up to date needs neither Alembic nor its import (about a second)
HEAD_REVISION = "0004"


def head_revision() -> str:
    return HEAD_REVISION


@lru_cache(maxsize=1)
def alembic_head() -> str:
    """The head of the migration scripts, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    if len(heads) != 1:  # pragma: no cover - a packaging mistake
        raise SchemaError(f"the store's migrations have {len(heads)} heads; expected one",
                          zh=f"案例库的迁移脚本有 {len(heads)} 个 head，应只有一个")
    return heads[0]


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions())


def newer_schema(engine: Engine, current: str | None) -> SchemaError | None:
    """The error for a database whose schema revision this program does not know (a newer
    program migrated it), else None: the counters, ``db upgrade`` and ``db current`` say it alike."""
    if current is None or current in known_revisions():
        return None
    where, head = display_url(engine.url), head_revision()
    return SchemaError(f"database {where} has schema revision {current}, newer than this program "
                       f"knows ({head}); upgrade aftersales",
                       zh=f"数据库 {where} 的结构版本为 {current}，比本程序所知的（{head}）更新：请升级 aftersales 程序")


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database (``None`` when it has no aftersales schema).

    Read from Alembic's own ``alembic_version`` table with one query."""
    with read_connection(engine) as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        rows = [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    if len(rows) > 1:
        raise SchemaError(f"database {display_url(engine.url)} has {len(rows)} schema revisions ({', '.join(rows)}); "
                          "expected one",
                          zh=f"数据库 {display_url(engine.url)} 记有 {len(rows)} 个结构版本（{'、'.join(rows)}），应只有一个")
    return rows[0] if rows else None


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Apply the migrations up to ``revision``; returns ``(before, after)``.

    Runs inside one write transaction that holds the write lock (SQLite) or an advisory lock
    (PostgreSQL), so two counters upgrading at once do it once.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    cfg = _alembic_config()
    with write_transaction(engine) as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        newer = newer_schema(engine, before)
        if newer is not None:   # migrated by a newer program: nothing here can move it (Alembic's traceback)
            raise newer
        from . import roles

        owner = roles.owner_role(conn)
        if owner is not None:  # a database with roles: the owner role alone changes the schema
            conn.exec_driver_sql(f"SET LOCAL ROLE {conn.dialect.identifier_preparer.quote_identifier(owner)}")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        after = MigrationContext.configure(conn).get_current_revision()
        if owner is not None and after != before:
            roles.apply_grants(conn)  # a table the migration added is guarded like the others
    return before, after


def check_schema(engine: Engine, *, auto_upgrade: bool = False) -> str:
    """Make sure the database is at this program's revision; returns it.

    With ``auto_upgrade`` (the default SQLite file) a missing or old schema is migrated, after
    copying an existing file aside. Otherwise a missing or old schema is a ``SchemaError``
    telling the user to run ``aftersales db upgrade``.
    """
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return current
    where = display_url(engine.url)
    newer = newer_schema(engine, current)
    if newer is not None:
        raise newer
    if auto_upgrade:
        path = sqlite_path(engine.url)
        if current is not None and path is not None and path.exists():
            backup = path.with_name(f"{path.name}.bak-{current}")
            if not backup.exists():
                with translate_errors(engine.url):
                    raw = engine.raw_connection()  # outside any transaction: VACUUM refuses one
                    try:  # a consistent copy, WAL content included
                        create_private_file(backup)
                        raw.driver_connection.execute("VACUUM INTO ?", (str(backup),))
                    finally:
                        raw.close()
        upgrade(engine)
        return head
    if current is None:
        raise SchemaError(f"database {where} has no aftersales schema: run `aftersales db upgrade --db URL` once",
                          zh=f"数据库 {where} 还没有 aftersales 的数据库结构：请先执行一次 `aftersales db upgrade --db URL`")
    raise SchemaError(f"database {where} has schema revision {current}, this program needs {head}: "
                      f"run `aftersales db upgrade` (back it up first)",
                      zh=f"数据库 {where} 的结构版本为 {current}，本程序需要 {head}：请执行 `aftersales db upgrade`"
                      f"（先备份）")


def open_engine(url: str | None = None, *, auto_upgrade: bool | None = None) -> Engine:
    """Resolve ``url`` (see ``resolve_url``), connect and check the schema.

    ``auto_upgrade`` defaults to True only for the default SQLite file, which is also created
    (with its folder) when missing. A SQLite file named explicitly must already exist.
    """
    resolved, is_default = resolve_url(url)
    engine = make_engine(resolved)
    if auto_upgrade is None:
        auto_upgrade = is_default
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url)
        if path is not None:
            if is_default:
                ensure_sqlite_folder(engine)
                create_private_file(path)
            elif not path.exists():
                raise missing_file(path, engine.url)
    check_schema(engine, auto_upgrade=auto_upgrade)
    return engine


def missing_file(path: Path, url: str | URL) -> SchemaError:
    """The error for a SQLite file named explicitly that does not exist (it is never made up)."""
    command = f"aftersales db upgrade --db {display_url(url)}"
    return SchemaError(f"database file {path} does not exist: create it with `{command}`",
                       zh=f"数据库文件 {path} 不存在：请用 `{command}` 创建")


def ensure_sqlite_folder(engine: Engine) -> None:
    """Create the folder of a SQLite file, readable by its owner only (0700), when missing."""
    if engine.dialect.name != "sqlite":
        return
    path = sqlite_path(engine.url)
    if path is not None and not path.parent.exists():
        try:
            path.parent.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
            os.chmod(path.parent, PRIVATE_FOLDER_MODE)  # mkdir's mode passes through the umask
        except OSError as e:
            raise DatabaseUnavailable(f"cannot create the folder {path.parent}: {e.strerror}",
                                      zh=f"无法创建文件夹 {path.parent}：{os_reason(e)}") from None


#: the SQLite file holds customers' names and phone numbers: its owner alone reads it
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite then writes into it, and
    gives its ``-wal`` and ``-shm`` files the same mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    except OSError as e:
        raise DatabaseUnavailable(f"cannot create the database file {path}: {e.strerror}",
                                  zh=f"无法创建数据库文件 {path}：{os_reason(e)}") from None
    os.close(fd)


def permission_warnings(engine: Engine, *, folder: bool | None = None) -> list[Said]:
    """One line (English, with its Chinese as ``zh``) for a SQLite file others may read (mode
    beyond 0600) and, for the default file (or with ``folder=True``), for a folder others may
    enter (beyond 0700). Empty elsewhere."""

    if engine.dialect.name != "sqlite" or os.name == "nt":
        return []
    path = sqlite_path(engine.url)
    if path is None:
        return []
    if folder is None:
        folder = path == default_path()
    out = []
    checks = [(path, PRIVATE_FILE_MODE, "chmod 600")]
    if folder:
        checks.append((path.parent, PRIVATE_FOLDER_MODE, "chmod 700"))
    for where, wanted, fix in checks:
        try:
            mode = where.stat().st_mode & 0o777
        except OSError:
            continue
        if mode & ~wanted:
            out.append(Said(f"{where} has mode {mode:04o}: others can read customers' data; run `{fix} {where}`",
                            f"{where} 权限为 {mode:04o}，他人可读取客户资料；请运行 `{fix} {where}`"))
    return out


def create_database(url: str) -> Engine:
    """An engine for ``url`` after migrating it to head (creating a SQLite file, mode 0600, if needed)."""
    engine = make_engine(url)
    ensure_sqlite_folder(engine)
    path = sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
    if path is not None:
        create_private_file(path)
    upgrade(engine)
    return engine
