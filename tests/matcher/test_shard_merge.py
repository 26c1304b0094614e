"""The profile-sharded merge gives exactly the single index's top lists, for every kind and
every number of shards, ties included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.model import Aggregation
from matcher.ranking import (
    AggregationConfig,
    ProfileScores,
    score_items,
    score_profiles,
    top_profiles,
)
from matcher.shard_merge import Ranked, merge_kinds, shard_of

KINDS = ("academic", "clinical_team", "sme")


def _single(scores: ProfileScores, n: int) -> list[tuple[int, float]]:
    top = top_profiles(scores, n)
    return [(int(p), float(s)) for p, s in zip(top.profiles, top.scores, strict=True)]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    profiles=st.integers(1, 40),
    shards=st.integers(1, 5),
    n=st.integers(1, 15),
    method=st.sampled_from(list(Aggregation)),
)
def test_sharded_top_lists_equal_the_single_index(
    seed: int, profiles: int, shards: int, n: int, method: Aggregation
) -> None:
    rng = np.random.default_rng(seed)
    chunks = int(rng.integers(profiles, profiles * 4 + 1))
    chunk_items = np.sort(rng.integers(0, 2 * profiles, chunks)).astype(np.int64)
    item_profiles = np.arange(2 * profiles, dtype=np.int64) // 2  # two items per profile
    # coarse similarities so that ties happen
    sims = (rng.integers(0, 8, chunks) / 8).astype(np.float32)
    kinds = rng.integers(0, len(KINDS), profiles)
    ids = [f"p{i}" for i in range(profiles)]
    config = AggregationConfig(method=method, k=2)
    scores = score_profiles(score_items(sims, chunk_items), item_profiles, config)
    expected = {}
    for code, kind in enumerate(KINDS):
        mask = kinds[scores.profiles] == code
        if mask.any():
            chosen = ProfileScores(scores.profiles[mask], scores.scores[mask])
            expected[kind] = [(ids[p], s) for p, s in _single(chosen, n)]
    answers = []
    for shard in range(shards):
        answer: dict[str, list[Ranked]] = {}
        for code, kind in enumerate(KINDS):
            mask = (kinds[scores.profiles] == code) & np.array(
                [shard_of(ids[p], shards) == shard for p in scores.profiles], dtype=bool
            )
            if mask.any():
                own = _single(ProfileScores(scores.profiles[mask], scores.scores[mask]), n)
                answer[kind] = [Ranked.of(ids[p], s, p) for p, s in own]
        answers.append(answer)
    merged = merge_kinds(answers, n)
    assert {k: [(r.profile_id, r.score) for r in v] for k, v in merged.items()} == expected


def test_shard_of_is_stable_and_checked() -> None:
    assert shard_of("acad-0233", 4) == shard_of("acad-0233", 4)
    assert {shard_of(f"p{i}", 3) for i in range(100)} == {0, 1, 2}
    with pytest.raises(ValueError, match="at least 1"):
        shard_of("x", 0)
