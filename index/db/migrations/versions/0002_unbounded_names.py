"""Names in introductions become TEXT: ``created_by`` and an event's ``by`` hold a key's name and
``requester_organisation`` an organisation's name, none of them bounded. SQLite never enforced
the VARCHAR lengths; PostgreSQL does, and refused a key named with more than 40 characters.

Revision ID: 0002_unbounded_names
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_unbounded_names"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("introductions") as batch:
        batch.alter_column("requester_organisation", type_=sa.Text(), existing_type=sa.String(200))
        batch.alter_column(
            "created_by", type_=sa.Text(), existing_type=sa.String(40), existing_nullable=False
        )
    with op.batch_alter_table("introduction_events") as batch:
        batch.alter_column(
            "by", type_=sa.Text(), existing_type=sa.String(40), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("introduction_events") as batch:
        batch.alter_column(
            "by", type_=sa.String(40), existing_type=sa.Text(), existing_nullable=False
        )
    with op.batch_alter_table("introductions") as batch:
        batch.alter_column(
            "created_by", type_=sa.String(40), existing_type=sa.Text(), existing_nullable=False
        )
        batch.alter_column("requester_organisation", type_=sa.String(200), existing_type=sa.Text())
