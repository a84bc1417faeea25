"""Policy bundles a network publishes, and which one is in force.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_bundles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("manifest", sa.JSON, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
    )
    op.create_table(
        "policy_activations",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("bundle_id", sa.Integer, sa.ForeignKey("policy_bundles.id"), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("policy_activations")
    op.drop_table("policy_bundles")
