"""Cost of the learned re-ranker on one brief's candidates (issue 18: ≤ 2 ms for 200).

    python -m benchmarks.bench_rerank [--candidates 200] [--items 20] [--repeats 300]
        [--out docs/benchmarks.md]

Synthetic candidates (seeded): each with ``--items`` items of random similarity, BM25 and year;
both model kinds trained on synthetic rows of the same shape. Timed per brief: the features
(:func:`matcher.rerank.features`) and the model's scores, in process, after a warm-up. Writes
the section ``rerank`` of ``--out``. BM25 over the pool (one call per brief, shared with the
thorough profile's lexical signals) is not included: it depends on the pool, not on the model.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np

from benchmarks.common import commit, machine, now, percentiles, write_section
from matcher.rerank import FEATURES, MODEL_KINDS, CandidateItems, Reranker, features


def _pool(rng: np.random.Generator, candidates: int, items: int) -> CandidateItems:
    m = candidates * items
    return CandidateItems(
        owners=np.repeat(np.arange(candidates, dtype=np.int64), items),
        similarities=rng.uniform(0.0, 0.8, m),
        lexical=rng.exponential(2.0, m),
        years=rng.integers(1995, 2027, m).astype(np.float64),
        shared_terms=rng.integers(0, 10, candidates).astype(np.float64),
        kinds=rng.integers(0, 3, candidates).astype(np.float64),
        brief_terms=40,
        year=2026,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Time both model kinds and write the section; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_rerank")
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time the thread's CPU time instead of wall time (on a machine shared with other "
        "jobs, wall time measures the queue for a core)",
    )
    args = parser.parse_args(argv)
    clock = time.thread_time if args.cpu else time.perf_counter
    rng = np.random.default_rng(0)
    train = rng.normal(size=(5_000, len(FEATURES)))
    labels = (train[:, 0] + rng.normal(0, 0.5, 5_000) > 1.0).astype(int)
    pools = [_pool(rng, args.candidates, args.items) for _ in range(20)]
    rows = [
        "| model | features p50 / p95 (ms) | model p50 / p95 (ms) | total p50 / p95 (ms) |",
        "|---|---|---|---|",
    ]
    for kind in MODEL_KINDS:
        model = Reranker(kind).fit(train, labels)  # type: ignore[arg-type]
        feature_ms, model_ms, total_ms = [], [], []
        for repeat in range(args.repeats + 20):
            pool = pools[repeat % len(pools)]
            start = clock()
            found = features(pool)
            middle = clock()
            model.score(found)
            end = clock()
            if repeat >= 20:  # warm-up
                feature_ms.append((middle - start) * 1e3)
                model_ms.append((end - middle) * 1e3)
                total_ms.append((end - start) * 1e3)
        f, m, t = (percentiles(x) for x in (feature_ms, model_ms, total_ms))
        rows.append(
            f"| {kind} | {f['p50']:.2f} / {f['p95']:.2f} | {m['p50']:.2f} / {m['p95']:.2f} "
            f"| {t['p50']:.2f} / {t['p95']:.2f} |"
        )
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    body = "\n".join(
        [
            f"## The learned re-ranker on {args.candidates} candidates × {args.items} items "
            "(`python -m benchmarks.bench_rerank`)",
            "",
            *rows,
            "",
            f"Command: `python -m benchmarks.bench_rerank {shown}` — commit {commit()}, {now()}, "
            f"{args.repeats} briefs per model, {'CPU' if args.cpu else 'wall'} time, on {machine()}.",
        ]
    )
    write_section(__import__("pathlib").Path(args.out), "rerank", body)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
