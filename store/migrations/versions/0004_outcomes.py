"""Outcomes, the units a case leaves behind, the store's own details and service-level due times.

* ``cases``: ``remedy`` (the remedy the customer chose), ``outcome`` (what was done: return,
  exchange, repair, paid_repair), ``outcome_data`` (its details), ``intake_record`` (accessories
  received, appearance as inspected, the data and account checklist), ``answer_due_at`` /
  ``solution_due_at`` (seed 003: answer within 24 h, a solution within 48 h, on the store's
  working hours) and ``answered_at`` / ``solved_at``.
* ``unit_records`` — append-only: what happened to a unit (by IMEI or serial) that a later case on
  it must know: a replacement handed over in an exchange (its new three-guarantee period), the
  days a free repair took.
* ``store_settings`` — a service point's name, address, hotline and working hours (for the
  ticket, the pickup notice and the due times).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("remedy", sa.String(20)))
        batch.add_column(sa.Column("outcome", sa.String(20)))
        batch.add_column(sa.Column("outcome_data", sa.JSON))
        batch.add_column(sa.Column("intake_record", sa.JSON))
        batch.add_column(sa.Column("answer_due_at", _TS))
        batch.add_column(sa.Column("solution_due_at", _TS))
        batch.add_column(sa.Column("answered_at", _TS))
        batch.add_column(sa.Column("solved_at", _TS))
    op.create_table(
        "unit_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("imei", sa.String(20)),
        sa.Column("serial", sa.String(64)),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_unit_records_imei", "unit_records", ["imei"])
    op.create_index("ix_unit_records_serial", "unit_records", ["serial"])
    op.create_index("ix_unit_records_case_id", "unit_records", ["case_id"])
    op.create_table(
        "store_settings",
        sa.Column("store_code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(100)),
        sa.Column("address", sa.String(200)),
        sa.Column("hotline", sa.String(40)),
        sa.Column("opens", sa.String(5), nullable=False),
        sa.Column("closes", sa.String(5), nullable=False),
        sa.Column("printer", sa.String(100)),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )

    # unit_records is append-only, like the event log.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER unit_records_no_{action.lower()} BEFORE {action} ON unit_records "
                f"BEGIN SELECT RAISE(ABORT, 'unit_records are append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION aftersales_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' are append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER unit_records_append_only BEFORE UPDATE OR DELETE ON unit_records "
            "FOR EACH ROW EXECUTE FUNCTION aftersales_append_only()"
        )


def downgrade() -> None:
    op.drop_table("store_settings")
    op.drop_table("unit_records")
    with op.batch_alter_table("cases") as batch:
        for name in ("solved_at", "answered_at", "solution_due_at", "answer_due_at", "intake_record",
                     "outcome_data", "outcome", "remedy"):
            batch.drop_column(name)
