"""Partnership insight: themes with stable ids, the themes of profiles and items, SDG tags of
items (ours and a source's), and the SDG scores a source gives a work (issue 19).

Revision ID: 0006_insight
Revises: 0005_bids
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_insight"
down_revision = "0005_bids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_themes",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=False),
        sa.Column("model_id", sa.String(length=200), nullable=False),
        sa.Column("index_version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("built_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "insight_theme_members",
        sa.Column("profile_id", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.String(length=300), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.String(length=20), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("profile_id", "item_id", "rank"),
    )
    op.create_index("ix_insight_theme_members_theme_id", "insight_theme_members", ["theme_id"])
    op.create_table(
        "insight_sdg_tags",
        sa.Column("profile_id", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.String(length=300), nullable=False),
        sa.Column("goal", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("profile_id", "item_id", "goal", "source"),
    )
    op.create_index("ix_insight_sdg_tags_goal", "insight_sdg_tags", ["goal", "source"])
    with op.batch_alter_table("source_works") as batch:
        batch.add_column(sa.Column("sdgs", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_works") as batch:
        batch.drop_column("sdgs")
    op.drop_index("ix_insight_sdg_tags_goal", table_name="insight_sdg_tags")
    op.drop_table("insight_sdg_tags")
    op.drop_index("ix_insight_theme_members_theme_id", table_name="insight_theme_members")
    op.drop_table("insight_theme_members")
    op.drop_table("insight_themes")
