"""One loaded index version: FAISS plus the arrays that map rows to items and profiles.

A version directory holds the files :func:`write_version` writes and :func:`load_snapshot`
reads (the layout is drawn in :mod:`index.vectors.store`). A snapshot never changes once
loaded; searches over a quantised index re-score what FAISS found from a float16 copy of the
vectors (:data:`REFINE`, :data:`FLOAT16_FILE`). A served snapshot maps the index and that copy
from the files, shared by every process serving the version (``load_snapshot(shared=True)``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import orjson

from index.db.catalogue import ChunkRow, ProfileMeta
from index.vectors.manifest import Manifest
from matcher.model import ProfileKind

logger = logging.getLogger(__name__)

#: An approximate index whose codes are scalar-quantised is asked for this many times the rows
#: wanted, and those are re-scored from a float16 copy of the vectors held in memory (within
#: ~1e-4 of float32, against ~1e-3 for the 8-bit codes): codes and copy together take 0.75 of
#: the memory of IVF-Flat's float copy. Recall is measured after the re-scoring.
REFINE = 2
#: The FAISS index.
INDEX_FILE = "index.faiss"
#: The float32 vectors in FAISS row order (exact re-scoring over an exact index).
VECTORS_FILE = "vectors.npy"
#: The float16 copy of a quantised version's vectors, which a snapshot re-scores from.
FLOAT16_FILE = "vectors.f16.npy"
#: Row → vector id and row → item.
ROWS_FILE = "rows.npz"
#: Items (id, profile) and profiles (filter fields), by index.
CATALOGUE_FILE = "catalogue.json"
#: The vectors of the generic briefs the version's calibration was measured with (a later
#: sync reuses them instead of embedding the briefs again); absent in older versions.
BRIEFS_FILE = "briefs.npy"


def ivf_of(index: Any) -> Any:
    """The IVF part of an index, or ``None`` for a flat one."""
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None


def is_quantised(index: Any) -> bool:
    """Whether the index's codes are lossy (its own similarities are not exact)."""
    ivf = ivf_of(index)
    return ivf is not None and not isinstance(faiss.downcast_index(ivf), faiss.IndexIVFFlat)


def configure(index: Any, manifest: Manifest) -> None:
    """Apply the search-time parameters recorded in the manifest (``nprobe``)."""
    if "nprobe" in manifest.index_params:
        faiss.extract_index_ivf(index).nprobe = manifest.index_params["nprobe"]


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
    """One loaded index version: FAISS plus the arrays that map rows to items and profiles.

    Args:
        manifest: what built the version.
        index: the FAISS index (ids are chunk ids).
        vectors: the float32 vectors in FAISS row order.
        row_ids: row → chunk id.
        row_items: row → item (a position in ``item_ids``).
        item_ids: item ids, by position.
        item_profiles: item → profile (a position in ``profiles``).
        profiles: the filter fields of every profile, by position.
        path: the version directory it was read from (``None`` for one made in memory).
        brief_vectors: the vectors of the calibration's generic briefs, if the version kept
            them.
        shared: the index and the float16 copy are memory-mapped from the version's files
            (read-only), so that every process serving the version shares one copy in the page
            cache (see :func:`load_snapshot`); the snapshot must then never be modified.
    """

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
        brief_vectors: npt.NDArray[np.float32] | None = None,
        shared: bool = False,
    ) -> None:
        self.manifest = manifest
        self.shared = shared
        self.brief_vectors = brief_vectors
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
        # rows of each kind, ascending (per-kind selection from one scan of an exact index)
        row_kinds = self.kind_codes[self.row_profiles] if row_items.size else np.empty(0, np.int64)
        self.kind_rows = {
            code: np.flatnonzero(row_kinds == code).astype(np.int64)
            for code in range(len(ProfileKind))
        }
        self._refine = REFINE if is_quantised(index) else 1
        # A quantised index re-scores from a float16 copy: half the bytes of the float32 file
        # (whose pages the random rows of searches would otherwise map, all of vectors.npy after
        # ~100 searches at 1M chunks), held in memory, or mapped from its own file when shared
        # (one page-cache copy for all workers). Similarities differ from float32 ones by about
        # 1e-5 (at most ~1e-4).
        self._scoring: npt.NDArray[np.float16] | None = (
            float16_copy(vectors, path, mapped=shared) if self._refine > 1 else None
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
        ivf = ivf_of(self.index)
        params: Any = faiss.SearchParametersIVF() if ivf is not None else faiss.SearchParameters()
        params.sel = selector
        if ivf is not None:
            params.nprobe = ivf.nprobe
        _, ids = self.index.search(
            query.reshape(1, -1), min(k * self._refine, self.size), params=params
        )
        return self._found(query, ids[0], k)

    @property
    def exact(self) -> bool:
        """Whether the index is flat (exact inner product over every vector)."""
        return ivf_of(self.index) is None

    def nearest(self, queries: npt.NDArray[np.float32], k: int) -> list[Nearest]:
        """For each of ``queries`` (shape (n, d)), its nearest rows: the ``k`` best over the
        whole index at once, and more of one kind on demand (:class:`Nearest`).

        One call for all the queries: over an exact index one matrix product gives every
        row's similarity to every query (a kind's nearest rows are then selected from it,
        never scanned for again); over an IVF index one FAISS search gives each query's ``k``
        nearest (a kind's are searched with an ID selector, which visits the probed lists
        only).
        """
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.vectors.shape[1])
        k = min(k, self.size)
        if self.size == 0 or k <= 0:
            return [Nearest(self, q, None, None) for q in queries]
        if self.exact:
            every = self._flat_vectors() @ queries.T  # (rows, queries)
            return [
                Nearest(self, q, np.ascontiguousarray(every[:, i]), None)
                for i, q in enumerate(queries)
            ]
        _, ids = self.index.search(queries, min(k * self._refine, self.size))
        return [
            Nearest(self, q, None, (k, self._found(q, ids[i], k))) for i, q in enumerate(queries)
        ]

    def _flat_vectors(self) -> npt.NDArray[np.float32]:
        """The vectors of a flat index as FAISS holds them (a view, no copy; the same values
        as ``vectors.npy``, in row order)."""
        flat: Any = faiss.downcast_index(
            self.index.index if hasattr(self.index, "id_map") else self.index
        )
        size = flat.ntotal * flat.d
        view: npt.NDArray[np.float32] = faiss.rev_swig_ptr(flat.get_xb(), size)
        return view.reshape(flat.ntotal, flat.d)

    def top_of(
        self,
        query: npt.NDArray[np.float32],
        similarities: npt.NDArray[np.float32],
        rows: npt.NDArray[np.int64] | None,
        k: int,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The ``k`` best of ``rows`` (every row when ``None``) by ``similarities`` (one per
        row of the index), as :meth:`search` gives them: exact similarities, best first."""
        candidates = similarities if rows is None else similarities[rows]
        k = min(k, candidates.size)
        if k <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        if k < candidates.size:
            # a margin over the k-th, so that rounding of the full product never drops a row
            # whose exact similarity ties the k-th
            kth = np.partition(candidates, candidates.size - k)[candidates.size - k]
            chosen = np.flatnonzero(candidates >= kth - 1e-5)
        else:
            chosen = np.arange(candidates.size)
        found = chosen.astype(np.int64) if rows is None else rows[chosen]
        exact = self.similarities(query, found)
        best = np.lexsort((found, -exact))[:k]
        return found[best], exact[best]

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


class Nearest:
    """One query's nearest rows in one snapshot (made by :meth:`IndexSnapshot.nearest`).

    Over an exact index it holds every row's similarity to the query, from the one product
    that made it: :meth:`first` and :meth:`of_kind` select from it and never scan the vectors
    again. Over an IVF index it holds the first search's answer; :meth:`of_kind` searches the
    kind's vectors only (an ID selector over the probed lists).
    """

    def __init__(
        self,
        snap: IndexSnapshot,
        query: npt.NDArray[np.float32],
        every: npt.NDArray[np.float32] | None,
        first: tuple[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]] | None,
    ) -> None:
        self.snap = snap
        self.query = query
        self._every = every
        self._first = first

    def first(self, k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The ``k`` nearest rows of any kind, best first, with exact similarities."""
        if self._every is not None:
            return self.snap.top_of(self.query, self._every, None, k)
        if self._first is not None and self._first[0] == min(k, self.snap.size):
            return self._first[1]
        return self.snap.search(self.query, k)

    def of_kind(
        self, k: int, kind_code: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The ``k`` nearest rows of one kind of profile, best first (fewer when the kind has
        fewer rows)."""
        if self._every is not None:
            return self.snap.top_of(self.query, self._every, self.snap.kind_rows[kind_code], k)
        return self.snap.search_kind(self.query, k, kind_code)


def float16_copy(
    vectors: npt.NDArray[np.float32],
    directory: Path | None,
    *,
    mapped: bool = False,
    rows_per_step: int = 65_536,
) -> npt.NDArray[np.float16]:
    """``vectors`` as float16: the version's ready-made copy when it has one (read into memory,
    or memory-mapped read-only when ``mapped``), else converted in memory (a version written
    before the copy existed, or a snapshot made in memory).

    Args:
        vectors: the version's float32 vectors (possibly memory-mapped).
        directory: the version directory holding :data:`FLOAT16_FILE`, if any.
        mapped: map the ready-made copy instead of reading it (shared between processes).
        rows_per_step: rows converted at a time (bounds the float32 pages touched at once).
    """
    if directory is not None and (directory / FLOAT16_FILE).is_file():
        ready = np.load(directory / FLOAT16_FILE, mmap_mode="r" if mapped else None)
        if ready.shape == vectors.shape and ready.dtype == np.float16:
            return ready if mapped else np.asarray(ready, dtype=np.float16)
        logger.warning("%s does not match vectors.npy; converting again", directory / FLOAT16_FILE)
    copy = np.empty(vectors.shape, dtype=np.float16)
    for start in range(0, vectors.shape[0], rows_per_step):
        copy[start : start + rows_per_step] = vectors[start : start + rows_per_step]
    return copy


def profiles_of_part(part: Mapping[str, Any]) -> list[ProfileMeta]:
    """The profiles of a version's catalogue part (``catalogue.json``), in index order."""
    return [
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


def load_snapshot(directory: Path, *, shared: bool = False) -> IndexSnapshot:
    """Read one version directory (see :func:`write_version`) into memory.

    The float32 vectors stay memory-mapped; the search-time parameters of the manifest are
    applied to the index. With ``shared``, the FAISS index (its codes and inverted lists) and
    the float16 copy are memory-mapped read-only too (FAISS's ``IO_FLAG_MMAP_IFC``): the pages are
    the kernel's page cache, one copy for every worker process serving the version instead of
    one each, read from disk as searches touch them, and start-up does not read them at all.
    Searches give the same answers either way. A shared snapshot must never be modified:
    FAISS refuses to add to a mapped flat index and aborts the process on a mapped IVF one
    (its lists are views of the file); :meth:`IndexStore.load` hands out a private one for
    that, and :func:`index.vectors.sync.sync` changes only private ones.

    Raises:
        ValueError: the manifest is unreadable, or the files disagree on the vector count.
        OSError, KeyError, RuntimeError: a file is missing or damaged (FAISS raises RuntimeError).
    """
    manifest = Manifest.read(directory)
    flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY if shared else 0
    index = faiss.read_index(str(directory / INDEX_FILE), flags)
    vectors = np.load(directory / VECTORS_FILE, mmap_mode="r")
    with np.load(directory / ROWS_FILE) as arrays:
        row_ids = arrays["row_ids"].astype(np.int64)
        row_items = arrays["row_items"].astype(np.int64)
    # orjson: the part of a national pool is hundreds of MB, read at every start (the standard
    # library for what orjson refuses, such as an escaped lone surrogate in an id)
    raw = (directory / CATALOGUE_FILE).read_bytes()
    try:
        part = orjson.loads(raw)
    except orjson.JSONDecodeError:
        part = json.loads(raw)
    item_ids = [item[0] for item in part["items"]]
    item_profiles = np.array([item[1] for item in part["items"]], dtype=np.int64)
    profiles = profiles_of_part(part)
    if index.ntotal != row_ids.size or vectors.shape[0] != row_ids.size:
        raise ValueError(
            f"index has {index.ntotal} vectors, mapping {row_ids.size}, vectors.npy {vectors.shape[0]}"
        )
    if manifest.vector_count != row_ids.size:
        raise ValueError("manifest vector count differs from the index")
    configure(index, manifest)
    briefs = directory / BRIEFS_FILE
    brief_vectors = np.load(briefs).astype(np.float32) if briefs.is_file() else None
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
        brief_vectors=brief_vectors,
        shared=shared,
    )


def item_layout(
    rows: Sequence[ChunkRow], profiles: Sequence[ProfileMeta]
) -> tuple[npt.NDArray[np.int64], list[tuple[str, int]]]:
    """Row → item, and every item as (item id, profile position), items in order of first row:
    the mapping a version stores (and a snapshot's ``row_items``, ``item_ids``,
    ``item_profiles``)."""
    item_keys: dict[tuple[str, str], int] = {}
    row_items = np.empty(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        row_items[i] = item_keys.setdefault((row.profile_id, row.item_id), len(item_keys))
    profile_position = {p.id: i for i, p in enumerate(profiles)}
    return row_items, [(item_id, profile_position[pid]) for (pid, item_id) in item_keys]


def write_version(
    directory: Path,
    *,
    manifest: Manifest,
    index: Any,
    vectors: npt.NDArray[np.float32],
    rows: Sequence[ChunkRow],
    profiles: Sequence[ProfileMeta],
    brief_vectors: npt.NDArray[np.float32] | None = None,
) -> None:
    """Write the files of one version into ``directory`` (an empty staging directory), each
    flushed to disk; :func:`load_snapshot` reads them back.

    Args:
        directory: where to write.
        manifest: what built the version.
        index: the FAISS index over ``vectors`` (ids are the chunk ids of ``rows``).
        vectors: the vectors in FAISS row order.
        rows: the chunk of every row, in the same order.
        profiles: every profile the items of ``rows`` belong to.
        brief_vectors: the vectors of the calibration's generic briefs (:data:`BRIEFS_FILE`).

    Raises:
        OSError: a file cannot be written.
    """
    row_items, items = item_layout(rows, profiles)
    catalogue_part = {
        "items": [[item_id, position] for item_id, position in items],
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
    faiss.write_index(index, str(directory / INDEX_FILE))
    _write_file(directory / VECTORS_FILE, lambda h: np.save(h, vectors))
    if is_quantised(index):  # what a snapshot re-scores from, ready to read
        _write_file(directory / FLOAT16_FILE, lambda h: np.save(h, vectors.astype(np.float16)))
    _write_file(
        directory / ROWS_FILE,
        lambda h: np.savez(
            h, row_ids=np.array([r.id for r in rows], np.int64), row_items=row_items
        ),
    )
    _write_file(directory / CATALOGUE_FILE, lambda h: h.write(json.dumps(catalogue_part).encode()))
    if brief_vectors is not None:
        _write_file(directory / BRIEFS_FILE, lambda h: np.save(h, brief_vectors))
    manifest.write(directory)


def _write_file(path: Path, write: Callable[[Any], None]) -> None:
    with path.open("wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
