"""A learned re-ranker over the fast path's candidates: features and model (issue 18).

Pure: numpy and scikit-learn, no FAISS, no catalogue, no encoder. The caller hands in, for one
brief, the similarities of the candidates' evidence items (flat arrays with the candidate each
item belongs to), the items' lexical scores and years, and a few numbers per candidate; the
features need no extra model call. :class:`Reranker` turns feature rows into one score per
candidate (higher is better), comparable across briefs (a probability's log-odds of "this is the
brief's person"), so it can replace a profile's score anywhere the fast score is used.

Features of one candidate (:data:`FEATURES`, in column order):

- ``sim_1``, ``sim_2``, ``sim_3``: its best item similarities, sorted (a profile with fewer items
  repeats its last one, so ``sim_mean3`` equals the product's mean of the 3 closest);
- ``sim_mean3``, ``sim_mean``, ``sim_std``: mean of the 3 closest, mean and spread of all items;
- ``above_0.3``, ``above_0.4``, ``above_0.5``: how many of its items exceed each similarity;
- ``gap_1``, ``gap_mean3``: ``sim_1`` and ``sim_mean3`` minus the best of any candidate (0 for
  the brief's leader);
- ``lex_1``, ``lex_mean3``: its items' lexical (BM25) scores, best and mean of the best 3, each
  divided by the brief's best lexical score over all candidates' items (0 when nothing matches);
- ``shared_terms``: terms of the brief found in its best item;
- ``brief_terms``: log(1 + the brief's terms);
- ``peakedness``: the brief's best item similarity minus its 10th best over all candidates'
  items (a brief with one very close item versus a brief close to many);
- ``age``: years between the most similar item and the reference year (missing years count as
  :data:`UNKNOWN_AGE`), clipped to [0, 50];
- ``items``: log(1 + its number of items);
- ``kind``: the profile kind's code.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

THRESHOLDS = (0.3, 0.4, 0.5)
#: Items at most this far down the brief's list of item similarities set its peakedness.
PEAK_RANK = 10
#: The age of an item whose year is not known.
UNKNOWN_AGE = 10.0

FEATURES: tuple[str, ...] = (
    "sim_1",
    "sim_2",
    "sim_3",
    "sim_mean3",
    "sim_mean",
    "sim_std",
    *(f"above_{t}" for t in THRESHOLDS),
    "gap_1",
    "gap_mean3",
    "lex_1",
    "lex_mean3",
    "shared_terms",
    "brief_terms",
    "peakedness",
    "age",
    "items",
    "kind",
)

ModelKind = Literal["logistic", "boosting"]
MODEL_KINDS: tuple[str, ...] = ("logistic", "boosting")


@dataclass(frozen=True, slots=True)
class CandidateItems:
    """One brief's candidates and their items.

    Attributes:
        owners: for each item, the candidate (0 … n−1) it belongs to, shape (m,).
        similarities: each item's similarity to the brief (best of its chunks), shape (m,).
        lexical: each item's lexical score for the brief (BM25), shape (m,).
        years: each item's year (NaN when unknown), shape (m,).
        shared_terms: per candidate, the brief's terms found in its best item, shape (n,).
        kinds: per candidate, the kind's code, shape (n,).
        brief_terms: how many terms the brief has.
        year: the reference year ages are counted from.
    """

    owners: IntArray
    similarities: FloatArray
    lexical: FloatArray
    years: FloatArray
    shared_terms: FloatArray
    kinds: FloatArray
    brief_terms: int
    year: int

    @property
    def size(self) -> int:
        """The number of candidates."""
        return int(self.kinds.size)


def _sorted_groups(
    owners: IntArray, values: FloatArray, n: int
) -> tuple[IntArray, FloatArray, IntArray, IntArray, IntArray]:
    """Items ordered by candidate then value (best first): (order, values, starts, counts,
    position within the candidate)."""
    order = np.lexsort((-values, owners))
    counts = np.bincount(owners, minlength=n).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    position = np.arange(owners.size) - np.repeat(starts, counts)
    return order, values[order], starts, counts, position


def _best(sorted_values: FloatArray, starts: IntArray, counts: IntArray, k: int) -> FloatArray:
    """The k-th best value of each candidate (1-based), its last one when it has fewer."""
    index = starts + np.minimum(k, counts) - 1
    return sorted_values[np.maximum(index, 0)]


def _mean_best(
    sorted_values: FloatArray, counts: IntArray, position: IntArray, k: int
) -> FloatArray:
    group = np.repeat(np.arange(counts.size), counts)
    keep = position < k
    sums = np.bincount(group[keep], weights=sorted_values[keep], minlength=counts.size)
    return sums / np.maximum(np.minimum(counts, k), 1)


def features(pool: CandidateItems) -> FloatArray:
    """The feature rows of ``pool``'s candidates, shape (n, len(FEATURES)).

    Raises:
        ValueError: arrays of different lengths, or a candidate without items.
    """
    n, m = pool.size, pool.owners.size
    if not (pool.similarities.size == pool.lexical.size == pool.years.size == m):
        raise ValueError("owners, similarities, lexical and years must have the same length")
    if pool.shared_terms.size != n:
        raise ValueError("shared_terms and kinds must have one value per candidate")
    if n == 0:
        return np.empty((0, len(FEATURES)))
    counts_check = np.bincount(pool.owners, minlength=n)
    if counts_check.size != n or (counts_check == 0).any():
        raise ValueError("every candidate needs at least one item, and owners must be < n")
    sims = pool.similarities.astype(np.float64)
    order, ordered, starts, counts, position = _sorted_groups(pool.owners, sims, n)
    s1, s2, s3 = (_best(ordered, starts, counts, k) for k in (1, 2, 3))
    mean3 = _mean_best(ordered, counts, position, 3)
    mean = np.bincount(pool.owners, weights=sims, minlength=n) / counts
    square = np.bincount(pool.owners, weights=sims**2, minlength=n) / counts
    std = np.sqrt(np.maximum(square - mean**2, 0.0))
    above = [
        np.bincount(pool.owners, weights=(sims > t).astype(np.float64), minlength=n)
        for t in THRESHOLDS
    ]
    lex_max = float(pool.lexical.max()) if m else 0.0
    lex = pool.lexical.astype(np.float64) / lex_max if lex_max > 0 else np.zeros(m)
    _, lex_ordered, lex_starts, lex_counts, lex_position = _sorted_groups(pool.owners, lex, n)
    lex_1 = _best(lex_ordered, lex_starts, lex_counts, 1)
    lex_mean3 = _mean_best(lex_ordered, lex_counts, lex_position, 3)
    everything = np.sort(sims)[::-1]
    peak = float(everything[0] - everything[min(PEAK_RANK, m) - 1])
    best_year = pool.years[order][starts]
    age = np.where(np.isnan(best_year), UNKNOWN_AGE, pool.year - best_year)
    columns = [
        s1,
        s2,
        s3,
        mean3,
        mean,
        std,
        *above,
        s1 - s1.max(),
        mean3 - mean3.max(),
        lex_1,
        lex_mean3,
        pool.shared_terms.astype(np.float64),
        np.full(n, np.log1p(pool.brief_terms)),
        np.full(n, peak),
        np.clip(age, 0.0, 50.0),
        np.log1p(counts.astype(np.float64)),
        pool.kinds.astype(np.float64),
    ]
    return np.column_stack(columns)


class Reranker:
    """A scikit-learn classifier of "this candidate is the brief's person" over :data:`FEATURES`.

    Args:
        kind: ``logistic`` (standardised features, L2 logistic regression) or ``boosting``
            (histogram gradient boosting, small and regularised).
        seed: the seed of the boosting's sampling.
    """

    def __init__(self, kind: ModelKind = "logistic", *, seed: int = 0) -> None:
        if kind not in MODEL_KINDS:
            raise ValueError(f"unknown model kind {kind!r}; known: {list(MODEL_KINDS)}")
        self.kind: ModelKind = kind
        self.seed = seed
        self.features: tuple[str, ...] = FEATURES
        self._model: Any = None

    @property
    def fitted(self) -> bool:
        """Whether :meth:`fit` (or :meth:`load`) has run."""
        return self._model is not None

    def fit(
        self, rows: FloatArray, labels: npt.ArrayLike, *, weights: npt.ArrayLike | None = None
    ) -> Reranker:
        """Fit on feature rows and 0/1 labels (optionally weighted); returns ``self``.

        Raises:
            ValueError: wrong width, or the labels are not both present.
        """
        y = np.asarray(labels, dtype=np.int64)
        if rows.ndim != 2 or rows.shape[1] != len(self.features) or rows.shape[0] != y.size:
            raise ValueError(f"rows must be (n, {len(self.features)}) with one label each")
        if set(np.unique(y).tolist()) != {0, 1}:
            raise ValueError("training needs both positive and negative examples")
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.kind == "logistic":
            model: Any = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
            step = "logisticregression__sample_weight"
        else:
            model = HistGradientBoostingClassifier(
                max_iter=150,
                learning_rate=0.05,
                max_leaf_nodes=15,
                min_samples_leaf=40,
                l2_regularization=1.0,
                random_state=self.seed,
            )
            step = "sample_weight"
        extra = {} if weights is None else {step: np.asarray(weights, dtype=np.float64)}
        model.fit(rows, y, **extra)
        self._model = model
        return self

    def score(self, rows: FloatArray) -> FloatArray:
        """One score per row, higher is better (log-odds of a positive).

        Raises:
            ValueError: not fitted, or rows of the wrong width.
        """
        if self._model is None:
            raise ValueError("the re-ranker is not trained")
        if rows.ndim != 2 or rows.shape[1] != len(self.features):
            raise ValueError(f"rows must be (n, {len(self.features)})")
        if rows.shape[0] == 0:
            return np.empty(0)
        if self.kind == "logistic":
            # the pipeline's own arithmetic without scikit-learn's per-call checks (≈ 2 ms)
            scaler, regression = self._model[0], self._model[-1]
            scaled = (rows - scaler.mean_) / scaler.scale_
            return np.asarray(scaled @ regression.coef_[0] + regression.intercept_[0])
        return np.asarray(self._model.decision_function(rows), dtype=np.float64)

    def dumps(self) -> bytes:
        """The fitted model as bytes (joblib), with its feature names and kind."""
        import joblib  # type: ignore[import-untyped]

        buffer = io.BytesIO()
        joblib.dump({"kind": self.kind, "features": self.features, "model": self._model}, buffer)
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> Reranker:
        """A re-ranker from :meth:`dumps`' bytes (only ever our own files: joblib unpickles).

        Raises:
            ValueError: the bytes hold another feature list (a model of another version of
                this module is not used).
        """
        import joblib

        content = joblib.load(io.BytesIO(data))
        if tuple(content.get("features", ())) != FEATURES:
            raise ValueError("the saved re-ranker was trained on other features; run learn again")
        reranker = cls(content["kind"])
        reranker._model = content["model"]
        return reranker


def top_sentence(text: str) -> str:
    """The first sentence of ``text`` (a short, paraphrase-like brief), or all of it."""
    for mark in (". ", "? ", "! "):
        if mark in text:
            text = text.split(mark, 1)[0] + mark.strip()
    return text.strip()


def group_metrics(scores: Sequence[float], labels: Sequence[int]) -> int:
    """The rank (1-based, ties counted against) of the best positive among ``scores``."""
    values = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(labels, dtype=bool)
    if not positive.any():
        raise ValueError("no positive candidate")
    best = values[positive].max()
    return int((values[~positive] >= best).sum()) + 1
