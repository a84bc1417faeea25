"""The case store: cases, decisions, events, follow-ups, case counters.

Revision ID: 0001
Revises:
Create Date: 2026-06-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_APPEND_ONLY = ("events", "decisions")


def upgrade() -> None:
    op.create_table(
        "case_counters",
        sa.Column("store_code", sa.String(16), primary_key=True),
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("store_code", sa.String(16), nullable=False),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("customer_name", sa.String(100), nullable=False),
        sa.Column("customer_phone", sa.String(20), nullable=False),
        sa.Column("brand", sa.String(40), nullable=False),
        sa.Column("device_model", sa.String(100), nullable=False),
        sa.Column("device_serial", sa.String(64)),
        sa.Column("device_imei", sa.String(20)),
        sa.Column("case_date", sa.Date, nullable=False),
        sa.Column("intake_at", _TS, nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("state_since", _TS, nullable=False),
        sa.Column("mail_in", sa.Boolean, nullable=False),
        sa.Column("mail_in_record", sa.JSON),
        sa.Column("case_input", sa.JSON, nullable=False),
        sa.Column("repair_kind", sa.String(10), nullable=False),
        sa.Column("repair_due_from", sa.Date),
        sa.Column("repair_due_by", sa.Date),
        sa.Column("awaiting_parts", sa.Boolean, nullable=False),
        sa.Column("workflow", sa.JSON, nullable=False),
        sa.Column("entitlement", sa.String(20)),
        sa.Column("decision_count", sa.Integer, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("closed_at", _TS),
        sa.UniqueConstraint("number", name="uq_cases_number"),
    )
    op.create_index("ix_cases_store_code", "cases", ["store_code"])
    op.create_index("ix_cases_brand", "cases", ["brand"])
    op.create_index("ix_cases_state", "cases", ["state"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("evaluated_at", _TS, nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("entitlement", sa.String(20)),
        sa.Column("policies", sa.JSON, nullable=False),
        sa.Column("case_input", sa.JSON, nullable=False),
        sa.Column("decision", sa.JSON, nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_decisions_case_seq"),
    )
    op.create_index("ix_decisions_case_id", "decisions", ["case_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(24)),
        sa.Column("to_state", sa.String(24)),
        sa.Column("note", sa.Text),
        sa.Column("data", sa.JSON),
    )
    op.create_index("ix_events_case_id", "events", ["case_id"])
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("party", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("done_at", _TS),
        sa.Column("done_by", sa.String(64)),
        sa.Column("done_event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="RESTRICT")),
    )
    op.create_index("ix_follow_ups_case_id", "follow_ups", ["case_id"])
    op.create_index("ix_follow_ups_due_date", "follow_ups", ["due_date"])

    # The event log and the decisions are append-only: the database itself refuses changes.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in _APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION aftersales_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' are append-only'; END $$ LANGUAGE plpgsql"
        )
        for table in _APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION aftersales_append_only()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("follow_ups", "events", "decisions", "cases", "case_counters"):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS aftersales_append_only()")
