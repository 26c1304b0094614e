"""Themes: clusters of the pool's item vectors, labelled by their distinctive terms, with ids
that survive rebuilds.

How a theme set is built (:func:`build_themes`):

1. **How many**: k-means (scikit-learn) for every k of a candidate range, on a seeded sample of
   the vectors; the k with the best mean silhouette (cosine) wins (:func:`choose_k`). When a
   previous theme set exists and its k scores within :data:`K_TOLERANCE` of the best, that k is
   kept: one new profile must not reshuffle every theme for a silhouette difference of noise.
2. **Clusters**: k-means on all vectors (``MiniBatchKMeans`` above :data:`MINIBATCH_ABOVE`),
   started from the previous centroids when k is unchanged.
3. **Labels**: class-based TF-IDF (each cluster's texts as one document; a term's frequency in
   the cluster times the log of the average cluster size over its frequency in all clusters),
   the best :data:`LABEL_TERMS` unigrams and bigrams of each cluster.
4. **Stable ids**: new centroids are matched one-to-one to the previous ones by cosine
   similarity (Hungarian assignment, :func:`scipy.optimize.linear_sum_assignment`); a pair at
   least :data:`KEEP_SIMILARITY` apart is the same theme, which keeps its id *and* label. Every
   other cluster gets a fresh id and its own label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.metrics import silhouette_score

#: k tried by default (bounded above by a fifth of the vectors).
K_CANDIDATES: tuple[int, ...] = tuple(range(4, 21))
#: Vectors used to choose k (silhouette is quadratic in them).
SILHOUETTE_SAMPLE = 3_000
#: A previous k is kept when its silhouette is at most this far below the best.
K_TOLERANCE = 0.01
#: A new centroid at least this close (cosine) to an old one is the same theme.
KEEP_SIMILARITY = 0.9
#: Terms in a label.
LABEL_TERMS = 4
#: MiniBatchKMeans above this many vectors.
MINIBATCH_ABOVE = 20_000

Vectors = npt.NDArray[np.float32]

# words that say nothing about a topic in this pool's texts
_POOL_STOP_WORDS = frozenset(
    [
        "study",
        "studies",
        "research",
        "patients",
        "patient",
        "using",
        "use",
        "used",
        "based",
        "new",
        "care",
        "health",
        "clinical",
        "results",
        "methods",
        "method",
        "data",
        "analysis",
        "need",
        "needs",
        "team",
        "teams",
        "service",
        "services",
        "trial",
        "evaluation",
        "evaluate",
        "approach",
        "aim",
        "aims",
        "project",
        "help",
        "improve",
        "improving",
        "work",
    ]
)


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme of the pool.

    Attributes:
        id: stable across rebuilds while the theme barely moves (``T01``, ``T02``, ...).
        label: its distinctive terms joined (``falls · frailty · older people``).
        terms: the distinctive terms, best first.
        size: how many vectors it holds.
        centroid: its unit-length centroid.
    """

    id: str
    label: str
    terms: tuple[str, ...]
    size: int
    centroid: Vectors


@dataclass(frozen=True, slots=True)
class ThemeSet:
    """Themes built from vectors, and what was measured on the way.

    Attributes:
        themes: the themes, by id.
        labels: each input vector's theme (an index into ``themes``).
        silhouettes: mean silhouette per k tried.
        k: the k chosen.
        kept: ids carried over from the previous set.
    """

    themes: tuple[Theme, ...]
    labels: npt.NDArray[np.int64]
    silhouettes: dict[int, float]
    k: int
    kept: tuple[str, ...]


def _unit(matrix: npt.NDArray[np.floating]) -> Vectors:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: Vectors = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def _kmeans(
    vectors: Vectors, k: int, *, seed: int, init: Vectors | None = None
) -> tuple[npt.NDArray[np.int64], Vectors]:
    """Labels and unit centroids of k-means (cosine: on unit vectors)."""
    if vectors.shape[0] > MINIBATCH_ABOVE:
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            n_clusters=k,
            random_state=seed,
            n_init=1 if init is not None else 3,
            init=init if init is not None else "k-means++",
            batch_size=4096,
        )
    else:
        model = KMeans(
            n_clusters=k,
            random_state=seed,
            n_init=1 if init is not None else 4,
            init=init if init is not None else "k-means++",
        )
    labels = model.fit_predict(vectors).astype(np.int64)
    return labels, _unit(model.cluster_centers_)


def choose_k(
    vectors: Vectors,
    *,
    candidates: Sequence[int] = K_CANDIDATES,
    sample: int = SILHOUETTE_SAMPLE,
    seed: int = 0,
    previous: int | None = None,
) -> tuple[int, dict[int, float]]:
    """The number of themes with the best mean cosine silhouette on a seeded sample.

    Args:
        vectors: unit vectors, one per row.
        candidates: the k tried (those not below ``n / 5`` and at least 2 are kept).
        sample: at most this many vectors are clustered to measure.
        seed: the sample's and k-means' seed.
        previous: the k of the previous theme set, kept if within :data:`K_TOLERANCE`.

    Returns:
        the k chosen and the silhouette of every k tried.

    Raises:
        ValueError: fewer than 4 vectors (nothing to cluster).
    """
    n = vectors.shape[0]
    if n < 4:
        raise ValueError(f"at least 4 vectors are needed to find themes, got {n}")
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(n, sample, replace=False)) if n > sample else np.arange(n)
    part = vectors[chosen]
    tried = [k for k in candidates if 2 <= k <= max(2, part.shape[0] // 5)] or [2]
    silhouettes: dict[int, float] = {}
    for k in tried:
        labels, _ = _kmeans(part, k, seed=seed)
        if np.unique(labels).size < 2:
            continue
        silhouettes[k] = round(
            float(silhouette_score(part, labels, metric="cosine", random_state=seed)), 4
        )
    if not silhouettes:
        return tried[0], {}
    best = max(silhouettes, key=lambda k: (silhouettes[k], -k))
    if previous in silhouettes and silhouettes[previous] >= silhouettes[best] - K_TOLERANCE:
        best = previous
    return best, silhouettes


_TOKEN = r"(?u)\b[a-zA-Z][a-zA-Z-]+\b"


def distinctive_terms(
    texts: Sequence[str], labels: npt.NDArray[np.int64], k: int, *, top: int = LABEL_TERMS
) -> list[tuple[str, ...]]:
    """Each cluster's most distinctive terms by class-based TF-IDF (c-TF-IDF, as BERTopic).

    A cluster's texts are one document; a term weighs its frequency in the cluster (normalised
    by the cluster's length) times ``log(1 + A / f)``, where ``A`` is the average number of
    words per cluster and ``f`` the term's frequency over all clusters. A bigram hides the
    unigrams inside it.

    Args:
        texts: one text per labelled vector.
        labels: the cluster of each text, in ``range(k)``.
        k: the number of clusters.
        top: terms per cluster.
    """
    documents = [" ".join(texts[int(i)] for i in np.flatnonzero(labels == c)) for c in range(k)]
    if not any(d.strip() for d in documents):
        return [() for _ in range(k)]
    stop = list(ENGLISH_STOP_WORDS | _POOL_STOP_WORDS)
    vectorizer = CountVectorizer(
        ngram_range=(1, 2), stop_words=stop, token_pattern=_TOKEN, lowercase=True, min_df=1
    )
    try:
        counts = vectorizer.fit_transform(documents).toarray().astype(np.float64)
    except ValueError:  # only stop words
        return [() for _ in range(k)]
    vocabulary = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    average = counts.sum() / max(k, 1)
    idf = np.log1p(average / np.maximum(counts.sum(axis=0), 1.0))
    weights = tf * idf
    found: list[tuple[str, ...]] = []
    for c in range(k):
        order = np.argsort(-weights[c], kind="stable")
        terms: list[str] = []
        for j in order:
            if weights[c, j] <= 0 or len(terms) >= top:
                break
            term = str(vocabulary[j])
            if any(term in t.split() or t in term.split() for t in terms):
                continue  # "older people" hides "older" and "people"
            if any(t in (f"{term}s", term.removesuffix("s")) for t in terms):
                continue  # "fall" beside "falls"
            terms.append(term)
        found.append(tuple(terms))
    return found


def match_previous(
    centroids: Vectors, previous: Sequence[Theme], *, keep: float = KEEP_SIMILARITY
) -> dict[int, Theme]:
    """Which new clusters are previous themes: a one-to-one assignment maximising cosine
    similarity (Hungarian), keeping only pairs at least ``keep`` similar.

    Returns:
        new cluster index → the previous theme it continues.
    """
    if not previous or centroids.shape[0] == 0:
        return {}
    old = np.stack([t.centroid for t in previous]).astype(np.float32)
    if old.shape[1] != centroids.shape[1]:
        return {}  # another model: nothing carries over
    similarity = centroids @ old.T
    rows, cols = linear_sum_assignment(-similarity)
    return {
        int(r): previous[int(c)]
        for r, c in zip(rows, cols, strict=True)
        if similarity[r, c] >= keep
    }


def _next_ids(used: set[str], count: int) -> list[str]:
    numbers = [int(i[1:]) for i in used if re.fullmatch(r"T\d+", i)]
    start = max(numbers, default=0) + 1
    return [f"T{n:02d}" for n in range(start, start + count)]


def build_themes(
    vectors: Vectors,
    texts: Sequence[str],
    *,
    previous: Sequence[Theme] = (),
    candidates: Sequence[int] = K_CANDIDATES,
    k: int | None = None,
    seed: int = 0,
    retired: Sequence[str] = (),
) -> ThemeSet:
    """Themes of ``vectors`` (one text each, for the labels), continuing ``previous``.

    Args:
        vectors: unit vectors (items of the pool), one per row.
        texts: the text of each vector.
        previous: the last theme set (its ids and labels carry over where a theme barely moved).
        candidates: k to choose from by silhouette (ignored when ``k`` is given).
        k: a fixed number of themes.
        seed: k-means' and the sample's seed.
        retired: ids used before and never to be given to another theme.

    Raises:
        ValueError: fewer than 4 vectors, or not one text per vector.
    """
    if len(texts) != vectors.shape[0]:
        raise ValueError(f"{vectors.shape[0]} vectors but {len(texts)} texts")
    units = _unit(np.asarray(vectors, dtype=np.float32))
    previous_k = len(previous) or None
    silhouettes: dict[int, float] = {}
    if k is None:
        k, silhouettes = choose_k(units, candidates=candidates, seed=seed, previous=previous_k)
    if k > units.shape[0]:
        raise ValueError(f"k={k} is more than the {units.shape[0]} vectors")
    init = None
    if previous and k == previous_k and previous[0].centroid.shape[0] == units.shape[1]:
        init = np.stack([t.centroid for t in previous]).astype(np.float32)
    labels, centroids = _kmeans(units, k, seed=seed, init=init)
    carried = match_previous(centroids, previous)
    terms = distinctive_terms(texts, labels, k)
    fresh = iter(_next_ids({t.id for t in previous} | set(retired), k))
    themes = []
    for c in range(k):
        size = int((labels == c).sum())
        old = carried.get(c)
        if old is not None:
            themes.append(Theme(old.id, old.label, old.terms, size, centroids[c]))
        else:
            label = " · ".join(terms[c]) or "(no distinctive terms)"
            themes.append(Theme(next(fresh), label, terms[c], size, centroids[c]))
    return ThemeSet(
        themes=tuple(themes),
        labels=labels,
        silhouettes=silhouettes,
        k=k,
        kept=tuple(sorted(t.id for t in carried.values())),
    )


@dataclass(frozen=True, slots=True)
class ThemeAssignment:
    """A vector's nearest theme: its id and the cosine similarity to the theme's centroid."""

    theme_id: str
    similarity: float


def assign_themes(
    vectors: Vectors,
    themes: Sequence[Theme],
    *,
    top: int = 1,
    min_similarity: float | None = None,
) -> list[tuple[ThemeAssignment, ...]]:
    """The nearest theme(s) of each vector (a brief, a profile's mean vector, a search).

    Args:
        vectors: unit vectors, shape (n, d) (a single vector of shape (d,) is one row).
        themes: the theme set to assign to.
        top: themes per vector, nearest first.
        min_similarity: leave out themes less similar than this (the nearest is always kept).

    Returns:
        one tuple per vector, nearest first (empty when there are no themes).
    """
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    if not themes or matrix.shape[0] == 0:
        return [() for _ in range(matrix.shape[0])]
    centroids = np.stack([t.centroid for t in themes]).astype(np.float32)
    similarity = _unit(matrix) @ centroids.T
    order = np.argsort(-similarity, axis=1, kind="stable")[:, : max(1, top)]
    found: list[tuple[ThemeAssignment, ...]] = []
    for row, chosen in enumerate(order):
        picks = [
            ThemeAssignment(themes[int(c)].id, round(float(similarity[row, c]), 4))
            for i, c in enumerate(chosen)
            if i == 0 or min_similarity is None or similarity[row, c] >= min_similarity
        ]
        found.append(tuple(picks))
    return found
