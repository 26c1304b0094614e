"""Concurrent searches: micro-batching, threads against worker processes (``make bench-concurrency``).

    python -m benchmarks.bench_concurrency [--data-dir DIR] [--seconds 15] [--repeat 2]
        [--section concurrency] [--out docs/benchmarks.md]

One server at a time on loopback, over the demo region (ingested with the real model into a
temporary directory) or over ``--data-dir`` (any built pool, e.g. one grown by
``benchmarks.bench_scale``), in each configuration:

- one process, each search alone (``KE_MATCHER_MICRO_BATCH=1``: the path before
  micro-batching);
- one process, micro-batched (the default: concurrent searches share one encoder call and one
  first index search; nobody waits when the step is idle);
- one process, micro-batched with a 2 ms wait for companions;
- two worker processes (``--workers 2``), each search alone and micro-batched.

For each: wrk at 1 and 8 connections against ``POST /api/v1/search`` (briefs written apart from
the pool, never in the index, top 20 per kind with evidence), throughput, p50 and p99, non-2xx
answers, and the memory of the server's processes together (RSS summed, and PSS summed: a page
the workers share, such as the memory-mapped index, counted once). wrk runs on the same
cores as the server. Every configuration is run ``--repeat`` times, the configurations in turn,
so that a noisy host shows as a spread between rounds. Written to the ``--section`` section
(default ``concurrency``) of ``--out``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_engine import DEMO_FILES
from benchmarks.bench_scale import load_test_server
from benchmarks.briefs import held_out_briefs
from benchmarks.common import (
    ROOT,
    commit,
    machine,
    now,
    write_section,
    wrk_cells,
)
from matcher.model import Role
from service.container import build_container
from service.settings import Settings

TOP = 20

#: (label, --workers, environment)
CONFIGURATIONS: tuple[tuple[str, int, dict[str, str]], ...] = (
    ("1 process, each search alone (micro-batch 1)", 1, {"KE_MATCHER_MICRO_BATCH": "1"}),
    ("1 process, micro-batched (default: 16, no wait)", 1, {}),
    (
        "1 process, micro-batched, 2 ms wait",
        1,
        {"KE_MATCHER_MICRO_BATCH_WAIT_MS": "2"},
    ),
    ("2 processes, each search alone", 2, {"KE_MATCHER_MICRO_BATCH": "1"}),
    ("2 processes, micro-batched", 2, {}),
)


def measure(
    data_dir: Path,
    secret: str,
    briefs: list[str],
    *,
    workers: int,
    env: dict[str, str],
    seconds: float,
    scratch: Path,
) -> dict[str, Any]:
    """wrk at 1 and 8 connections against one server in one configuration."""
    bodies = [{"text": text, "top": TOP} for text in briefs]
    measured = load_test_server(
        data_dir, secret, bodies, workers=workers, env=env, seconds=seconds, requests=0,
        scratch=scratch,
    )  # fmt: skip
    memory = measured["memory"]
    return {"runs": measured["runs"], "rss_mb": memory["rss"], "pss_mb": memory["pss"]}


def report(results: list[dict[str, Any]], spec: dict[str, Any]) -> str:
    lines = [
        "## Concurrent searches: micro-batching, threads and worker processes "
        "(`make bench-concurrency`)",
        "",
        f"Run {spec['date']} at commit `{spec['commit']}` on: {spec['machine']}.",
        f"`{spec['command']}`. Pool: {spec['pool']}. wrk {spec['seconds']:.0f} s per level on "
        "loopback against `POST /api/v1/search` (rate limits off), "
        f"{spec['briefs']} briefs written apart from the pool (never in the index), top {TOP} "
        "per kind with evidence; wrk runs on the same 2 cores as the server.",
        "",
        "| configuration | 1 connection: req/s, p50 / p99 (ms) | 8 connections: req/s, "
        "p50 / p99 (ms) | non-2xx, errors | memory of all processes, RSS / PSS |",
        "|---|---|---|---|---|",
    ]
    for row in results:
        lines.append(
            f"| {row['label']} | {wrk_cells(row['runs'])} | "
            f"{row['rss_mb']:,.0f} / {row['pss_mb']:,.0f} MB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_concurrency")
    parser.add_argument("--data-dir", type=Path, help="a built pool (default: the demo)")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--briefs", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--section", default="concurrency")
    parser.add_argument(
        "--repeat", type=int, default=2, help="rounds of every configuration, in turn"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make bench-concurrency installs Debian's package)")
    os.environ["HF_HUB_OFFLINE"] = "1"
    briefs = held_out_briefs(args.briefs)
    with tempfile.TemporaryDirectory(prefix="ke-bench-concurrency-") as scratch_dir:
        scratch = Path(scratch_dir)
        data_dir = args.data_dir or scratch / "data"
        container = build_container(Settings(data_dir=data_dir))
        if args.data_dir is None:
            print("ingesting the demo …", file=sys.stderr)
            container.ingest(DEMO_FILES)
        size = container.store.load().size
        _key, secret = container.accounts.create_key(name="bench-concurrency", role=Role.CLINICIAN)
        container.close()
        results = []
        for round_ in range(1, args.repeat + 1):
            for label, workers, env in CONFIGURATIONS:
                started = time.monotonic()
                found = measure(
                    data_dir,
                    secret,
                    briefs,
                    workers=workers,
                    env=env,
                    seconds=args.seconds,
                    scratch=scratch,
                )
                shown_label = f"{label}, round {round_}" if args.repeat > 1 else label
                results.append({"label": shown_label, **found})
                print(f"{shown_label}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    shown = " ".join(["python -m benchmarks.bench_concurrency", *(argv or sys.argv[1:])])
    spec = {
        "date": now(),
        "commit": commit(),
        "machine": machine(),
        "command": shown,
        "pool": (
            f"{args.data_dir} ({size:,} chunks)" if args.data_dir else f"the demo ({size:,} chunks)"
        ),
        "seconds": args.seconds,
        "briefs": len(briefs),
    }
    write_section(args.out, args.section, report(results, spec))
    print(report(results, spec))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
