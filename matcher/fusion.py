"""Score fusion as pure functions: standardise each signal, then add them with weights.

The thorough ranking profile scores every candidate profile with several signals (embedding
similarity of whole items, of sentence windows, TF-IDF and BM25 over the items' words). Their
scales differ (cosines near 0.5, BM25 in the tens), so each is standardised before the weighted
sum. Two standardisations are offered:

- :func:`zscore` over the candidate profiles of one brief (``axis=-1`` on a briefs × profiles
  array): the usual choice when only the order of profiles for one brief matters;
- :class:`SignalScale` — one mean and spread per signal, fixed for a pool and the same for every
  brief, so that a profile's scores for different briefs stay comparable (what the expertise
  benchmark measures).

Weights are chosen by cross-validation with folds by researcher (:func:`researcher_folds`,
:func:`weight_grid`); never by looking at single researchers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import product

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class RankingProfile(StrEnum):
    """How much work a search does: ``fast`` (one model, interactive) or ``thorough`` (fusion)."""

    FAST = "fast"
    THOROUGH = "thorough"

    @classmethod
    def parse(cls, value: str | RankingProfile) -> RankingProfile:
        """The profile named ``value``.

        Raises:
            ValueError: an unknown name (the message lists the valid ones).
        """
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"unknown ranking profile {value!r}; use one of {[p.value for p in cls]}"
            ) from None


def zscore(values: npt.ArrayLike, *, axis: int = -1) -> FloatArray:
    """``(x − mean) / std`` along ``axis``; a constant slice becomes all zeros (no information).

    Raises:
        ValueError: an empty array.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        raise ValueError("cannot standardise an empty array")
    mean = array.mean(axis=axis, keepdims=True)
    spread = array.std(axis=axis, keepdims=True)
    safe = np.where(spread > 0, spread, 1.0)
    return np.where(spread > 0, (array - mean) / safe, 0.0)


@dataclass(frozen=True, slots=True)
class SignalScale:
    """A fixed affine standardisation of one signal: ``(x − mean) / spread``.

    Attributes:
        mean: the signal's typical value over (brief, profile) pairs of a pool.
        spread: its standard deviation there; must be positive.
    """

    mean: float
    spread: float

    def __post_init__(self) -> None:
        if not self.spread > 0:
            raise ValueError(f"spread must be positive, got {self.spread}")

    @classmethod
    def of(cls, values: npt.ArrayLike) -> SignalScale:
        """The scale of observed values (spread 1 when they are all equal)."""
        array = np.asarray(values, dtype=np.float64).ravel()
        if array.size == 0:
            raise ValueError("cannot measure the scale of no values")
        spread = float(array.std())
        return cls(mean=float(array.mean()), spread=spread if spread > 0 else 1.0)

    def apply(self, values: npt.ArrayLike) -> FloatArray:
        """The standardised values."""
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.spread


def fuse(
    signals: Mapping[str, npt.ArrayLike],
    weights: Mapping[str, float],
    *,
    scales: Mapping[str, SignalScale] | None = None,
    axis: int = -1,
) -> FloatArray:
    """Weighted sum of standardised signals.

    Args:
        signals: name → scores, all of the same shape (for example briefs × profiles).
        weights: name → weight; a signal without a weight (or with weight 0) is left out.
        scales: fixed standardisations by name; when omitted each signal is z-scored along
            ``axis`` (over the candidate profiles of each brief).
        axis: the axis :func:`zscore` standardises along.

    Raises:
        ValueError: no positive weight, a weight for a missing signal, or shapes that differ.
    """
    used = {name: w for name, w in weights.items() if w != 0}
    if not used:
        raise ValueError("at least one signal needs a non-zero weight")
    missing = sorted(set(used) - set(signals))
    if missing:
        raise ValueError(f"weights name signals that were not given: {missing}")
    if any(w < 0 for w in used.values()):
        raise ValueError("weights must not be negative")
    shapes = {np.shape(signals[name]) for name in used}
    if len(shapes) != 1:
        raise ValueError(f"signals must have one shape, got {sorted(shapes)}")
    total: FloatArray | None = None
    for name, weight in used.items():
        if scales is not None:
            if name not in scales:
                raise ValueError(f"no scale for signal {name!r}")
            part = scales[name].apply(signals[name])
        else:
            part = zscore(signals[name], axis=axis)
        total = weight * part if total is None else total + weight * part
    assert total is not None  # at least one weight, checked above
    return total


def weight_grid(names: Sequence[str], *, steps: int = 2) -> list[dict[str, float]]:
    """Every weighting of ``names`` with weights in ``{0, 1/steps, …, 1}`` that sums to 1.

    A coarse simplex grid: with few researchers, finer weights only fit noise. ``steps=2`` over
    four signals gives 10 weightings (single signals, equal pairs, …).
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if not names:
        raise ValueError("no signal names")
    grid = []
    for parts in product(range(steps + 1), repeat=len(names)):
        if sum(parts) == steps:
            grid.append({n: p / steps for n, p in zip(names, parts, strict=True)})
    return grid


def researcher_folds(
    researchers: Sequence[str], *, folds: int = 5, seed: int = 0
) -> list[list[str]]:
    """Split researchers into ``folds`` groups of near-equal size, shuffled with ``seed``.

    Raises:
        ValueError: fewer researchers than folds, or fewer than two folds.
    """
    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    unique = sorted(set(researchers))
    if len(unique) < folds:
        raise ValueError(f"{len(unique)} researchers cannot make {folds} folds")
    order = np.random.default_rng(seed).permutation(len(unique))
    return [sorted(unique[i] for i in order[f::folds]) for f in range(folds)]
