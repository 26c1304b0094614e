"""The evaluation command on a tiny made-up benchmark in the same format (never the real one)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from matcher.errors import EvaluationDataError
from service.evaluation.goldstandard import run_goldstandard
from service.settings import Settings
from tests.fakes import FakeEncoder

BENCHMARK = Path(__file__).parents[2] / "data" / "goldstandard"


def test_runs_every_version_through_the_search_path(settings: Settings) -> None:
    report = run_goldstandard(BENCHMARK, settings=settings, encoder=FakeEncoder())
    assert report.versions == 2 and report.researchers == 3
    assert [v.version for v in report.per_version] == ["d_3_1", "d_3_2"]
    assert 0.0 <= report.loss <= 1.0
    body = report.to_json()
    assert set(body) >= {"loss", "easy", "hard", "researchers", "versions"}
    json.dumps(body)


@pytest.mark.model
def test_real_model_orders_papers_like_the_researchers(
    settings: Settings, real_encoder: object
) -> None:
    report = run_goldstandard(BENCHMARK, settings=settings, encoder=real_encoder)  # type: ignore[arg-type]
    assert report.loss < 0.2  # topics are distinct: the real model should get nearly all pairs
    assert report.easy == 1.0


def test_bad_directories_are_clear_errors(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(EvaluationDataError, match="not a directory"):
        run_goldstandard(tmp_path / "missing", settings=settings, encoder=FakeEncoder())
    with pytest.raises(EvaluationDataError, match=r"evaluations\.tsv"):
        run_goldstandard(tmp_path, settings=settings, encoder=FakeEncoder())
    copy = tmp_path / "copy"
    shutil.copytree(BENCHMARK, copy)
    for version in copy.glob("d_*"):
        shutil.rmtree(version)
    with pytest.raises(EvaluationDataError, match="no version folders"):
        run_goldstandard(copy, settings=settings, encoder=FakeEncoder())


def test_peers_side_by_side_with_intervals(settings: Settings) -> None:
    report = run_goldstandard(
        BENCHMARK, settings=settings, encoder=FakeEncoder(), with_intervals=True
    )
    assert report.peers["constant"]["loss"] == 0.5  # a constant scorer ties every pair
    low, high = report.intervals["loss"]
    assert low <= report.loss <= high
    peer = report.peers["constant"]
    assert peer["ours_minus_peer_low"] <= peer["ours_minus_peer"] <= peer["ours_minus_peer_high"]
    assert peer["loss_low"] == peer["loss_high"] == 0.5  # every resample of a constant is 0.5
    assert peer["ours_minus_peer"] == pytest.approx(report.loss - 0.5, abs=1e-3)
