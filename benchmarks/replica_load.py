"""Two ``matcher serve`` replicas under the locust load, one killed (issue 21), run by
``make load-test``.

Both replicas run on loopback over one real PostgreSQL catalogue (a throwaway server from
``tests/pg_server.py``) and one index directory, with rate limits on and counted in a real Redis
(a throwaway ``redis-server``, :mod:`benchmarks.redis_server`; the search budget set high enough
that the load is never refused, so the counters are shared but nothing is throttled). The locust
users of :mod:`benchmarks.locustfile` are spread over both (each user has its replica; after a
request there fails without an answer it goes to the other for two seconds, as a reverse proxy
would). At :data:`KILL_SHARE` of the run one replica is SIGKILLed; :data:`DOWN_S` seconds later
it is started again on the same port. Then:

- the survivor answered everything: no failed request on its side, whole run;
- the killed replica's failures are its requests in flight at the kill and the ones sent to it
  while it was down (counted apart); any other failure counts as an error;
- zero acknowledged writes lost (:func:`benchmarks.load_test.check_final_state`, through each
  replica), no 5xx;
- the restarted replica serves the same index version as the survivor once it is ready, and
  both the version on disk at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from benchmarks.common import commit, machine, now
from benchmarks.crash_test import Server

#: when in the run one replica is killed (share of the run time)
KILL_SHARE = 0.4
#: seconds the killed replica stays down before it is started again
DOWN_S = 3.0
#: seconds the restarted replica may take to serve the survivor's index version
SAME_VERSION_S = 30.0
#: the search budget of the run: counted in Redis, never reached by the load
SEARCH_BUDGET = "1000000/minute"


@dataclass
class ReplicaCounts:
    """One replica's requests, as the locust users saw them.

    Attributes:
        requests: requests sent to it.
        failed: of those, failed (no answer, or an answer counted as a failure).
        in_flight: failed requests sent before the kill and ended after it (killed one only).
        while_down: failed requests sent between the kill and the restart being ready.
    """

    requests: int = 0
    failed: int = 0
    in_flight: int = 0
    while_down: int = 0

    @property
    def other_failures(self) -> int:
        """Failures not explained by the kill."""
        return self.failed - self.in_flight - self.while_down


@dataclass
class Timeline:
    """When the kill and the restart happened (``time.time()``)."""

    killed: float = 0.0
    ready: float = 0.0
    killed_running: bool = False
    restart_seconds: float = 0.0
    versions_at_ready: dict[str, int | None] = field(default_factory=dict)


def classify(
    entries: Sequence[dict[str, Any]], *, victim: int, timeline: Timeline
) -> list[ReplicaCounts]:
    """Per replica, its requests and failures (:class:`ReplicaCounts`) from the request log.

    A request fails when it got no answer or an answer a user counts as failed (5xx, 429, any
    status its task did not expect: anything but 2xx and, for a proposal, the 409 of a
    duplicate introduction)."""
    replicas = 1 + max((int(e["replica"]) for e in entries), default=0)
    counts = [ReplicaCounts() for _ in range(max(replicas, 2))]
    for entry in entries:
        replica = int(entry["replica"])
        if replica < 0:
            continue
        count = counts[replica]
        count.requests += 1
        if not entry.get("failed", not 200 <= int(entry["status"]) < 300):
            continue
        count.failed += 1
        if replica != victim:
            continue
        if entry["started"] < timeline.killed <= entry["ended"]:
            count.in_flight += 1
        elif timeline.killed <= entry["started"] < timeline.ready:
            count.while_down += 1
    return counts


def _ready_version(server: Server) -> int | None:
    try:
        answer = server.client.get("/ready")
        return int(answer.json()["index_version"]) if answer.status_code == 200 else None
    except Exception:  # a replica that does not answer serves no version
        return None


def disk_version(data_dir: Path) -> int | None:
    """The index version ``CURRENT`` points to."""
    link = data_dir / "index" / "CURRENT"
    if not link.is_symlink():
        return None
    manifest = json.loads((data_dir / "index" / os.readlink(link) / "manifest.json").read_text())
    return int(manifest["version"])


def same_version(restarted: Server, survivor: Server, *, timeout: float) -> dict[str, int | None]:
    """Wait until the restarted replica serves the survivor's version; returns both (and how
    long it took, in ms) as last seen."""
    deadline = time.monotonic() + timeout
    began = time.monotonic()
    while True:
        first, second = _ready_version(restarted), _ready_version(survivor)
        if (first is not None and first == second) or time.monotonic() > deadline:
            waited = int((time.monotonic() - began) * 1000)
            return {"restarted": first, "survivor": second, "waited_ms": waited}
        time.sleep(0.2)


def kill_and_restart(
    servers: list[Server], *, at: float, data_dir: Path, key: str, log: Path, extra: dict[str, str]
) -> tuple[Server, Timeline]:
    """After ``at`` seconds SIGKILL replica 1, start it again :data:`DOWN_S` s later on its port,
    wait for it and for it to serve the survivor's version; returns the new replica."""
    timeline = Timeline()
    time.sleep(at)
    victim = servers[1]
    timeline.killed = time.time()
    timeline.killed_running = victim.close(hard=True)
    time.sleep(DOWN_S)
    began = time.time()
    restarted = Server.on_port(victim.port, data_dir, key, log, **extra)
    if restarted.wait_ready():
        timeline.ready = time.time()
        timeline.restart_seconds = timeline.ready - began
        timeline.versions_at_ready = same_version(restarted, servers[0], timeout=SAME_VERSION_S)
    else:
        timeline.ready = float("inf")
    return restarted, timeline


def run_replicas(args: argparse.Namespace) -> dict[str, Any]:
    """The replica load test: returns its result and writes its section of the report."""
    from locust.util.timespan import parse_timespan

    from benchmarks import load_test
    from benchmarks.redis_server import throwaway_redis
    from tests.pg_server import throwaway_server

    work = args.work / "replicas"
    with throwaway_server() as database_url, throwaway_redis() as redis_url:
        plan_path = load_test.prepare(
            work,
            profiles=args.profiles,
            users=args.users,
            seed=args.seed,
            database_url=database_url,
        )
        plan = json.loads(plan_path.read_text())
        data_dir = work / "data"
        extra = {
            "KE_MATCHER_DATABASE_URL": database_url,
            "KE_MATCHER_RATE_LIMITS_ENABLED": "true",
            "KE_MATCHER_RATE_LIMIT_STORAGE": redis_url,
            "KE_MATCHER_RATE_LIMIT_SEARCH": SEARCH_BUDGET,
        }
        logs = [work / "server-a.log", work / "server-b.log"]
        servers = [Server(data_dir, plan["admin_key"], log, **extra) for log in logs]
        try:
            if not all(server.wait_ready() for server in servers):
                raise SystemExit(f"a replica did not start; see {logs}")
            plan["hosts"] = [f"http://127.0.0.1:{s.port}" for s in servers]
            plan_path.write_text(json.dumps(plan))
            load = os.getloadavg()[0]
            print(f"[load-test] replicas: {args.users} users on {plan['hosts']}", file=sys.stderr)
            locust = threading.Thread(
                target=load_test.run_locust,
                args=(work, plan["hosts"][0]),
                kwargs={
                    "users": args.users,
                    "spawn_rate": args.spawn_rate,
                    "run_time": args.run_time,
                    "plan": plan_path,
                },
            )
            started = time.time()
            locust.start()
            at = KILL_SHARE * parse_timespan(args.run_time)
            servers[1], timeline = kill_and_restart(
                servers, at=at, data_dir=data_dir, key=plan["admin_key"], log=logs[1], extra=extra
            )
            locust.join()
            time.sleep(5.0)  # both replicas pick up the last version (reload every 2 s)
            result = check_after(servers, work, data_dir, redis_url)
        finally:
            for server in servers:
                server.close()
    result.update(timeline_result(timeline, started))
    entries = _read_jsonl(work / "requests.jsonl")
    counts = classify(entries, victim=1, timeline=timeline)
    result["replicas"] = [vars(c) | {"other": c.other_failures} for c in counts]
    result["clean"] = clean(result, counts, timeline)
    if args.out is not None:
        from benchmarks.load_test import write_reliability

        figures = load_test.read_stats(work / "locust")
        body = report(figures, result, counts, args=args, load=load)
        write_reliability(args.out, "load-test-replicas", body)
    return result


def check_after(
    servers: list[Server], work: Path, data_dir: Path, redis_url: str
) -> dict[str, Any]:
    """Acknowledged writes through each replica, index versions, status, Redis counters."""
    import redis

    from benchmarks.load_test import check_final_state

    acknowledged, lost = check_final_state(servers[0].client, work / "acknowledged.jsonl")
    _, lost_b = check_final_state(servers[1].client, work / "acknowledged.jsonl")
    for problem in (lost + lost_b)[:20]:
        print(f"[load-test] lost: {problem}", file=sys.stderr)
    problems = [s.client.get("/api/v1/status").json().get("problem") for s in servers]
    errors = _read_jsonl(work / "server_errors.jsonl")
    return {
        "backend": "replicas",
        "acknowledged": acknowledged,
        "lost": len(lost),
        "lost_via_restarted": len(lost_b),
        "final_versions": [_ready_version(s) for s in servers],
        "disk_version": disk_version(data_dir),
        "index_ok": not any(problems),
        "server_errors": sum(1 for e in errors if e["status"] >= 500),
        "redis_keys": int(cast(int, redis.Redis.from_url(redis_url).dbsize())),
    }


def timeline_result(timeline: Timeline, started: float) -> dict[str, Any]:
    """The kill and the restart, in seconds from the load's start."""
    return {
        "killed_at_s": round(timeline.killed - started, 1),
        "killed_running": timeline.killed_running,
        "ready_at_s": round(timeline.ready - started, 1),
        "restart_s": round(timeline.restart_seconds, 1),
        "versions_at_ready": timeline.versions_at_ready,
    }


def clean(result: dict[str, Any], counts: Sequence[ReplicaCounts], timeline: Timeline) -> bool:
    """Every requirement of the test met."""
    versions = result["final_versions"]
    at_ready = timeline.versions_at_ready
    return bool(
        timeline.killed_running
        and counts[0].failed == 0
        and counts[0].requests > 0
        and counts[1].other_failures == 0
        and result["lost"] == result["lost_via_restarted"] == 0
        and result["server_errors"] == 0
        and result["index_ok"]
        and at_ready.get("restarted") is not None
        and at_ready.get("restarted") == at_ready.get("survivor")
        and versions[0] == versions[1] == result["disk_version"]
        and result["redis_keys"] > 0
    )


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def report(
    figures: dict[str, dict[str, float]],
    result: dict[str, Any],
    counts: Sequence[ReplicaCounts],
    *,
    args: argparse.Namespace,
    load: float,
) -> str:
    """The Markdown section of the replica run."""
    from benchmarks.load_test import request_table

    at_ready = result["versions_at_ready"]
    lines = [
        "## Load test (two replicas, one killed)",
        "",
        f"`make load-test` — {now()}, commit {commit()}, {machine()}. locust {args.users} users "
        f"(spawn {args.spawn_rate}/s) for {args.run_time} against two `matcher serve` processes "
        "on loopback over one PostgreSQL catalogue (a throwaway server from tests/pg_server.py, "
        "fsync off) and one index directory, rate limits on and counted in one Redis "
        f"(redis-server on loopback; search budget {SEARCH_BUDGET}, so shared but never reached), "
        f"{args.profiles} profiles, the same users and checks as above; each user has its "
        "replica and, for 2 s after a request there got no answer, uses the other (as a proxy "
        f"would). Replica B SIGKILLed at {result['killed_at_s']} s, started again {DOWN_S:.0f} s "
        f"later on its port, ready at {result['ready_at_s']} s ({result['restart_s']} s to "
        f"start). Load average when the run began: {load:.1f} (the machine is shared, other "
        "sessions running).",
        "",
        "| replica | requests | failed | in flight at the kill | sent while it was down "
        "| other failures |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, count in zip(("A (survivor)", "B (killed)"), counts, strict=False):
        lines.append(
            f"| {name} | {count.requests} | {count.failed} | {count.in_flight} "
            f"| {count.while_down} | {count.other_failures} |"
        )
    lines += ["", *request_table(figures, failures="failed")]
    lines += [
        "",
        f"5xx responses: {result['server_errors']}; acknowledged writes checked: "
        f"{result['acknowledged']}, lost: {result['lost']} (read through the survivor), "
        f"{result['lost_via_restarted']} (through the restarted replica); index version served "
        f"once B was ready: B {at_ready.get('restarted')}, A {at_ready.get('survivor')}; at the "
        f"end: {result['final_versions']} (on disk {result['disk_version']}); index agrees "
        f"with the catalogue: {'yes' if result['index_ok'] else 'no'}; rate-limit counters in "
        f"Redis: {result['redis_keys']}. Passed: {'yes' if result['clean'] else 'no'}.",
    ]
    return "\n".join(lines)
