"""Bounded load test with writes: locust users against ``matcher serve`` on loopback.

Seeds a catalogue (``matcher ingest``), starts ``matcher serve`` with rate limiting off, runs
locust headless (fixed users, spawn rate and run time) mixing searches, profile reads, whole
profile replacements and introduction changes (:mod:`benchmarks.locustfile`), then checks:

- no 5xx and no "database is locked" reached a user (responses, and the server log);
- no lost update: each profile's summary and each introduction's status is the last write its
  (only) writer saw acknowledged;
- the index caught up with the catalogue (``/api/v1/status`` reports no problem).

The catalogue is SQLite in the work folder unless ``--database-url`` (or
``KE_MATCHER_DATABASE_URL``) names another, e.g. ``postgresql+psycopg://…`` for a throwaway
server started by ``tests/pg_server.py``. ``--replicas`` also runs two ``matcher serve``
replicas over one PostgreSQL and one Redis and kills one mid-run (:mod:`benchmarks.replica_load`).
Figures go to ``docs/reliability.md``, one section per backend; the last line printed is a JSON
summary.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import commit, machine, now, write_section
from benchmarks.crash_test import (
    Server,
    make_profile,
    run,
    write_jsonl,
)

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
REQUEST_NAMES = (
    "search",
    "profile read",
    "profile update",
    "shared profile update",
    "introduction create",
    "introduction status",
)


def request_table(figures: dict[str, dict[str, float]], *, failures: str) -> list[str]:
    """The Markdown table of locust's figures per request name and in all (``failures``: the
    last column's heading)."""
    lines = [
        f"| request | requests | rps | p50 ms | p99 ms | {failures} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in (*REQUEST_NAMES, "Aggregated"):
        if name in figures:
            f = figures[name]
            label = "**all**" if name == "Aggregated" else name
            lines.append(
                f"| {label} | {f['requests']:.0f} | {f['rps']:.1f} | {f['p50']:.0f} "
                f"| {f['p99']:.0f} | {f['failures']:.0f} |"
            )
    return lines


def prepare(work: Path, *, profiles: int, users: int, seed: int, database_url: str | None) -> Path:
    """Seed the catalogue and write the plan the locust users read; returns the plan's path."""
    import random

    shutil.rmtree(work, ignore_errors=True)
    data_dir = work / "data"
    data_dir.mkdir(parents=True)
    models = Path("var/crash-test/models")
    models.mkdir(parents=True, exist_ok=True)
    (data_dir / "models").symlink_to(models.resolve())
    rng = random.Random(seed)
    orgs = work / "organisations.csv"
    orgs.write_text(
        "id,name,type,region\n"
        + "".join(f"org-{i},University {i},university,North\n" for i in range(3))
    )
    records = [make_profile(rng, f"load-{i:03d}", version=0) for i in range(profiles)]
    log = work / "setup.log"
    extra = {"KE_MATCHER_DATABASE_URL": database_url} if database_url else {}
    run(
        ["ingest", str(orgs), str(write_jsonl(work / "profiles.jsonl", records))],
        data_dir,
        log,
        **extra,
    )
    keys = {
        role: run(
            ["keys", "create", "--role", role, "--name", f"load {role}"], data_dir, log, **extra
        )
        .strip()
        .splitlines()[-1]
        for role in ("admin", "ke_staff")
    }
    plan = {
        "users": users,
        "admin_key": keys["admin"],
        "staff_key": keys["ke_staff"],
        "profiles": [{k: v for k, v in r.items() if k != "record"} for r in records],
    }
    path = work / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def run_locust(
    work: Path, host: str, *, users: int, spawn_rate: float, run_time: str, plan: Path
) -> Path:
    """Run locust headless; returns the path prefix of its CSV statistics."""
    prefix = work / "locust"
    env = {
        **os.environ,
        "KE_LOAD_PLAN": str(plan),
        "KE_LOAD_ACK_LOG": str(work / "acknowledged.jsonl"),
    }
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f", str(LOCUSTFILE), "--headless", "--host", host,
        "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", run_time,
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "30",
        "--exit-code-on-error", "0", "--loglevel", "WARNING",
    ]  # fmt: skip
    with (work / "locust.log").open("w") as out:
        subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=True)
    return prefix


def read_stats(prefix: Path) -> dict[str, dict[str, float]]:
    """Per request name (and ``Aggregated``): count, failures, rps, p50, p99 (ms)."""
    figures: dict[str, dict[str, float]] = {}
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            figures[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p99": float(row["99%"]),
            }
    return figures


def read_failures(prefix: Path) -> list[dict[str, str]]:
    """Locust's failure table (name, error, occurrences)."""
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def check_final_state(client: httpx.Client, ack_log: Path) -> tuple[int, list[str]]:
    """The number of acknowledged writes and the ones whose effect is not the final state.

    A write that failed (``…-attempt`` in the log; on a replica killed mid-request it may have
    been committed) is allowed as the final state too until its writer's next acknowledged write.
    """
    allowed_profile: dict[str, set[str]] = {}
    acknowledged_profiles: set[str] = set()
    allowed_status: dict[int, set[str]] = {}
    shared: list[dict[str, Any]] = []
    shared_failed: list[dict[str, Any]] = []
    count = 0
    entries = (
        [json.loads(line) for line in ack_log.read_text().splitlines()] if ack_log.exists() else []
    )
    for entry in entries:
        kind = entry["kind"]
        if not kind.endswith("-attempt"):
            count += 1
        if kind == "profile":
            allowed_profile[entry["id"]] = {entry["summary"]}
            acknowledged_profiles.add(entry["id"])
        elif kind == "profile-attempt":
            allowed_profile.setdefault(entry["id"], set()).add(entry["summary"])
        elif kind == "shared":
            shared.append(entry)
        elif kind == "shared-attempt":
            shared_failed.append(entry)
        elif kind == "introduction":
            allowed_status[int(entry["id"])] = {entry["status"]}
        elif kind == "introduction-attempt":
            allowed_status.setdefault(int(entry["id"]), set()).add(entry["status"])
    lost = []
    if shared:
        # concurrent writers: the final state must be an acknowledged write that no other
        # acknowledged write began after (a later one would have overwritten it), or a failed
        # one that ended after that moment
        latest_start = max(w["started"] for w in shared)
        allowed = {w["summary"] for w in shared if w["acknowledged"] >= latest_start}
        allowed |= {w["summary"] for w in shared_failed if w["failed"] >= latest_start}
        found = client.get(f"/api/v1/profiles/{shared[0]['id']}")
        if found.status_code != 200 or found.json()["summary"] not in allowed:
            lost.append(f"shared profile {shared[0]['id']}: got {found.text[:80]}")
    for profile_id in sorted(acknowledged_profiles):
        summaries = allowed_profile[profile_id]
        found = client.get(f"/api/v1/profiles/{profile_id}")
        if found.status_code != 200 or found.json()["summary"] not in summaries:
            lost.append(
                f"profile {profile_id}: expected one of {len(summaries)}, got {found.text[:80]}"
            )
    for intro_id, statuses in allowed_status.items():
        found = client.get(f"/api/v1/introductions/{intro_id}")
        if found.status_code != 200 or found.json()["status"] not in statuses:
            lost.append(f"introduction {intro_id}: expected {statuses}, got {found.text[:80]}")
    return count, lost


def backend_name(database_url: str | None) -> str:
    """``sqlite`` or ``postgresql``."""
    return "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite"


def report(
    figures: dict[str, dict[str, float]],
    result: dict[str, Any],
    *,
    backend: str,
    users: int,
    spawn_rate: float,
    run_time: str,
    profiles: int,
    load: float,
    note: str = "",
) -> str:
    """The Markdown section of one backend."""
    lines = [
        f"## Load test ({backend})",
        "",
        f"`make load-test` — {now()}, commit {commit()}, {machine()}. locust {users} users "
        f"(spawn {spawn_rate}/s) for {run_time} against one `matcher serve` process on loopback, "
        f"{profiles} profiles, rate limiting off; each user waits 0.05–0.3 s between requests and "
        "owns its profiles and introductions (writes one at a time, so its last acknowledged "
        "write must be the final state); one more profile is replaced by all users at once "
        "(its final state must be an acknowledged write no other acknowledged write began after). "
        f"Load average when the run began: {load:.1f} (the machine is shared).{note}",
        "",
        *request_table(figures, failures="errors"),
    ]
    lines += [
        "",
        f'5xx responses: {result["server_errors"]}; "database is locked" seen by a user or in '
        f"the server log: {result['database_locked']}; acknowledged writes checked: "
        f"{result['acknowledged']}, lost: {result['lost']}; index agrees with the catalogue "
        f"afterwards: {'yes' if result['index_ok'] else 'no'}.",
    ]
    return "\n".join(lines)


def write_reliability(path: Path, section: str, body: str) -> None:
    """Write one section of the reliability report (created when missing)."""
    if not path.exists():
        path.write_text(
            "# Reliability\n\nFigures of the last runs of `make crash-test` and `make load-test`.\n"
        )
    write_section(path, section, body)


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, serve, load, check, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--spawn-rate", type=float, default=4.0)
    parser.add_argument("--run-time", default="2m", help="locust notation: 90s, 2m, ...")
    parser.add_argument("--profiles", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("var/load-test"))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("KE_MATCHER_DATABASE_URL"),
        help="Catalogue URL (default: SQLite in the work folder, or KE_MATCHER_DATABASE_URL).",
    )
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="Also run on a throwaway PostgreSQL server (tests/pg_server.py) unless "
        "--database-url names one.",
    )
    parser.add_argument(
        "--replicas",
        action="store_true",
        help="Also run two replicas over a throwaway PostgreSQL and Redis (redis-server), "
        "one killed mid-run (benchmarks/replica_load.py).",
    )
    parser.add_argument("--only-replicas", action="store_true", help="Run the replica test alone.")
    parser.add_argument("--out", type=Path, default=None, help="Markdown report to update.")
    args = parser.parse_args(argv)
    results = [] if args.only_replicas else [run_backend(args, args.database_url)]
    if args.replicas or args.only_replicas:
        from benchmarks.replica_load import run_replicas

        results.append(run_replicas(args))
    if args.postgresql and not args.only_replicas and backend_name(args.database_url) == "sqlite":
        from tests.pg_server import throwaway_server

        with throwaway_server() as url:
            results.append(
                run_backend(
                    args,
                    url,
                    note=" PostgreSQL: a throwaway server from tests/pg_server.py (fsync off).",
                )
            )
    for result in results:
        print(json.dumps(result))
    return 0 if all(result["clean"] for result in results) else 1


def run_backend(
    args: argparse.Namespace, database_url: str | None, *, note: str = ""
) -> dict[str, Any]:
    """One load test against one catalogue backend; returns its result (and writes its
    section of the report)."""
    backend = backend_name(database_url)
    work = args.work / backend
    plan_path = prepare(
        work,
        profiles=args.profiles,
        users=args.users,
        seed=args.seed,
        database_url=database_url,
    )
    plan = json.loads(plan_path.read_text())
    extra = {"KE_MATCHER_DATABASE_URL": database_url} if database_url else {}
    log = work / "server.log"
    server = Server(work / "data", plan["admin_key"], log, **extra)
    try:
        if not server.wait_ready():
            raise SystemExit(f"matcher serve did not start; see {log}")
        load = os.getloadavg()[0]
        host = f"http://127.0.0.1:{server.port}"
        print(
            f"[load-test] {backend}: {args.users} users for {args.run_time} on {host}",
            file=sys.stderr,
        )
        prefix = run_locust(
            work,
            host,
            users=args.users,
            spawn_rate=args.spawn_rate,
            run_time=args.run_time,
            plan=plan_path,
        )
        time.sleep(1.0)
        acknowledged, lost = check_final_state(server.client, work / "acknowledged.jsonl")
        health = server.client.get("/api/v1/status").json()
        index_ok = not health.get("problem")
    finally:
        server.close()
    figures = read_stats(prefix)
    failures = read_failures(prefix)
    error_log = work / "server_errors.jsonl"
    seen = (
        [json.loads(line) for line in error_log.read_text().splitlines()]
        if error_log.exists()
        else []
    )
    server_errors = sum(1 for e in seen if e["status"] >= 500)
    locked = log.read_text(errors="replace").count("database is locked") + sum(
        1 for e in seen if "database is locked" in e["body"]
    )
    result = {
        "backend": backend,
        "requests": int(figures.get("Aggregated", {}).get("requests", 0)),
        "errors": int(figures.get("Aggregated", {}).get("failures", 0)),
        "server_errors": server_errors,
        "database_locked": locked,
        "acknowledged": acknowledged,
        "lost": len(lost),
        "index_ok": index_ok,
    }
    for problem in lost[:20]:
        print(f"[load-test] lost: {problem}", file=sys.stderr)
    for failure in failures[:20]:
        print(f"[load-test] failure: {failure}", file=sys.stderr)
    if args.out is not None:
        body = report(
            figures,
            result,
            backend=backend,
            users=args.users,
            spawn_rate=args.spawn_rate,
            run_time=args.run_time,
            profiles=args.profiles,
            load=load,
            note=note,
        )
        write_reliability(args.out, f"load-test-{backend}", body)
    result["clean"] = index_ok and not (
        result["server_errors"] or result["database_locked"] or result["lost"] or result["errors"]
    )
    return result


if __name__ == "__main__":
    sys.exit(main())
