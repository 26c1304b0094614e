from __future__ import annotations

import numpy as np
import pytest

from matcher.model import Aggregation
from matcher.ranking import AggregationConfig, ItemScores, score_items, score_profiles, top_profiles


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
