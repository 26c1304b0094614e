"""A few crash trials of the harness behind ``make crash-test``: real ``matcher`` processes
killed with SIGKILL inside their write phase (one trial of each kind of work), restarted, and
checked for lost or half-written data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from benchmarks.crash_test import CrashHarness, Expected, check_catalogue, profile_key


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> CrashHarness:
    root = tmp_path_factory.mktemp("crash")
    prepared = CrashHarness(root, models_dir=root / "models", seed=7, base_profiles=8)
    # no dry runs: each trial below is killed a fixed time after its own first write
    prepared.prepare(calibrate=False)
    return prepared


def test_the_checker_notices_a_half_written_profile(harness: CrashHarness, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(harness.template, copy, symlinks=True)
    victim = sorted(harness.base)[0]
    with sqlite3.connect(copy / "catalogue.db") as db:
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute("DELETE FROM chunks WHERE profile_id = ?", (victim,))
        db.execute("DELETE FROM evidence WHERE profile_id = ? AND type != 'summary'", (victim,))
    db.close()
    expected = Expected()
    for record in harness.base.values():
        expected.profiles[record["id"]] = {profile_key(record)}
        expected.required.add(record["id"])
    lost, inconsistent = check_catalogue(copy, expected)
    assert any(victim in problem for problem in inconsistent), inconsistent
    assert not lost


# seconds after the work's first write (the burst: after it began); well inside each write phase
# on these machines: an ingest or a first build writes for 1-3 s (embedding included), a batch
# writes its three reports in about 0.1 s
@pytest.mark.parametrize(
    ("kind", "kill_after"),
    [("ingest", 0.3), ("build", 0.3), ("batch", 0.01), ("introductions", 1.0)],
)
def test_a_process_killed_while_writing_loses_nothing_acknowledged(
    harness: CrashHarness, kind: str, kill_after: float
) -> None:
    result = harness.trial(1, kind, kill_after=kill_after)
    # the kill hit the work inside its write phase, not its imports, nor after its last write
    assert result.killed_running, result.to_json()
    assert result.killed_writing, result.to_json()
    assert not result.failed_start, result.to_json()
    assert not result.lost, result.to_json()
    assert not result.inconsistent, result.to_json()
    if kind == "introductions":
        assert result.acknowledged > 0, "the burst should have had writes acknowledged"
