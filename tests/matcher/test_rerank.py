"""The re-ranker's features, checked against values computed by hand, and its model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matcher.rerank import (
    FEATURES,
    CandidateItems,
    Reranker,
    features,
    group_metrics,
    top_sentence,
)


def _pool() -> CandidateItems:
    # candidate 0 owns items 0, 1, 2; candidate 1 owns item 3
    return CandidateItems(
        owners=np.array([0, 0, 0, 1], np.int64),
        similarities=np.array([0.6, 0.2, 0.45, 0.35]),
        lexical=np.array([2.0, 0.0, 1.0, 4.0]),
        years=np.array([2020.0, np.nan, 2010.0, np.nan]),
        shared_terms=np.array([3.0, 1.0]),
        kinds=np.array([0.0, 1.0]),
        brief_terms=5,
        year=2023,
    )


def test_features_by_hand() -> None:
    rows = features(_pool())
    assert rows.shape == (2, len(FEATURES))
    got = [dict(zip(FEATURES, row, strict=True)) for row in rows]
    std0 = math.sqrt((0.36 + 0.2025 + 0.04) / 3 - (1.25 / 3) ** 2)
    expected = [
        {
            "sim_1": 0.6, "sim_2": 0.45, "sim_3": 0.2, "sim_mean3": 1.25 / 3,
            "sim_mean": 1.25 / 3, "sim_std": std0, "above_0.3": 2, "above_0.4": 2,
            "above_0.5": 1, "gap_1": 0.0, "gap_mean3": 0.0, "lex_1": 0.5, "lex_mean3": 0.25,
            "shared_terms": 3, "brief_terms": math.log(6), "peakedness": 0.4,
            "age": 3.0, "items": math.log(4), "kind": 0,
        },
        {
            # one item: it is also the 2nd and 3rd best; its year is unknown (age 10)
            "sim_1": 0.35, "sim_2": 0.35, "sim_3": 0.35, "sim_mean3": 0.35,
            "sim_mean": 0.35, "sim_std": 0.0, "above_0.3": 1, "above_0.4": 0,
            "above_0.5": 0, "gap_1": -0.25, "gap_mean3": 0.35 - 1.25 / 3, "lex_1": 1.0,
            "lex_mean3": 1.0, "shared_terms": 1, "brief_terms": math.log(6),
            "peakedness": 0.4, "age": 10.0, "items": math.log(2), "kind": 1,
        },
    ]  # fmt: skip
    for row, want in zip(got, expected, strict=True):
        assert set(want) == set(FEATURES)
        for name in FEATURES:
            assert row[name] == pytest.approx(want[name], abs=1e-9), name


def test_items_in_any_order_give_the_same_features() -> None:
    pool = _pool()
    order = np.array([3, 1, 0, 2])
    shuffled = CandidateItems(
        owners=pool.owners[order],
        similarities=pool.similarities[order],
        lexical=pool.lexical[order],
        years=pool.years[order],
        shared_terms=pool.shared_terms,
        kinds=pool.kinds,
        brief_terms=pool.brief_terms,
        year=pool.year,
    )
    np.testing.assert_allclose(features(shuffled), features(pool))


def test_peakedness_uses_the_tenth_best_item_and_no_lexical_match_gives_zero() -> None:
    sims = np.linspace(0.9, 0.0, 12)
    pool = CandidateItems(
        owners=np.zeros(12, np.int64),
        similarities=sims,
        lexical=np.zeros(12),
        years=np.full(12, 2023.0),
        shared_terms=np.zeros(1),
        kinds=np.zeros(1),
        brief_terms=0,
        year=2020,  # an item "from the future" is age 0, not negative
    )
    row = dict(zip(FEATURES, features(pool)[0], strict=True))
    assert row["peakedness"] == pytest.approx(sims[0] - sims[9])
    assert row["lex_1"] == row["lex_mean3"] == 0.0
    assert row["age"] == 0.0 and row["sim_mean3"] == pytest.approx(sims[:3].mean())


def test_bad_pools_are_refused() -> None:
    pool = _pool()
    with pytest.raises(ValueError, match="same length"):
        features(
            CandidateItems(
                pool.owners, pool.similarities[:3], pool.lexical, pool.years,
                pool.shared_terms, pool.kinds, 5, 2023,
            )
        )  # fmt: skip
    with pytest.raises(ValueError, match="at least one item"):
        features(
            CandidateItems(
                np.array([0, 0, 0, 0]), pool.similarities, pool.lexical, pool.years,
                pool.shared_terms, pool.kinds, 5, 2023,
            )
        )  # fmt: skip
    assert features(
        CandidateItems(
            np.empty(0, np.int64), np.empty(0), np.empty(0), np.empty(0),
            np.empty(0), np.empty(0), 0, 2023,
        )
    ).shape == (0, len(FEATURES))  # fmt: skip


@pytest.mark.parametrize("kind", ["logistic", "boosting"])
def test_reranker_learns_a_written_rule_and_round_trips(kind: str) -> None:
    # the rule: a candidate is positive when its best similarity leads the brief (gap_1 == 0)
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(600, len(FEATURES)))
    gap = FEATURES.index("gap_1")
    rows[:, gap] = np.where(rng.random(600) < 0.2, 0.0, -rng.uniform(0.05, 0.5, 600))
    labels = (rows[:, gap] == 0).astype(int)
    model = Reranker(kind).fit(rows, labels)  # type: ignore[arg-type]
    scores = model.score(rows)
    assert scores[labels == 1].min() > np.median(scores[labels == 0])
    if kind == "logistic":  # the shortcut is the pipeline's own decision function
        np.testing.assert_allclose(scores, model._model.decision_function(rows), rtol=1e-9)
    again = Reranker.loads(model.dumps())
    np.testing.assert_allclose(again.score(rows), scores)
    assert again.kind == kind


def test_reranker_refuses_what_it_cannot_use() -> None:
    with pytest.raises(ValueError, match="unknown model kind"):
        Reranker("forest")  # type: ignore[arg-type]
    model = Reranker()
    with pytest.raises(ValueError, match="not trained"):
        model.score(np.zeros((1, len(FEATURES))))
    with pytest.raises(ValueError, match="both positive and negative"):
        model.fit(np.zeros((3, len(FEATURES))), [0, 0, 0])
    with pytest.raises(ValueError, match="rows must be"):
        model.fit(np.zeros((3, 2)), [0, 1, 0])


def test_first_sentence_and_group_rank() -> None:
    assert top_sentence("Falls in wards. Sensors help. More.") == "Falls in wards."
    assert top_sentence("Does it work? Yes. No.") == "Does it work?"
    assert top_sentence("no stop at all") == "no stop at all"
    assert group_metrics([0.2, 0.9, 0.9], [0, 1, 0]) == 2  # a tie counts against
    assert group_metrics([0.2, 0.9, 0.1], [0, 1, 0]) == 1
