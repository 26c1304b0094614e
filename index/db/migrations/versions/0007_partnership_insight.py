"""Searches served per day and theme (counts only) for the partnership dashboard; governance
checklists of collaborating introductions (issue 19 item 4, issue 20 item 2).

Revision ID: 0007_partnership_insight
Revises: 0006_insight
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_partnership_insight"
down_revision = "0006_insight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_counts",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "theme"),
    )
    op.create_table(
        "introduction_checklist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("introduction_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["introduction_id"], ["introductions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_introduction_checklist_introduction_id",
        "introduction_checklist",
        ["introduction_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_introduction_checklist_introduction_id", table_name="introduction_checklist")
    op.drop_table("introduction_checklist")
    op.drop_table("search_counts")
