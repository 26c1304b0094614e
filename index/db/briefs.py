"""Briefs searched on the pages, by id: the search page redirects to a results URL naming the
brief's id (so Back, reload and a shared link work, and the brief stays out of URLs and access
logs), and the result cards' forms send that id instead of a copy of the brief each.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from index.db.clock import now, timestamp
from index.db.schema import saved_briefs

#: How long a saved brief (and so its results URL) lives after its last search.
RETENTION = timedelta(days=30)
#: Length of a brief's id (hex characters).
ID_CHARS = 32


class BriefStore:
    """Save a brief under an id and read it back; briefs unused for :data:`RETENTION` go."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, key_id: str, text: str) -> str:
        """Keep ``text`` searched by the key ``key_id``; its id (the same for the same key and
        text, so searching again adds no row)."""
        brief_id = hashlib.sha256(f"{key_id}\0{text}".encode()).hexdigest()[:ID_CHARS]
        stamp = timestamp()
        with self._engine.begin() as connection:
            connection.execute(
                delete(saved_briefs).where(
                    saved_briefs.c.created_at < (now() - RETENTION).isoformat(timespec="seconds")
                )
            )
            refreshed = connection.execute(
                update(saved_briefs).where(saved_briefs.c.id == brief_id).values(created_at=stamp)
            )
            if refreshed.rowcount == 0:
                try:
                    with connection.begin_nested():
                        connection.execute(
                            insert(saved_briefs).values(
                                id=brief_id, key_id=key_id, text=text, created_at=stamp
                            )
                        )
                except IntegrityError:  # saved by a concurrent request: the same row
                    pass
        return brief_id

    def get(self, brief_id: str) -> str | None:
        """The brief saved under ``brief_id``, or ``None`` (unknown or expired)."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(saved_briefs.c.text).where(saved_briefs.c.id == brief_id)
            ).scalar_one_or_none()
        return None if found is None else str(found)
