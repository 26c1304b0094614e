"""The catalogue's write discipline: the version counter, the write lock, and what an upsert
reports.

Every write that changes what is searched runs in :meth:`CatalogueVersion.writing` and calls
:meth:`CatalogueVersion.bump`; the vector index records the version it was built from, so a stale
index is noticed and brought up to date.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Engine, select, update

from index.db.engine import insert_ignoring_duplicates, make_engine, reachable, upgrade_schema
from index.db.schema import meta
from matcher.text import content_hash

VERSION_KEY = "catalogue_version"

UpsertStatus = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    """What writing one record did: ``added``, ``updated`` or ``unchanged``."""

    id: str
    status: UpsertStatus


def hash_record(record: Mapping[str, Any]) -> str:
    """The content hash of a record's fields (an upsert of an identical record is a no-op)."""
    return content_hash(json.dumps(record, sort_keys=True, default=str))


def open_catalogue_engine(url: str) -> Engine:
    """An engine on a catalogue database brought to the newest migration, with its version row.

    Args:
        url: a SQLAlchemy URL: ``sqlite:///path`` or ``postgresql+psycopg://…``.

    Raises:
        CatalogueUnavailableError: a bad or unsupported URL, or a database that cannot be reached.
    """
    engine = make_engine(url)
    with reachable(engine):
        upgrade_schema(engine)
        with engine.begin() as connection:
            insert_ignoring_duplicates(connection, meta, [{"key": VERSION_KEY, "value": "0"}])
    return engine


def read_version(connection: Connection) -> int:
    """The catalogue version as seen by ``connection``'s transaction."""
    value = connection.execute(select(meta.c.value).where(meta.c.key == VERSION_KEY)).scalar_one()
    return int(value)


class CatalogueVersion:
    """The version counter and the write lock of a catalogue database.

    Writes that change what is searched are serialised across processes: each takes the write
    lock (the version row) with its first statement, so two workers never interleave a profile's
    rows or lose a version bump.

    Args:
        engine: an engine on a database opened with :func:`open_catalogue_engine`.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def current(self) -> int:
        """Incremented by every write that changes what is searched."""
        with self._engine.connect() as connection:
            return read_version(connection)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction holding the catalogue's write lock from its first statement.

        The lock is a no-op update of the version row: a row lock on PostgreSQL, the database's
        write lock on SQLite (taken at once rather than at the first real write, so a second
        writer waits instead of failing with a stale read). Later reads in the transaction see
        every write committed before it.
        """
        with self._engine.begin() as connection:
            connection.execute(
                update(meta).where(meta.c.key == VERSION_KEY).values(value=meta.c.value)
            )
            yield connection

    @staticmethod
    def bump(connection: Connection) -> None:
        """Increment the version inside the caller's (write-locked) transaction."""
        current = read_version(connection)
        connection.execute(
            update(meta).where(meta.c.key == VERSION_KEY).values(value=str(current + 1))
        )
