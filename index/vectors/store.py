"""The FAISS vector index: one vector per evidence chunk, versioned on disk, swapped atomically.

Layout under the index root::

    root/
      CURRENT -> v000007          symlink, replaced atomically with os.replace
      v000007/
        manifest.json             what built it (see index.vectors.manifest)
        index.faiss               IndexIDMap2 over an exact inner-product index
        vectors.npy               the same vectors in FAISS row order (exact re-scoring)
        rows.npz                  row → vector id, row → item
        catalogue.json            items (id, profile) and profiles (filter fields), by index

A version is written to a temporary directory and renamed into place before ``CURRENT`` moves,
so a failed or interrupted build never changes what is served. The index is derived data: the
catalogue is the truth, and :meth:`IndexStore.sync` brings the index up to the catalogue's
version, re-using cached embeddings and embedding only texts never seen before.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import threadpoolctl

from index.db.catalogue import Catalogue, ChunkRow, ProfileMeta
from index.encoders.base import Encoder
from index.vectors.manifest import Manifest
from matcher.errors import IndexUnavailableError
from matcher.model import ProfileKind

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
KEEP_VERSIONS = 2
EXACT_INDEX_TYPE = "IDMap2,Flat(IP)"
IVF_INDEX_TYPE = "IVF{nlist},SQ8(IP)"
#: An approximate index whose codes are scalar-quantised is asked for this many times the rows
#: wanted, and those are re-scored from a float16 copy of the vectors held in memory (within
#: ~1e-4 of float32, against ~1e-3 for the 8-bit codes): codes and copy together take 0.75 of
#: the memory of IVF-Flat's float copy. Recall is measured after the re-scoring.
REFINE = 2
#: The float16 copy of a quantised version's vectors, which a snapshot re-scores from.
FLOAT16_FILE = "vectors.f16.npy"


#: A sync that finds the catalogue changed under it starts again, this many times in all.
SYNC_ATTEMPTS = 5


class CatalogueChangedError(IndexUnavailableError):
    """The catalogue changed while a sync was reading it (another write replaced chunks); a
    sync that keeps meeting it gives up, and the index catches up at the next sync (503)."""


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
    """A FAISS index with its description, parameters and measured recall."""

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
    themselves."""
    n, dimension = vectors.shape
    nlist = max(16, int(4 * np.sqrt(n)))
    rng = np.random.default_rng(policy.seed)
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    train = vectors[rng.choice(n, size=min(n, 64 * nlist), replace=False)]
    index.cp.seed = policy.seed
    index.train(np.ascontiguousarray(train, dtype=np.float32))
    index.add_with_ids(vectors, ids)
    params, recall = tune_nprobe(index, vectors, ids, policy)
    return BuiltIndex(
        index,
        IVF_INDEX_TYPE.format(nlist=nlist),
        {"nlist": nlist, "trained_on": n, **params},
        recall,
    )


def tune_nprobe(
    index: Any, vectors: npt.NDArray[np.float32], ids: npt.NDArray[np.int64], policy: IndexPolicy
) -> tuple[dict[str, int], float]:
    """The smallest power-of-two nprobe whose measured recall reaches the target.

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
    """A seeded sample of stored vectors, each perturbed by noise of norm ``policy.noise``."""
    rng = np.random.default_rng(policy.seed + 1)
    size = min(policy.sample_queries, vectors.shape[0])
    sample = np.asarray(vectors[rng.choice(vectors.shape[0], size=size, replace=False)], np.float64)
    noise = rng.normal(size=sample.shape)
    noise *= policy.noise / np.linalg.norm(noise, axis=1, keepdims=True)
    moved = sample + noise
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    return np.ascontiguousarray(moved, dtype=np.float32)


def limit_search_threads(threads: int) -> None:
    """Threads of BLAS (numpy) and of FAISS's OpenMP for everything after this call.

    The search path makes small calls (one query against a few thousand vectors): extra
    threads there only spin and fight the encoder and the server's other requests for the same
    cores. On a loaded 2-core machine a 2,500×384 product took 16 ms with OpenBLAS's default
    threads and 0.9 ms with one. Index builds raise FAISS's threads for their own duration
    (:func:`build_threads`).
    """
    threadpoolctl.threadpool_limits(limits=threads, user_api="blas")
    faiss.omp_set_num_threads(threads)


@contextlib.contextmanager
def build_threads() -> Iterator[None]:
    """All cores for FAISS while an index is trained and tuned, then back to what it was."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _ivf_of(index: Any) -> Any:
    """The IVF part of an index, or ``None`` for a flat one."""
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None


def is_quantised(index: Any) -> bool:
    """Whether the index's codes are lossy (its own similarities are not exact)."""
    ivf = _ivf_of(index)
    return ivf is not None and not isinstance(faiss.downcast_index(ivf), faiss.IndexIVFFlat)


def configure(index: Any, manifest: Manifest) -> None:
    """Apply the search-time parameters recorded in the manifest."""
    if "nprobe" in manifest.index_params:
        faiss.extract_index_ivf(index).nprobe = manifest.index_params["nprobe"]


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a sync did."""

    version: int
    rebuilt: bool
    reason: str
    embedded: int
    reused: int
    added: int
    removed: int
    vector_count: int

    def summary(self) -> str:
        """One line for people."""
        if not self.added and not self.removed and not self.rebuilt:
            return f"index v{self.version} is up to date ({self.vector_count} vectors)"
        how = f"rebuilt ({self.reason})" if self.rebuilt else "updated"
        return (
            f"index v{self.version} {how}: {self.vector_count} vectors; {self.added} added, "
            f"{self.removed} removed; {self.embedded} texts embedded, {self.reused} from cache"
        )


@dataclass(frozen=True, slots=True)
class FieldCodes:
    """A text field of every profile as integer codes, for vectorised filtering."""

    array: npt.NDArray[np.int64]
    codes: dict[str, int]

    @classmethod
    def of(cls, values: Sequence[str]) -> FieldCodes:
        """Code ``values`` (one per profile) in order of first appearance."""
        codes: dict[str, int] = {}
        array = np.fromiter(
            (codes.setdefault(v, len(codes)) for v in values), np.int64, len(values)
        )
        return cls(array, codes)

    def lookup(self, values: Iterable[str]) -> npt.NDArray[np.int64]:
        """Codes of the given values; values no profile has are dropped."""
        return np.array([self.codes[v] for v in values if v in self.codes], dtype=np.int64)


class IndexSnapshot:
    """One loaded index version: FAISS plus the arrays that map rows to items and profiles."""

    def __init__(
        self,
        *,
        manifest: Manifest,
        index: Any,
        vectors: npt.NDArray[np.float32],
        row_ids: npt.NDArray[np.int64],
        row_items: npt.NDArray[np.int64],
        item_ids: list[str],
        item_profiles: npt.NDArray[np.int64],
        profiles: list[ProfileMeta],
        path: Path | None = None,
    ) -> None:
        self.manifest = manifest
        self.index = index
        self.vectors = vectors
        self.row_ids = row_ids
        self.row_items = row_items
        self.item_ids = item_ids
        self.item_profiles = item_profiles
        self.profiles = profiles
        self.path = path
        self.profile_index = {p.id: i for i, p in enumerate(profiles)}
        self.row_profiles = item_profiles[row_items] if row_items.size else np.empty(0, np.int64)
        self._id_order = np.argsort(row_ids, kind="stable")
        self._sorted_ids = row_ids[self._id_order]
        self._rows_by_profile = np.argsort(self.row_profiles, kind="stable")
        counts = np.bincount(self.row_profiles, minlength=len(profiles))
        self._profile_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.field_codes = {
            name: FieldCodes.of([getattr(p, name) for p in profiles])
            for name in ("organisation_id", "region", "unit")
        }
        self.kind_codes = np.array(
            [list(ProfileKind).index(p.kind) for p in profiles], dtype=np.int64
        )
        self.consent = np.array([p.consent for p in profiles], dtype=bool)
        self._kind_selectors: dict[int, Any] = {}
        self._refine = REFINE if is_quantised(index) else 1
        # A quantised index re-scores from a float16 copy held in memory: half the bytes of the
        # float32 file, and no pages of that file mapped into the process by the random rows a
        # search reads (those filled the page table with all of vectors.npy after ~100 searches
        # at 1M chunks). Similarities differ from float32 ones by about 1e-5 (at most ~1e-4).
        self._scoring: npt.NDArray[np.float16] | None = (
            _float16_copy(vectors, path) if self._refine > 1 else None
        )
        # items with at least one vector, per profile (what full scoring aggregates over)
        self.item_counts = np.bincount(
            item_profiles[np.unique(row_items)] if row_items.size else np.empty(0, np.int64),
            minlength=len(profiles),
        ).astype(np.int64)

    @property
    def size(self) -> int:
        """Number of vectors."""
        return int(self.row_ids.size)

    def rows_for_ids(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """FAISS ids → row numbers (ids must be present)."""
        positions = np.searchsorted(self._sorted_ids, ids)
        return self._id_order[positions].astype(np.int64)

    def rows_for_profiles(self, profile_indices: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """All rows of the given profiles, concatenated."""
        if profile_indices.size == 0:
            return np.empty(0, np.int64)
        starts = self._profile_offsets[profile_indices]
        counts = self._profile_offsets[profile_indices + 1] - starts
        total = int(counts.sum())
        # positions = starts[i] + 0..counts[i]-1 for every profile, without a Python loop
        shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        rows: npt.NDArray[np.int64] = self._rows_by_profile[np.arange(total) + shift]
        return rows.astype(np.int64)

    def search(
        self, query: npt.NDArray[np.float32], k: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The k nearest rows to ``query`` (shape (d,)), best first."""
        k = min(k, self.size)
        if k <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        _, ids = self.index.search(query.reshape(1, -1), min(k * self._refine, self.size))
        return self._found(query, ids[0], k)

    def _found(
        self,
        query: npt.NDArray[np.float32],
        ids: npt.NDArray[np.int64],
        k: int,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """FAISS's answer as rows and similarities, best first, cut to ``k``. The similarities
        are always :meth:`similarities` (a quantised index's own are approximate, and FAISS's
        kernels round differently from numpy's in the last bit, which would break exact ties
        differently from full scoring)."""
        keep = ids >= 0
        rows = self.rows_for_ids(ids[keep].astype(np.int64))
        exact = self.similarities(query, rows)
        best = np.argsort(-exact, kind="stable")[:k]
        return rows[best], exact[best]

    def search_kind(
        self, query: npt.NDArray[np.float32], k: int, kind_code: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The k nearest rows to ``query`` among the rows of one kind of profile, best first,
        with their similarities.

        FAISS skips the other kinds' vectors (an ID selector), so a kind that is rare near the
        brief gets its candidates without scoring all its profiles.
        """
        selector = self._kind_selectors.get(kind_code)
        if selector is None:
            of_kind = self.kind_codes[self.row_profiles] == kind_code
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(self.row_ids[of_kind]))
            self._kind_selectors[kind_code] = selector
        k = min(k, self.size)
        if k <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        ivf = _ivf_of(self.index)
        params: Any = faiss.SearchParametersIVF() if ivf is not None else faiss.SearchParameters()
        params.sel = selector
        if ivf is not None:
            params.nprobe = ivf.nprobe
        _, ids = self.index.search(
            query.reshape(1, -1), min(k * self._refine, self.size), params=params
        )
        return self._found(query, ids[0], k)

    def similarities(
        self, query: npt.NDArray[np.float32], rows: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float32]:
        """Inner products between ``query`` and the vectors of ``rows``: exact (float32) over
        an exact index, from the float16 copy over a quantised one."""
        if rows.size == 0:
            return np.empty(0, np.float32)
        if self._scoring is not None:
            return np.asarray(self._scoring[rows].astype(np.float32) @ query, dtype=np.float32)
        return np.asarray(self.vectors[rows] @ query, dtype=np.float32)


def _float16_copy(
    vectors: npt.NDArray[np.float32], directory: Path | None, *, rows_per_step: int = 65_536
) -> npt.NDArray[np.float16]:
    """``vectors`` as float16 in memory: the version's ready-made copy when it has one, else
    converted (a version written before the copy existed, or a snapshot made in memory)."""
    if directory is not None and (directory / FLOAT16_FILE).is_file():
        ready = np.load(directory / FLOAT16_FILE)
        if ready.shape == vectors.shape and ready.dtype == np.float16:
            return np.asarray(ready, dtype=np.float16)
        logger.warning("%s does not match vectors.npy; converting again", directory / FLOAT16_FILE)
    copy = np.empty(vectors.shape, dtype=np.float16)
    for start in range(0, vectors.shape[0], rows_per_step):
        copy[start : start + rows_per_step] = vectors[start : start + rows_per_step]
    return copy


def _library_versions() -> dict[str, str]:
    versions = {"faiss": str(faiss.__version__), "numpy": np.__version__}
    for name in ("sentence-transformers", "torch"):
        with contextlib.suppress(importlib_metadata.PackageNotFoundError):
            versions[name] = importlib_metadata.version(name)
    return versions


def new_exact_index(dimension: int) -> Any:
    """The default index: exact inner product, with our own int64 ids."""
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, write: Callable[[Any], None]) -> None:
    with path.open("wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


class IndexStore:
    """The versions of the index under one root directory.

    Args:
        root: the directory that holds the versions and the ``CURRENT`` link.
    """

    def __init__(self, root: Path, *, policy: IndexPolicy | None = None) -> None:
        self.root = root
        self.policy = policy or IndexPolicy()
        self.root.mkdir(parents=True, exist_ok=True)
        self._last: IndexSnapshot | None = None

    # ------------------------------------------------------------------ reading
    def current_dir(self) -> Path | None:
        """The directory ``CURRENT`` points to, if any."""
        link = self.root / CURRENT
        if not link.is_symlink() and not link.exists():
            return None
        target = self.root / os.readlink(link)
        return target if target.is_dir() else None

    def current_manifest(self) -> Manifest | None:
        """The manifest of the current version, or None when there is none or it is unreadable."""
        directory = self.current_dir()
        if directory is None:
            return None
        try:
            return Manifest.read(directory)
        except ValueError:
            return None

    def load(self, *, reuse: bool = True) -> IndexSnapshot:
        """Load the current version into memory.

        A version never changes once published, so the snapshot last loaded is handed out
        again while it is current (a server's start-up check and its first search share one
        load). Pass ``reuse=False`` for a private copy that may be modified.

        Raises:
            IndexUnavailableError: no index has been built, or its files are unreadable.
        """
        directory = self.current_dir()
        if directory is None:
            raise IndexUnavailableError("no index has been built yet; run 'matcher build'")
        last = self._last
        if reuse and last is not None and last.path == directory:
            return last
        try:
            snapshot = _load_snapshot(directory)
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            raise IndexUnavailableError(
                f"the index in {directory} is unreadable: {error}"
            ) from error
        if reuse:
            self._last = snapshot
        return snapshot

    # ------------------------------------------------------------------ checking
    def problem(self, catalogue: Catalogue, encoder: Encoder) -> str | None:
        """Why the current index does not match the catalogue and model, or None if it does."""
        manifest = self.current_manifest()
        if manifest is None:
            return "no readable index"
        if manifest.model_id != encoder.model_id:
            return f"built with model {manifest.model_id}, the encoder is {encoder.model_id}"
        if manifest.encoder != encoder.encoder_name:
            return (
                f"built by the {manifest.encoder} encoder, the service runs {encoder.encoder_name}"
            )
        if manifest.catalogue_version != catalogue.version:
            return (
                f"built from catalogue version {manifest.catalogue_version}, "
                f"the catalogue is at {catalogue.version}"
            )
        return None

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with (self.root / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def sync(
        self,
        catalogue: Catalogue,
        encoder: Encoder,
        *,
        force_rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        """Bring the index up to the catalogue: embed new texts (cache first), drop vectors of
        deleted chunks, add new ones, write a new version and swap it in.

        Nothing changes on disk when the index already matches. When the old index cannot be
        used (none, unreadable, another model) it is rebuilt from the catalogue and the cache.

        Args:
            catalogue: the source of truth.
            encoder: embeds texts that have no cached vector.
            force_rebuild: ignore the current index and build from scratch.
            progress: called as ``progress(done, total)`` while texts are embedded.
        """
        with self._locked():
            for _attempt in range(SYNC_ATTEMPTS - 1):
                try:
                    return self._sync(
                        catalogue, encoder, force_rebuild=force_rebuild, progress=progress
                    )
                except CatalogueChangedError:
                    logger.info("the catalogue changed during a sync; syncing again")
            return self._sync(catalogue, encoder, force_rebuild=force_rebuild, progress=progress)

    def _sync(
        self,
        catalogue: Catalogue,
        encoder: Encoder,
        *,
        force_rebuild: bool,
        progress: Callable[[int, int], None] | None,
    ) -> SyncReport:
        catalogue_version = catalogue.version
        reason = "forced" if force_rebuild else self.problem(catalogue, encoder)
        manifest = self.current_manifest()
        previous: IndexSnapshot | None = None
        if not force_rebuild and manifest is not None and manifest.model_id == encoder.model_id:
            try:  # a copy of its own when the index is to be changed in place
                previous = self.load(reuse=reason is None)
            except IndexUnavailableError as error:
                reason = str(error)
        if reason is None and previous is not None:
            return SyncReport(previous.manifest.version, False, "", 0, 0, 0, 0, previous.size)

        # one snapshot: a profile written or erased meanwhile is in all three or in none
        catalogue_version, rows, profiles = catalogue.index_source()
        wanted = {row.id: row for row in rows}
        old_ids = previous.row_ids if previous is not None else np.empty(0, np.int64)
        keep_mask = np.isin(old_ids, np.fromiter(wanted, dtype=np.int64, count=len(wanted)))
        stale = old_ids[~keep_mask]
        present = set(old_ids[keep_mask].tolist())
        new_rows = [row for row in rows if row.id not in present]
        new_vectors, embedded, reused = self._vectors_for(catalogue, encoder, new_rows, progress)

        dimension = encoder.dimension
        if previous is not None:
            kept_vectors = np.asarray(previous.vectors[keep_mask], dtype=np.float32)
            kept_ids = old_ids[keep_mask]
        else:
            kept_vectors = np.empty((0, dimension), np.float32)
            kept_ids = np.empty(0, np.int64)
        new_ids = np.array([row.id for row in new_rows], dtype=np.int64)
        row_ids = np.concatenate([kept_ids, new_ids]).astype(np.int64)
        vectors = np.ascontiguousarray(np.vstack([kept_vectors, new_vectors]), dtype=np.float32)
        with build_threads():
            built = self._index_for(
                previous, stale, new_vectors, new_ids, vectors, row_ids, dimension
            )

        ordered = [wanted[int(i)] for i in row_ids]
        version = (manifest.version + 1) if manifest is not None else 1
        new_manifest = Manifest(
            version=version,
            model_id=encoder.model_id,
            encoder=encoder.encoder_name,
            dimension=dimension,
            metric="inner_product",
            index_type=built.index_type,
            index_params=built.params,
            recall_at_k=built.recall,
            recall_k=self.policy.recall_k,
            vector_count=int(row_ids.size),
            profile_count=len({row.profile_id for row in rows}),
            catalogue_version=catalogue_version,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            libraries=_library_versions(),
        )
        self._publish(new_manifest, built.index, vectors, ordered, profiles)
        return SyncReport(
            version=version,
            rebuilt=previous is None,
            reason=reason or "",
            embedded=embedded,
            reused=reused,
            added=int(new_ids.size),
            removed=int(stale.size),
            vector_count=int(row_ids.size),
        )

    def _index_for(
        self,
        previous: IndexSnapshot | None,
        stale: npt.NDArray[np.int64],
        new_vectors: npt.NDArray[np.float32],
        new_ids: npt.NDArray[np.int64],
        vectors: npt.NDArray[np.float32],
        row_ids: npt.NDArray[np.int64],
        dimension: int,
    ) -> BuiltIndex:
        """The index for the new version: exact while small, else IVF tuned to the target
        recall. An index of the same type is updated in place (remove stale ids, add new);
        an IVF index is retrained when the corpus has doubled or halved since training."""
        if row_ids.size <= self.policy.exact_max_vectors:
            if previous is not None and previous.manifest.index_type == EXACT_INDEX_TYPE:
                index = previous.index
                if stale.size:
                    index.remove_ids(stale)
                if new_ids.size:
                    index.add_with_ids(new_vectors, new_ids)
                if np.array_equal(faiss.vector_to_array(index.id_map).astype(np.int64), row_ids):
                    return BuiltIndex(index, EXACT_INDEX_TYPE, {}, 1.0)
                logger.warning("FAISS row order differs from the mapping; rebuilding the index")
            index = new_exact_index(dimension)
            if row_ids.size:
                index.add_with_ids(vectors, row_ids)
            return BuiltIndex(index, EXACT_INDEX_TYPE, {}, 1.0)
        trained_on = previous.manifest.index_params.get("trained_on", 0) if previous else 0
        if (
            previous is not None
            and previous.manifest.index_type.startswith("IVF")
            and trained_on / 2 <= row_ids.size <= trained_on * 2
        ):
            index = previous.index
            if stale.size:
                index.remove_ids(stale)
            if new_ids.size:
                index.add_with_ids(new_vectors, new_ids)
            params, recall = tune_nprobe(index, vectors, row_ids, self.policy)
            kept = {k: v for k, v in previous.manifest.index_params.items() if k != "nprobe"}
            return BuiltIndex(index, previous.manifest.index_type, {**kept, **params}, recall)
        return build_ivf(vectors, row_ids, self.policy)

    @staticmethod
    def _vectors_for(
        catalogue: Catalogue,
        encoder: Encoder,
        rows: Sequence[ChunkRow],
        progress: Callable[[int, int], None] | None,
    ) -> tuple[npt.NDArray[np.float32], int, int]:
        """Vectors for ``rows``: from the cache where present, else embedded and cached."""
        dimension = encoder.dimension
        if not rows:
            return np.empty((0, dimension), np.float32), 0, 0
        hashes = [row.text_hash for row in rows]
        cached = catalogue.cached_vectors(encoder.model_id, hashes)
        missing_hashes: dict[str, int] = {}
        for row in rows:
            if row.text_hash not in cached and row.text_hash not in missing_hashes:
                missing_hashes[row.text_hash] = row.id
        embedded = len(missing_hashes)
        if missing_hashes:
            texts = catalogue.chunk_texts(list(missing_hashes.values()))
            if len(texts) < len(missing_hashes):
                # a concurrent write replaced chunks this sync read a moment ago
                raise CatalogueChangedError("chunks to embed were replaced during the sync")
            todo = [(h, texts[cid]) for h, cid in missing_hashes.items()]
            done = 0
            if progress is not None:
                progress(0, len(todo))
            batch = 256
            for start in range(0, len(todo), batch):
                part = todo[start : start + batch]
                vectors = encoder.encode([text for _, text in part])
                fresh = {h: v for (h, _), v in zip(part, vectors, strict=True)}
                catalogue.cache_vectors(encoder.model_id, fresh, only_in_use=True)
                cached.update(fresh)
                done += len(part)
                if progress is not None:
                    progress(done, len(todo))
        matrix = np.vstack([cached[h] for h in hashes]).astype(np.float32)
        return matrix, embedded, len(rows) - embedded

    def _publish(
        self,
        manifest: Manifest,
        index: Any,
        vectors: npt.NDArray[np.float32],
        rows: Sequence[ChunkRow],
        profiles: Sequence[ProfileMeta],
    ) -> None:
        """Write a version to a temporary directory, rename it into place, move ``CURRENT``."""
        item_keys: dict[tuple[str, str], int] = {}
        row_items = np.empty(len(rows), dtype=np.int64)
        for i, row in enumerate(rows):
            row_items[i] = item_keys.setdefault((row.profile_id, row.item_id), len(item_keys))
        profile_position = {p.id: i for i, p in enumerate(profiles)}
        catalogue_part = {
            "items": [
                [item_id, profile_position[profile_id]] for (profile_id, item_id) in item_keys
            ],
            "profiles": [
                {
                    "id": p.id,
                    "kind": p.kind.value,
                    "organisation_id": p.organisation_id,
                    "region": p.region,
                    "unit": p.unit,
                    "consent": p.consent,
                }
                for p in profiles
            ],
        }
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=self.root))
        try:
            faiss.write_index(index, str(staging / "index.faiss"))
            _write_file(staging / "vectors.npy", lambda h: np.save(h, vectors))
            if is_quantised(index):  # what a snapshot re-scores from, ready to read
                _write_file(
                    staging / FLOAT16_FILE, lambda h: np.save(h, vectors.astype(np.float16))
                )
            _write_file(
                staging / "rows.npz",
                lambda h: np.savez(
                    h, row_ids=np.array([r.id for r in rows], np.int64), row_items=row_items
                ),
            )
            _write_file(
                staging / "catalogue.json", lambda h: h.write(json.dumps(catalogue_part).encode())
            )
            manifest.write(staging)
            final = self.root / f"v{manifest.version:06d}"
            if final.exists():
                shutil.rmtree(final)
            os.rename(staging, final)
            _fsync_dir(self.root)
            link = self.root / f".{CURRENT}.tmp"
            with contextlib.suppress(FileNotFoundError):
                link.unlink()
            os.symlink(final.name, link)
            os.replace(link, self.root / CURRENT)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._collect_garbage(keep=final.name)

    def discard_old_versions(self) -> list[str]:
        """Delete every version but the current one; returns their names. Erasure calls this:
        an older version still holds a deleted profile's vectors and id."""
        current = self.current_dir()
        removed = []
        for old in sorted(p for p in self.root.glob("v[0-9]*") if p.is_dir()):
            if current is None or old.name != current.name:
                shutil.rmtree(old, ignore_errors=True)
                removed.append(old.name)
        return removed

    def _collect_garbage(self, keep: str) -> None:
        versions = sorted(p for p in self.root.glob("v[0-9]*") if p.is_dir())
        for old in versions[:-KEEP_VERSIONS]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)
        for staging in self.root.glob(".build-*"):
            shutil.rmtree(staging, ignore_errors=True)


def _load_snapshot(directory: Path) -> IndexSnapshot:
    manifest = Manifest.read(directory)
    index = faiss.read_index(str(directory / "index.faiss"))
    vectors = np.load(directory / "vectors.npy", mmap_mode="r")
    with np.load(directory / "rows.npz") as arrays:
        row_ids = arrays["row_ids"].astype(np.int64)
        row_items = arrays["row_items"].astype(np.int64)
    part = json.loads((directory / "catalogue.json").read_text())
    item_ids = [item[0] for item in part["items"]]
    item_profiles = np.array([item[1] for item in part["items"]], dtype=np.int64)
    profiles = [
        ProfileMeta(
            id=p["id"],
            kind=ProfileKind(p["kind"]),
            organisation_id=p["organisation_id"],
            region=p["region"],
            unit=p["unit"],
            consent=bool(p["consent"]),
        )
        for p in part["profiles"]
    ]
    if index.ntotal != row_ids.size or vectors.shape[0] != row_ids.size:
        raise ValueError(
            f"index has {index.ntotal} vectors, mapping {row_ids.size}, vectors.npy {vectors.shape[0]}"
        )
    if manifest.vector_count != row_ids.size:
        raise ValueError("manifest vector count differs from the index")
    configure(index, manifest)
    return IndexSnapshot(
        manifest=manifest,
        index=index,
        vectors=vectors,
        row_ids=row_ids,
        row_items=row_items,
        item_ids=item_ids,
        item_profiles=item_profiles,
        profiles=profiles,
        path=directory,
    )
