"""Measure the "exact match" lane on the authorship task, for the fast and thorough profiles.

    python -m benchmarks.lane --benchmark ../shared/benchmarks/goldstandard-dev \\
        --out docs/quality.md [--json lane.json]

Writes the section ``quality-lane`` of ``--out``. The pool and the held-out papers are exactly
those of ``matcher eval authorship`` (:mod:`service.evaluation.authorship`: the first version,
researchers with at least 5 papers, seed 0, every copy of a held-out paper removed). Each
held-out paper is a brief through the product's path: :meth:`SearchEngine.score` ranks every
researcher (academic profiles) with the profile under test, then for each ``k`` the main list is
that ranking's first ``k`` and :meth:`SearchEngine.exact_matches` gives its lane
(:func:`matcher.ranking.exact_match_lane`, the rule fixed before this was measured). Reported per
profile and ``k``: how often the author is in the top k alone (hits@k, ties against the author
as in ``eval authorship``), how often in the top k ∪ the lane, the lane's mean size, and — for a
fair comparison at the same number of profiles shown — how often the author is in the first
k + (that brief's lane size) of the main ranking. Intervals: 2,000 bootstrap resamples over
researchers, seed 7, the difference paired.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import commit, machine, now, write_section
from matcher.briefs import MAX_TOP, make_brief
from matcher.errors import MatcherError
from matcher.evaluation import author_rank
from matcher.fusion import RankingProfile
from matcher.model import ProfileKind
from matcher.ranking import ProfileScores
from service.container import Container, make_encoder
from service.evaluation.archive import (
    archive_path,
    paper_text,
    read_json_lines,
    read_ratings,
    version_dirs,
)
from service.evaluation.authorship import (
    DEFAULT_MIN_PAPERS,
    DEFAULT_SEED,
    _fill_pool,
    copies,
    hold_out,
)
from service.evaluation.scratch import scratch_container
from service.settings import Settings

KS = (1, 3, 5, 10)
PROFILES = (RankingProfile.FAST, RankingProfile.THOROUGH)
Row = dict[str, Any]  # one held-out paper at one k: rank, in_lane, lane size


def measure(
    container: Container,
    held: dict[str, dict[str, Any]],
    authors: dict[str, set[str]],
    pool: int,
    profile: RankingProfile,
) -> tuple[dict[int, dict[str, Row]], float]:
    """k → researcher → the author's rank, whether the lane holds an author, the lane's size;
    and the lane's mean cost per brief and k (ms)."""
    engine = container.engine
    snap = engine.snapshot()
    found: dict[int, dict[str, Row]] = {k: {} for k in KS}
    spent, calls = 0.0, 0
    for researcher, record in held.items():
        title, abstract = paper_text(record)
        try:
            brief = make_brief(
                f"{title}. {abstract}" if abstract else title,
                kinds=[ProfileKind.ACADEMIC.value],
                top=min(MAX_TOP, pool),
            )
        except MatcherError:
            continue
        query = engine.encode_briefs([brief.text])[0]
        nearest = snap.nearest(query[None, :], min(engine.candidate_chunks, snap.size))[0]
        ranking = engine.score(brief, query, profile=profile, nearest=nearest).groups[
            ProfileKind.ACADEMIC
        ]
        names = [snap.profiles[int(p)].id.removeprefix("gs-") for p in ranking.profiles]
        paper_authors = authors[str(record.get("id"))]
        rank = author_rank(dict(zip(names, ranking.scores.tolist(), strict=True)), paper_authors)
        for k in KS:
            main = ProfileScores(ranking.profiles[:k], ranking.scores[:k])
            started = time.perf_counter()
            lanes = engine.exact_matches(brief, nearest, {ProfileKind.ACADEMIC: main})
            spent += time.perf_counter() - started
            calls += 1
            lane = lanes.get(ProfileKind.ACADEMIC)
            in_lane = lane is not None and bool(
                {snap.profiles[int(p)].id.removeprefix("gs-") for p in lane.profiles}
                & paper_authors
            )
            size = 0 if lane is None else int(lane.profiles.size)
            found[k][researcher] = {"rank": rank, "in_lane": in_lane, "lane": size}
    return found, 1000 * spent / max(calls, 1)


def _interval(values: np.ndarray, samples: int = 2_000, seed: int = 7) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, values.size, (samples, values.size))].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def table(results: dict[str, dict[int, dict[str, Row]]]) -> tuple[str, dict[str, Any]]:
    """The Markdown table and its figures."""
    lines = [
        "| profile | k | hits@k (top k alone) [95% CI] | top k ∪ lane [95% CI] "
        "| difference [paired CI] | mean lane size | hits@(k + lane size), main list only |",
        "|---|---|---|---|---|---|---|",
    ]
    figures: dict[str, Any] = {}
    for name, by_k in results.items():
        for k, rows in by_k.items():
            order = sorted(rows)
            alone = np.array([rows[r]["rank"] <= k for r in order], dtype=float)
            union = np.array([rows[r]["rank"] <= k or rows[r]["in_lane"] for r in order], float)
            longer = np.array([rows[r]["rank"] <= k + rows[r]["lane"] for r in order], float)
            size = float(np.mean([rows[r]["lane"] for r in order]))
            a, u, d = _interval(alone), _interval(union), _interval(union - alone)
            figures.setdefault(name, {})[str(k)] = {
                "alone": float(alone.mean()),
                "alone_ci": list(a),
                "union": float(union.mean()),
                "union_ci": list(u),
                "difference_ci": list(d),
                "lane_size": size,
                "longer_main_list": float(longer.mean()),
                "briefs": len(order),
            }
            lines.append(
                f"| {name} | {k} | {alone.mean():.3f} [{a[0]:.2f}, {a[1]:.2f}] "
                f"| {union.mean():.3f} [{u[0]:.2f}, {u[1]:.2f}] "
                f"| {(union - alone).mean():+.3f} [{d[0]:+.2f}, {d[1]:+.2f}] "
                f"| {size:.2f} | {longer.mean():.3f} |"
            )
    return "\n".join(lines), figures


def run(directory: Path, log: Callable[[str], None]) -> tuple[dict[str, Any], dict[str, float]]:
    """Every profile's rows (:func:`measure`) and the lane's cost per profile (ms)."""
    settings = Settings()
    encoder = make_encoder(settings.model_copy(update={"adapted_model": "off"}))
    version = version_dirs(directory)[0]
    archives = {}
    for researcher in sorted(read_ratings(directory)):
        path = archive_path(version, researcher)
        if path.is_file():
            archives[researcher] = read_json_lines(path)
    held = hold_out(archives, min_papers=DEFAULT_MIN_PAPERS, seed=DEFAULT_SEED)
    held_copies = copies(archives, held)
    authors = {paper: {r for r, _ in found} for paper, found in held_copies.items()}
    results: dict[str, Any] = {}
    cost: dict[str, float] = {}
    with scratch_container(settings, encoder, prefix="ke-matcher-lane-") as container:
        pool = _fill_pool(container, archives, held_copies)
        log(f"{len(held)} held-out papers, {pool} researchers")
        for profile in PROFILES:
            results[profile.value], cost[profile.value] = measure(
                container, held, authors, pool, profile
            )
            log(f"{profile.value} done")
    return results, cost


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the lane and write the section; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lane", description=__doc__)
    parser.add_argument("--benchmark", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("docs/quality.md"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    shown = list(argv if argv is not None else sys.argv[1:])
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:5.0f} s] {message}", file=sys.stderr, flush=True)

    results, cost = run(args.benchmark, log)
    body, figures = table(results)
    spent = ", ".join(f"{name} {ms:.2f} ms" for name, ms in cost.items())
    stamp = (
        f"Command: `python -m benchmarks.lane {' '.join(shown)}` — commit {commit()}, {now()}, "
        f"{time.monotonic() - started:.0f} s on {machine()}. The lane's own cost per brief "
        f"(`exact_matches`, mean): {spent}."
    )
    write_section(args.out, "quality-lane", f"{body}\n\n{stamp}")
    if args.json is not None:
        args.json.write_text(json.dumps({"figures": figures, "rows": results}, indent=1))
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
