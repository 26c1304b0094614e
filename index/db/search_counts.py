"""Searches served, counted per day and theme for the partnership dashboard (issue 19 item 4).

Counts only: no brief's text, no key, no address. ``theme`` is the id of the stored theme nearest
to the brief's vector (:func:`service.insight.searches.counted_search`), empty when the pool had
no themes yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from index.db.clock import now
from index.db.schema import search_counts


@dataclass(frozen=True, slots=True)
class SearchCount:
    """Searches served on one day for one theme id (``""``: not themed)."""

    day: date
    theme: str
    searches: int


class SearchCounter:
    """Count a search; read the counts."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def count(self, *, theme: str = "", day: date | None = None, by: int = 1) -> None:
        """Add ``by`` searches to ``day`` (today, UTC) and ``theme``."""
        key = (day or now().date()).isoformat()
        where = (search_counts.c.day == key) & (search_counts.c.theme == theme)
        for _attempt in range(2):  # a first search of the day may race another's insert
            with self._engine.begin() as connection:
                done = connection.execute(
                    update(search_counts)
                    .where(where)
                    .values(searches=search_counts.c.searches + by)
                )
                if done.rowcount == 1:
                    return
                try:
                    with connection.begin_nested():
                        connection.execute(
                            insert(search_counts).values(day=key, theme=theme, searches=by)
                        )
                    return
                except IntegrityError:
                    continue

    def counts(self) -> list[SearchCount]:
        """Every count, oldest day first."""
        with self._engine.connect() as connection:
            return [
                SearchCount(date.fromisoformat(r.day), r.theme, int(r.searches))
                for r in connection.execute(
                    select(search_counts).order_by(search_counts.c.day, search_counts.c.theme)
                )
            ]
