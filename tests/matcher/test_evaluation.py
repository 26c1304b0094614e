from __future__ import annotations

import pytest

from matcher.evaluation import goldstandard_metrics, same_paper

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


def test_author_rank_counts_ties_against_the_author() -> None:
    from matcher.evaluation import author_rank

    scores = {"a": 0.9, "b": 0.5, "c": 0.5, "d": 0.1}
    assert author_rank(scores, {"a"}) == 1
    assert author_rank(scores, {"b"}) == 3  # a above, c tied: counted above
    assert author_rank(scores, {"b", "d"}) == 3  # the best-scored author counts
    assert author_rank({"a": 1.0, "b": 1.0}, {"a"}) == 2  # a constant scorer is never first
    with pytest.raises(ValueError, match="none of the authors"):
        author_rank(scores, {"z"})


def test_authorship_metrics_by_hand() -> None:
    from matcher.evaluation import authorship_metrics, bootstrap_authorship

    ranks = {"p1": 1, "p2": 2, "p3": 12, "p4": 1}
    m = authorship_metrics(ranks)
    assert m.hits_at_1 == 0.5
    assert m.hits_at_10 == 0.75
    assert m.mrr == pytest.approx((1 + 1 / 2 + 1 / 12 + 1) / 4)
    assert m.queries == 4
    intervals = bootstrap_authorship(ranks, samples=500, seed=1)
    assert intervals["mrr"].low <= m.mrr <= intervals["mrr"].high
    same = bootstrap_authorship(ranks, other=ranks, samples=200)
    assert same["hits_at_1"].value == same["hits_at_1"].low == same["hits_at_1"].high == 0.0
    with pytest.raises(ValueError, match="no held-out"):
        authorship_metrics({})


ABSTRACT = (
    "Wearable inertial sensors record gait in older adults at home, and a model of stride "
    "variability predicts who will fall within six months of discharge from hospital."
)


def test_same_paper_rule() -> None:
    assert same_paper(("A Title", "x"), ("a  title", "y"))
    assert same_paper(("one", "The Same abstract."), ("two", "the same  abstract."))
    assert same_paper(("one", ABSTRACT), ("two", ABSTRACT.replace("months", "mónths")))
    assert not same_paper(("one", ABSTRACT), ("two", "Deep networks grade retinopathy."))
    assert not same_paper(("", ""), ("", ""))  # empty fields never match
    assert not same_paper(("", "abstract"), ("", ""))
    with pytest.raises(ValueError, match="overlap"):
        same_paper(("a", "b"), ("a", "b"), overlap=0)
