"""Staff sign-in, the access log, and what a shared database's roles may see.

* ``staff`` — who may sign in at a counter: a staff code, a name, the store (none: the whole
  network), a role (``clerk`` or ``manager``) and the PIN as a salted Argon2id hash.
* ``access_log`` — append-only: every full view of customers' data (``--reveal``) and every
  export, with who, when, why and which cases.
* ``aftersales_roles`` — PostgreSQL only in use: the database roles ``aftersales db roles``
  made (owner, manager, one per store) and the store each one serves.

On PostgreSQL also: ``aftersales_visible(store_code)``, the test every row-level security policy
applies (``store/roles.py`` creates the policies and grants); a case number must begin with its
own store's code (so one store can neither take nor probe another store's numbers); and the
append-only tables refuse TRUNCATE as they already refuse UPDATE and DELETE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("store_code", sa.String(16)),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("pin_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_staff_store_code", "staff", ["store_code"])
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("store_code", sa.String(16)),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("command", sa.String(40)),
        sa.Column("case_count", sa.Integer, nullable=False),
        sa.Column("cases", sa.JSON, nullable=False),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    op.create_table(
        "aftersales_roles",
        sa.Column("role_name", sa.String(63), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("store_code", sa.String(16)),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER access_log_no_{action.lower()} BEFORE {action} ON access_log "
                f"BEGIN SELECT RAISE(ABORT, 'access_log are append-only'); END"
            )
        return
    if dialect != "postgresql":  # pragma: no cover - only the two backends exist
        return
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    roles_table = f'"{schema}".aftersales_roles'
    # The one test of every policy: the connected role (or a role it belongs to) is the owner,
    # a manager, or the role of this store. The table is named with its schema, so no table
    # of the caller's own (a temporary one included) can stand in for it.
    op.execute(
        "CREATE OR REPLACE FUNCTION aftersales_visible(code text) RETURNS boolean "
        "LANGUAGE sql STABLE AS $$ "
        f"SELECT EXISTS (SELECT 1 FROM {roles_table} r "
        "WHERE pg_catalog.pg_has_role(current_user, r.role_name, 'MEMBER') "
        "AND (r.kind IN ('owner', 'manager') OR r.store_code = code)) $$"
    )
    op.execute("ALTER TABLE cases ADD CONSTRAINT ck_cases_number_store "
               "CHECK (split_part(number, '-', 1) = store_code)")
    op.execute(
        "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
        "FOR EACH ROW EXECUTE FUNCTION aftersales_append_only()"
    )
    for table in ("events", "decisions", "access_log"):
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION aftersales_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        bind = op.get_bind()
        for table, policy in bind.execute(sa.text(
                "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema() "
                "AND policyname LIKE 'aftersales_%'")).all():
            op.execute(f'DROP POLICY IF EXISTS "{policy}" ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
        for table in ("events", "decisions"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("ALTER TABLE cases DROP CONSTRAINT IF EXISTS ck_cases_number_store")
    for table in ("aftersales_roles", "access_log", "staff"):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS aftersales_visible(text)")
