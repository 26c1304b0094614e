"""The thorough ranking profile: several signals per candidate profile, standardised and fused.

For batch matching and funding calls, where seconds per brief do not matter. Signals, each one
number per (brief, profile):

- ``items`` — the fast profile's score: embedding similarity of whole evidence items, mean of
  the closest ``top_k``;
- ``windows`` — embedding similarity of overlapping windows of sentences of every item, mean of
  the closest ``window_top`` (a paper whose one paragraph matches still counts);
- ``tfidf`` — cosine of TF-IDF vectors (words and bigrams) of the brief and each item, mean of
  the closest ``top_k``;
- ``bm25`` — BM25 (``bm25s``) of the brief against each item, mean of the best ``top_k``.

Pool-wide state (item texts, the TF-IDF vocabulary, the BM25 index) is built once per index
version; window vectors are computed on first use and kept in memory for the items still in the
pool (a deleted profile's windows go with the next version). Standardisation and weights are in
:mod:`matcher.fusion`; the choice of both is documented in ``docs/quality.md``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer

from index.db.catalogue import Catalogue
from index.encoders.base import Encoder
from index.vectors.store import IndexSnapshot
from matcher.fusion import SignalScale, fuse
from matcher.model import Aggregation
from matcher.ranking import (
    AggregationConfig,
    ItemScores,
    ProfileScores,
    score_items,
    score_profiles,
)
from matcher.text import content_hash, normalise

logger = logging.getLogger(__name__)

#: Whole-item embeddings with a small lexical share; see docs/quality.md for every weighting
#: measured and the cross-validation by researcher that led here.
DEFAULT_WEIGHTS: Mapping[str, float] = {"items": 0.8, "tfidf": 0.2}
#: Pseudo-briefs (items of the pool) and profiles sampled to measure each signal's spread.
SCALE_BRIEFS = 100
SCALE_PROFILES = 50

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sentence_windows(text: str, *, size: int = 3, stride: int = 1) -> list[str]:
    """Overlapping windows of ``size`` consecutive sentences; a shorter text is one window."""
    if size < 1 or stride < 1:
        raise ValueError(f"size and stride must be at least 1, got {size}, {stride}")
    sentences = [s for s in _SENTENCE.split(normalise(text)) if s]
    if len(sentences) <= size:
        return [" ".join(sentences)] if sentences else []
    starts = list(range(0, len(sentences) - size + 1, stride))
    if starts[-1] != len(sentences) - size:
        starts.append(len(sentences) - size)
    return [" ".join(sentences[s : s + size]) for s in starts]


@dataclass(frozen=True, slots=True)
class Signals:
    """Raw signal values for one brief: ``values[name][i]`` belongs to ``profiles[i]``."""

    profiles: npt.NDArray[np.int64]
    values: dict[str, npt.NDArray[np.float64]]


@dataclass(frozen=True, slots=True)
class _Request:
    """What every signal is computed from for one brief.

    Attributes:
        profiles: the candidate profiles, unique and ascending.
        items: those profiles' items, without ``leave_out``.
        top: the ``top_k`` mean the item-level signals aggregate with.
        pool: the index version's texts and lexical models (``None`` when no wanted signal
            needs them).
    """

    snap: IndexSnapshot
    text: str
    query: npt.NDArray[np.float32]
    profiles: npt.NDArray[np.int64]
    items: npt.NDArray[np.int64]
    leave_out: int | None
    top: AggregationConfig
    pool: _Pool | None

    @property
    def lexicon(self) -> _Pool:
        """The pool, for the signals that read item texts (it is built whenever they are
        wanted)."""
        assert self.pool is not None  # built by ThoroughScorer.signals for these signals
        return self.pool


class _Pool:
    """Texts and lexical models of one index version."""

    def __init__(self, snap: IndexSnapshot, catalogue: Catalogue) -> None:
        self.key = _key(snap)
        profile_ids = [snap.profiles[int(p)].id for p in snap.item_profiles]
        found = catalogue.evidence_items(snap.item_ids, sorted(set(profile_ids)))
        self.texts = [
            found[(p, i)].content if (p, i) in found else ""
            for p, i in zip(profile_ids, snap.item_ids, strict=True)
        ]
        self.hashes = [content_hash(t) for t in self.texts]

    @cached_property
    def tfidf(self) -> tuple[TfidfVectorizer, Any]:
        """The vectoriser fitted on the pool's items and the items' sparse TF-IDF matrix."""
        vectoriser = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, stop_words="english", dtype=np.float32
        )
        usable = any(t.strip() for t in self.texts)
        return vectoriser, vectoriser.fit_transform(self.texts if usable else ["empty"])

    @cached_property
    def bm25(self) -> Any:
        """A BM25 index (``bm25s``) over the pool's items."""
        import bm25s

        # bm25s sets its own logger to DEBUG when imported; its progress notes are not ours
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        index = bm25s.BM25()
        index.index(
            bm25s.tokenize(self.texts or [""], stopwords="en", show_progress=False),
            show_progress=False,
        )
        return index


class ThoroughScorer:
    """Scores candidate profiles by fusing several signals (see the module docstring).

    Args:
        catalogue: where item texts are read from (once per index version).
        encoder: the model that built the index (embeds briefs' windows' counterparts).
        weights: signal name → weight; names from :data:`SIGNALS`.
        standardise: ``pool`` (default) divides each signal by its spread over the pool, measured
            once per index version with a seeded sample of the pool's own items as briefs against
            other profiles, so a profile's scores for different briefs stay comparable; ``brief``
            z-scores each signal over the candidate profiles of each brief (measured worse on the
            expertise benchmark: docs/quality.md).
        top_k: items averaged by the ``items``, ``tfidf`` and ``bm25`` signals.
        window_sentences: sentences per window.
        window_top: windows averaged by the ``windows`` signal.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        encoder: Encoder,
        *,
        weights: Mapping[str, float] | None = None,
        standardise: Literal["pool", "brief"] = "pool",
        top_k: int = 3,
        window_sentences: int = 3,
        window_top: int = 10,
    ) -> None:
        self.catalogue = catalogue
        self.encoder = encoder
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        unknown = sorted(set(self.weights) - set(SIGNALS))
        if unknown:
            raise ValueError(f"unknown signals {unknown}; known: {list(SIGNALS)}")
        if standardise not in ("pool", "brief"):
            raise ValueError(f"standardise must be 'pool' or 'brief', got {standardise!r}")
        self.standardise = standardise
        self.top_k = top_k
        self.window_sentences = window_sentences
        self.window_top = window_top
        self._pool: _Pool | None = None
        self._scales: dict[str, SignalScale] | None = None
        self._windows: dict[str, npt.NDArray[np.float32]] = {}
        self._lock = threading.Lock()

    def _pool_for(self, snap: IndexSnapshot) -> _Pool:
        with self._lock:
            if self._pool is None or self._pool.key != _key(snap):
                self._pool = _Pool(snap, self.catalogue)
                self._scales = None
                keep = set(self._pool.hashes)
                # windows of texts no longer in the pool (erased profiles) are forgotten
                self._windows = {h: v for h, v in self._windows.items() if h in keep}
            return self._pool

    def _wanted(self, name: str) -> bool:
        return self.weights.get(name, 0.0) != 0.0

    def signals(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        profiles: npt.NDArray[np.int64],
        *,
        names: Sequence[str] | None = None,
        leave_out: int | None = None,
    ) -> Signals:
        """Raw values of the wanted signals (all with weight ≠ 0 unless ``names``) for one brief.

        Each signal is computed by its entry in the name → signal table (:data:`SIGNALS` lists
        the names).

        Args:
            snap: the index version.
            text: the brief's text (for the lexical signals).
            query: the brief's vector.
            profiles: the candidate profiles (any order; the result is ascending and unique).
            names: the signals wanted (default: every signal with a non-zero weight).
            leave_out: an item index left out of every profile (an item used as the brief).

        Raises:
            ValueError: an unknown signal name.
        """
        wanted = list(names) if names is not None else [n for n in SIGNALS if self._wanted(n)]
        profiles = np.unique(profiles.astype(np.int64))
        if profiles.size == 0:
            return Signals(profiles, {n: np.empty(0) for n in wanted})
        unknown = [n for n in wanted if n not in _SIGNAL_TABLE]
        if unknown:
            raise ValueError(f"unknown signal {unknown[0]!r}; known: {list(SIGNALS)}")
        items = np.flatnonzero(np.isin(snap.item_profiles, profiles)).astype(np.int64)
        if leave_out is not None:
            items = items[items != leave_out]
        request = _Request(
            snap=snap,
            text=text,
            query=query,
            profiles=profiles,
            items=items,
            leave_out=leave_out,
            top=AggregationConfig(Aggregation.TOP_K_MEAN, self.top_k),
            pool=self._pool_for(snap) if set(wanted) - _NO_POOL else None,
        )
        values = {name: _align(_SIGNAL_TABLE[name](self, request), profiles) for name in wanted}
        return Signals(profiles, values)

    # ------------------------------------------------------------------ the signals
    def _items_signal(self, request: _Request) -> ProfileScores:
        """Whole-item embedding similarity, mean of the closest ``top_k`` items."""
        snap = request.snap
        rows = snap.rows_for_profiles(request.profiles)
        if request.leave_out is not None:
            rows = rows[snap.row_items[rows] != request.leave_out]
        scored = score_items(snap.similarities(request.query, rows), snap.row_items[rows])
        return score_profiles(scored, snap.item_profiles, request.top)

    def _windows_signal(self, request: _Request) -> ProfileScores:
        """Sentence-window embedding similarity, mean of the closest ``window_top`` windows."""
        return self._window_scores(request.snap, request.lexicon, request.query, request.items)

    def _tfidf_signal(self, request: _Request) -> ProfileScores:
        """TF-IDF cosine of the brief and each item, mean of the closest ``top_k`` items."""
        vectoriser, matrix = request.lexicon.tfidf
        items = request.items
        sims = (matrix[items] @ vectoriser.transform([request.text]).T).toarray().ravel()
        return score_profiles(
            ItemScores(items, sims.astype(np.float32)), request.snap.item_profiles, request.top
        )

    def _bm25_signal(self, request: _Request) -> ProfileScores:
        """BM25 of the brief against each item, mean of the best ``top_k`` items."""
        import bm25s

        pool = request.lexicon
        tokens = bm25s.tokenize(
            [request.text], stopwords="en", return_ids=False, show_progress=False
        )[0]
        every = pool.bm25.get_scores(tokens) if tokens else np.zeros(len(pool.texts))
        return score_profiles(
            ItemScores(request.items, np.asarray(every, np.float32)[request.items]),
            request.snap.item_profiles,
            request.top,
        )

    def _window_scores(
        self,
        snap: IndexSnapshot,
        pool: _Pool,
        query: npt.NDArray[np.float32],
        items: npt.NDArray[np.int64],
    ) -> ProfileScores:
        missing: dict[str, list[str]] = {}
        for i in items:
            digest = pool.hashes[int(i)]
            if digest not in self._windows and digest not in missing:
                missing[digest] = sentence_windows(
                    pool.texts[int(i)], size=self.window_sentences
                ) or [""]
        if missing:
            texts = [w for windows in missing.values() for w in windows]
            vectors = self.encoder.encode(texts)
            start = 0
            for digest, windows in missing.items():
                self._windows[digest] = vectors[start : start + len(windows)]
                start += len(windows)
        sims: list[npt.NDArray[np.float32]] = []
        owners: list[npt.NDArray[np.int64]] = []
        for i in items:
            vectors = self._windows[pool.hashes[int(i)]]
            sims.append(np.asarray(vectors @ query, np.float32))
            owners.append(np.full(vectors.shape[0], snap.item_profiles[int(i)], np.int64))
        if not sims:
            return ProfileScores(np.empty(0, np.int64), np.empty(0, np.float32))
        window_profiles = np.concatenate(owners)
        scores = np.concatenate(sims)
        # each window is its own "item" whose profile is its item's profile
        return score_profiles(
            ItemScores(np.arange(scores.size, dtype=np.int64), scores),
            window_profiles,
            AggregationConfig(Aggregation.TOP_K_MEAN, self.window_top),
        )

    def score(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        profiles: npt.NDArray[np.int64],
    ) -> ProfileScores:
        """Fused scores of ``profiles`` (ascending) for one brief."""
        found = self.signals(snap, text, query, profiles)
        if found.profiles.size == 0:
            return ProfileScores(found.profiles, np.empty(0, np.float32))
        scales = self.scales(snap) if self.standardise == "pool" else None
        fused = fuse(found.values, self.weights, scales=scales)
        return ProfileScores(found.profiles, fused.astype(np.float32))

    def scales(self, snap: IndexSnapshot, *, seed: int = 0) -> dict[str, SignalScale]:
        """Each weighted signal's spread over the pool (means are left at 0: a constant shift of
        a signal moves every score alike and changes no order).

        Pseudo-briefs are up to :data:`SCALE_BRIEFS` items of the pool chosen with ``seed``, each
        scored against up to :data:`SCALE_PROFILES` sampled profiles and its own profile with the
        item itself left out: like a real brief, it then has close profiles as well as distant
        ones (against distant profiles only, lexical spreads come out too small and lexical
        signals would weigh more than their weights say).
        """
        pool = self._pool_for(snap)
        if self._scales is not None:
            return self._scales
        rng = np.random.default_rng(seed)
        n_items = len(pool.texts)
        briefs = np.sort(rng.permutation(n_items)[: min(SCALE_BRIEFS, n_items)])
        everyone = np.arange(len(snap.profiles), dtype=np.int64)
        sampled = np.sort(rng.permutation(everyone)[: min(SCALE_PROFILES, everyone.size)])
        first_row = np.full(n_items, -1, np.int64)
        rows = np.arange(snap.row_items.size)
        first_row[snap.row_items[::-1]] = rows[::-1]
        observed: dict[str, list[npt.NDArray[np.float64]]] = {n: [] for n in self.weights}
        for item in briefs:
            own = snap.item_profiles[int(item)]
            candidates = np.union1d(sampled, [own]).astype(np.int64)
            if candidates.size < 2 or first_row[item] < 0 or not pool.texts[int(item)].strip():
                continue
            query = np.asarray(snap.vectors[first_row[item]], np.float32)
            found = self.signals(
                snap,
                pool.texts[int(item)],
                query,
                candidates,
                names=list(observed),
                leave_out=int(item),
            )
            for name, values in found.values.items():
                observed[name].append(values)
        self._scales = {
            name: SignalScale(0.0, SignalScale.of(np.concatenate(v)).spread)
            if v
            else SignalScale(0.0, 1.0)
            for name, v in observed.items()
        }
        return self._scales


#: Signal name → how it is computed, chosen once per name (openreview-matcher's SOLVER_MAP).
_SIGNAL_TABLE: Mapping[str, Callable[[ThoroughScorer, _Request], ProfileScores]] = {
    "items": ThoroughScorer._items_signal,
    "windows": ThoroughScorer._windows_signal,
    "tfidf": ThoroughScorer._tfidf_signal,
    "bm25": ThoroughScorer._bm25_signal,
}
#: The signals the thorough profile knows, in the table's order.
SIGNALS: tuple[str, ...] = tuple(_SIGNAL_TABLE)
#: Signals that need no item texts (the pool of texts and lexical models is not built for them).
_NO_POOL = frozenset({"items"})


def _key(snap: IndexSnapshot) -> tuple[object, ...]:
    """What identifies an index version's content (a new version gets a new folder)."""
    return (snap.path, snap.manifest.version, snap.size, len(snap.profiles))


def _align(result: ProfileScores, profiles: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Scores in the order of ``profiles``; a profile without items scores the lowest seen."""
    out = np.full(profiles.size, np.nan)
    position = np.searchsorted(profiles, result.profiles)
    out[position] = result.scores
    if np.isnan(out).any():
        floor = float(np.nanmin(out)) if not np.isnan(out).all() else 0.0
        out[np.isnan(out)] = floor
    return out
