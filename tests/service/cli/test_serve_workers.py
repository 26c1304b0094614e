"""``matcher serve --workers auto``: the count comes from the usable cores and the index's
memory per worker."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from service.cli.serve import (
    AUTO,
    MAX_AUTO_WORKERS,
    WorkerCount,
    auto_workers,
    index_memory_bytes,
    usable_cores,
)

GB = 1024**3


def test_auto_is_one_worker_per_core_while_the_index_copies_fit() -> None:
    assert auto_workers(2, 1 * GB, 16 * GB) == 2
    assert auto_workers(64, 1, 16 * GB) == MAX_AUTO_WORKERS
    # a 3M-chunk index (~6 GB a process) on a 16 GB machine: one worker
    assert auto_workers(2, 6 * GB, 16 * GB) == 1
    assert auto_workers(4, 2 * GB, 9 * GB) == 2
    # never fewer than one, whatever the memory; no reading of the memory: the cores decide
    assert auto_workers(2, 100 * GB, 1 * GB) == 1
    assert auto_workers(3, 1 * GB, None) == 3
    assert usable_cores() >= 1


def test_worker_count_reads_numbers_and_auto() -> None:
    kind = WorkerCount()
    assert kind.convert("auto", None, None) == AUTO
    assert kind.convert("AUTO", None, None) == AUTO
    assert kind.convert("3", None, None) == 3
    for bad in ("0", "65", "many"):
        with pytest.raises(click.BadParameter):
            kind.convert(bad, None, None)


def test_index_memory_counts_what_each_process_loads(tmp_path: Path) -> None:
    assert index_memory_bytes(None) == 0
    (tmp_path / "index.faiss").write_bytes(b"x" * 100)
    (tmp_path / "vectors.f16.npy").write_bytes(b"x" * 50)
    (tmp_path / "vectors.npy").write_bytes(b"x" * 1000)  # memory-mapped, shared: not counted
    assert index_memory_bytes(tmp_path) == 150
    # shared (memory-mapped, the default): one copy for every worker, nothing per worker
    assert index_memory_bytes(tmp_path, shared=True) == 0
