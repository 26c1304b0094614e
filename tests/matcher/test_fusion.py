"""Fusion of standardised signals, on hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.fusion import (
    RankingProfile,
    SignalScale,
    fuse,
    researcher_folds,
    weight_grid,
    zscore,
)


def test_zscore_by_hand() -> None:
    # mean 2, population std sqrt(2/3)
    np.testing.assert_allclose(zscore([1.0, 2.0, 3.0]), np.array([-1, 0, 1]) / np.sqrt(2 / 3))
    # a constant row carries no information: zeros, not a division by zero
    np.testing.assert_allclose(zscore([[5.0, 5.0], [0.0, 2.0]]), [[0.0, 0.0], [-1.0, 1.0]])
    with pytest.raises(ValueError, match="empty"):
        zscore([])


def test_fuse_per_brief_by_hand() -> None:
    signals = {"a": [[1.0, 3.0]], "b": [[10.0, 0.0]]}
    # per row: a → [-1, 1], b → [1, -1]
    np.testing.assert_allclose(fuse(signals, {"a": 0.75, "b": 0.25}), [[-0.5, 0.5]])
    np.testing.assert_allclose(fuse(signals, {"a": 1.0, "b": 0.0}), [[-1.0, 1.0]])


def test_fuse_with_fixed_scales_keeps_briefs_comparable() -> None:
    signals = {"a": [[0.2, 0.4], [0.6, 0.8]], "b": [[0.0, 10.0], [0.0, 0.0]]}
    scales = {"a": SignalScale(0.0, 0.2), "b": SignalScale(0.0, 10.0)}
    # a/0.2 = [[1, 2], [3, 4]]; b/10 = [[0, 1], [0, 0]]; equal weights of 0.5
    np.testing.assert_allclose(
        fuse(signals, {"a": 0.5, "b": 0.5}, scales=scales), [[0.5, 1.5], [1.5, 2.0]]
    )


def test_signal_scale_of_values() -> None:
    scale = SignalScale.of([1.0, 3.0])
    assert (scale.mean, scale.spread) == (2.0, 1.0)
    np.testing.assert_allclose(scale.apply([4.0]), [2.0])
    assert SignalScale.of([7.0, 7.0]).spread == 1.0
    with pytest.raises(ValueError, match="positive"):
        SignalScale(0.0, 0.0)


def test_fuse_rejects_misuse() -> None:
    with pytest.raises(ValueError, match="non-zero weight"):
        fuse({"a": [1.0]}, {"a": 0.0})
    with pytest.raises(ValueError, match="not given"):
        fuse({"a": [1.0]}, {"b": 1.0})
    with pytest.raises(ValueError, match="one shape"):
        fuse({"a": [1.0], "b": [1.0, 2.0]}, {"a": 1.0, "b": 1.0})
    with pytest.raises(ValueError, match="negative"):
        fuse({"a": [1.0]}, {"a": -1.0})
    with pytest.raises(ValueError, match="no scale"):
        fuse({"a": [1.0]}, {"a": 1.0}, scales={})


def test_weight_grid_is_the_coarse_simplex() -> None:
    grid = weight_grid(["a", "b", "c", "d"], steps=2)
    assert len(grid) == 10  # 4 single signals + 6 equal pairs
    assert all(sum(w.values()) == pytest.approx(1.0) for w in grid)
    assert {"a": 0.5, "b": 0.5, "c": 0.0, "d": 0.0} in grid
    assert weight_grid(["a"], steps=3) == [{"a": 1.0}]


def test_researcher_folds_partition_deterministically() -> None:
    people = [f"r{i}" for i in range(11)]
    folds = researcher_folds(people, folds=5, seed=3)
    assert sorted(r for f in folds for r in f) == sorted(people)
    assert sorted(len(f) for f in folds) == [2, 2, 2, 2, 3]
    assert folds == researcher_folds(list(reversed(people)), folds=5, seed=3)
    with pytest.raises(ValueError, match="cannot make"):
        researcher_folds(["a", "b"], folds=5)


def test_ranking_profile_names() -> None:
    assert RankingProfile.parse("thorough") is RankingProfile.THOROUGH
    with pytest.raises(ValueError, match=r"\['fast', 'thorough'\]"):
        RankingProfile.parse("quick")
