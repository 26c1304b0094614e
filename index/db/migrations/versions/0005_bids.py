"""Bids (joint grant applications), their members, governance checklists and history; the
governance templates admins edit; outcome labels for the ranking that learns (issue 20).

Revision ID: 0005_bids
Revises: 0002_unbounded_names (re-chained after the other round-3 revisions at merge)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_bids"
down_revision = "0004_open_introductions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bids",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_name", sa.Text(), nullable=False),
        sa.Column("funder", sa.Text(), nullable=False),
        sa.Column("scheme", sa.Text(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("deadline", sa.String(length=10), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("requester_organisation", sa.Text(), nullable=True),
        sa.Column("declared_conflicts", sa.JSON(), nullable=False),
        sa.Column("alternates", sa.JSON(), nullable=False),
        sa.Column("introductions", sa.JSON(), nullable=False),
        sa.Column("source", sa.JSON(), nullable=True),
        sa.Column("status_dates", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_bids_status", "bids", ["status"])
    op.create_table(
        "bid_members",
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bid_id", "profile_id"),
    )
    op.create_index("ix_bid_members_profile_id", "bid_members", ["profile_id"])
    op.create_table(
        "bid_checklist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_bid_checklist_bid_id", "bid_checklist", ["bid_id"])
    op.create_table(
        "bid_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_bid_events_bid_id", "bid_events", ["bid_id"])
    op.create_table(
        "governance_templates",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("applies_to", sa.String(length=20), nullable=True),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "outcome_labels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("profile_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outcome_labels_profile_id", "outcome_labels", ["profile_id"])
    op.create_index("ix_outcome_labels_bid_id", "outcome_labels", ["bid_id"])


def downgrade() -> None:
    op.drop_index("ix_outcome_labels_bid_id", table_name="outcome_labels")
    op.drop_index("ix_outcome_labels_profile_id", table_name="outcome_labels")
    op.drop_table("outcome_labels")
    op.drop_table("governance_templates")
    op.drop_index("ix_bid_events_bid_id", table_name="bid_events")
    op.drop_table("bid_events")
    op.drop_index("ix_bid_checklist_bid_id", table_name="bid_checklist")
    op.drop_table("bid_checklist")
    op.drop_index("ix_bid_members_profile_id", table_name="bid_members")
    op.drop_table("bid_members")
    op.drop_index("ix_bids_status", table_name="bids")
    op.drop_table("bids")
