"""One open introduction per profile and brief; briefs searched on the pages get an id.

``introductions.brief_key`` (a hash of the brief, case and spacing ignored) with a partial
unique index over the open statuses; existing rows get their key, except the later ones of an
open duplicate (made before this revision), which stay on the board without one: closing them
is a person's decision. ``saved_briefs`` holds the briefs behind the search pages' URLs.

Revision ID: 0004_open_introductions
Revises: 0002_unbounded_names
"""

from __future__ import annotations

import hashlib
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0004_open_introductions"
down_revision = "0003_research_sources"
branch_labels = None
depends_on = None

OPEN_STATUSES = ("proposed", "contacted", "met")


def _brief_key(brief: str) -> str | None:
    """matcher.model.brief_key as of this revision (frozen here: a migration must not change)."""
    words = unicodedata.normalize("NFKC", brief).casefold().split()
    if not words:
        return None
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def _backfill(connection: sa.Connection) -> None:
    table = sa.table(
        "introductions",
        sa.column("id", sa.Integer),
        sa.column("profile_id", sa.String),
        sa.column("brief", sa.Text),
        sa.column("status", sa.String),
        sa.column("brief_key", sa.String),
    )
    rows = connection.execute(
        sa.select(table.c.id, table.c.profile_id, table.c.brief, table.c.status).order_by(
            table.c.id
        )
    ).all()
    open_seen: set[tuple[str, str]] = set()
    for row in rows:
        key = _brief_key(row.brief or "")
        if key is None:
            continue
        if row.status in OPEN_STATUSES:
            if (row.profile_id, key) in open_seen:
                continue  # a duplicate from before the rule: no key, so the index holds
            open_seen.add((row.profile_id, key))
        connection.execute(sa.update(table).where(table.c.id == row.id).values(brief_key=key))


def upgrade() -> None:
    # a database from before migrations that lacked the table got today's (index.db.engine)
    inspector = sa.inspect(op.get_bind())
    if "brief_key" not in {c["name"] for c in inspector.get_columns("introductions")}:
        with op.batch_alter_table("introductions") as batch:
            batch.add_column(sa.Column("brief_key", sa.String(length=64), nullable=True))
        _backfill(op.get_bind())
    status: sa.ColumnClause[str] = sa.column("status")
    if "uq_introductions_open_brief" not in {
        i["name"] for i in inspector.get_indexes("introductions")
    }:
        op.create_index(
            "uq_introductions_open_brief",
            "introductions",
            ["profile_id", "brief_key"],
            unique=True,
            sqlite_where=status.in_(OPEN_STATUSES),
            postgresql_where=status.in_(OPEN_STATUSES),
        )
    if inspector.has_table("saved_briefs"):
        return
    op.create_table(
        "saved_briefs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["api_keys.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_saved_briefs_created_at", "saved_briefs", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_saved_briefs_created_at", table_name="saved_briefs")
    op.drop_table("saved_briefs")
    op.drop_index("uq_introductions_open_brief", table_name="introductions")
    with op.batch_alter_table("introductions") as batch:
        batch.drop_column("brief_key")
