"""The catalogue's database: engines, the few statements that differ between SQLite and
PostgreSQL, and schema migrations (Alembic, under ``index/db/migrations``).

SQLite (one file, WAL) is the default and needs no server; PostgreSQL
(``postgresql+psycopg://…``) serves a shared deployment with several workers. Everything else
in the catalogue and its stores is dialect-neutral SQLAlchemy Core.

Migrations run at start-up (:func:`upgrade_schema`, called whenever the catalogue is opened) and
from ``matcher db upgrade``. Concurrent starts are serialised: by an advisory lock on
PostgreSQL, by an immediate (write-locking) transaction on SQLite. A database created before
migrations existed (its tables there, no ``alembic_version``) is stamped with the baseline
revision rather than created again.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import tenacity
from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from index.db.schema import metadata
from matcher.errors import CatalogueUnavailableError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
#: The first revision: the schema as it was when migrations were introduced.
BASELINE_REVISION = "0001_baseline"
#: Tables the baseline revision creates; a database holding them but no ``alembic_version``
#: predates migrations and is stamped at the baseline.
BASELINE_TABLES = (
    "organisations",
    "profiles",
    "evidence",
    "chunks",
    "embeddings",
    "meta",
    "api_keys",
    "web_sessions",
    "shortlist_items",
    "introductions",
    "introduction_events",
    "audit_log",
)
SUPPORTED_DIALECTS = ("sqlite", "postgresql")
# Any constant shared by every process that migrates the same PostgreSQL database.
_MIGRATION_LOCK_KEY = 0x6B656D61746368  # "kematch"


def make_engine(url: str) -> Engine:
    """An engine for a catalogue URL; SQLite connections get WAL, foreign keys and a busy
    timeout.

    Raises:
        CatalogueUnavailableError: a URL that does not parse, or a database other than SQLite or
            PostgreSQL.
    """
    try:
        dialect = make_url(url).get_backend_name()
    except ArgumentError as error:
        raise CatalogueUnavailableError(f"bad catalogue URL: {error}") from error
    if dialect not in SUPPORTED_DIALECTS:
        raise CatalogueUnavailableError(
            f"unsupported catalogue database {dialect!r}; use one of {', '.join(SUPPORTED_DIALECTS)}"
        )
    if dialect == "sqlite":
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre-ping: a worker keeps its pool across a database restart
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "before_cursor_execute", _strip_nul, retval=True)
    return engine


def _strip_nul(
    _connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
) -> tuple[str, Any]:
    # PostgreSQL text cannot hold NUL characters (SQLite's can): a NUL in a profile or a note
    # would otherwise end in a database error rather than being stored like on SQLite.
    return statement, _without_nul(parameters)


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_nul(item) for item in value)
    return value


@contextlib.contextmanager
def reachable(engine: Engine) -> Iterator[None]:
    """Turn a database that cannot be reached (server down, wrong password, unwritable file)
    into one clear :class:`CatalogueUnavailableError` (the password is never shown)."""
    try:
        yield
    except OperationalError as error:
        where = engine.url.render_as_string(hide_password=True)
        reason = " ".join(str(error.orig or error).split())
        raise CatalogueUnavailableError(
            f"cannot open the catalogue at {where}: {reason}"
        ) from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # deleted content is overwritten with zeros, so an erased profile leaves no trace in the file
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


@tenacity.retry(
    retry=tenacity.retry_if_exception(lambda e: "locked" in str(e)),
    wait=tenacity.wait_random(0.01, 0.1),
    stop=tenacity.stop_after_delay(10),
    reraise=True,
)
def _switch_to_wal(cursor: Any) -> None:
    """Write-ahead logging (kept in the file once set). Switching a new file takes an exclusive
    lock and SQLite answers "database is locked" at once, without waiting, while another
    connection holds one (several workers opening a new catalogue together): so retry."""
    cursor.execute("PRAGMA journal_mode=WAL")


def insert_ignoring_duplicates(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert rows, silently skipping any whose primary or unique key is already present
    (``INSERT … ON CONFLICT DO NOTHING`` on both SQLite and PostgreSQL), so that two processes
    writing the same row both succeed."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        connection.execute(pg_insert(table).on_conflict_do_nothing(), list(rows))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        connection.execute(sqlite_insert(table).on_conflict_do_nothing(), list(rows))


# ---------------------------------------------------------------------- migrations
def alembic_config(connection: Connection | None = None, *, url: str | None = None) -> Any:
    """The Alembic configuration of the catalogue (no ``alembic.ini``: the scripts ship inside
    the package). ``connection`` is used by ``env.py`` when given, else ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    """The newest revision in the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration scripts under {MIGRATIONS}")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (``None``: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(connection).get_current_revision()
    return str(revision) if revision is not None else None


def upgrade_schema(engine: Engine) -> str:
    """Bring the database to the newest revision; returns it.

    A database already at the head is only read. Otherwise the upgrade runs in one transaction
    under a lock (two workers starting together migrate once); a database that predates
    migrations is stamped at :data:`BASELINE_REVISION` (creating any baseline table it lacks)
    and then upgraded.
    """
    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return head
    from alembic import command

    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by rebuilding it, and with foreign keys on, dropping the old
            # table would cascade-delete the rows that refer to it (an introduction's history).
            # SQLite honours this pragma only outside a transaction; checked before committing.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            _lock_for_migration(connection)
            found = current_revision(connection)
            if found != head:
                config = alembic_config(connection)
                if found is None and inspect(connection).has_table("profiles"):
                    logger.info(
                        "catalogue predates migrations: stamping it at %s", BASELINE_REVISION
                    )
                    metadata.create_all(
                        connection, tables=[metadata.tables[name] for name in BASELINE_TABLES]
                    )
                    command.stamp(config, BASELINE_REVISION)
                command.upgrade(config, "head")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
                logger.info("catalogue schema upgraded from %s to %s", found or "nothing", head)
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    return head


def _lock_for_migration(connection: Connection) -> None:
    """Hold the database's migration lock until the connection's transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    else:
        # the write lock now, not at the first write: a second process waits (busy_timeout)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
