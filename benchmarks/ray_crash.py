"""Crash trials of ``matcher build --ray`` (issue 21), run by ``make crash-test``.

Each trial copies a template data directory with a larger pool than the other crash trials
(several batches of :data:`index.vectors.sync.EMBED_BATCH` texts to embed), empties its embedding
cache and removes its index, starts ``matcher build --ray --actors 2`` (Ray started locally by the
command), and kills, with SIGKILL, in the middle of the embedding phase:

- ``ray-actor``: one encoder actor (a Ray Data ``MapWorker`` process among the build's
  descendants, found by the process title Ray gives an actor); the build goes on by itself;
- ``ray-driver``: the ``matcher build --ray`` process itself (only it: Ray's own processes are
  left to notice; whatever of them is still there a few seconds later is counted and stopped).

The embedding phase is seen from inside: the driver writes each batch into the embedding cache
as it comes back, so the harness counts the cache's rows (``sqlite3``, read-only) and sends the
signal once a seeded number of batches — at least one, at most half of them — is written. The
count just before the signal and just after it (for the driver: once it is dead) says where the
kill landed (:class:`EmbedKill`): inside the phase when at least one text was written before it
and not every text was written after it. Every trial must land inside; the run fails otherwise.

Then the build is run again, undisturbed, and the harness checks that it finishes; that it
embeds exactly the texts the cache was missing (its own report, ``ray: N texts embedded``, and
the rows it added) and leaves every row written before untouched, the local pass after it
embedding nothing; and, with the crash test's own checks (:meth:`CrashHarness.check`), that the
catalogue is whole, the index agrees with it and the service starts and searches.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from benchmarks.common import commit, machine, now
from benchmarks.crash_test import CrashHarness, Expected, TrialResult, profile_key, start
from benchmarks.write_phase import Kill

RAY_KINDS = ("ray-actor", "ray-driver")
#: profiles in the template of the Ray trials (3 texts each: 5 batches of 256 to embed)
RAY_PROFILES = 400
ACTORS = 2
#: how often the harness counts the cache's rows while the build embeds
POLL_S = 0.05
#: seconds the harness gives Ray's own processes to go after the driver was killed
RAY_GRACE_S = 5.0
BUILD_TIMEOUT_S = 900.0
EmbedPhase = Literal["before", "embedding", "after", "missed"]
_RAY_LINE = re.compile(r"ray: (\d+) texts embedded by (\d+) encoder actors in (\d+) batches")
_SYNC_LINE = re.compile(r"(\d+) texts embedded, \d+ from cache|index v\d+ is (up to date)")


def ray_installed() -> bool:
    """Whether the ``ray`` extra is installed in the interpreter that runs ``matcher``."""
    return importlib.util.find_spec("ray") is not None


@dataclass(frozen=True, slots=True)
class EmbedKill:
    """Where a kill of ``build --ray`` landed in its embedding phase.

    Attributes:
        missing: texts with no cached vector when the build started.
        written_before: of those, written into the cache just before the signal.
        written_after: written just after it (for the driver: once it was dead).
        hit: the signal reached a running process of the kind aimed at (an encoder actor, or
            the driver).
        at: seconds from the build's start to the signal.
    """

    missing: int
    written_before: int
    written_after: int
    hit: bool
    at: float

    @property
    def phase(self) -> EmbedPhase:
        """``embedding`` when the kill fell inside the embedding phase: something written
        before it and not everything after it."""
        if not self.hit:
            return "missed"
        if self.written_before <= 0:
            return "before"
        if self.written_after >= self.missing:
            return "after"
        return "embedding"

    @property
    def killed_embedding(self) -> bool:
        """The kill fell inside the embedding phase."""
        return self.phase == "embedding"

    def as_kill(self, returncode: int) -> Kill:
        """The crash test's :class:`Kill` (``writing`` when inside the embedding phase)."""
        phase = {"embedding": "writing", "before": "before", "after": "after"}.get(self.phase)
        return Kill(self.at, None, phase or "exited", returncode)  # type: ignore[arg-type]


@dataclass
class RayTrialResult(TrialResult):
    """A Ray trial: the crash test's result plus what the kill and the rerun did.

    Attributes:
        embed: where the kill landed in the embedding phase.
        target_pid: the process killed.
        first_returncode: the killed build's exit status (an actor kill: it may finish).
        first_embedded: texts the killed build's actors embedded, when it finished by itself
            (its ``ray:`` line; -1: it did not finish).
        leftovers: Ray processes still running :data:`RAY_GRACE_S` after the driver died.
        leftover_titles: their process titles.
        rerun_missing: texts with no cached vector when the rerun started.
        rerun_embedded: texts the rerun's actors embedded (its ``ray:`` line; -1: not found).
        rerun_local: texts the local pass after the actors embedded (-1: not found).
        rerun_added: cache rows the rerun added.
        rewritten: cache rows written before the rerun that it changed or removed.
    """

    embed: EmbedKill = field(default_factory=lambda: EmbedKill(0, 0, 0, False, 0.0))
    target_pid: int = 0
    first_returncode: int = 0
    first_embedded: int = -1
    leftovers: int = 0
    leftover_titles: list[str] = field(default_factory=list)
    rerun_missing: int = 0
    rerun_embedded: int = -1
    rerun_local: int = -1
    rerun_added: int = 0
    rewritten: int = 0

    @property
    def killed_writing(self) -> bool:
        """The kill fell inside the embedding phase."""
        return self.embed.killed_embedding

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "trial": self.number,
            "kind": self.kind,
            "seed": self.seed,
            "missing": self.embed.missing,
            "written_before_kill": self.embed.written_before,
            "written_after_kill": self.embed.written_after,
            "phase_at_kill": self.embed.phase,
            "kill_at_s": round(self.embed.at, 2),
            "target_pid": self.target_pid,
            "first_returncode": self.first_returncode,
            "first_embedded": self.first_embedded,
            "ray_leftovers": self.leftovers,
            "ray_leftover_titles": self.leftover_titles,
            "rerun_missing": self.rerun_missing,
            "rerun_embedded": self.rerun_embedded,
            "rerun_local_embedded": self.rerun_local,
            "rerun_added": self.rerun_added,
            "rewritten": self.rewritten,
            "lost": self.lost,
            "inconsistent": self.inconsistent,
            "failed_start": self.failed_start,
        }


def trials_outside_the_phase(results: Sequence[RayTrialResult]) -> list[int]:
    """The trials whose kill did not fall inside the embedding phase (the run fails on any)."""
    return [r.number for r in results if not r.killed_writing]


# --------------------------------------------------------------------------- the cache
def cache_rows(data_dir: Path) -> dict[str, str]:
    """The embedding cache: text hash → a digest of its model and vector (read-only)."""
    try:
        db = sqlite3.connect(f"file:{data_dir / 'catalogue.db'}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return {}
    try:
        return {
            h: hashlib.sha256(model.encode() + bytes(vector)).hexdigest()
            for h, model, vector in db.execute("SELECT text_hash, model_id, vector FROM embeddings")
        }
    finally:
        db.close()


def cached_count(data_dir: Path) -> int:
    """How many vectors the cache holds (read-only; 0 while the file cannot be read)."""
    try:
        db = sqlite3.connect(f"file:{data_dir / 'catalogue.db'}?mode=ro", uri=True, timeout=30)
        try:
            return int(db.execute("SELECT count(*) FROM embeddings").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def distinct_texts(data_dir: Path) -> int:
    """How many distinct texts the catalogue's chunks hold (what a first build embeds)."""
    db = sqlite3.connect(f"file:{data_dir / 'catalogue.db'}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT count(DISTINCT text_hash) FROM chunks").fetchone()[0])
    finally:
        db.close()


# --------------------------------------------------------------------------- processes
def _psutil() -> Any:
    import psutil  # type: ignore[import-untyped]  # a dependency of ray

    return psutil


def encoder_actors(driver_pid: int) -> list[int]:
    """The pids of the build's Ray Data encoder actors: its descendants whose process title
    Ray set to the actor's class (``ray::MapWorker(…)`` or ``ray::_MapWorker…``)."""
    psutil = _psutil()
    found = []
    try:
        children = psutil.Process(driver_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    for child in children:
        try:
            title = " ".join(child.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        if title.startswith("ray::") and "MapWorker" in title:
            found.append(int(child.pid))
    return sorted(found)


def session_processes(session: int) -> list[int]:
    """The live processes of the session the harness started the build in (its descendants,
    Ray's included, unless one left the session)."""
    psutil = _psutil()
    pids = []
    for process in psutil.process_iter(["pid", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if os.getsid(process.info["pid"]) == session:
                pids.append(int(process.info["pid"]))
        except (ProcessLookupError, PermissionError, psutil.NoSuchProcess):
            continue
    return pids


def process_titles(pids: Sequence[int]) -> list[str]:
    """The process titles of ``pids`` (the first word of each command line)."""
    psutil = _psutil()
    titles = []
    for pid in pids:
        try:
            titles.append(" ".join(psutil.Process(pid).cmdline())[:60])
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return titles


def end_session(session: int) -> None:
    """SIGKILL what is left of a session the harness started (its process group)."""
    for pid in session_processes(session):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- the trials
class RayCrashTrials:
    """Ray trials on copies of one template under ``root``.

    Args:
        root: work folder (a trial's folder is kept only when it found a problem).
        models_dir: the shared ONNX model folder.
        seed: seed of the data and of the kill moments.
        profiles: profiles in the template.
    """

    def __init__(
        self, root: Path, *, models_dir: Path, seed: int = 0, profiles: int = RAY_PROFILES
    ) -> None:
        self.harness = CrashHarness(root, models_dir=models_dir, seed=seed, base_profiles=profiles)

    def prepare(self) -> None:
        """Ingest the template (its profiles, an index, an admin key)."""
        self.harness.prepare(calibrate=False)

    def run(self, trials: int) -> list[RayTrialResult]:
        """``trials`` trials of each Ray kind."""
        self.prepare()
        results = []
        for number in range(trials * len(RAY_KINDS)):
            result = self.trial(number, RAY_KINDS[number % len(RAY_KINDS)])
            self.harness.log(json.dumps(result.to_json()))
            results.append(result)
        return results

    def trial(self, number: int, kind: str) -> RayTrialResult:
        """One trial of ``kind`` on a fresh copy of the template."""
        harness = self.harness
        seed = harness.seed * 1_000 + 500 + number
        rng = random.Random(seed)
        folder = harness.root / f"trial-{number:03d}-{kind}"
        shutil.rmtree(folder, ignore_errors=True)
        data_dir = folder / "data"
        shutil.copytree(harness.template, data_dir, symlinks=True)
        with sqlite3.connect(data_dir / "catalogue.db") as db:
            db.execute("DELETE FROM embeddings")
        db.close()
        shutil.rmtree(data_dir / "index")
        log = folder / "log.txt"
        missing = distinct_texts(data_dir)
        batches = -(-missing // 256)
        # kill once this many texts are written: at least one batch, at most half of them
        target = 256 * rng.randint(1, max(1, batches // 2))
        result = self._kill(kind, number, seed, data_dir, log, missing, target)
        finished = _RAY_LINE.findall(log.read_text(errors="replace")) if log.exists() else []
        if result.first_returncode == 0 and finished:
            # the build went on past the kill (Ray retried the dead actor's batch): it must
            # have embedded each text once
            result.first_embedded = int(finished[-1][0])
            if result.first_embedded != missing:
                result.inconsistent.append(
                    f"the killed build embedded {result.first_embedded} texts for {missing}"
                )
        self._rerun(data_dir, log, result)
        expected = Expected()
        for record in harness.base.values():
            expected.profiles[record["id"]] = {profile_key(record)}
            expected.required.add(record["id"])
        harness.check(data_dir, log, expected, result)
        if not (result.lost or result.inconsistent or result.failed_start):
            shutil.rmtree(folder, ignore_errors=True)
        return result

    def _kill(
        self,
        kind: str,
        number: int,
        seed: int,
        data_dir: Path,
        log: Path,
        missing: int,
        target: int,
    ) -> RayTrialResult:
        """Start ``build --ray``, kill its actor or itself once ``target`` texts are written."""
        process = start(["build", "--ray", "--actors", str(ACTORS)], data_dir, log)
        started = time.monotonic()
        written = 0
        while process.poll() is None and time.monotonic() - started < BUILD_TIMEOUT_S:
            written = cached_count(data_dir)
            if written >= target:
                break
            time.sleep(POLL_S)
        at = time.monotonic() - started
        pid, hit, leftovers = process.pid, False, []
        if process.poll() is None:
            if kind == "ray-actor":
                actors = encoder_actors(process.pid)
                if actors:
                    pid = random.Random(seed).choice(actors)
                    hit = _signal(pid)
                after = cached_count(data_dir)
                try:
                    process.wait(timeout=BUILD_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            else:
                hit = _signal(process.pid)
                process.wait()
                time.sleep(RAY_GRACE_S)
                leftovers = session_processes(process.pid)
                after = cached_count(data_dir)
        else:
            after = cached_count(data_dir)
        end_session(process.pid)
        embed = EmbedKill(missing, written, after, hit, at)
        returncode = int(process.returncode)
        return RayTrialResult(
            number,
            kind,
            seed,
            at,
            embed.as_kill(returncode),
            embed=embed,
            target_pid=pid,
            first_returncode=returncode,
            leftovers=len(leftovers),
            leftover_titles=process_titles(leftovers),
        )

    def _rerun(self, data_dir: Path, log: Path, result: RayTrialResult) -> None:
        """Run the build again, undisturbed; record what it embedded and what it rewrote."""
        before = cache_rows(data_dir)
        result.rerun_missing = distinct_texts(data_dir) - len(before)
        offset = log.stat().st_size if log.exists() else 0
        process = start(["build", "--ray", "--actors", str(ACTORS)], data_dir, log)
        try:
            returncode = process.wait(timeout=BUILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            returncode = process.wait()
        end_session(process.pid)
        with log.open("rb") as handle:
            handle.seek(offset)
            output = handle.read().decode(errors="replace")
        if returncode != 0:
            result.inconsistent.append(f"the rerun exited {returncode}")
        ray_lines = _RAY_LINE.findall(output)
        sync_lines = _SYNC_LINE.findall(output)
        if ray_lines:
            result.rerun_embedded = int(ray_lines[-1][0])
        if sync_lines:  # "up to date": the local pass embedded nothing
            embedded, up_to_date = sync_lines[-1]
            result.rerun_local = 0 if up_to_date else int(embedded)
        after = cache_rows(data_dir)
        result.rerun_added = len(set(after) - set(before))
        result.rewritten = sum(1 for h, digest in before.items() if after.get(h) != digest)
        result.inconsistent.extend(rerun_problems(result))


def _signal(pid: int) -> bool:
    """SIGKILL one process; True when it was running."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def embedded_again(result: RayTrialResult) -> int:
    """Texts embedded more than once, or cache rows rewritten: by the killed build when it
    finished by itself (beyond the texts missing), by the rerun's actors (beyond the texts
    still missing), by the local pass after them, rows the rerun changed."""
    first = max(result.first_embedded - result.embed.missing, 0)
    rerun = max(result.rerun_embedded - result.rerun_missing, 0)
    return first + rerun + max(result.rerun_local, 0) + result.rewritten


def rerun_problems(result: RayTrialResult) -> list[str]:
    """What the rerun did wrong: texts embedded again or not at all, rows rewritten."""
    bad = []
    if result.rerun_embedded != result.rerun_missing:
        bad.append(
            f"the rerun's actors embedded {result.rerun_embedded} texts, "
            f"{result.rerun_missing} were missing"
        )
    if result.rerun_local != 0:
        bad.append(f"the local pass after the actors embedded {result.rerun_local} texts")
    if result.rerun_added != result.rerun_missing:
        bad.append(f"the rerun added {result.rerun_added} cache rows for {result.rerun_missing}")
    if result.rewritten:
        bad.append(f"the rerun changed {result.rewritten} cache rows written before it")
    return bad


# --------------------------------------------------------------------------- report
def table(results: Sequence[RayTrialResult], *, seconds: float, load: float, trials: int) -> str:
    """The Markdown section of the Ray trials for ``docs/reliability.md``."""
    lines = [
        "## Crash test: `matcher build --ray`",
        "",
        f"`make crash-test RAY_TRIALS={trials}` — {now()}, commit {commit()}, {machine()}; "
        f"{seconds:.0f} s. Each trial empties the embedding cache of a {RAY_PROFILES}-profile "
        f"pool, starts `matcher build --ray --actors {ACTORS}` (a local Ray) and SIGKILLs one "
        "encoder actor (a Ray Data `MapWorker` process of the build, by its process title) or "
        "the driver (the `matcher` process alone) once a seeded number of batches — at least "
        "one, at most half — is in the cache; then it reruns the build undisturbed and restarts "
        "`matcher serve` (the crash test's checks: catalogue whole, index = catalogue, `/ready` "
        "and a search). Inside the embedding phase: texts written before the signal and some "
        "still missing after it (for the driver, once it was dead), counted in the cache. "
        f"Load average when the run began: {load:.1f}, when it ended: {os.getloadavg()[0]:.1f} "
        "(the machine is shared, other sessions running).",
        "",
        "| work killed | trials | inside the embedding phase | texts to embed "
        "| written before the kill | build killed finished by itself "
        "| rerun embedded (missing) | embedded again | Ray processes left | lost "
        "| inconsistent | failed starts |",
        "|---|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for kind in RAY_KINDS:
        rows = [r for r in results if r.kind == kind]
        if not rows:
            continue
        written = [r.embed.written_before for r in rows]
        reruns = ", ".join(f"{r.rerun_embedded} ({r.rerun_missing})" for r in rows)
        again = sum(embedded_again(r) for r in rows)
        lines.append(
            f"| {kind} | {len(rows)} | {sum(r.killed_writing for r in rows)} "
            f"| {rows[0].embed.missing} | {min(written)}–{max(written)} "
            f"| {sum(r.first_returncode == 0 for r in rows)} | {reruns} | {again} "
            f"| {sum(r.leftovers for r in rows)} | {sum(len(r.lost) for r in rows)} "
            f"| {sum(len(r.inconsistent) for r in rows)} | {sum(r.failed_start for r in rows)} |"
        )
    lines += [
        "",
        "Embedded again: texts the killed build embedded beyond the ones missing (when it "
        "finished by itself: Ray retried the dead actor's batch), plus texts the rerun's actors "
        "embedded beyond the ones still missing, plus texts the local pass after the actors "
        "embedded, plus cache rows written before the rerun that it changed. Ray processes left: Ray's own processes still running "
        f"{RAY_GRACE_S:.0f} s after the driver was killed (the harness then stops them).",
    ]
    titles = sorted({t.split(" ")[0] for r in results for t in r.leftover_titles})
    if titles:
        lines.append(f"Left after the driver's death: {', '.join(titles)}.")
    outside = trials_outside_the_phase(results)
    if outside:
        lines.append(f"- kills outside the embedding phase: trials {outside}")
    for r in results:
        if r.lost or r.inconsistent or r.failed_start:
            lines.append(f"- trial {r.number} ({r.kind}, seed {r.seed}): {r.lost + r.inconsistent}")
    return "\n".join(lines)


def skipped(trials: int) -> str:
    """The section when Ray is not installed."""
    return "\n".join(
        [
            "## Crash test: `matcher build --ray`",
            "",
            f"`make crash-test RAY_TRIALS={trials}` — {now()}, commit {commit()}: **skipped**, "
            "Ray is not installed (`pip install 'ke-matcher[ray]'`, or `make install-ray`).",
        ]
    )
