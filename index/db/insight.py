"""Partnership insight in the catalogue (revision 0006): themes with stable ids and the themes
of profiles and items; SDG tags of items, ours and a source's; the SDG scores of staged works.

Each write replaces what it covers in one transaction; erasing a profile deletes its rows (the
foreign keys cascade).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, delete, insert, select, update

from index.db.clock import timestamp
from index.db.schema import (
    insight_sdg_tags,
    insight_theme_members,
    insight_themes,
    meta,
    profiles,
    source_works,
)
from matcher.insight.sdg import SdgTag
from matcher.insight.themes import Theme

ItemKey = tuple[str, str]
#: The item id of a profile's own theme rows (its mean vector's themes).
PROFILE_ITEM = ""

_BATCH = 500
#: The ``meta`` key holding the index version of the stored SDG tags.
_SDG_VERSION = "insight_sdg_index_version"


@dataclass(frozen=True, slots=True)
class ThemeMember:
    """A profile or item (``item_id`` :data:`PROFILE_ITEM`) in a theme, nearest first."""

    profile_id: str
    item_id: str
    rank: int
    theme_id: str
    similarity: float


@dataclass(frozen=True, slots=True)
class StoredThemes:
    """The active theme set and where it was built from."""

    themes: tuple[Theme, ...]
    model_id: str
    index_version: int
    built_at: str


def _chunks(rows: Sequence[dict[str, object]]) -> Iterable[Sequence[dict[str, object]]]:
    for start in range(0, len(rows), _BATCH):
        yield rows[start : start + _BATCH]


class InsightStore:
    """Themes, theme members and SDG tags.

    Args:
        engine: an engine on a catalogue database at revision 0006 or later.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------------ themes
    def themes(self) -> StoredThemes | None:
        """The active theme set, ``None`` before themes were ever built."""
        with self._engine.connect() as connection:
            rows = (
                connection.execute(
                    select(insight_themes)
                    .where(insight_themes.c.active.is_(True))
                    .order_by(insight_themes.c.id)
                )
                .mappings()
                .all()
            )
        if not rows:
            return None
        themes = tuple(
            Theme(
                id=r["id"],
                label=r["label"],
                terms=tuple(r["terms"]),
                size=int(r["size"]),
                centroid=np.frombuffer(r["centroid"], dtype=np.float32).copy(),
            )
            for r in rows
        )
        first = rows[0]
        return StoredThemes(
            themes, str(first["model_id"]), int(first["index_version"]), str(first["built_at"])
        )

    def theme_labels(self) -> dict[str, str]:
        """Every theme id ever given (retired ones too) → its label."""
        with self._engine.connect() as connection:
            return {
                str(r.id): str(r.label)
                for r in connection.execute(select(insight_themes.c.id, insight_themes.c.label))
            }

    def retired_ids(self) -> list[str]:
        """Ids of themes no longer found (never given to another theme)."""
        with self._engine.connect() as connection:
            return list(
                connection.execute(
                    select(insight_themes.c.id).where(insight_themes.c.active.is_(False))
                ).scalars()
            )

    def save_themes(
        self,
        themes: Sequence[Theme],
        members: Iterable[ThemeMember],
        *,
        model_id: str,
        index_version: int,
    ) -> None:
        """Make ``themes`` the active set (earlier themes not among them are retired) and
        replace every theme member."""
        stamp = timestamp()
        rows = [
            {
                "id": t.id,
                "label": t.label,
                "terms": list(t.terms),
                "size": t.size,
                "centroid": np.asarray(t.centroid, dtype=np.float32).tobytes(),
                "model_id": model_id,
                "index_version": index_version,
                "active": True,
                "built_at": stamp,
            }
            for t in themes
        ]
        member_rows = [
            {
                "profile_id": m.profile_id,
                "item_id": m.item_id,
                "rank": m.rank,
                "theme_id": m.theme_id,
                "similarity": m.similarity,
            }
            for m in members
        ]
        with self._engine.begin() as connection:
            connection.execute(update(insight_themes).values(active=False))
            ids = [t.id for t in themes]
            if ids:
                connection.execute(delete(insight_themes).where(insight_themes.c.id.in_(ids)))
            for part in _chunks(rows):
                connection.execute(insert(insight_themes), list(part))
            connection.execute(delete(insight_theme_members))
            known = set(self._profile_ids(connection))
            for part in _chunks([r for r in member_rows if r["profile_id"] in known]):
                connection.execute(insert(insight_theme_members), list(part))

    @staticmethod
    def _profile_ids(connection: Connection) -> list[str]:
        # rows of a profile erased since the vectors were read are left out
        return list(connection.execute(select(profiles.c.id)).scalars())

    def theme_members(
        self, *, profile_ids: Collection[str] | None = None, theme_id: str | None = None
    ) -> list[ThemeMember]:
        """Theme members, optionally of some profiles or one theme."""
        query = select(insight_theme_members)
        if profile_ids is not None:
            query = query.where(insight_theme_members.c.profile_id.in_(list(profile_ids)))
        if theme_id is not None:
            query = query.where(insight_theme_members.c.theme_id == theme_id)
        with self._engine.connect() as connection:
            rows = connection.execute(
                query.order_by(
                    insight_theme_members.c.profile_id,
                    insight_theme_members.c.item_id,
                    insight_theme_members.c.rank,
                )
            ).mappings()
            return [
                ThemeMember(
                    r["profile_id"], r["item_id"], int(r["rank"]), r["theme_id"], r["similarity"]
                )
                for r in rows
            ]

    # ------------------------------------------------------------------ SDG tags
    def save_sdg_tags(
        self, tags: Iterable[tuple[str, str, SdgTag]], *, index_version: int | None = None
    ) -> int:
        """Replace every SDG tag with ``(profile id, item id, tag)`` rows, made from
        ``index_version`` (kept for :meth:`sdg_version`); returns the count."""
        rows = [
            {
                "profile_id": pid,
                "item_id": item,
                "goal": t.goal,
                "source": t.source,
                "confidence": t.confidence,
            }
            for pid, item, t in tags
        ]
        with self._engine.begin() as connection:
            connection.execute(delete(insight_sdg_tags))
            known = set(self._profile_ids(connection))
            kept = [r for r in rows if r["profile_id"] in known]
            for part in _chunks(kept):
                connection.execute(insert(insight_sdg_tags), list(part))
            connection.execute(delete(meta).where(meta.c.key == _SDG_VERSION))
            if index_version is not None:
                connection.execute(insert(meta).values(key=_SDG_VERSION, value=str(index_version)))
        return len(kept)

    def sdg_version(self) -> int | None:
        """The index version the stored SDG tags were made from (``None``: never tagged)."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(meta.c.value).where(meta.c.key == _SDG_VERSION)
            ).scalar_one_or_none()
        return None if found is None else int(found)

    def sdg_tags(
        self, *, source: str | None = None, profile_ids: Collection[str] | None = None
    ) -> dict[ItemKey, list[SdgTag]]:
        """SDG tags by (profile id, item id), most confident first; of one source if given."""
        query = select(insight_sdg_tags)
        if source is not None:
            query = query.where(insight_sdg_tags.c.source == source)
        if profile_ids is not None:
            query = query.where(insight_sdg_tags.c.profile_id.in_(list(profile_ids)))
        found: dict[ItemKey, list[SdgTag]] = {}
        with self._engine.connect() as connection:
            for r in connection.execute(
                query.order_by(insight_sdg_tags.c.confidence.desc(), insight_sdg_tags.c.goal)
            ).mappings():
                found.setdefault((r["profile_id"], r["item_id"]), []).append(
                    SdgTag(int(r["goal"]), float(r["confidence"]), str(r["source"]))
                )
        return found

    def profiles_with_goals(self, goals: Collection[int], *, source: str = "ours") -> set[str]:
        """Profiles with at least one item tagged with one of ``goals`` (by ``source``)."""
        with self._engine.connect() as connection:
            return set(
                connection.execute(
                    select(insight_sdg_tags.c.profile_id)
                    .where(
                        insight_sdg_tags.c.goal.in_(list(goals)),
                        insight_sdg_tags.c.source == source,
                    )
                    .distinct()
                ).scalars()
            )

    def work_sdgs(self) -> dict[tuple[str, str], list[tuple[str, float]]]:
        """The SDG scores staged works carry from their source, by (source, source id)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(source_works.c.source, source_works.c.source_id, source_works.c.sdgs).where(
                    source_works.c.sdgs.is_not(None)
                )
            )
            return {
                (r.source, r.source_id): [(str(g), float(v)) for g, v in r.sdgs]
                for r in rows
                if r.sdgs
            }
