"""Where a kill lands: the crash harness's view of a command's write phase, on made-up folders
and on small child processes that write files like the real commands do."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.crash_test import TrialResult, kinds_never_killed_writing
from benchmarks.write_phase import DiskState, Kill, kill_in_phase, phase, probe, time_phase

CLEAN = DiskState((4096, 1), None, (".lock", "CURRENT", "v000001"), "v000001", None)


def test_an_ingest_is_writing_from_its_first_catalogue_write_to_the_new_version() -> None:
    opened = DiskState((4096, 1), 0, CLEAN.index, "v000001", None)  # a connection, no write
    assert phase("ingest", CLEAN, CLEAN) == "before"
    assert phase("ingest", CLEAN, opened) == "before"
    wrote = DiskState((4096, 1), 32, CLEAN.index, "v000001", None)
    assert phase("ingest", CLEAN, wrote) == "writing"
    staging = DiskState(
        (4096, 1), 900, (".build-x", ".lock", "CURRENT", "v000001"), "v000001", None
    )
    assert phase("ingest", CLEAN, staging) == "writing"
    moved = DiskState((8192, 2), 900, (".lock", "CURRENT", "v000001", "v000002"), "v000002", None)
    assert phase("ingest", CLEAN, moved) == "writing"  # the catalogue is still open
    closed = DiskState((8192, 2), None, moved.index, "v000002", None)
    assert phase("ingest", CLEAN, closed) == "after"


def test_a_first_build_is_writing_from_the_index_folder_on() -> None:
    empty = DiskState((4096, 1), None, None, None, None)
    assert phase("build", empty, DiskState((4096, 1), 0, None, None, None)) == "before"
    assert phase("build", empty, DiskState((4096, 1), 0, (), None, None)) == "writing"
    done = DiskState((4096, 2), None, (".lock", "CURRENT", "v000001"), "v000001", None)
    assert phase("build", empty, done) == "after"


def test_a_batch_is_writing_from_its_first_partial_report_to_the_last_report() -> None:
    assert phase("batch", CLEAN, CLEAN) == "before"
    partial = replace(CLEAN, out=(".partners.csv.partial",))
    assert phase("batch", CLEAN, partial) == "writing"
    done = replace(CLEAN, out=("partners.csv", "report.html"))
    assert phase("batch", CLEAN, done) == "after"
    with pytest.raises(ValueError, match="ingest, build or batch"):
        phase("introductions", CLEAN, CLEAN)


def _child(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


def _writer(out: Path, *, wait: float, write: float) -> str:
    """A child that sleeps ``wait`` s (its "imports"), writes a partial report, then the last
    report after ``write`` s, then sleeps (its "shutdown")."""
    return (
        "import pathlib, time\n"
        f"out = pathlib.Path({str(out)!r}); time.sleep({wait})\n"
        "out.mkdir(); (out / '.partners.csv.partial').write_text('x')\n"
        f"time.sleep({write}); (out / 'report.html').write_text('</html>')\n"
        "time.sleep(30)\n"
    )


def test_a_kill_is_sent_a_given_time_after_the_first_write_and_says_it_hit_the_writing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    watch = probe("batch", tmp_path, out)
    landed = kill_in_phase(_child(_writer(out, wait=0.5, write=5)), watch, after=0.2)
    assert landed.killed_writing and landed.phase == "writing"
    assert landed.write_began is not None and landed.write_began >= 0.5
    assert landed.at - landed.write_began >= 0.2
    assert landed.returncode < 0  # killed by the signal


def test_a_kill_after_the_last_write_or_after_the_exit_is_not_counted_as_writing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    late = kill_in_phase(
        _child(_writer(out, wait=0.1, write=0.1)), probe("batch", tmp_path, out), after=1.0
    )
    assert late.phase == "after" and not late.killed_writing
    gone = kill_in_phase(_child("pass"), probe("batch", tmp_path, tmp_path / "none"), after=0)
    assert gone.phase == "exited" and not gone.killed_writing and gone.write_began is None
    never = kill_in_phase(
        _child("import time; time.sleep(30)"),
        probe("batch", tmp_path, tmp_path / "none"),
        after=0,
        timeout=0.3,
    )
    assert never.phase == "before" and not never.killed_writing


def test_a_dry_run_times_the_write_phase(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = _writer(out, wait=0.3, write=0.4).replace("time.sleep(30)", "time.sleep(0.2)")
    timing = time_phase(_child(code), probe("batch", tmp_path, out))
    assert timing.returncode == 0
    assert timing.began is not None and timing.ended is not None
    assert 0.3 <= timing.began < timing.ended < timing.exited
    assert 0.35 <= timing.seconds < 1.5


def test_a_kind_whose_kills_all_missed_the_write_phase_is_named() -> None:
    def result(kind: str, seen: str) -> TrialResult:
        return TrialResult(0, kind, 0, 0.1, Kill(1.0, 0.5, seen, -9))  # type: ignore[arg-type]

    results = [result("ingest", "writing"), result("build", "before"), result("build", "after")]
    assert kinds_never_killed_writing(results) == ["build"]
    assert kinds_never_killed_writing([*results, result("build", "writing")]) == []
