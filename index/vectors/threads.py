"""Threads of BLAS and FAISS: one for the small calls of the search path, all cores for builds."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import faiss
import threadpoolctl


def limit_search_threads(threads: int) -> None:
    """Threads of BLAS (numpy) and of FAISS's OpenMP for everything after this call.

    The search path makes small calls (one query against a few thousand vectors): extra
    threads there only spin and fight the encoder and the server's other requests for the same
    cores. On a loaded 2-core machine a 2,500×384 product took 16 ms with OpenBLAS's default
    threads and 0.9 ms with one. Index builds raise FAISS's threads for their own duration
    (:func:`build_threads`).

    Args:
        threads: the number of threads, at least 1.
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
