"""Users' feedback on results (relevant / not relevant, and introduction outcomes), kept with
the brief's vector for the re-ranker (issue 18 item 3).

Revision ID: 0008_feedback
Revises: 0007_partnership_insight
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_feedback"
down_revision = "0007_partnership_insight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("profile_id", sa.String(length=200), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("brief_ref", sa.String(length=64), nullable=False),
        sa.Column("brief_id", sa.String(length=64), nullable=True),
        sa.Column("introduction_id", sa.Integer(), nullable=True),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("model_id", sa.Text(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("given_by", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("index_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["introduction_id"], ["introductions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_feedback_profile_id", "feedback", ["profile_id"])
    op.create_index("ix_feedback_brief_ref", "feedback", ["brief_ref"])
    op.create_index("ix_feedback_introduction_id", "feedback", ["introduction_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_feedback_introduction_id", table_name="feedback")
    op.drop_index("ix_feedback_brief_ref", table_name="feedback")
    op.drop_index("ix_feedback_profile_id", table_name="feedback")
    op.drop_table("feedback")
