"""Evict files from the kernel's page cache and measure how much of them is cached.

A "cold" start must read the index from disk, not from memory: :func:`evict` drops the pages of
the given files with ``posix_fadvise(POSIX_FADV_DONTNEED)`` (after ``fsync``, since dirty pages
cannot be dropped), which needs no privilege and touches only those files, and falls back to
``/proc/sys/vm/drop_caches`` (every clean page of the machine; root only) when pages are still
cached afterwards. :func:`resident_share` asks the kernel (``mincore`` over a read-only mapping,
which reads nothing) which share of the files' pages is cached, so the benchmark can show that the
eviction worked. A fresh copy of the files would not do: writing the copy puts its pages in the
cache.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
from collections.abc import Iterable
from pathlib import Path

_PROT_READ = 1
_MAP_SHARED = 1
_MAP_FAILED = ctypes.c_void_p(-1).value


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    return libc


def files_under(paths: Iterable[Path]) -> list[Path]:
    """The regular files among ``paths`` and under those that are folders (links not followed)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*")) if p.is_file() and not p.is_symlink()]
        elif path.is_file():
            found.append(path)
    return found


def resident_share(paths: Iterable[Path]) -> float:
    """The share (0-1) of the files' pages that are in the page cache now.

    Raises:
        OSError: a file cannot be opened, mapped or queried.
    """
    libc = _libc()
    resident = total = 0
    for path in files_under(paths):
        size = path.stat().st_size
        if size == 0:
            continue
        pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
        fd = os.open(path, os.O_RDONLY)
        try:
            address = libc.mmap(None, size, _PROT_READ, _MAP_SHARED, fd, 0)
            if address in (None, _MAP_FAILED):
                raise OSError(ctypes.get_errno(), f"mmap {path}")
            try:
                vector = (ctypes.c_ubyte * pages)()
                if libc.mincore(ctypes.c_void_p(address), size, vector) != 0:
                    raise OSError(ctypes.get_errno(), f"mincore {path}")
                resident += sum(byte & 1 for byte in vector)
            finally:
                libc.munmap(ctypes.c_void_p(address), size)
        finally:
            os.close(fd)
        total += pages
    return resident / total if total else 0.0


def evict(paths: Iterable[Path]) -> str:
    """Drop the files' pages from the page cache; returns how (``posix_fadvise``, or
    ``drop_caches`` when pages stayed cached and the machine allowed dropping every cache, or
    ``posix_fadvise (incomplete)`` when neither emptied it)."""
    files = files_under(paths)
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    if resident_share(files) < 0.01:
        return "posix_fadvise"
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
    except OSError:
        return "posix_fadvise (incomplete)"
    return "drop_caches"
