from __future__ import annotations

import pytest

from matcher.evaluation import goldstandard_metrics

RATINGS = {"r1": {"a": 5.0, "b": 3.0, "c": 1.0}, "r2": {"x": 4.0, "y": 4.5}}


def test_perfect_order_costs_nothing() -> None:
    scores = {"r1": {"a": 0.9, "b": 0.5, "c": 0.1}, "r2": {"x": 0.1, "y": 0.2}}
    metrics = goldstandard_metrics(RATINGS, scores)
    assert metrics.loss == 0.0
    assert metrics.easy == 1.0  # (a, c): 5 vs 1
    assert metrics.hard == 1.0  # (x, y): both >= 4
    assert metrics.pairs == 4


def test_reversed_order_costs_everything_and_ties_cost_half() -> None:
    reversed_scores = {"r1": {"a": 0.1, "b": 0.5, "c": 0.9}, "r2": {"x": 0.2, "y": 0.1}}
    assert goldstandard_metrics(RATINGS, reversed_scores).loss == 1.0
    constant = {"r1": {"a": 1, "b": 1, "c": 1}, "r2": {"x": 1, "y": 1}}
    assert goldstandard_metrics(RATINGS, constant).loss == 0.5


def test_loss_is_weighted_by_rating_difference() -> None:
    # only the (b, c) pair (weight 2) is wrong; total weight = 2 + 4 + 2 + 0.5
    scores = {"r1": {"a": 0.9, "b": 0.1, "c": 0.5}, "r2": {"x": 0.1, "y": 0.2}}
    assert goldstandard_metrics(RATINGS, scores).loss == pytest.approx(2 / 8.5)


def test_no_scored_pairs_is_an_error() -> None:
    with pytest.raises(ValueError, match="no rated pair"):
        goldstandard_metrics(RATINGS, {})


def test_researcher_costs_pool_to_the_loss() -> None:
    from matcher.evaluation import researcher_costs

    scores = {"r1": {"a": 0.9, "b": 0.1, "c": 0.5}, "r2": {"x": 0.1, "y": 0.2}}
    costs = researcher_costs(RATINGS, scores)
    total_cost = sum(c for c, _ in costs.values())
    total_weight = sum(w for _, w in costs.values())
    assert total_cost / total_weight == pytest.approx(goldstandard_metrics(RATINGS, scores).loss)


def test_bootstrap_interval_contains_the_point_and_pairs_cancel() -> None:
    from matcher.evaluation import bootstrap_loss

    version = {f"r{i}": (float(i % 3), 3.0) for i in range(12)}
    interval = bootstrap_loss([version, version], samples=500, seed=1)
    assert interval.low <= interval.value <= interval.high
    assert interval.low < interval.high
    same = bootstrap_loss([version], other=[version], samples=200, seed=1)
    assert same.value == same.low == same.high == 0.0
