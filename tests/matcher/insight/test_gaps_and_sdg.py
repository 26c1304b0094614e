"""Gap assessment and summaries on hand-made needs; SDG confidences, keyword rules and the
agreement with a source, on hand-made similarities."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.insight.gaps import (
    Candidate,
    Coverage,
    Need,
    Thresholds,
    assess,
    by_organisation,
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
    assert (t.served, t.weak) == (0.9, 0.6)
    assert assess(need("a"), [candidate(0.95)], t).coverage is Coverage.SERVED
    assert assess(need("b"), [candidate(0.7)], t).coverage is Coverage.WEAK
    assert assess(need("c"), [candidate(0.2)], t).coverage is Coverage.UNSERVED
    assert assess(need("d"), [], t).coverage is Coverage.UNSERVED
    assert Thresholds.served_at(0.5) == Thresholds(0.5, 0.5)
    with pytest.raises(ValueError, match="above served"):
        Thresholds(served=0.5, weak=0.7)


def test_summaries_per_organisation_and_untapped() -> None:
    t = Thresholds()
    results = [
        assess(need("a", "org-a"), [candidate(0.95, "acad-1")], t),
        assess(need("b", "org-a"), [candidate(0.1, "acad-2")], t),
        assess(need("c", "org-b", "sme"), [candidate(0.92, "acad-1")], t),
    ]
    groups = {g.key: g for g in summarise(results, by_organisation)}
    assert (groups["org-a"].asked, groups["org-a"].served, groups["org-a"].unserved) == (2, 1, 1)
    assert groups["org-a"].median_best == pytest.approx(0.525)
    assert groups["org-b"].askers == {"sme": 1}
    assert groups["org-a"].nearest[0][0] in {"acad-1", "acad-2"}
    idle = untapped([("acad-1", "A", "U"), ("acad-3", "C", "U")], np.array([0.95, 0.3]), t)
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
