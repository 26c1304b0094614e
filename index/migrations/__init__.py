"""Alembic migrations of the catalogue schema (run by :func:`index.db.upgrade_schema`)."""
