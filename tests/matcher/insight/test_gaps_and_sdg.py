"""Gap assessment and summaries on hand-made needs; SDG confidences, keyword rules and the
agreement with a source, on hand-made similarities."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.insight.gaps import (
    ALL_ASKS,
    MIN_SPREAD,
    Candidate,
    Coverage,
    Need,
    Thresholds,
    assess,
    by_organisation,
    gap_measures,
    reference_for,
    reference_of,
    references,
    summarise,
    untapped,
)
from matcher.insight.sdg import (
    SdgTag,
    agreement,
    confidences,
    goal_number,
    goal_texts,
    keyword_hits,
    tag_sdgs,
)
from matcher.insight.sdg_text import GOALS, goal


def need(item: str, org: str = "org-a", kind: str = "nhs_trust", theme: str = "T01") -> Need:
    return Need(
        item, f"p-{item}", "Team", "clinical_team", "need", item, org, org.upper(), kind, (theme,)
    )


def candidate(measure: float, pid: str = "acad-1") -> Candidate:
    return Candidate(pid, pid.upper(), "Uni", measure, measure)


def test_coverage_by_thresholds() -> None:
    t = Thresholds()
    assert (t.served, t.weak) == (-2.0, -3.0)
    assert assess(need("a"), [candidate(0.4)], t).coverage is Coverage.SERVED
    assert assess(need("b"), [candidate(-2.5)], t).coverage is Coverage.WEAK
    assert assess(need("c"), [candidate(-4.0)], t).coverage is Coverage.UNSERVED
    assert assess(need("d"), [], t).coverage is Coverage.UNSERVED
    assert Thresholds.served_at(-3.5) == Thresholds(-3.5, -3.5)
    assert Thresholds.served_at(1.0) == Thresholds(1.0, -3.0)
    with pytest.raises(ValueError, match="above served"):
        Thresholds(served=-3.0, weak=-2.0)
    with pytest.raises(ValueError, match="must be in"):
        Thresholds(served=11.0)


def test_the_measure_is_the_distance_from_the_typical_best_of_its_type() -> None:
    """Median and 1.4826 · MAD of the best scores, per ask type with enough asks, else over
    all asks; an outlier below is far negative whatever the pool's score level."""
    rng = np.random.default_rng(0)
    needs = list(0.66 + 0.05 * rng.standard_normal(60))
    challenges = list(0.50 + 0.05 * rng.standard_normal(40))
    scores = [*needs, 0.30, *challenges, 0.20, 0.52, 0.64]
    types = ["need"] * 61 + ["challenge"] * 41 + ["training_need"] * 2
    found = references(scores, types, min_asks=30)
    assert set(found) == {ALL_ASKS, "need", "challenge"}  # 2 training needs: all asks
    assert found["need"].centre == pytest.approx(np.median(scores[:61]))
    measures = gap_measures(scores, types, min_asks=30)
    assert measures[60] < -5 and measures[101] < -5  # the outliers of each type
    assert all(m > -3 for m in measures[:60])  # a normal sample: nobody below 3 spreads
    # a challenge at 0.50 is typical for challenges, a need at 0.50 is not
    assert reference_for(found, "challenge").measure(0.50) > reference_for(found, "need").measure(
        0.50
    )
    assert reference_for(found, "training_need") is found[ALL_ASKS]
    assert reference_of([0.5, 0.5, 0.5]).spread == MIN_SPREAD  # no division by zero
    with pytest.raises(ValueError, match="types"):
        references([0.5], [])


def test_summaries_per_organisation_and_untapped() -> None:
    t = Thresholds()
    results = [
        assess(need("a", "org-a"), [candidate(0.5, "acad-1")], t),
        assess(need("b", "org-a"), [candidate(-4.5, "acad-2")], t),
        assess(need("c", "org-b", "sme"), [candidate(0.2, "acad-1")], t),
    ]
    groups = {g.key: g for g in summarise(results, by_organisation)}
    assert (groups["org-a"].asked, groups["org-a"].served, groups["org-a"].unserved) == (2, 1, 1)
    assert groups["org-a"].median_best == pytest.approx(-2.0)
    assert groups["org-b"].askers == {"sme": 1}
    assert groups["org-a"].nearest[0][0] in {"acad-1", "acad-2"}
    idle = untapped([("acad-1", "A", "U"), ("acad-3", "C", "U")], np.array([0.5, -3.3]), t)
    assert [u.profile_id for u in idle] == ["acad-3"]


def test_goal_text_is_shipped_for_all_17_goals() -> None:
    assert [g.number for g in GOALS] == list(range(1, 18))
    assert all(len(g.targets) >= 3 and g.keywords for g in GOALS)
    texts, numbers = goal_texts()
    assert len(texts) == numbers.size and set(numbers.tolist()) == set(range(1, 18))
    assert goal(3).name == "Good health and well-being"
    with pytest.raises(ValueError, match="1 to 17"):
        goal(18)


def test_keywords_and_similarity_combine() -> None:
    hits = keyword_hits(["A maternal health trial in pregnancy", "a plain sentence"])
    assert hits[0, 2] == 2 and hits[1].sum() == 0
    sims = np.zeros((2, 17), dtype=np.float32)
    sims[0, 2] = 0.55
    sims[1, 3] = 0.55  # similar to goal 4, no keyword
    conf = confidences(sims, hits)
    assert conf[0, 2] == pytest.approx(1.0) and conf[1, 3] == pytest.approx(0.6)
    assert conf[1, 0] == 0.0


def test_tag_sdgs_multi_label_most_confident_first() -> None:
    texts, numbers = goal_texts()
    goal_vectors = np.zeros((len(texts), 17), dtype=np.float32)
    goal_vectors[np.arange(len(texts)), numbers - 1] = 1.0
    item = np.zeros((1, 17), dtype=np.float32)
    item[0, 2], item[0, 3] = 0.8, 0.6
    item /= np.linalg.norm(item)
    tags = tag_sdgs(item, ["nurse education for maternal care"], goal_vectors, numbers)[0]
    assert [t.goal for t in tags] == [3, 4] or [t.goal for t in tags] == [4, 3]
    assert all(0.5 <= t.confidence <= 1 for t in tags)


def test_agreement_with_a_source() -> None:
    ours = {"a": [SdgTag(3, 0.9)], "b": [SdgTag(4, 0.8), SdgTag(3, 0.6)], "c": []}
    theirs = {
        "a": [SdgTag(3, 0.7, "openalex")],
        "b": [SdgTag(3, 0.5, "openalex")],
        "c": [SdgTag(13, 0.45, "openalex")],
    }
    found = agreement(ours, theirs)
    assert found.items == 3
    assert found.same_top == pytest.approx(1 / 3, abs=1e-4)
    assert found.overlap == pytest.approx(2 / 3, abs=1e-4)
    assert found.jaccard == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert (found.only_ours, found.only_theirs) == (1, 1)
    assert goal_number("https://metadata.un.org/sdg/3") == 3 and goal_number("sdg/42") is None
