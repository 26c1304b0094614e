"""Themes of the pool from the current index version's vectors, stored with stable ids; the
themes of every profile, item and brief.

Clustered: every evidence item except profile summaries (one vector per item, the mean of its
chunks: publications, grants, needs, challenges and the types added later). Assigned: every
item (summaries too) gets its nearest theme; a profile gets the nearest
:data:`PROFILE_THEMES` themes of its mean item vector (the second only when it is at least
:data:`SECOND_THEME_AT` similar); a brief the same from its own vector.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.db.insight import PROFILE_ITEM, InsightStore, StoredThemes, ThemeMember
from index.vectors.store import IndexSnapshot
from matcher.insight.themes import Theme, ThemeAssignment, assign_themes, build_themes
from service.container import Container
from service.insight.vectors import ItemVectors, item_vectors

logger = logging.getLogger(__name__)

#: Themes kept per profile and brief.
PROFILE_THEMES = 2
#: A profile's or brief's second theme is kept from this similarity to its centroid.
SECOND_THEME_AT = 0.45
#: Items whose texts label the themes (a seeded sample above it).
LABEL_SAMPLE = 20_000


@dataclass(frozen=True, slots=True)
class ThemeBuild:
    """What :func:`build_pool_themes` did."""

    themes: tuple[Theme, ...]
    silhouettes: dict[int, float]
    k: int
    kept: tuple[str, ...]
    items: int
    index_version: int


def insight_store(container: Container) -> InsightStore:
    """The insight tables of the container's catalogue."""
    return InsightStore(container.catalogue.engine)


def _clustered(items: ItemVectors, seed: int) -> npt.NDArray[np.int64]:
    """Rows that are clustered: not summaries; a seeded sample above :data:`LABEL_SAMPLE`."""
    rows = np.array(
        [i for i, (_, item) in enumerate(items.keys) if not item.endswith("#summary")],
        dtype=np.int64,
    )
    if rows.size > LABEL_SAMPLE:
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(rows, LABEL_SAMPLE, replace=False))
    return rows


def _item_texts(
    container: Container, snap: IndexSnapshot, keys: Sequence[tuple[str, str]]
) -> list[str]:
    """The text of each item (its chunks joined), read from the catalogue."""
    wanted = set(keys)
    item_of_row = [
        (snap.profiles[int(snap.item_profiles[i])].id, snap.item_ids[int(i)])
        for i in snap.row_items
    ]
    rows = [int(snap.row_ids[r]) for r, key in enumerate(item_of_row) if key in wanted]
    chunks = container.catalogue.chunk_texts(rows)
    texts: dict[tuple[str, str], list[str]] = {}
    for r, key in enumerate(item_of_row):
        if key in wanted:
            texts.setdefault(key, []).append(chunks.get(int(snap.row_ids[r]), ""))
    return [" ".join(texts.get(k, [])) for k in keys]


def build_pool_themes(container: Container, *, seed: int = 0, k: int | None = None) -> ThemeBuild:
    """Cluster the current index version's items into themes, continuing the stored themes
    (same ids and labels where a theme barely moved), and store themes and members.

    Raises:
        IndexUnavailableError: no index.
        ValueError: fewer than 4 items to cluster.
    """
    snap = container.engine.snapshot()
    items = item_vectors(snap)
    store = insight_store(container)
    stored = store.themes()
    previous = stored.themes if stored and stored.model_id == snap.manifest.model_id else ()
    rows = _clustered(items, seed)
    texts = _item_texts(container, snap, [items.keys[int(r)] for r in rows])
    built = build_themes(
        items.vectors[rows], texts, previous=previous, k=k, seed=seed, retired=store.retired_ids()
    )
    members = _members(items, snap, built.themes)
    store.save_themes(
        built.themes,
        members,
        model_id=snap.manifest.model_id,
        index_version=int(snap.manifest.version),
    )
    logger.info("themes: %d (kept %d) from %d items", built.k, len(built.kept), rows.size)
    return ThemeBuild(
        built.themes, built.silhouettes, built.k, built.kept, int(rows.size), snap.manifest.version
    )


def _members(items: ItemVectors, snap: IndexSnapshot, themes: Sequence[Theme]) -> list[ThemeMember]:
    """Every item's nearest theme and every profile's nearest themes."""
    members = [
        ThemeMember(pid, item, 0, found[0].theme_id, found[0].similarity)
        for (pid, item), found in zip(items.keys, assign_themes(items.vectors, themes), strict=True)
        if found
    ]
    if not items.keys:
        return members
    count = len(snap.profiles)
    sums = np.zeros((count, items.vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, items.profiles, items.vectors)
    present = np.flatnonzero(np.bincount(items.profiles, minlength=count) > 0)
    found = assign_themes(
        sums[present].astype(np.float32), themes, top=PROFILE_THEMES, min_similarity=SECOND_THEME_AT
    )
    for p, picks in zip(present, found, strict=True):
        for rank, pick in enumerate(picks):
            members.append(
                ThemeMember(
                    snap.profiles[int(p)].id, PROFILE_ITEM, rank, pick.theme_id, pick.similarity
                )
            )
    return members


def current_themes(container: Container, *, build: bool = True) -> StoredThemes | None:
    """The stored themes; built first when there are none or they are of another model or an
    older index version (and ``build``)."""
    stored = insight_store(container).themes()
    if not build:
        return stored
    snap = container.engine.snapshot()
    if (
        stored is None
        or stored.model_id != snap.manifest.model_id
        or stored.index_version != snap.manifest.version
    ):
        try:
            build_pool_themes(container)
        except ValueError as error:  # too few items to cluster: no themes yet
            logger.info("no themes: %s", error)
            return stored
        stored = insight_store(container).themes()
    return stored


def themes_of_texts(
    container: Container, texts: Sequence[str], *, top: int = PROFILE_THEMES
) -> list[tuple[ThemeAssignment, ...]]:
    """The nearest themes of each text (a brief, a search), encoded as a brief; empty tuples
    when there are no themes yet. Never stores the texts."""
    stored = insight_store(container).themes()
    if stored is None or not texts:
        return [() for _ in texts]
    vectors = container.engine.encode_briefs(list(texts))
    return assign_themes(vectors, stored.themes, top=top, min_similarity=SECOND_THEME_AT)


def profile_themes(container: Container, profile_ids: Sequence[str]) -> dict[str, list[str]]:
    """Each profile's stored themes (ids, nearest first)."""
    found: dict[str, list[str]] = {p: [] for p in profile_ids}
    for m in insight_store(container).theme_members(profile_ids=profile_ids):
        if m.item_id == PROFILE_ITEM:
            found[m.profile_id].append(m.theme_id)
    return found
