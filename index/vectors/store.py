"""The directory of index versions: one vector per evidence chunk, versioned on disk, swapped
atomically.

Layout under the index root::

    root/
      CURRENT -> v000007          symlink to the version served, replaced with os.replace
      .lock                       held (flock) by the one process writing a version
      v000006/                    the previous version (KEEP_VERSIONS are kept)
      v000007/
        manifest.json             what built it (index.vectors.manifest): model id, encoder,
                                  FAISS factory string and metric, nlist/nprobe, measured
                                  recall, catalogue version, library versions
        index.faiss               the FAISS index, ids = chunk ids:
                                    up to IndexPolicy.exact_max_vectors (200,000) vectors
                                    IDMap2,Flat (exact inner product);
                                    above it IVF{nlist},SQ8 (8-bit scalar-quantised codes,
                                    nlist = max(16, 4·√n), nprobe tuned to recall@100 ≥ 0.99)
        vectors.npy               float32 vectors in FAISS row order (memory-mapped; exact
                                  scores over the flat index)
        vectors.f16.npy           IVF-SQ8 versions only: the same vectors as float16
                                  (memory-mapped with index.faiss when served shared, else
                                  read in); FAISS's 2·k candidates are re-scored from it
        rows.npz                  row → vector id, row → item
        catalogue.json            items (id, profile) and profiles (filter fields), by index
      .build-XXXX/                a version being written (removed when it fails)

A version is written to a temporary directory and renamed into place before ``CURRENT`` moves,
so a failed or interrupted build never changes what is served. The index is derived data: the
catalogue is the truth, and :meth:`IndexStore.sync` (:func:`index.vectors.sync.sync`) brings the
index up to the catalogue's version, re-using cached embeddings and embedding only texts never
seen before. Which index a version gets is chosen in :mod:`index.vectors.build`; the files of
a version are written and read in :mod:`index.vectors.snapshot`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.db.build_lock import BUILD_LOCK_WAIT_SECONDS
from index.db.catalogue import Catalogue, ChunkRow, ProfileMeta
from index.encoders.base import Encoder
from index.vectors.build import (
    EXACT_INDEX_TYPE,
    IVF_INDEX_TYPE,
    BuiltIndex,
    IndexPolicy,
    build_ivf,
    measure_recall,
    new_exact_index,
    tune_nprobe,
    tuning_queries,
)
from index.vectors.manifest import Manifest
from index.vectors.snapshot import (
    FLOAT16_FILE,
    REFINE,
    FieldCodes,
    IndexSnapshot,
    configure,
    is_quantised,
    load_snapshot,
    write_version,
)
from index.vectors.sync import SYNC_ATTEMPTS, CatalogueChangedError, SyncReport, problem, sync
from index.vectors.threads import build_threads, limit_search_threads
from matcher.errors import IndexUnavailableError

__all__ = [  # noqa: RUF022 (grouped by where the names live, not sorted)
    # the directory of versions (this module)
    "CURRENT",
    "KEEP_VERSIONS",
    "IndexStore",
    # re-exported, where they lived before the split
    "EXACT_INDEX_TYPE",
    "FLOAT16_FILE",
    "IVF_INDEX_TYPE",
    "REFINE",
    "SYNC_ATTEMPTS",
    "BuiltIndex",
    "CatalogueChangedError",
    "FieldCodes",
    "IndexPolicy",
    "IndexSnapshot",
    "SyncReport",
    "build_ivf",
    "build_threads",
    "configure",
    "is_quantised",
    "limit_search_threads",
    "measure_recall",
    "new_exact_index",
    "tune_nprobe",
    "tuning_queries",
]

CURRENT = "CURRENT"
KEEP_VERSIONS = 2


class IndexStore:
    """The versions of the index under one root directory.

    Reading (:meth:`current_dir`, :meth:`current_manifest`, :meth:`load`), one writer at a time
    (:meth:`locked`), publishing a version (:meth:`publish`) and removing old ones; checking
    and syncing are delegated to :mod:`index.vectors.sync`.

    Args:
        root: the directory that holds the versions and the ``CURRENT`` link (created).
        policy: how the index type is chosen; :class:`IndexPolicy` defaults when omitted.
        shared: :meth:`load` memory-maps the version's index and float16 copy read-only
            (shared between processes) instead of reading them into the process.
    """

    def __init__(
        self, root: Path, *, policy: IndexPolicy | None = None, shared: bool = True
    ) -> None:
        self.root = root
        self.policy = policy or IndexPolicy()
        self.shared = shared
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
        load), memory-mapped read-only when the store is ``shared`` (the default: every process
        serving the version shares one copy of its index, see
        :func:`~index.vectors.snapshot.load_snapshot`). Pass ``reuse=False`` for a private copy
        read into memory, which may be modified.

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
            snapshot = load_snapshot(directory, shared=reuse and self.shared)
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
        return problem(self.current_manifest(), catalogue, encoder)

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's write lock (an ``flock`` on ``root/.lock``) for the block: one
        writer at a time, across processes."""
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
        lock_wait_seconds: float = BUILD_LOCK_WAIT_SECONDS,
    ) -> SyncReport:
        """Bring the index up to the catalogue (see :func:`index.vectors.sync.sync`; with
        ``lock_wait_seconds``, how long to wait for a build another process is running).

        Args:
            catalogue: the source of truth.
            encoder: embeds texts that have no cached vector.
            force_rebuild: ignore the current index and build from scratch.
            progress: called as ``progress(done, total)`` while texts are embedded.

        Raises:
            CatalogueChangedError: the catalogue kept changing under every attempt.
        """
        return sync(
            self,
            catalogue,
            encoder,
            force_rebuild=force_rebuild,
            progress=progress,
            lock_wait_seconds=lock_wait_seconds,
        )

    def publish(
        self,
        manifest: Manifest,
        index: Any,
        vectors: npt.NDArray[np.float32],
        rows: Sequence[ChunkRow],
        profiles: Sequence[ProfileMeta],
        *,
        brief_vectors: npt.NDArray[np.float32] | None = None,
    ) -> None:
        """Write a version to a temporary directory, rename it into place, move ``CURRENT``
        (with ``os.replace``), then remove versions older than the last :data:`KEEP_VERSIONS`.

        Args:
            manifest: the new version's manifest (its ``version`` names the directory).
            index, vectors, rows, profiles, brief_vectors: as
                :func:`index.vectors.snapshot.write_version`.

        Raises:
            OSError: a file cannot be written; ``CURRENT`` and the old versions are untouched.
        """
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=self.root))
        try:
            write_version(
                staging,
                manifest=manifest,
                index=index,
                vectors=vectors,
                rows=rows,
                profiles=profiles,
                brief_vectors=brief_vectors,
            )
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
        """Remove versions older than the last :data:`KEEP_VERSIONS` (never ``keep``) and any
        staging directory left by an interrupted build."""
        versions = sorted(p for p in self.root.glob("v[0-9]*") if p.is_dir())
        for old in versions[:-KEEP_VERSIONS]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)
        for staging in self.root.glob(".build-*"):
            shutil.rmtree(staging, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
