"""Alembic's entry point for the catalogue.

Normally run by :func:`index.db.engine.upgrade_schema`, which passes an open connection (inside its
transaction and lock) through ``config.attributes["connection"]``. A new revision is written
with ``alembic -x url=sqlite:///var/catalogue.db revision --autogenerate -m "what"`` from a
configuration whose ``script_location`` is this folder; ``tests/index/db/test_migrations.py``
fails while ``index/db/schema.py`` and the revisions disagree.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from index.db.engine import make_engine
from index.db.schema import metadata


def run(connection: Connection) -> None:
    """Run the pending migrations on ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: later revisions rebuild tables in batch mode
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the catalogue's migrations run online only (give a database URL)")

given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database with -x url=… or sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        run(connection)
        connection.commit()
    engine.dispose()
