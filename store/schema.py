"""The tables, as SQLAlchemy Core objects. The migrations in ``migrations/versions`` create them;
this module is what the code reads and writes through (one code path for SQLite and PostgreSQL).

* ``cases`` — one row per case: number, store, staff, customer, the v1 case input, state, due dates.
* ``decisions`` — every evaluation of a case, appended, never updated (policy versions included).
* ``events`` — the append-only event log: who, when, from, to, note.
* ``follow_ups`` — calls due (day-10 回访 of the repair station and the customer, pickup calls).
* ``case_counters`` — the last sequence number per store and day, for case numbers.
* ``policy_bundles``, ``policy_activations`` — a network's published policies and which one is in
  force (declared in ``bundles.py``).

``decisions`` and ``events`` are append-only: database triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware datetime stored in UTC (``timestamptz`` on PostgreSQL, ISO text on SQLite)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - defensive
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData()

case_counters = sa.Table(
    "case_counters",
    metadata,
    sa.Column("store_code", sa.String(16), primary_key=True),
    sa.Column("day", sa.String(8), primary_key=True),
    sa.Column("last_seq", sa.Integer, nullable=False),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("store_code", sa.String(16), nullable=False, index=True),
    sa.Column("staff", sa.String(64), nullable=False),
    sa.Column("customer_name", sa.String(100), nullable=False),
    sa.Column("customer_phone", sa.String(20), nullable=False),
    sa.Column("brand", sa.String(40), nullable=False, index=True),
    sa.Column("device_model", sa.String(100), nullable=False),
    sa.Column("device_serial", sa.String(64)),
    sa.Column("device_imei", sa.String(20)),
    sa.Column("case_date", sa.Date, nullable=False),
    sa.Column("intake_at", UTCDateTime, nullable=False),
    sa.Column("state", sa.String(24), nullable=False, index=True),
    sa.Column("state_since", UTCDateTime, nullable=False),
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
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("closed_at", UTCDateTime),
    # migration 0004: outcomes, what was inspected at intake, service-level due times
    sa.Column("remedy", sa.String(20)),
    sa.Column("outcome", sa.String(20)),
    sa.Column("outcome_data", sa.JSON),
    sa.Column("intake_record", sa.JSON),
    sa.Column("answer_due_at", UTCDateTime),
    sa.Column("solution_due_at", UTCDateTime),
    sa.Column("answered_at", UTCDateTime),
    sa.Column("solved_at", UTCDateTime),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("evaluated_at", UTCDateTime, nullable=False),
    sa.Column("trigger", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("entitlement", sa.String(20)),
    sa.Column("policies", sa.JSON, nullable=False),
    sa.Column("case_input", sa.JSON, nullable=False),
    sa.Column("decision", sa.JSON, nullable=False),
    sa.UniqueConstraint("case_id", "seq", name="uq_decisions_case_seq"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("from_state", sa.String(24)),
    sa.Column("to_state", sa.String(24)),
    sa.Column("note", sa.Text),
    sa.Column("data", sa.JSON),
)

follow_ups = sa.Table(
    "follow_ups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True),
    sa.Column("party", sa.String(16), nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("due_date", sa.Date, nullable=False, index=True),
    sa.Column("done_at", UTCDateTime),
    sa.Column("done_by", sa.String(64)),
    sa.Column("done_event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="RESTRICT")),
)

# --- migration 0004 ---------------------------------------------------------------------------

unit_records = sa.Table(
    "unit_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("imei", sa.String(20), index=True),
    sa.Column("serial", sa.String(64), index=True),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)
"""Append-only: what a later case on a unit must know (a replacement handed over, a free repair)."""

store_settings = sa.Table(
    "store_settings",
    metadata,
    sa.Column("store_code", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(100)),
    sa.Column("address", sa.String(200)),
    sa.Column("hotline", sa.String(40)),
    sa.Column("opens", sa.String(5), nullable=False),
    sa.Column("closes", sa.String(5), nullable=False),
    sa.Column("printer", sa.String(100)),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
)
"""A service point's name, address, hotline, working hours and ticket printer."""

ALL_TABLES = ("follow_ups", "events", "decisions", "cases", "case_counters")

# --- staff sign-in, the access log, database roles (migration 0002) ---------------------------

#: who may sign in at a counter; the PIN only as a salted Argon2id hash (``store/staff.py``)
staff = sa.Table(
    "staff",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("store_code", sa.String(16), index=True),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("pin_hash", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

#: append-only: every full view of customers' data (``--reveal``) and every export
access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("store_code", sa.String(16)),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("command", sa.String(40)),
    sa.Column("case_count", sa.Integer, nullable=False),
    sa.Column("cases", sa.JSON, nullable=False),
)

#: PostgreSQL: the roles ``aftersales db roles`` made and the store each serves (``store/roles.py``)
aftersales_roles = sa.Table(
    "aftersales_roles",
    metadata,
    sa.Column("role_name", sa.String(63), primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("store_code", sa.String(16)),
)

#: a network's published policy bundles: every file's text, its SHA-256 manifest (``store/bundles.py``)
policy_bundles = sa.Table(
    "policy_bundles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("manifest", sa.JSON, nullable=False),
    sa.Column("files", sa.JSON, nullable=False),
)

#: which bundle was put in force when, by whom (appended only; the latest is in force)
policy_activations = sa.Table(
    "policy_activations",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("bundle_id", sa.Integer, sa.ForeignKey("policy_bundles.id"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
)
