"""One index build at a time across every process and machine that shares a catalogue.

Replicas of ``matcher serve`` on several machines share one PostgreSQL catalogue and one index
directory; the ``flock`` of :meth:`index.vectors.store.IndexStore.locked` serialises builds on one
machine only (and not at all on some network file systems). :func:`build_lock` adds a database
lock: on PostgreSQL a session-level advisory lock, held on a connection of its own for the whole
build; a second build waits for it up to ``wait_seconds`` (PostgreSQL's ``lock_timeout``) and is
then refused with :class:`BuildInProgressError`. On SQLite (one machine by construction) it is a
no-op, the file lock being enough.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from matcher.errors import ConflictError

#: The advisory lock's key (any bigint; the same in every process): "kematchr" in ASCII.
BUILD_LOCK_KEY = 0x6B656D6174636872
#: How long a second build waits for the first by default.
BUILD_LOCK_WAIT_SECONDS = 600.0


class BuildInProgressError(ConflictError):
    """Another process holds the catalogue's build lock for longer than this build would wait
    (409)."""


@contextlib.contextmanager
def build_lock(engine: Engine, *, wait_seconds: float = BUILD_LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the catalogue's index-build lock for the block.

    Args:
        engine: the catalogue's engine.
        wait_seconds: how long to wait for a build running elsewhere (0: refuse at once).

    Raises:
        BuildInProgressError: the lock was still held by another build after ``wait_seconds``.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        # lock_timeout 0 means "wait for ever" to PostgreSQL: 1 ms is "refuse at once"
        timeout_ms = max(1, int(wait_seconds * 1000))
        connection.execute(text(f"SET lock_timeout = {timeout_ms}"))
        try:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": BUILD_LOCK_KEY})
        except OperationalError as error:
            connection.rollback()
            raise BuildInProgressError(
                f"another index build is running on this catalogue (waited {wait_seconds:g} s); "
                "try again when it has finished"
            ) from error
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": BUILD_LOCK_KEY})
            connection.execute(text("RESET lock_timeout"))
            connection.commit()
