"""Match strength: percentiles of a kind's best scores for generic briefs, and their labels."""

from __future__ import annotations

import pytest

from matcher.calibration import (
    GENERIC_BRIEFS,
    GOOD_AT,
    STRONG_AT,
    WEAK_AT,
    Calibration,
    KindDistribution,
    StrengthLabel,
    briefs_fingerprint,
    calibrate,
    is_real_match,
    label,
    no_strong_match,
)
from matcher.model import Match, ProfileKind


def test_percentile_interpolates_between_quantiles() -> None:
    d = KindDistribution((0.1, 0.2, 0.3, 0.4, 0.5))  # probabilities 0, .25, .5, .75, 1
    assert d.percentile(0.05) == 0.0
    assert d.percentile(0.5) == 1.0
    assert d.percentile(0.9) == 1.0
    assert d.percentile(0.3) == pytest.approx(0.5)
    assert d.percentile(0.35) == pytest.approx(0.625)
    assert d.percentile(0.1) == pytest.approx(0.0)


def test_percentile_of_a_run_of_equal_quantiles_is_its_middle() -> None:
    d = KindDistribution((0.1, 0.2, 0.2, 0.2, 0.5))
    assert d.percentile(0.2) == pytest.approx(0.5)
    assert d.percentile(0.15) == pytest.approx(0.125)


def test_quantiles_of_observed_scores_give_the_empirical_percentile() -> None:
    scores = [i / 100 for i in range(101)]  # 0.00 … 1.00
    d = KindDistribution.of(scores, count=11)
    assert d.quantiles[0] == 0.0 and d.quantiles[-1] == 1.0
    for score in (0.05, 0.33, 0.72, 0.99):
        assert d.percentile(score) == pytest.approx(score, abs=1e-9)


def test_a_distribution_needs_scores_and_ascending_quantiles() -> None:
    with pytest.raises(ValueError):
        KindDistribution.of([])
    with pytest.raises(ValueError):
        KindDistribution((0.3, 0.2))


def test_labels_follow_the_documented_thresholds() -> None:
    assert 0 < WEAK_AT < GOOD_AT < STRONG_AT <= 1
    assert label(None) is None
    assert label(1.0) is StrengthLabel.STRONG
    assert label(STRONG_AT) is StrengthLabel.STRONG
    assert label(GOOD_AT) is StrengthLabel.GOOD
    assert label(WEAK_AT) is StrengthLabel.WEAK
    assert label(WEAK_AT - 0.01) is StrengthLabel.NO_MATCH
    assert StrengthLabel.NO_MATCH.text == "no real match"


def _match(strength: float | None) -> Match:
    return Match(
        profile_id="p", kind=ProfileKind.SME, name="n", organisation_id="o",
        organisation_name="", unit="", region="", score=0.1, rank=1, evidence=(),
        shared_terms=(), strength=strength,
    )  # fmt: skip


def test_no_strong_match_when_nothing_reaches_weak() -> None:
    assert no_strong_match([_match(0.1), _match(WEAK_AT - 0.001)])
    assert not no_strong_match([_match(0.1), _match(WEAK_AT)])
    assert no_strong_match([])
    assert is_real_match(None) and not no_strong_match([_match(None)])  # uncalibrated


def test_calibration_round_trips_and_compares_kinds_by_percentile() -> None:
    cal = calibrate(
        {ProfileKind.ACADEMIC: [0.5, 0.6, 0.7], ProfileKind.CLINICAL_TEAM: [0.2, 0.3, 0.4]},
        aggregation="top_k_mean:3",
    )
    again = Calibration.from_json(cal.to_json())
    assert again == cal
    assert again.fits("top_k_mean:3") and not again.fits("max")
    assert cal.briefs == briefs_fingerprint(GENERIC_BRIEFS)
    # the same raw score is strong for one kind and nothing for another
    assert cal.strength(ProfileKind.CLINICAL_TEAM, 0.45) == 1.0
    assert cal.strength(ProfileKind.ACADEMIC, 0.45) == 0.0
    assert cal.strength(ProfileKind.SME, 0.45) is None  # no SME in the pool
    with pytest.raises(ValueError):
        Calibration.from_json({"aggregation": "max"})


def test_generic_briefs_are_many_and_distinct() -> None:
    assert 50 <= len(GENERIC_BRIEFS) <= 100
    assert len(set(GENERIC_BRIEFS)) == len(GENERIC_BRIEFS)
