"""Crash-safety harness: kill the real ``matcher`` processes with SIGKILL and check what survives.

Each trial copies a seeded template data directory (catalogue, index, one admin key), starts one
piece of work in a subprocess — ``matcher ingest``, ``matcher build``, ``matcher batch`` or a burst
of introduction and profile writes through the API of ``matcher serve`` — and kills it at a seeded
random moment. It then starts ``matcher serve`` on the same directory and checks that

(a) every write acknowledged before the kill is present (a CLI command that exited 0, an HTTP
    request answered 2xx);
(b) nothing is half-written: each profile is exactly one version the harness wrote (its summary
    and its evidence ids), no evidence, chunk, cached embedding or introduction is orphaned, every
    report file a batch left behind is complete;
(c) after start-up the index agrees with the catalogue (manifest version, vector ids = chunk ids,
    indexed profiles = catalogue profiles, ``/api/v1/status`` reports no problem);
(d) the service starts, answers ``/ready`` and a search.

Kills land in the work's write phase, not in its imports or after its last write: the harness
watches the files the write phase touches (``benchmarks/write_phase.py``), times each kind's write
phase in an undisturbed dry run on a copy of the template (the build's from a build, the batch's
from a batch), and kills each trial a seeded random time after that trial's own first write,
uniform within the first 60% of the dry run's write phase. A snapshot taken just before the signal
says where the kill landed; the report counts, per kind, the kills that hit the process while it
was writing, and the run fails when a kind has none. The burst of API writes is killed 0.1–4 s
after it began.

Real code paths only: the real CLI, the real ONNX encoder (exported once into a shared model
folder), SQLite, FAISS. The catalogue is read by the checker with ``sqlite3`` directly so the
checks do not trust the code under test.

Run: ``python -m benchmarks.crash_test --trials 20 --out docs/reliability.md``; the last line of
output is ``{"trials": N, "killed_writing": W, "acknowledged_lost": L, "inconsistent": I,
"failed_starts": F}``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.common import commit, machine, now, write_section
from benchmarks.write_phase import Kill, Phase, PhaseTiming, kill_in_phase, probe, time_phase

KINDS = ("ingest", "build", "batch", "introductions")
MATCHER = Path(sys.executable).parent / "matcher"
_VOCABULARY = (
    "falls sensors wearable older inpatients fracture stroke rehabilitation retinal screening "
    "diabetes imaging deep learning sepsis antibiotics stewardship wound healing dressings "
    "dementia carers loneliness telehealth asthma inhalers adherence pharmacy cancer radiotherapy "
    "genomics biomarkers kidney dialysis nutrition obesity exercise physiotherapy mental health "
    "anxiety schools robotics surgery ultrasound maternity pregnancy neonatal infection hospital "
    "supply chain logistics software privacy data linkage trials recruitment"
)
WORDS = tuple(_VOCABULARY.split())
STATUS_PATH = ("contacted", "met", "collaborating")
SERVE_TIMEOUT = 180.0
#: seconds after the burst of API writes began when it may be killed
BURST_WINDOW = (0.1, 4.0)
#: the share of the dry run's write phase within which CLI trials are killed
WINDOW_SHARE = 0.6
#: what a CLI trial expects afterwards, given where its kill landed (and an extra check, if any)
Settle = Callable[[Kill], Callable[[], list[str]] | None]


# --------------------------------------------------------------------------- data
def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_profile(rng: random.Random, profile_id: str, *, version: int) -> dict[str, Any]:
    """A seeded academic profile; ``version`` changes its summary and its evidence ids."""
    return {
        "record": "profile",
        "id": profile_id,
        "kind": "academic",
        "name": f"Dr {profile_id.title()}",
        "organisation": f"org-{rng.randrange(3)}",
        "summary": f"v{version} " + _sentence(rng, 14),
        "keywords": [rng.choice(WORDS), rng.choice(WORDS)],
        "consent": True,
        "evidence": [
            {
                "id": f"v{version}-p{i}",
                "type": "publication",
                "title": _sentence(rng, 8),
                "text": " ".join(_sentence(rng, 12) for _ in range(3)),
                "year": 2015 + i,
            }
            for i in range(2)
        ],
    }


def profile_key(record: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """What identifies a version of a profile: its summary and its evidence ids."""
    return record["summary"], tuple(item["id"] for item in record["evidence"])


def write_jsonl(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    """Write records as JSON Lines."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


# --------------------------------------------------------------------------- processes
def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a ``matcher`` subprocess working on ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KE_MATCHER_")}
    env.update(
        KE_MATCHER_DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        # the harness's own requests must not be throttled
        KE_MATCHER_RATE_LIMITS_ENABLED="false",
    )
    env.update(extra or {})
    return env


def start(args: Sequence[str], data_dir: Path, log: Path, **extra: str) -> subprocess.Popen[bytes]:
    """Start ``matcher ARGS`` in its own process group, output to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(MATCHER), "--quiet", *args],
            env=environment(data_dir, extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def run(args: Sequence[str], data_dir: Path, log: Path, **extra: str) -> str:
    """Run ``matcher ARGS`` to completion; returns its output.

    Raises:
        RuntimeError: it failed.
    """
    done = subprocess.run(
        [str(MATCHER), "--quiet", *args],
        env=environment(data_dir, extra),
        capture_output=True,
        text=True,
        check=False,
    )
    with log.open("a") as out:
        out.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"matcher {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def kill(process: subprocess.Popen[bytes]) -> bool:
    """SIGKILL a process group; True when the process was still running."""
    running = process.poll() is None
    if running:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return running


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server politely, then not."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill(process)


class Server:
    """``matcher serve`` on a free loopback port, with an HTTP client holding the admin key."""

    def __init__(self, data_dir: Path, key: str, log: Path, **extra: str) -> None:
        self._start(free_port(), data_dir, key, log, extra)

    @classmethod
    def on_port(cls, port: int, data_dir: Path, key: str, log: Path, **extra: str) -> Server:
        """A server on a given port (a replica started again where its clients expect it)."""
        server = cls.__new__(cls)
        server._start(port, data_dir, key, log, extra)
        return server

    def _start(self, port: int, data_dir: Path, key: str, log: Path, extra: dict[str, str]) -> None:
        self.port = port
        self.process = start(["serve", "--port", str(self.port)], data_dir, log, **extra)
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"authorization": f"Bearer {key}"},
            timeout=60.0,
        )

    def wait_ready(self, timeout: float = SERVE_TIMEOUT) -> bool:
        """Wait until ``/ready`` answers 200; False on timeout or exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if self.client.get("/ready").status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return False

    def close(self, *, hard: bool = False) -> bool:
        """Stop the server (SIGKILL when ``hard``); True when a kill hit a running process."""
        self.client.close()
        if hard:
            return kill(self.process)
        stop(self.process)
        return False


# --------------------------------------------------------------------------- expectations
@dataclass
class Expected:
    """What a trial may find afterwards.

    Attributes:
        profiles: profile id → the versions allowed (keys from :func:`profile_key`); a profile
            whose last write was acknowledged has one allowed version, one with a write in
            flight at the kill has two (``None`` meaning "absent" for a profile being created).
        required: profile ids whose presence was acknowledged.
        introductions: introduction id → allowed statuses.
        acknowledged: how many writes were acknowledged.
    """

    profiles: dict[str, set[tuple[str, tuple[str, ...]] | None]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    introductions: dict[int, set[str]] = field(default_factory=dict)
    acknowledged: int = 0

    def acknowledge_profile(self, record: dict[str, Any]) -> None:
        """A profile write answered: only this version is allowed now."""
        self.profiles[record["id"]] = {profile_key(record)}
        self.required.add(record["id"])
        self.acknowledged += 1


@dataclass
class TrialResult:
    """The outcome of one trial.

    Attributes:
        number: the trial's number.
        kind: the work killed.
        seed: the trial's seed.
        kill_after: seconds from the first write seen (for the burst, from its start) to the
            kill that was asked for.
        kill: where the kill landed (moment from the process start, the phase it hit).
        acknowledged: writes acknowledged before the kill.
        lost: acknowledged writes missing afterwards.
        inconsistent: half-written or disagreeing data found afterwards.
        failed_start: the service did not start or search afterwards.
    """

    number: int
    kind: str
    seed: int
    kill_after: float
    kill: Kill
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    failed_start: bool = False

    @property
    def killed_running(self) -> bool:
        """The signal hit a running process (whatever it was doing)."""
        return self.kill.phase != "exited"

    @property
    def killed_writing(self) -> bool:
        """The signal hit the process inside its write phase."""
        return self.kill.killed_writing

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        began = self.kill.write_began
        return {
            "trial": self.number,
            "kind": self.kind,
            "seed": self.seed,
            "kill_after_write_began_s": round(self.kill_after, 3),
            "kill_at_s": round(self.kill.at, 3),
            "write_began_s": None if began is None else round(began, 3),
            "phase_at_kill": self.kill.phase,
            "killed_running": self.killed_running,
            "killed_writing": self.killed_writing,
            "acknowledged": self.acknowledged,
            "lost": self.lost,
            "inconsistent": self.inconsistent,
            "failed_start": self.failed_start,
        }


# --------------------------------------------------------------------------- the harness
class CrashHarness:
    """Trials on copies of one template data directory under ``root``.

    Args:
        root: work folder (trial folders are removed unless a trial fails).
        models_dir: exported ONNX models shared by every trial (exported on first use).
        seed: seed of the data and of the kill moments.
        base_profiles: profiles in the template.
    """

    def __init__(
        self, root: Path, *, models_dir: Path, seed: int = 0, base_profiles: int = 20
    ) -> None:
        self.root = root
        self.models_dir = models_dir
        self.seed = seed
        self.base_profiles = base_profiles
        self.template = root / "template"
        self.key = ""
        self.base: dict[str, dict[str, Any]] = {}
        #: each kind's write phase in an undisturbed dry run (set by :meth:`prepare`)
        self.timings: dict[str, PhaseTiming] = {}

    def log(self, message: str) -> None:
        """Progress on stderr."""
        print(f"[crash-test] {message}", file=sys.stderr, flush=True)

    def window(self, kind: str) -> tuple[float, float]:
        """Seconds after the write phase began (for the burst, after it began) within which a
        trial of ``kind`` is killed: the dry run's write phase.

        Raises:
            RuntimeError: the write phases were not timed (``prepare(calibrate=False)``).
        """
        if kind == "introductions":
            return BURST_WINDOW
        if kind not in self.timings:
            raise RuntimeError("the write phases were not timed: give kill_after or calibrate")
        # the first 60%: the same work's write phase varies from run to run with the load
        return 0.0, WINDOW_SHARE * self.timings[kind].seconds

    # ----------------------------------------------------------------- template
    def prepare(self, *, calibrate: bool = True) -> None:
        """Build the template: organisations, base profiles, index, admin key, call file; then
        (``calibrate``) time the write phase of an undisturbed build, batch and ingest."""
        shutil.rmtree(self.root / "template", ignore_errors=True)
        self.template.mkdir(parents=True)
        self.models_dir.mkdir(parents=True, exist_ok=True)
        (self.template / "models").symlink_to(self.models_dir.resolve())
        inputs = self.root / "inputs"
        shutil.rmtree(inputs, ignore_errors=True)
        inputs.mkdir(parents=True)
        rng = random.Random(self.seed)
        (inputs / "organisations.csv").write_text(
            "id,name,type,region\n"
            + "".join(f"org-{i},University {i},university,North\n" for i in range(3))
        )
        records = [make_profile(rng, f"base-{i:03d}", version=0) for i in range(self.base_profiles)]
        self.base = {r["id"]: r for r in records}
        write_jsonl(inputs / "base.jsonl", records)
        with (inputs / "call.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text", "partners"])
            for i in range(8):
                writer.writerow([f"C{i}", _sentence(rng, 20), 2])
        log = self.root / "template.log"
        run(
            ["ingest", str(inputs / "organisations.csv"), str(inputs / "base.jsonl")],
            self.template,
            log,
        )
        self.key = (
            run(
                ["keys", "create", "--role", "admin", "--name", "crash harness"], self.template, log
            )
            .strip()
            .splitlines()[-1]
        )
        if calibrate:
            self.calibrate(log)

    def calibrate(self, log: Path) -> None:
        """Time each kind's write phase in an undisturbed run on one scratch copy of the
        template: a first build (as a build trial does it), a batch over that index, an ingest
        of records shaped like a trial's."""
        scratch = self.root / "calibration"
        shutil.rmtree(scratch, ignore_errors=True)
        data_dir = scratch / "data"
        shutil.copytree(self.template, data_dir, symlinks=True)
        rng = random.Random(self.seed * 1_000 - 1)  # a seed no trial uses
        for kind in ("build", "batch", "ingest"):
            args, out, _settle = self._work(kind, scratch, data_dir, rng, Expected())
            watch = probe(kind, data_dir, out)
            timing = time_phase(start(args, data_dir, log), watch)
            if timing.returncode != 0 or timing.began is None:
                raise RuntimeError(f"the dry run of {kind} failed or wrote nothing; see {log}")
            self.timings[kind] = timing
        shutil.rmtree(scratch, ignore_errors=True)
        self.log(
            "write phases of undisturbed runs (s from the process start): "
            + ", ".join(
                f"{k} {t.began:.2f}–{t.ended:.2f} of {t.exited:.2f}"
                for k, t in self.timings.items()
                if t.began is not None and t.ended is not None
            )
        )

    # ----------------------------------------------------------------- one trial
    def trial(self, number: int, kind: str, *, kill_after: float | None = None) -> TrialResult:
        """Run one trial of ``kind`` on a fresh copy of the template, killed ``kill_after``
        seconds after its write phase began (for the burst: after the burst began), or after
        a seeded random delay within :meth:`window` when ``kill_after`` is not given."""
        seed = self.seed * 1_000 + number
        rng = random.Random(seed)
        folder = self.root / f"trial-{number:03d}-{kind}"
        shutil.rmtree(folder, ignore_errors=True)
        data_dir = folder / "data"
        shutil.copytree(self.template, data_dir, symlinks=True)
        log = folder / "log.txt"
        expected = Expected()
        for record in self.base.values():
            expected.profiles[record["id"]] = {profile_key(record)}
            expected.required.add(record["id"])
        if kill_after is None:
            kill_after = rng.uniform(*self.window(kind))
        extra_check: Callable[[], list[str]] | None = None
        if kind == "introductions":
            landed = self._run_introductions(data_dir, log, rng, kill_after, expected)
        else:
            args, out, settle = self._work(kind, folder, data_dir, rng, expected)
            watch = probe(kind, data_dir, out)
            landed = kill_in_phase(start(args, data_dir, log), watch, after=kill_after)
            extra_check = settle(landed)
        result = TrialResult(number, kind, seed, kill_after, landed, expected.acknowledged)
        self.check(data_dir, log, expected, result)
        if extra_check is not None:
            result.inconsistent.extend(extra_check())
        if not (result.lost or result.inconsistent or result.failed_start):
            shutil.rmtree(folder, ignore_errors=True)
        return result

    def _work(
        self, kind: str, folder: Path, data_dir: Path, rng: random.Random, expected: Expected
    ) -> tuple[list[str], Path | None, Settle]:
        """The command of a CLI kind of work, its report folder, and what to expect after it
        (called with where the kill landed; returns an extra check, if any)."""
        if kind == "ingest":
            return self._ingest_work(folder, rng, expected)
        if kind == "build":
            # a first build: no index, nothing cached, so it embeds every text and publishes
            with sqlite3.connect(data_dir / "catalogue.db") as db:
                db.execute("DELETE FROM embeddings")
            db.close()
            shutil.rmtree(data_dir / "index")
            return ["build"], None, lambda _landed: None
        if kind == "batch":
            out = folder / "out"
            shutil.rmtree(out, ignore_errors=True)

            def settle(landed: Kill) -> Callable[[], list[str]]:
                finished = landed.phase == "exited" and landed.returncode == 0
                if finished:
                    expected.acknowledged += 1
                return lambda: check_reports(out, finished=finished, briefs=8)

            return ["batch", str(self.root / "inputs" / "call.csv"), "--out", str(out)], out, settle
        raise ValueError(f"no command for {kind!r}; choose one of {KINDS}")

    def _ingest_work(
        self, folder: Path, rng: random.Random, expected: Expected
    ) -> tuple[list[str], None, Settle]:
        records = [make_profile(rng, f"new-{i:03d}", version=1) for i in range(20)]
        for profile_id in rng.sample(sorted(self.base), 6):
            records.append(make_profile(rng, profile_id, version=1))
        path = write_jsonl(folder / "extra.jsonl", records)

        def settle(landed: Kill) -> None:
            if landed.phase == "exited" and landed.returncode == 0:  # finished, acknowledged
                for record in records:
                    expected.acknowledge_profile(record)
            else:
                for record in records:
                    allowed = expected.profiles.get(record["id"], {None})
                    expected.profiles[record["id"]] = allowed | {profile_key(record)}

        return ["ingest", str(path)], None, settle

    def _run_introductions(
        self, data_dir: Path, log: Path, rng: random.Random, delay: float, expected: Expected
    ) -> Kill:
        """A burst of introduction and profile writes through the API of a ready server,
        which is killed ``delay`` seconds after the burst began."""
        server = Server(data_dir, self.key, log)
        if not server.wait_ready():
            server.close(hard=True)
            raise RuntimeError(f"the server did not start for the burst; see {log}")
        stop_flag = threading.Event()
        client = server.client
        ids = sorted(self.base)
        version = {pid: 0 for pid in ids}
        statuses: dict[int, str] = {}
        first_write: list[float] = []  # when the burst sent its first write

        def burst() -> None:
            while not stop_flag.is_set():
                if not first_write:
                    first_write.append(time.monotonic())
                action = rng.random()
                try:
                    if action < 0.4 or not statuses:
                        profile_id = rng.choice(ids)
                        response = client.post(
                            "/api/v1/introductions",
                            json={"profile_id": profile_id, "requester": "harness", "note": "n"},
                        )
                        if response.status_code == 201:
                            intro_id = int(response.json()["id"])
                            statuses[intro_id] = "proposed"
                            expected.introductions[intro_id] = {"proposed"}
                            expected.acknowledged += 1
                    elif action < 0.8:
                        open_ids = [
                            i for i, s in statuses.items() if s in ("proposed", "contacted", "met")
                        ]
                        if not open_ids:
                            continue
                        intro_id = rng.choice(open_ids)
                        new = STATUS_PATH[
                            ("proposed", "contacted", "met").index(statuses[intro_id])
                        ]
                        expected.introductions[intro_id] = {statuses[intro_id], new}
                        response = client.post(
                            f"/api/v1/introductions/{intro_id}/status", json={"status": new}
                        )
                        if response.status_code == 200:
                            statuses[intro_id] = new
                            expected.introductions[intro_id] = {new}
                            expected.acknowledged += 1
                    else:
                        profile_id = rng.choice(ids)
                        version[profile_id] += 1
                        record = make_profile(rng, profile_id, version=version[profile_id])
                        record["organisation"] = self.base[profile_id]["organisation"]
                        expected.profiles[profile_id] = expected.profiles[profile_id] | {
                            profile_key(record)
                        }
                        body = {k: v for k, v in record.items() if k != "record"}
                        response = client.put(f"/api/v1/profiles/{profile_id}", json=body)
                        if response.status_code == 200:
                            expected.acknowledge_profile(record)
                except httpx.HTTPError:
                    return

        thread = threading.Thread(target=burst, daemon=True)
        started = time.monotonic()
        thread.start()
        time.sleep(delay)
        seen: Phase = "writing" if first_write else "before"
        at = time.monotonic() - started
        killed = server.close(hard=True)
        stop_flag.set()
        thread.join(timeout=30)
        began = first_write[0] - started if first_write else None
        return Kill(at, began, seen if killed else "exited", server.process.returncode)

    # ----------------------------------------------------------------- checks
    def check(self, data_dir: Path, log: Path, expected: Expected, result: TrialResult) -> None:
        """Restart the service on ``data_dir`` and record what was lost or inconsistent."""
        server = Server(data_dir, self.key, log)
        try:
            if not server.wait_ready():
                result.failed_start = True
                return
            search = server.client.post(
                "/api/v1/search", json={"text": "wearable sensors to detect falls in hospital"}
            )
            if search.status_code != 200 or search.json().get("total", 0) < 1:
                result.failed_start = True
                result.inconsistent.append(f"search answered {search.status_code}")
            health = server.client.get("/api/v1/status").json()
            if health.get("problem"):
                result.inconsistent.append(f"status problem: {health['problem']}")
            lost, inconsistent = check_catalogue(data_dir, expected)
            result.lost.extend(lost)
            result.inconsistent.extend(inconsistent)
            result.inconsistent.extend(check_index(data_dir))
        finally:
            server.close()

    # ----------------------------------------------------------------- many trials
    def run_trials(self, trials: int) -> list[TrialResult]:
        """Prepare the template, then run ``trials`` trials cycling through the kinds."""
        self.prepare()
        results = []
        for number in range(trials):
            kind = KINDS[number % len(KINDS)]
            result = self.trial(number, kind)
            self.log(json.dumps(result.to_json()))
            results.append(result)
        return results


def check_catalogue(data_dir: Path, expected: Expected) -> tuple[list[str], list[str]]:
    """Lost acknowledged writes and half-written rows, read straight from the SQLite file."""
    lost: list[str] = []
    bad: list[str] = []
    db = sqlite3.connect(f"file:{data_dir / 'catalogue.db'}?mode=ro", uri=True)
    try:
        summaries = dict(db.execute("SELECT id, summary FROM profiles"))
        items: dict[str, list[str]] = {pid: [] for pid in summaries}
        for pid, item_id in db.execute(
            "SELECT profile_id, item_id FROM evidence WHERE type != 'summary' "
            "ORDER BY profile_id, position"
        ):
            items.setdefault(pid, []).append(item_id)
        for pid, allowed in expected.profiles.items():
            found = (summaries[pid], tuple(items[pid])) if pid in summaries else None
            if found in allowed:
                continue
            if found is None and pid in expected.required:
                lost.append(f"profile {pid} is missing")
            elif found is not None and found[0] not in {a[0] for a in allowed if a}:
                lost.append(f"profile {pid} lost its acknowledged version")
            else:
                bad.append(f"profile {pid} is half-written: {found}")
        for pid in set(summaries) - set(expected.profiles):
            bad.append(f"unexpected profile {pid}")
        queries = {
            "evidence without a profile": "SELECT count(*) FROM evidence e LEFT JOIN profiles p "
            "ON p.id = e.profile_id WHERE p.id IS NULL",
            "chunks without evidence": "SELECT count(*) FROM chunks c LEFT JOIN evidence e "
            "ON e.pk = c.evidence_pk WHERE e.pk IS NULL OR e.profile_id != c.profile_id",
            "profiles without a summary item": "SELECT count(*) FROM profiles p WHERE NOT EXISTS "
            "(SELECT 1 FROM evidence e WHERE e.profile_id = p.id AND e.type = 'summary')",
            "evidence without chunks": "SELECT count(*) FROM evidence e WHERE NOT EXISTS "
            "(SELECT 1 FROM chunks c WHERE c.evidence_pk = e.pk)",
            "cached embeddings of no chunk": "SELECT count(*) FROM embeddings WHERE text_hash "
            "NOT IN (SELECT text_hash FROM chunks)",
            "chunks without a cached embedding": "SELECT count(*) FROM chunks WHERE text_hash "
            "NOT IN (SELECT text_hash FROM embeddings)",
            "introductions without a profile": "SELECT count(*) FROM introductions i LEFT JOIN "
            "profiles p ON p.id = i.profile_id WHERE p.id IS NULL",
            "introduction events without an introduction": "SELECT count(*) FROM "
            "introduction_events v LEFT JOIN introductions i ON i.id = v.introduction_id "
            "WHERE i.id IS NULL",
        }
        for name, sql in queries.items():
            count = db.execute(sql).fetchone()[0]
            if count:
                bad.append(f"{count} {name}")
        intro_status = dict(db.execute("SELECT id, status FROM introductions"))
        for intro_id, allowed_statuses in expected.introductions.items():
            status = intro_status.get(intro_id)
            if status is None:
                # created but never acknowledged ({"proposed"} only when acknowledged)
                lost.append(f"introduction {intro_id} is missing")
            elif status not in allowed_statuses:
                lost.append(f"introduction {intro_id} is {status}, acknowledged {allowed_statuses}")
        for intro_id, n_events, status in db.execute(
            "SELECT i.id, count(v.id), i.status FROM introductions i LEFT JOIN "
            "introduction_events v ON v.introduction_id = i.id GROUP BY i.id"
        ):
            steps = ("proposed", "contacted", "met", "collaborating").index(status) + 1
            if status != "declined" and n_events < steps:
                bad.append(f"introduction {intro_id} is {status} with {n_events} events")
    finally:
        db.close()
    return lost, bad


def check_index(data_dir: Path) -> list[str]:
    """Whether the served index version agrees with the catalogue."""
    bad: list[str] = []
    root = data_dir / "index"
    link = root / "CURRENT"
    if not link.is_symlink():
        return ["no CURRENT index"]
    current = root / os.readlink(link)
    manifest = json.loads((current / "manifest.json").read_text())
    with np.load(current / "rows.npz") as arrays:
        row_ids = set(arrays["row_ids"].tolist())
    indexed_profiles = {
        p["id"] for p in json.loads((current / "catalogue.json").read_text())["profiles"]
    }
    db = sqlite3.connect(f"file:{data_dir / 'catalogue.db'}?mode=ro", uri=True)
    try:
        version = int(
            db.execute("SELECT value FROM meta WHERE key='catalogue_version'").fetchone()[0]
        )
        chunk_ids = {r[0] for r in db.execute("SELECT id FROM chunks")}
        profile_ids = {r[0] for r in db.execute("SELECT id FROM profiles")}
    finally:
        db.close()
    if manifest["catalogue_version"] != version:
        bad.append(f"manifest catalogue version {manifest['catalogue_version']} != {version}")
    if row_ids != chunk_ids:
        bad.append(
            f"index vectors differ from chunks: {len(row_ids - chunk_ids)} without a chunk, "
            f"{len(chunk_ids - row_ids)} chunks without a vector"
        )
    if manifest["vector_count"] != len(row_ids):
        bad.append("manifest vector count differs from the index")
    if indexed_profiles != profile_ids:
        bad.append("indexed profiles differ from the catalogue's")
    leftovers = [p.name for p in root.glob(".build-*")]
    if leftovers:
        bad.append(f"staging folders left: {leftovers}")
    return bad


def check_reports(out: Path, *, finished: bool, briefs: int) -> list[str]:
    """A finished batch wrote its four complete reports (``consortia.json`` among them); a killed
    one left none or complete ones."""
    from openpyxl import load_workbook

    from service.batch.jobs import CONSORTIA_FILE

    bad: list[str] = []
    names = ("partners.csv", "partners.xlsx", "report.html", CONSORTIA_FILE)
    present = [n for n in names if (out / n).exists()]
    if finished and len(present) != len(names):
        return [f"a finished batch left only {present}"]
    present += [n for n in ("profiles.json",) if (out / n).exists()]
    for name in present:
        path = out / name
        try:
            if name.endswith(".csv"):
                with path.open(encoding="utf-8-sig", newline="") as handle:
                    ids = {row["brief_id"] for row in csv.DictReader(handle)}
                if len(ids) != briefs:
                    bad.append(f"{name} has {len(ids)} of {briefs} briefs")
            elif name.endswith(".xlsx"):
                load_workbook(path, read_only=True).close()
            elif name.endswith(".json"):
                json.loads(path.read_text(encoding="utf-8"))
            elif not path.read_text(encoding="utf-8").rstrip().endswith("</html>"):
                bad.append(f"{name} is truncated")
        except Exception as error:  # any failure to read it back means it is half-written
            bad.append(f"{name} is unreadable: {error}")
    # hidden ".name.partial" files are a killed write's leftovers, never taken for a report
    known = {*names, "profiles.json"}  # the ids the reports name, kept for erasure
    leftovers = [p.name for p in out.glob("[!.]*") if p.name not in known] if out.exists() else []
    if leftovers:
        bad.append(f"temporary report files left: {leftovers}")
    return bad


# --------------------------------------------------------------------------- report
def summary(results: Sequence[TrialResult]) -> dict[str, int]:
    """The final counts."""
    return {
        "trials": len(results),
        "killed_writing": sum(r.killed_writing for r in results),
        "acknowledged_lost": sum(len(r.lost) for r in results),
        "inconsistent": sum(len(r.inconsistent) for r in results),
        "failed_starts": sum(r.failed_start for r in results),
    }


def kinds_never_killed_writing(results: Sequence[TrialResult]) -> list[str]:
    """The kinds of work tried whose kills all missed the write phase."""
    tried = [k for k in KINDS if any(r.kind == k for r in results)]
    return [k for k in tried if not any(r.killed_writing for r in results if r.kind == k)]


def _span(values: Sequence[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if values else "–"


def table(
    results: Sequence[TrialResult],
    *,
    seconds: float,
    load: float = 0.0,
    timings: dict[str, PhaseTiming] | None = None,
) -> str:
    """The Markdown section for ``docs/reliability.md``."""
    timings = timings or {}
    lines = [
        "## Crash test",
        "",
        f"`make crash-test TRIALS={len(results)}` — {now()}, commit {commit()}, {machine()}; "
        f"{seconds:.0f} s. Each trial SIGKILLs a real `matcher` process inside its write phase, "
        "restarts `matcher serve` and checks acknowledged writes, half-written rows, "
        "index/catalogue agreement and `/ready` + a search. The write phase is seen from the "
        "files it touches (the catalogue's WAL, the index folder's staging folder, version and "
        "`CURRENT` link, a batch's partial report files; `benchmarks/write_phase.py`); each "
        "kind's is timed in an undisturbed dry run, and a trial is killed a seeded random time "
        "after its own first write, uniform within the first 60% of that dry run's write phase (runs "
        "vary with the load; the burst of API "
        f"writes: {BURST_WINDOW[0]}–{BURST_WINDOW[1]} s after it began). A snapshot just before "
        "the signal says whether the kill hit the process while it was writing. "
        f"Load average when the run began: {load:.1f} (the machine is shared).",
        "",
        "| work killed | trials | killed while running | killed inside the write phase "
        "| write phase of a dry run (s from its start) | kills after the first write (s) "
        "| writes acknowledged | lost | inconsistent | failed starts |",
        "|---|---:|---:|---:|---|---|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        rows = [r for r in results if r.kind == kind]
        if not rows:
            continue
        timing = timings.get(kind)
        dry = (
            f"{timing.began:.2f}–{timing.ended:.2f} of {timing.exited:.2f}"
            if timing is not None and timing.began is not None and timing.ended is not None
            else "the burst"
        )
        after_write = [
            r.kill.at - r.kill.write_began for r in rows if r.kill.write_began is not None
        ]
        lines.append(
            f"| {kind} | {len(rows)} | {sum(r.killed_running for r in rows)} "
            f"| {sum(r.killed_writing for r in rows)} | {dry} | {_span(after_write)} "
            f"| {sum(r.acknowledged for r in rows)} "
            f"| {sum(len(r.lost) for r in rows)} | {sum(len(r.inconsistent) for r in rows)} "
            f"| {sum(r.failed_start for r in rows)} |"
        )
    totals = summary(results)
    lines += [
        f"| **all** | {totals['trials']} | {sum(r.killed_running for r in results)} "
        f"| {totals['killed_writing']} | | | {sum(r.acknowledged for r in results)} "
        f"| {totals['acknowledged_lost']} | {totals['inconsistent']} | {totals['failed_starts']} |",
        "",
        "Write phases: an ingest from its first catalogue write to the new index version in "
        "`CURRENT` with the catalogue closed; a first build from creating the index folder to "
        "the same; a batch from its first partial report file to `report.html` in place; the "
        "burst from its first request. Acknowledged: every profile of an ingest that exited 0, "
        "a batch that exited 0 (its three reports must be complete), each introduction and "
        "profile write answered 2xx; a write in flight at the kill may be either there or not, "
        "but never half there.",
        "",
    ]
    missed = kinds_never_killed_writing(results)
    if missed:
        lines.append(f"- no kill landed inside the write phase of: {', '.join(missed)}")
    problems = [r for r in results if r.lost or r.inconsistent or r.failed_start]
    for r in problems:
        lines.append(f"- trial {r.number} ({r.kind}, seed {r.seed}): {r.lost + r.inconsistent}")
    return "\n".join(lines)


def write_report(path: Path, body: str, *, section: str = "crash-test") -> None:
    """Write a crash-test section of the reliability report."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# Reliability\n\nFigures of the last runs of `make crash-test` and `make load-test`.\n"
        )
    write_section(path, section, body)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the trials, print one JSON line, write the report; exit 1 when anything was lost,
    inconsistent or failed to start, or when a kind of work was never killed while writing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("var/crash-test"))
    parser.add_argument(
        "--models", type=Path, default=None, help="Shared ONNX model folder (default WORK/models)."
    )
    parser.add_argument(
        "--ray-trials",
        type=int,
        default=0,
        help="Trials of each kill of `matcher build --ray` (an encoder actor, the driver); "
        "skipped, and said so, when Ray is not installed.",
    )
    parser.add_argument("--out", type=Path, default=None, help="Markdown report to update.")
    args = parser.parse_args(argv)
    models = args.models or args.work / "models"
    results: list[TrialResult] = []
    if args.trials:
        harness = CrashHarness(args.work, models_dir=models, seed=args.seed)
        started, load = time.monotonic(), os.getloadavg()[0]
        results = harness.run_trials(args.trials)
        if args.out is not None:
            body = table(
                results, seconds=time.monotonic() - started, load=load, timings=harness.timings
            )
            write_report(args.out, body)
    ray_outside = run_ray_trials(args, models, results) if args.ray_trials else []
    totals = summary(results)
    print(json.dumps(totals))
    clean = totals["acknowledged_lost"] == totals["inconsistent"] == totals["failed_starts"] == 0
    return 0 if clean and not kinds_never_killed_writing(results) and not ray_outside else 1


def run_ray_trials(args: argparse.Namespace, models: Path, results: list[TrialResult]) -> list[int]:
    """The ``build --ray`` trials (:mod:`benchmarks.ray_crash`), appended to ``results``, and
    their section of the report; returns the trials whose kill fell outside the embedding
    phase. Without Ray they are skipped and the section says so."""
    from benchmarks import ray_crash

    if not ray_crash.ray_installed():
        print(
            "[crash-test] Ray is not installed: the build --ray trials are skipped", file=sys.stderr
        )
        if args.out is not None:
            write_report(args.out, ray_crash.skipped(args.ray_trials), section="crash-test-ray")
        return []
    trials = ray_crash.RayCrashTrials(args.work / "ray", models_dir=models, seed=args.seed)
    started, load = time.monotonic(), os.getloadavg()[0]
    ray_results = trials.run(args.ray_trials)
    results.extend(ray_results)
    if args.out is not None:
        body = ray_crash.table(
            ray_results, seconds=time.monotonic() - started, load=load, trials=args.ray_trials
        )
        write_report(args.out, body, section="crash-test-ray")
    return ray_crash.trials_outside_the_phase(ray_results)


if __name__ == "__main__":
    sys.exit(main())
