"""benchmarks/quality.py: its arrays reproduce the product's runs; cross-validation chooses on the
other folds only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks import quality
from matcher.fusion import RankingProfile
from service.evaluation.archive import read_ratings, version_dirs
from service.evaluation.goldstandard import run_goldstandard
from service.evaluation.scratch import scratch_container
from service.settings import Settings
from tests.fakes import FakeEncoder

BENCHMARK = Path(__file__).parents[1] / "data" / "goldstandard"


def test_in_sample_defaults_are_the_product_runs(settings: Settings) -> None:
    encoder = FakeEncoder()
    ratings = read_ratings(BENCHMARK)
    with scratch_container(settings, encoder, prefix="quality-test-") as container:
        vectors: dict[str, np.ndarray] = {}
        versions = [
            quality.version_signals(container, v, ratings, vectors) for v in version_dirs(BENCHMARK)
        ]
    for profile, candidate in (
        (RankingProfile.FAST, "mean of 3 closest"),
        (RankingProfile.THOROUGH, quality.label(quality.DEFAULT_WEIGHTS)),
    ):
        product = run_goldstandard(BENCHMARK, settings=settings, encoder=encoder, profile=profile)
        assert quality.in_sample(ratings, versions, candidate) == pytest.approx(product.loss)


def test_cross_validation_chooses_on_the_other_folds() -> None:
    ratings = {r: {"p": 5.0, "q": 1.0} for r in "abcd"}
    right = {r: {"p": 1.0, "q": 0.0} for r in "abcd"}
    wrong = {r: {"p": 0.0, "q": 1.0} for r in "abcd"}
    # "odd" is right for a and b only, "even" for c and d only: chosen on the other folds, each
    # is scored on researchers it is wrong for
    odd = {**{r: right[r] for r in "ab"}, **{r: wrong[r] for r in "cd"}}
    even = {**{r: wrong[r] for r in "ab"}, **{r: right[r] for r in "cd"}}
    versions = [quality.VersionSignals("v", {"good": right, "odd": odd, "even": even})]
    result = quality.cross_validate(ratings, versions, ["good", "odd", "even"], folds=2, seeds=[0])
    assert result.losses == [0.0] and result.chosen == {"good": 2}
    parity = next(
        s
        for s in range(50)
        if sorted(quality.researcher_folds(sorted(ratings), folds=2, seed=s))
        == [["a", "b"], ["c", "d"]]
    )
    tricky = quality.cross_validate(ratings, versions, ["odd", "even"], folds=2, seeds=[parity])
    assert tricky.losses == [1.0]  # every researcher scored by the one chosen on the others
    assert tricky.chosen == {"odd": 1, "even": 1}
    assert quality.in_sample(ratings, versions, "good") == 0.0


def test_fusion_candidates_hold_the_default_once() -> None:
    labels = [quality.label(w) for w in quality.fusion_candidates()]
    assert len(labels) == len(set(labels))
    assert quality.label(quality.DEFAULT_WEIGHTS) in labels and "items 1" in labels
