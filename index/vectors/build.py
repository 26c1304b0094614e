"""Choosing and building the FAISS index of a version: exact while small, IVF-SQ8 above.

Every index is described by one ``faiss.index_factory`` string, which the manifest records
(``index_type``, with the metric in ``metric``) and which rebuilds an empty index of the same
type: :data:`EXACT_INDEX_TYPE` (``IDMap2,Flat``: exact inner product with our own int64 ids) up
to :attr:`IndexPolicy.exact_max_vectors` vectors, above it :data:`IVF_INDEX_TYPE` with the
actual ``nlist`` (8-bit scalar-quantised codes, re-scored from a float16 copy, see
:data:`index.vectors.snapshot.REFINE`), its ``nprobe`` tuned to a measured recall.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from index.vectors.snapshot import REFINE, is_quantised

logger = logging.getLogger(__name__)

#: The factory string of the exact index (the metric is the manifest's ``metric``).
EXACT_INDEX_TYPE = "IDMap2,Flat"
#: The factory string of the approximate index, with its number of lists.
IVF_INDEX_TYPE = "IVF{nlist},SQ8"
#: The metric of every index: inner product over unit vectors (cosine similarity).
METRIC = "inner_product"
#: Manifest metric names → FAISS metrics.
FAISS_METRICS = {"inner_product": faiss.METRIC_INNER_PRODUCT, "l2": faiss.METRIC_L2}


def faiss_metric(metric: str) -> int:
    """The FAISS metric constant of a manifest's metric name.

    Raises:
        ValueError: an unknown name (the valid ones are the keys of :data:`FAISS_METRICS`).
    """
    try:
        return FAISS_METRICS[metric]
    except KeyError:
        raise ValueError(
            f"unknown metric {metric!r}; expected one of {', '.join(FAISS_METRICS)}"
        ) from None


def new_index(dimension: int, index_type: str, metric: str = METRIC) -> Any:
    """An empty index built by ``faiss.index_factory`` from its factory string.

    Args:
        dimension: vector length.
        index_type: a factory string (:data:`EXACT_INDEX_TYPE`, ``IVF_INDEX_TYPE`` formatted).
        metric: a key of :data:`FAISS_METRICS`.
    """
    return faiss.index_factory(dimension, index_type, faiss_metric(metric))


def new_exact_index(dimension: int) -> Any:
    """The default index: exact inner product, with our own int64 ids."""
    return new_index(dimension, EXACT_INDEX_TYPE)


@dataclass(frozen=True, slots=True)
class IndexPolicy:
    """How the index type is chosen.

    Attributes:
        exact_max_vectors: up to this many vectors the index is exact (flat inner product);
            above it an IVF index with 8-bit scalar-quantised codes (re-scored exactly, see
            :data:`REFINE`) whose ``nprobe`` is the smallest that reaches ``target_recall``
            against exact search on a sample of the index's own vectors.
        target_recall: the recall@``recall_k`` an approximate index must reach.
        recall_k: the k of that recall.
        sample_queries: how many stored vectors are used as queries to measure recall.
        noise: the norm of the noise added to each of those vectors (they are unit vectors).
        seed: seed of the sampling and of k-means.
    """

    exact_max_vectors: int = 200_000
    target_recall: float = 0.99
    recall_k: int = 100
    sample_queries: int = 200
    noise: float = 0.5
    seed: int = 0


@dataclass(frozen=True, slots=True)
class BuiltIndex:
    """A FAISS index with its factory string, parameters and measured recall.

    Attributes:
        index: the FAISS index.
        index_type: the ``faiss.index_factory`` string that builds an empty one like it.
        params: ``nlist``, ``nprobe`` and ``trained_on`` of an IVF index (empty for exact).
        recall: recall@k against exact search measured at build time (1.0 when exact).
    """

    index: Any
    index_type: str
    params: dict[str, int]
    recall: float


def measure_recall(
    index: Any,
    vectors: npt.NDArray[np.float32],
    ids: npt.NDArray[np.int64],
    queries: npt.NDArray[np.float32],
    k: int,
    *,
    refine: int = 1,
) -> float:
    """Recall@k of ``index`` against exact inner-product search over ``vectors``; with
    ``refine`` > 1, of the k best after exact re-scoring of the ``refine × k`` it returns (as
    :meth:`IndexSnapshot.search` does for a quantised index)."""
    k = min(k, vectors.shape[0])
    _, exact = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    truth = ids[exact]
    _, found = index.search(queries, min(k * refine, vectors.shape[0]))
    if refine > 1:
        order = np.argsort(ids, kind="stable")
        positions = order[np.searchsorted(ids, found, sorter=order).clip(0, ids.size - 1)]
        exact_sims = np.einsum(
            "qd,qkd->qk",
            queries,
            np.asarray(vectors[positions.ravel()]).reshape(*positions.shape, -1),
        )
        exact_sims[found < 0] = -np.inf
        best = np.argsort(-exact_sims, axis=1, kind="stable")[:, :k]
        found = np.take_along_axis(found, best, axis=1)
    hits = sum(len(set(t.tolist()) & set(f.tolist())) for t, f in zip(truth, found, strict=True))
    return hits / truth.size


def build_ivf(
    vectors: npt.NDArray[np.float32], ids: npt.NDArray[np.int64], policy: IndexPolicy
) -> BuiltIndex:
    """An IVF index with 8-bit scalar-quantised codes over ``vectors``, with the smallest nprobe
    that reaches the target recall (after exact re-scoring) on a seeded sample of the vectors
    themselves.

    It is built by ``faiss.index_factory`` from its factory string, ``IVF{nlist},SQ8`` with
    ``nlist`` = max(16, 4·√n), so that the string recorded in the manifest rebuilds it.

    Args:
        vectors: unit vectors, shape (n, d).
        ids: the chunk id of each vector.
        policy: target recall, sample and seed.
    """
    n, dimension = vectors.shape
    nlist = max(16, int(4 * np.sqrt(n)))
    rng = np.random.default_rng(policy.seed)
    index_type = IVF_INDEX_TYPE.format(nlist=nlist)
    index = new_index(dimension, index_type)
    train = vectors[rng.choice(n, size=min(n, 64 * nlist), replace=False)]
    faiss.extract_index_ivf(index).cp.seed = policy.seed
    index.train(np.ascontiguousarray(train, dtype=np.float32))
    index.add_with_ids(vectors, ids)
    params, recall = tune_nprobe(index, vectors, ids, policy)
    return BuiltIndex(index, index_type, {"nlist": nlist, "trained_on": n, **params}, recall)


def tune_nprobe(
    index: Any, vectors: npt.NDArray[np.float32], ids: npt.NDArray[np.int64], policy: IndexPolicy
) -> tuple[dict[str, int], float]:
    """The smallest power-of-two nprobe whose measured recall reaches the target; returns the
    parameters (``nprobe``) and the recall measured with them.

    The queries are stored vectors moved by random noise (then renormalised), so that they sit
    between stored points as a real brief does, rather than on top of one.
    """
    queries = tuning_queries(vectors, policy)
    refine = REFINE if is_quantised(index) else 1
    nprobe, recall = 1, 0.0
    while True:
        index.nprobe = nprobe
        recall = measure_recall(index, vectors, ids, queries, policy.recall_k, refine=refine)
        if recall >= policy.target_recall or nprobe >= index.nlist:
            return {"nprobe": nprobe}, recall
        nprobe = min(nprobe * 2, index.nlist)


def tuning_queries(
    vectors: npt.NDArray[np.float32], policy: IndexPolicy
) -> npt.NDArray[np.float32]:
    """A seeded sample of stored vectors, each perturbed by noise of norm ``policy.noise`` and
    renormalised (the queries :func:`tune_nprobe` measures recall on)."""
    rng = np.random.default_rng(policy.seed + 1)
    size = min(policy.sample_queries, vectors.shape[0])
    sample = np.asarray(vectors[rng.choice(vectors.shape[0], size=size, replace=False)], np.float64)
    noise = rng.normal(size=sample.shape)
    noise *= policy.noise / np.linalg.norm(noise, axis=1, keepdims=True)
    moved = sample + noise
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    return np.ascontiguousarray(moved, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class IndexChange:
    """The vectors of a new version, and how they differ from the previous version's.

    Attributes:
        vectors: every vector of the new version, in row order (kept ones first).
        row_ids: the chunk id of each of those rows.
        new_vectors: the vectors not in the previous version.
        new_ids: their chunk ids.
        stale: chunk ids of the previous version that the new one drops.
    """

    vectors: npt.NDArray[np.float32]
    row_ids: npt.NDArray[np.int64]
    new_vectors: npt.NDArray[np.float32]
    new_ids: npt.NDArray[np.int64]
    stale: npt.NDArray[np.int64]


def index_for(
    change: IndexChange, policy: IndexPolicy, *, previous: BuiltIndex | None
) -> BuiltIndex:
    """The index for a new version: exact while small, else IVF tuned to the target recall.

    An index of the same type as ``previous`` is updated in place (stale ids removed, new ones
    added); an IVF index is retrained when the corpus has doubled or halved since training.

    Args:
        change: the new version's vectors and their difference from the previous version.
        policy: when to go approximate, and the recall to reach.
        previous: the previous version's index (a private copy: it may be modified), its
            factory string and parameters; ``None`` to build from scratch.
    """
    if change.row_ids.size <= policy.exact_max_vectors:
        return _exact_index_for(change, previous)
    trained_on = previous.params.get("trained_on", 0) if previous is not None else 0
    if (
        previous is not None
        and previous.index_type.startswith("IVF")
        and trained_on / 2 <= change.row_ids.size <= trained_on * 2
    ):
        index = _updated(previous.index, change)
        params, recall = tune_nprobe(index, change.vectors, change.row_ids, policy)
        kept = {k: v for k, v in previous.params.items() if k != "nprobe"}
        return BuiltIndex(index, previous.index_type, {**kept, **params}, recall)
    return build_ivf(change.vectors, change.row_ids, policy)


def _exact_index_for(change: IndexChange, previous: BuiltIndex | None) -> BuiltIndex:
    if previous is not None and previous.index_type == EXACT_INDEX_TYPE:
        index = _updated(previous.index, change)
        if np.array_equal(faiss.vector_to_array(index.id_map).astype(np.int64), change.row_ids):
            return BuiltIndex(index, EXACT_INDEX_TYPE, {}, 1.0)
        logger.warning("FAISS row order differs from the mapping; rebuilding the index")
    index = new_exact_index(change.vectors.shape[1])
    if change.row_ids.size:
        index.add_with_ids(change.vectors, change.row_ids)
    return BuiltIndex(index, EXACT_INDEX_TYPE, {}, 1.0)


def _updated(index: Any, change: IndexChange) -> Any:
    """``index`` with the stale ids removed and the new vectors added."""
    if change.stale.size:
        index.remove_ids(change.stale)
    if change.new_ids.size:
        index.add_with_ids(change.new_vectors, change.new_ids)
    return index


def library_versions() -> dict[str, str]:
    """Versions of the libraries that build an index and its vectors (for the manifest)."""
    versions = {"faiss": str(faiss.__version__), "numpy": np.__version__}
    for name in ("sentence-transformers", "torch"):
        with contextlib.suppress(importlib_metadata.PackageNotFoundError):
            versions[name] = importlib_metadata.version(name)
    return versions
