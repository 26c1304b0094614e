"""Research sources (issue 16): provenance on evidence items (DOI, source records, pinned), and
the importers' memory: person aliases, each source's people, works and authorships, the review
queue of name-only matches, the suppression list of erased people and KE staff's curation.

Revision ID: 0003_research_sources
Revises: 0002_unbounded_names
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_research_sources"
down_revision = "0002_unbounded_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database from before migrations was made by create_all from a newer schema.py and is
    # stamped at the baseline: what it already has is left alone.
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    columns = {c["name"] for c in inspector.get_columns("evidence")}
    # plain ADD COLUMN (both SQLite and PostgreSQL have it; no table copy needed)
    for column in (
        sa.Column("doi", sa.Text(), nullable=False, server_default=""),
        sa.Column("provenance", sa.JSON(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false()),
    ):
        if column.name not in columns:
            op.add_column("evidence", column)
    if "person_aliases" not in tables:
        _create_tables()


def _create_tables() -> None:
    op.create_table(
        "person_aliases",
        sa.Column("scheme", sa.String(20), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
        sa.Column("profile_id", sa.String(200), nullable=False, index=True),
    )
    op.create_table(
        "source_people",
        sa.Column("source", sa.String(20), primary_key=True),
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("profile_id", sa.String(200), nullable=False, index=True),
        sa.Column("link", sa.String(10), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False, index=True),
        sa.Column("orcid", sa.String(40), nullable=False),
        sa.Column("organisation_id", sa.String(200), nullable=False),
        sa.Column("organisation_name", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("biography", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("retrieved_at", sa.String(40), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "source_works",
        sa.Column("source", sa.String(20), primary_key=True),
        sa.Column("source_id", sa.String(300), primary_key=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer()),
        sa.Column("doi", sa.Text(), nullable=False),
        sa.Column("funder", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("retrieved_at", sa.String(40), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False, index=True),
    )
    op.create_table(
        "source_authorships",
        sa.Column("source", sa.String(20), primary_key=True),
        sa.Column("work_id", sa.String(300), primary_key=True),
        sa.Column("person", sa.String(200), primary_key=True),
        sa.Column("orcid", sa.String(40), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("ours", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_source_authorships_person", "source_authorships", ["source", "person"])
    op.create_table(
        "identity_reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("profile_a", sa.String(200), nullable=False, index=True),
        sa.Column("profile_b", sa.String(200), nullable=False, index=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("decided_at", sa.String(40)),
        sa.Column("decided_by", sa.String(200)),
        sa.UniqueConstraint("profile_a", "profile_b", name="uq_identity_reviews_pair"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "suppressions",
        sa.Column("identifier_hash", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "curation",
        sa.Column("profile_id", sa.String(200), primary_key=True),
        sa.Column("item_key", sa.String(300), primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "curation",
        "suppressions",
        "identity_reviews",
        "source_authorships",
        "source_works",
        "source_people",
        "person_aliases",
    ):
        op.drop_table(table)
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("pinned")
        batch.drop_column("provenance")
        batch.drop_column("doi")
