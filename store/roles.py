"""Who may see and change what on a shared PostgreSQL database (``aftersales db roles``).

Three kinds of database role, all without a password of their own (``NOLOGIN``): the people
and PCs that connect are login roles made members of one of them (``aftersales db login``).

* ``PREFIX_store_CODE`` — one per store. Sees and changes only its own store's cases: row-level
  security on every table that holds case data (``cases`` and ``case_counters`` by their
  ``store_code``; ``decisions``, ``events``, ``follow_ups`` and any other table with a
  ``case_id`` through the case it belongs to; ``staff`` and ``access_log`` by store). It may
  take in, move and follow up cases; it may not delete anything, add staff, export or migrate.
* ``PREFIX_manager`` — reads and changes every store's cases (overrides), exports, adds staff.
* ``PREFIX_owner`` — owns the tables: it alone can change the schema (``aftersales db upgrade``
  sets this role for the migration when the connected user is a member of it).

No role is granted UPDATE, DELETE or TRUNCATE on ``events``, ``decisions`` or ``access_log``,
and triggers refuse those statements for every role, the owner included.

Every policy applies one function, ``aftersales_visible(store_code)`` (migration 0002): the
connected role is a member of the owner or the manager role, or of the store's role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db as _db
from .contact import normalize_store
from .errors import StoreError
from .schema import metadata

#: tables no role may change once written (triggers refuse it too)
APPEND_ONLY = frozenset({"events", "decisions", "access_log", "unit_records"})
#: tables only the manager (and the owner) may write
MANAGER_WRITES = frozenset({"staff", "policy_bundles", "policy_activations"})
#: tables every role reads and no store or manager role writes
READ_ONLY = frozenset({"alembic_version", "aftersales_roles"})
POLICY = "aftersales_rows"
_PREFIX = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KINDS = ("owner", "manager", "store")


def role_names(prefix: str, stores: Iterable[str]) -> dict[str, Any]:
    """The role names for ``prefix``: ``{"owner": …, "manager": …, "stores": {code: …}}``."""
    if not _PREFIX.match(prefix):
        raise StoreError(f"{prefix!r} is not a role prefix: a lower-case letter, then letters, digits or _ "
                         "(at most 40)", field="prefix",
                         zh=f"{prefix!r} 不是角色名前缀：应以小写字母开头，其后为字母、数字或 _（最多 40 个字符）")
    codes = [normalize_store(s) for s in stores]
    return {"owner": f"{prefix}_owner", "manager": f"{prefix}_manager",
            "stores": {code: f"{prefix}_store_{code.lower()}" for code in codes}}


def _quote(conn: sa.Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _require_postgres(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise StoreError("database roles exist on PostgreSQL only; a SQLite file is protected by its "
                         "file mode (0600)", field="db",
                         zh="数据库角色仅用于 PostgreSQL；SQLite 文件靠文件权限（0600）保护")


def _role_exists(conn: sa.Connection, name: str) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first() is not None


def create_roles(engine: Engine, prefix: str, stores: Iterable[str]) -> dict[str, Any]:
    """Create (or bring up to date) the owner, manager and store roles; returns what was done.

    Idempotent: roles that exist are kept, their grants and the policies set again. Run by a
    superuser or a role that may create roles and owns the tables.
    """
    _require_postgres(engine)
    names = role_names(prefix, stores)
    created: list[str] = []
    _db.check_schema(engine)
    with _db.write_transaction(engine) as conn:
        wanted = [(names["owner"], "owner", None), (names["manager"], "manager", None)]
        wanted += [(role, "store", code) for code, role in names["stores"].items()]
        for role, kind, code in wanted:
            if not _role_exists(conn, role):
                conn.exec_driver_sql(f"CREATE ROLE {_quote(conn, role)} NOLOGIN")
                created.append(role)
            existing = conn.execute(sa.text("SELECT kind, store_code FROM aftersales_roles WHERE role_name = :r"),
                                    {"r": role}).first()
            if existing is None:
                conn.execute(sa.text("INSERT INTO aftersales_roles (role_name, kind, store_code) "
                                     "VALUES (:r, :k, :s)"), {"r": role, "k": kind, "s": code})
            elif (existing.kind, existing.store_code) != (kind, code):
                raise StoreError(f"role {role} is already recorded as {existing.kind} {existing.store_code or ''}"
                                 .strip(), field="prefix",
                                 zh=f"角色 {role} 已登记为 {existing.kind} {existing.store_code or ''}".strip())
        owner = _quote(conn, names["owner"])
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        conn.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA {_quote(conn, schema)} TO {owner}")
        for table in _tables(conn):
            conn.exec_driver_sql(f"ALTER TABLE {_quote(conn, table)} OWNER TO {owner}")
        conn.exec_driver_sql(f"ALTER FUNCTION aftersales_visible(text) OWNER TO {owner}")
        conn.exec_driver_sql(f"ALTER FUNCTION aftersales_append_only() OWNER TO {owner}")
        apply_grants(conn)
    return {"owner": names["owner"], "manager": names["manager"], "stores": names["stores"], "created": created}


def _tables(conn: sa.Connection) -> list[str]:
    """The aftersales tables present in the current schema (the declared ones and Alembic's)."""
    present = set(sa.inspect(conn).get_table_names())
    return [t for t in [*metadata.tables, "alembic_version"] if t in present]


def _columns(conn: sa.Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def apply_grants(conn: sa.Connection) -> list[str]:
    """Policies and grants for every recorded role on every aftersales table (idempotent).

    Called by ``create_roles`` and after every ``aftersales db upgrade`` of a database that has
    roles, so a table a later migration adds is covered too. Returns the tables under policy.
    """
    roles = conn.execute(sa.text("SELECT role_name, kind FROM aftersales_roles")).all()
    counters = [r.role_name for r in roles if r.kind == "store"]
    managers = [r.role_name for r in roles if r.kind == "manager"]
    everyone = counters + managers
    if not everyone:
        return []
    q = lambda name: _quote(conn, name)  # noqa: E731
    who_all = ", ".join(q(r) for r in everyone)
    who_managers = ", ".join(q(r) for r in managers)
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {q(schema)} TO {who_all}")
    guarded: list[str] = []
    for table in _tables(conn):
        t = q(table)
        conn.exec_driver_sql(f"REVOKE ALL ON {t} FROM PUBLIC, {who_all}")
        conn.exec_driver_sql(f"GRANT SELECT ON {t} TO {who_all}")
        cols = _columns(conn, table)
        if table in READ_ONLY:
            continue
        if "store_code" in cols:
            test = "aftersales_visible(store_code)"
        elif "case_id" in cols:
            test = f"EXISTS (SELECT 1 FROM cases c WHERE c.id = {t}.case_id)"
        else:
            test = None
        if test is not None:
            conn.exec_driver_sql(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {POLICY} ON {t}")
            conn.exec_driver_sql(f"CREATE POLICY {POLICY} ON {t} USING ({test}) WITH CHECK ({test})")
            guarded.append(table)
        writes = "INSERT" if table in APPEND_ONLY else "INSERT, UPDATE"
        if table in MANAGER_WRITES:
            if who_managers:
                conn.exec_driver_sql(f"GRANT {writes} ON {t} TO {who_managers}")
        elif test is not None or table in APPEND_ONLY:
            conn.exec_driver_sql(f"GRANT {writes} ON {t} TO {who_all}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {who_all}")
    return guarded


def check_member_of(engine: Engine, member_of: str) -> None:
    """``member_of`` is a role ``aftersales db roles`` made (else a ``StoreError``)."""
    _require_postgres(engine)
    with _db.read_connection(engine) as conn:
        known = conn.execute(sa.text("SELECT kind FROM aftersales_roles WHERE role_name = :r"),
                             {"r": member_of}).first()
    if known is None:
        raise StoreError(f"{member_of!r} is not a role made by `aftersales db roles`", field="role",
                         zh=f"{member_of!r} 不是由 `aftersales db roles` 创建的角色")


def create_login(engine: Engine, login: str, member_of: str, password: str | None) -> None:
    """A login role (a counter PC, a manager's account) that acts as ``member_of``."""
    _require_postgres(engine)
    if not re.match(r"^[a-z][a-z0-9_]{0,62}$", login):
        raise StoreError(f"{login!r} is not a login name: a lower-case letter, then letters, digits or _",
                         field="login", zh=f"{login!r} 不是登录名：应以小写字母开头，其后为字母、数字或 _")
    with _db.write_transaction(engine) as conn:
        known = conn.execute(sa.text("SELECT kind FROM aftersales_roles WHERE role_name = :r"),
                             {"r": member_of}).first()
        if known is None:
            raise StoreError(f"{member_of!r} is not a role made by `aftersales db roles`", field="role",
                             zh=f"{member_of!r} 不是由 `aftersales db roles` 创建的角色")
        q = lambda name: _quote(conn, name)  # noqa: E731
        verb = "ALTER" if _role_exists(conn, login) else "CREATE"
        if password:  # DDL takes no parameters: the password as a quoted literal
            literal = sa.String().literal_processor(conn.dialect)(password)
            conn.exec_driver_sql(f"{verb} ROLE {q(login)} LOGIN PASSWORD {literal}")
        else:
            conn.exec_driver_sql(f"{verb} ROLE {q(login)} LOGIN")
        conn.exec_driver_sql(f"GRANT {q(member_of)} TO {q(login)}")


def current_role(conn: sa.Connection) -> tuple[str, str | None] | None:
    """``(kind, store_code)`` of the connected PostgreSQL user, or ``None`` (SQLite, or a database
    without roles). A superuser, and the owner of the tables, count as ``owner``."""
    if conn.dialect.name != "postgresql":
        return None
    if conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
        return ("owner", None)
    if not sa.inspect(conn).has_table("aftersales_roles"):
        return None
    rows = conn.execute(sa.text(
        "SELECT kind, store_code FROM aftersales_roles "
        "WHERE pg_catalog.pg_has_role(current_user, role_name, 'MEMBER')")).all()
    for kind in KINDS:
        stores = sorted({r.store_code for r in rows if r.kind == kind})
        if stores:
            return (kind, stores[0] if kind == "store" and len(stores) == 1 else None)
    return None


def owner_role(conn: sa.Connection) -> str | None:
    """The recorded owner role the connected user may act as (for migrations), if any."""
    if conn.dialect.name != "postgresql" or not sa.inspect(conn).has_table("aftersales_roles"):
        return None
    return conn.execute(sa.text(
        "SELECT role_name FROM aftersales_roles WHERE kind = 'owner' "
        "AND pg_catalog.pg_has_role(current_user, role_name, 'MEMBER') ORDER BY role_name LIMIT 1")).scalar()
