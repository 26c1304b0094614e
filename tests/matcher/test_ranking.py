from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.model import Aggregation
from matcher.ranking import (
    AggregationConfig,
    ItemScores,
    ProfileScores,
    bounded_profile_scores,
    exact_match_lane,
    score_items,
    score_profiles,
    top_profiles,
)


def f32(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def i64(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_item_score_is_best_chunk() -> None:
    items = score_items(f32(0.1, 0.9, 0.5, 0.2), i64(0, 0, 1, 1))
    assert items.items.tolist() == [0, 1]
    assert items.scores.tolist() == pytest.approx([0.9, 0.5])


# profile 0 has items 0,1,2,3 ; profile 1 has items 4 ; profile 2 has items 5,6
ITEM_PROFILES = i64(0, 0, 0, 0, 1, 2, 2)
ITEMS = ItemScores(i64(0, 1, 2, 3, 4, 5, 6), f32(0.9, 0.1, 0.5, 0.3, 0.6, 0.7, 0.2))


@pytest.mark.parametrize(
    ("method", "k", "expected"),
    [
        (Aggregation.MAX, 3, [0.9, 0.6, 0.7]),
        (Aggregation.MEAN, 3, [0.45, 0.6, 0.45]),
        (Aggregation.TOP_K_MEAN, 3, [(0.9 + 0.5 + 0.3) / 3, 0.6, 0.45]),
        (Aggregation.TOP_K_MEAN, 2, [0.7, 0.6, 0.45]),
        (Aggregation.TOP_K_MEAN, 1, [0.9, 0.6, 0.7]),
    ],
)
def test_aggregations(method: Aggregation, k: int, expected: list[float]) -> None:
    scores = score_profiles(ITEMS, ITEM_PROFILES, AggregationConfig(method=method, k=k))
    assert scores.profiles.tolist() == [0, 1, 2]
    assert scores.scores.tolist() == pytest.approx(expected, abs=1e-6)


def test_top_profiles_orders_best_first_with_stable_ties() -> None:
    scores = score_profiles(ITEMS, ITEM_PROFILES, AggregationConfig(method=Aggregation.MEAN))
    best = top_profiles(scores, 2)
    # profiles 0 and 2 tie at 0.45: the lower index wins the tie
    assert best.profiles.tolist() == [1, 0]


def test_empty_input_gives_empty_scores() -> None:
    empty = score_items(f32(), i64())
    assert score_profiles(empty, ITEM_PROFILES, AggregationConfig()).profiles.size == 0


def test_bad_k_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        AggregationConfig(k=0)


def test_best_items_keeps_the_n_best_of_each_profile_in_order() -> None:
    from matcher.ranking import best_items

    item_profiles = i64(0, 0, 0, 1, 1, 2)
    scores = ItemScores(i64(0, 1, 2, 3, 4, 5), f32(0.2, 0.9, 0.5, 0.1, 0.1, 0.3))
    found = best_items(scores, item_profiles, 2)
    assert found.profiles.tolist() == [0, 0, 1, 1, 2]
    assert found.items.tolist() == [1, 2, 3, 4, 5]  # ties (items 3, 4): lower item first
    assert found.scores.tolist() == pytest.approx([0.9, 0.5, 0.1, 0.1, 0.3])
    assert best_items(scores, item_profiles, 0).items.size == 0
    empty = best_items(ItemScores(i64(), f32()), item_profiles, 3)
    assert empty.items.size == 0


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 10_000),
    st.sampled_from(list(Aggregation)),
    st.integers(1, 4),
    st.floats(-0.5, 0.9),
)
def test_bounded_scores_are_exact_or_upper_bounds(
    seed: int, method: Aggregation, k: int, cut: float
) -> None:
    """Seeing only the items above a cut (as a nearest-neighbour search does): every score
    marked exact equals full scoring, every other one is at least the full score."""
    rng = np.random.default_rng(seed)
    n_items = int(rng.integers(1, 40))
    item_profiles = rng.integers(0, 8, n_items).astype(np.int64)
    chunk_items = rng.integers(0, n_items, int(rng.integers(1, 80))).astype(np.int64)
    sims = rng.uniform(-1, 1, chunk_items.size).astype(np.float32)
    config = AggregationConfig(method=method, k=k)
    full = score_profiles(score_items(sims, chunk_items), item_profiles, config)
    seen = sims > cut
    if not seen.any():
        return
    # no unseen chunk scores above the bound (ties at the cut are unseen)
    bound = float(sims[~seen].max()) if (~seen).any() else -np.inf
    counts = np.bincount(item_profiles[np.unique(chunk_items)], minlength=8)
    got = bounded_profile_scores(
        score_items(sims[seen], chunk_items[seen]), item_profiles, counts, config, bound
    )
    truth = dict(zip(full.profiles.tolist(), full.scores.tolist(), strict=True))
    for profile, score, exact in zip(got.profiles, got.scores, got.exact, strict=True):
        if exact:
            assert score == truth[int(profile)]
        else:
            assert score >= truth[int(profile)] - 1e-6
    if method is Aggregation.MAX:
        assert got.exact.all()
    if not (~seen).any():
        assert got.exact.all()


def test_exact_match_lane_takes_profiles_outside_the_main_list_with_a_close_best_item() -> None:
    # main list 0, 1, 2 with best items 0.9, 0.6, 0.5: the median is 0.6
    best = ProfileScores(i64(0, 1, 2, 3, 4, 5, 6), f32(0.9, 0.6, 0.5, 0.95, 0.6, 0.59, 0.7))
    lane = exact_match_lane(i64(0, 1, 2), best)
    assert lane.profiles.tolist() == [3, 6, 4]  # closest first; 5 is below the median
    assert lane.scores.tolist() == pytest.approx([0.95, 0.7, 0.6])
    assert exact_match_lane(i64(0, 1, 2), best, size=1).profiles.tolist() == [3]
    # never a profile of the main list, nothing without a main list
    assert not set(exact_match_lane(i64(0, 1, 2, 3, 4, 5, 6), best).profiles.tolist())
    assert exact_match_lane(i64(), best).profiles.size == 0
    with pytest.raises(ValueError, match="size"):
        exact_match_lane(i64(0), best, size=-1)
