"""A few crash trials of the harness behind ``make crash-test``: real ``matcher`` processes
killed with SIGKILL, restarted, and checked for lost or half-written data."""

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
    prepared.prepare()
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


@pytest.mark.parametrize(
    ("kind", "fraction"),
    [("ingest", 0.5), ("build", 0.4), ("introductions", None)],
)
def test_a_killed_process_loses_nothing_acknowledged(
    harness: CrashHarness, kind: str, fraction: float | None
) -> None:
    # kill mid-way through an undisturbed run's time; the burst runs for 3 s before its kill
    kill_after = 3.0 if fraction is None else fraction * harness.window[kind] / 1.3
    result = harness.trial(1, kind, kill_after=kill_after)
    assert not result.failed_start, result.to_json()
    assert not result.lost, result.to_json()
    assert not result.inconsistent, result.to_json()
    if kind == "introductions":
        assert result.acknowledged > 0, "the burst should have had writes acknowledged"
