"""The FAISS vector index, by room.

- :mod:`index.vectors.build`: choosing and building the index type (exact or IVF-SQ8), tuning
  ``nprobe`` to a measured recall.
- :mod:`index.vectors.snapshot`: one loaded version (search, filters, the float16 copy) and
  the files of a version directory.
- :mod:`index.vectors.store`: the directory of versions (``CURRENT``, load, lock, publish,
  old versions).
- :mod:`index.vectors.sync`: bringing the index up to the catalogue (diff, embedding, retries);
  its ``sync`` function is not re-exported here, so that ``index.vectors.sync`` stays the module
  (call ``IndexStore.sync``).
- :mod:`index.vectors.manifest`: what built a version.
- :mod:`index.vectors.threads`: BLAS and FAISS threads for searches and builds.
"""

from __future__ import annotations

from index.vectors.build import (
    EXACT_INDEX_TYPE,
    IVF_INDEX_TYPE,
    METRIC,
    BuiltIndex,
    IndexChange,
    IndexPolicy,
    build_ivf,
    faiss_metric,
    index_for,
    measure_recall,
    new_exact_index,
    new_index,
    tune_nprobe,
    tuning_queries,
)
from index.vectors.manifest import FORMAT_VERSION, Manifest
from index.vectors.snapshot import (
    FLOAT16_FILE,
    REFINE,
    FieldCodes,
    IndexSnapshot,
    configure,
    is_quantised,
    load_snapshot,
)
from index.vectors.store import CURRENT, KEEP_VERSIONS, IndexStore
from index.vectors.sync import SYNC_ATTEMPTS, CatalogueChangedError, SyncReport
from index.vectors.threads import build_threads, limit_search_threads

__all__ = [  # noqa: RUF022 (grouped by module, as sentence-transformers' util package)
    # build: choosing and building the index type
    "EXACT_INDEX_TYPE",
    "IVF_INDEX_TYPE",
    "METRIC",
    "BuiltIndex",
    "IndexChange",
    "IndexPolicy",
    "build_ivf",
    "faiss_metric",
    "index_for",
    "measure_recall",
    "new_exact_index",
    "new_index",
    "tune_nprobe",
    "tuning_queries",
    # manifest: what built a version
    "FORMAT_VERSION",
    "Manifest",
    # snapshot: one loaded version
    "FLOAT16_FILE",
    "REFINE",
    "FieldCodes",
    "IndexSnapshot",
    "configure",
    "is_quantised",
    "load_snapshot",
    # store: the directory of versions
    "CURRENT",
    "KEEP_VERSIONS",
    "IndexStore",
    # sync: bringing the index up to the catalogue
    "SYNC_ATTEMPTS",
    "CatalogueChangedError",
    "SyncReport",
    # threads
    "build_threads",
    "limit_search_threads",
]
