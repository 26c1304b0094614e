"""Alembic migrations of the catalogue schema (run by :func:`index.db.engine.upgrade_schema`)."""
