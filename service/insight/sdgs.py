"""SDG tags of every evidence item of the pool (ours, and the scores a source gave a work kept
beside them), of briefs, and how the two agree.

Our tags come from :func:`matcher.insight.sdg.tag_sdgs` over each item's vector (the mean of
its chunks in the current index version) and its text; a source's come from the staged works
an item was built from (its provenance), as that source scored them (OpenAlex's
``sustainable_development_goals``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.insight.sdg import (
    OURS,
    Agreement,
    SdgTag,
    agreement,
    goal_number,
    goal_texts,
    tag_sdgs,
)
from service.container import Container
from service.insight.themes import insight_store
from service.insight.vectors import item_vectors


@dataclass(frozen=True, slots=True)
class SdgBuild:
    """What :func:`tag_pool` did: items tagged, tags per goal (ours), agreement per source."""

    items: int
    tagged: int
    per_goal: dict[int, int]
    agreement: dict[str, Agreement]
    index_version: int


def goal_vectors(container: Container) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """The goals' texts embedded (document side, as the items) and the goal of each."""
    texts, numbers = goal_texts()
    return container.encoder.encode(texts), numbers


def _source_tags(container: Container) -> dict[tuple[str, str], list[SdgTag]]:
    """The SDG scores of each item's source works, by (profile id, item id); the best score
    per goal and source when several works make one item."""
    works = insight_store(container).work_sdgs()
    if not works:
        return {}
    found: dict[tuple[str, str], dict[tuple[int, str], float]] = {}
    for profile in container.catalogue.iter_profiles():
        for item in profile.evidence:
            for record in item.provenance:
                for goal_id, score in works.get((record.source, record.source_id), ()):
                    number = goal_number(goal_id)
                    if number is None:
                        continue
                    scores = found.setdefault((profile.id, item.id), {})
                    key = (number, record.source)
                    scores[key] = max(scores.get(key, 0.0), score)
    return {
        key: sorted(
            (SdgTag(g, round(s, 4), source) for (g, source), s in scores.items()),
            key=lambda t: -t.confidence,
        )
        for key, scores in found.items()
    }


def tag_pool(container: Container) -> SdgBuild:
    """Tag every item of the current index version and store the tags, ours and the sources'.

    Raises:
        IndexUnavailableError: no index.
    """
    snap = container.engine.snapshot()
    items = item_vectors(snap)
    position = items.position()
    texts: list[str] = [""] * len(items.keys)
    for profile in container.catalogue.iter_profiles():
        for item in profile.evidence_with_summary():
            row = position.get((profile.id, item.id))
            if row is not None:
                texts[row] = item.content
    vectors, numbers = goal_vectors(container)
    ours = tag_sdgs(items.vectors, texts, vectors, numbers)
    theirs = _source_tags(container)
    rows = [
        (pid, item, tag) for (pid, item), tags in zip(items.keys, ours, strict=True) for tag in tags
    ]
    rows += [(pid, item, tag) for (pid, item), tags in theirs.items() for tag in tags]
    insight_store(container).save_sdg_tags(rows, index_version=int(snap.manifest.version))
    mine = dict(zip(items.keys, ours, strict=True))
    sources = sorted({t.source for tags in theirs.values() for t in tags})
    agreements = {
        source: agreement(
            mine, {k: [t for t in tags if t.source == source] for k, tags in theirs.items()}
        )
        for source in sources
    }
    return SdgBuild(
        items=len(items.keys),
        tagged=sum(1 for tags in ours if tags),
        per_goal=dict(sorted(Counter(t.goal for tags in ours for t in tags).items())),
        agreement=agreements,
        index_version=int(snap.manifest.version),
    )


def sdgs_of_texts(container: Container, texts: Sequence[str]) -> list[tuple[SdgTag, ...]]:
    """Our SDG tags of texts (briefs), encoded as documents like the items. Never stored."""
    if not texts:
        return []
    vectors, numbers = goal_vectors(container)
    return tag_sdgs(container.encoder.encode(list(texts)), list(texts), vectors, numbers)


def stored_agreement(container: Container) -> dict[str, Agreement]:
    """Agreement of the stored tags with each source's stored scores."""
    tags = insight_store(container).sdg_tags()
    mine = {k: [t for t in v if t.source == OURS] for k, v in tags.items()}
    sources = sorted({t.source for v in tags.values() for t in v} - {OURS})
    return {
        s: agreement(mine, {k: [t for t in v if t.source == s] for k, v in tags.items()})
        for s in sources
    }
