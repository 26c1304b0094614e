"""Regenerate the tables of ``docs/quality.md`` from the gold-standard benchmark.

    python -m benchmarks.quality --benchmark ../shared/benchmarks/goldstandard-dev \\
        --out docs/quality.md [--no-outcome] [--fold-seeds 5] [--folds 5]

(``make quality`` runs it on ``$(BENCHMARK)``.) Each table is written between
``<!-- quality-NAME:start -->`` and ``<!-- quality-NAME:end -->`` markers (benchmarks.common's
section writing), with the command, commit and date of the run:

- ``quality-outcome``: the product runs (``matcher eval goldstandard`` and ``matcher eval
  authorship`` with ``--ci``, both profiles): the headline table.
- ``quality-int8``: the int8 rule of issue 17: the int8 encoder (``KE_MATCHER_ENCODER=onnx-int8``)
  against float32 (``onnx``) on both tasks, both profiles, with paired differences over the same
  researchers and held-out papers; int8 may be the default only where the gold-standard paired
  difference's 95% interval contains 0 and authorship MRR drops by less than 0.01.
- ``quality-cv``: cross-validation by researcher folds. For every version the product's own
  signals are computed once per rated paper and researcher (``ThoroughScorer.signals``, and the
  fast path's item similarities aggregated by each of the product's aggregations); then, per
  fold, the candidate with the lowest pooled loss on the other folds' researchers (mean over
  versions) is scored on the fold's researchers; held-out costs are pooled over the folds and
  averaged over the versions, for each fold seed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import commit, machine, now, write_section
from index.encoders.base import Encoder
from matcher.briefs import make_brief
from matcher.errors import MatcherError
from matcher.evaluation import Ratings, researcher_costs
from matcher.fusion import RankingProfile, researcher_folds, weight_grid
from service.container import Container, make_encoder
from service.evaluation.archive import (
    archive_path,
    archive_profile,
    paper_text,
    read_json_lines,
    read_ratings,
    read_submissions,
    version_dirs,
)
from service.evaluation.authorship import run_authorship
from service.evaluation.goldstandard import run_goldstandard
from service.evaluation.scratch import scratch_container
from service.search.thorough import DEFAULT_WEIGHTS, ThoroughScorer
from service.settings import Settings

#: The lexical and embedding signals measured (windows are left out: an embedding pass over
#: every sentence window of every item costs more than the rest of the run together).
SIGNALS = ("items", "tfidf", "bm25")
#: The fast path's aggregations of item similarities: (label, how many best items; 0 = all).
AGGREGATIONS: tuple[tuple[str, int], ...] = (
    ("max", 1),
    ("mean of 2 closest", 2),
    ("mean of 3 closest", 3),
    ("mean of 4 closest", 4),
    ("mean of 5 closest", 5),
    ("mean of all", 0),
)


def fusion_candidates() -> list[dict[str, float]]:
    """The thorough profile's candidate weightings: the coarse simplex grid over the signals and
    the items-dominated mixtures (the default among them)."""
    grid = weight_grid(list(SIGNALS), steps=2)
    mixtures = [{"items": 1 - w, "tfidf": w} for w in (0.1, 0.2, 0.3)] + [
        {"items": 0.8, "bm25": 0.2}
    ]
    candidates: list[dict[str, float]] = []
    for weights in [*grid, *mixtures]:
        clean = {n: round(w, 2) for n, w in weights.items() if w}
        if clean not in candidates:
            candidates.append(clean)
    return candidates


def label(weights: Mapping[str, float]) -> str:
    """``items 0.8 + tfidf 0.2``."""
    return " + ".join(f"{n} {w:g}" for n, w in weights.items())


@dataclass(frozen=True, slots=True)
class VersionSignals:
    """One version's raw values: candidate label → researcher → paper → score."""

    version: str
    scores: dict[str, dict[str, dict[str, float]]]


def _fill(container: Container, version: Path, ratings: Ratings) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for researcher in ratings:
        archive = archive_path(version, researcher)
        profile = (
            archive_profile(researcher, read_json_lines(archive)) if archive.is_file() else None
        )
        if profile is not None:
            container.catalogue.upsert_profile(profile)
            wanted[researcher] = profile.id
    for stale in set(container.catalogue.profile_ids()) - set(wanted.values()):
        container.catalogue.delete_profile(stale)
    container.sync()
    return wanted


def _aggregate(item_scores: np.ndarray, k: int) -> float:
    ordered = np.sort(item_scores)[::-1]
    return float(ordered.mean() if k == 0 else ordered[:k].mean())


def version_signals(
    container: Container,
    version: Path,
    ratings: Ratings,
    brief_vectors: dict[str, np.ndarray],
) -> VersionSignals:
    """Every candidate's score of every rated paper for its researcher, in one version
    (``brief_vectors``: text → vector, shared by the versions, which share their briefs)."""
    wanted = _fill(container, version, ratings)
    submissions = read_submissions(version)
    snap = container.engine.snapshot()
    scorer = ThoroughScorer(
        container.catalogue, container.encoder, weights=dict.fromkeys(SIGNALS, 1)
    )
    spreads = {n: s.spread for n, s in scorer.scales(snap).items()}
    raw: dict[str, dict[str, dict[str, float]]] = {}
    for researcher, profile_id in wanted.items():
        index = np.array([snap.profile_index[profile_id]], dtype=np.int64)
        rows = snap.rows_for_profiles(index)
        for paper in (p for p in ratings[researcher] if p in submissions):
            title, abstract = paper_text(submissions[paper])
            try:
                text = make_brief(f"{title}. {abstract}" if abstract else title).text
            except MatcherError:
                continue
            if text not in brief_vectors:
                brief_vectors[text] = container.engine.encode_briefs([text])[0]
            query = brief_vectors[text]
            found = scorer.signals(snap, text, query, index, names=list(SIGNALS))
            values = {n: float(v[0]) / spreads[n] for n, v in found.values.items()}
            similarities = snap.vectors[rows] @ query
            items = np.array(
                [
                    similarities[snap.row_items[rows] == i].max()
                    for i in np.unique(snap.row_items[rows])
                ]
            )
            for name, k in AGGREGATIONS:
                raw.setdefault(name, {}).setdefault(researcher, {})[paper] = _aggregate(items, k)
            for weights in fusion_candidates():
                fused = sum(w * values[n] for n, w in weights.items())
                raw.setdefault(label(weights), {}).setdefault(researcher, {})[paper] = fused
    return VersionSignals(version.name, raw)


def pooled(costs: Mapping[str, tuple[float, float]], researchers: Sequence[str]) -> float:
    """The loss pooled over ``researchers`` (those with pairs)."""
    cost = sum(costs[r][0] for r in researchers if r in costs)
    weight = sum(costs[r][1] for r in researchers if r in costs)
    return cost / weight if weight else float("nan")


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Held-out loss per fold seed, and how often each candidate was chosen."""

    losses: list[float]
    chosen: Counter[str]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.losses)


def cross_validate(
    ratings: Ratings,
    versions: Sequence[VersionSignals],
    candidates: Sequence[str],
    *,
    folds: int,
    seeds: Sequence[int],
) -> CrossValidation:
    """Choose on the other folds, score on the fold (see the module docstring)."""
    costs = {c: [researcher_costs(ratings, v.scores[c]) for v in versions] for c in candidates}
    losses, chosen = [], Counter[str]()
    for seed in seeds:
        held: list[dict[str, tuple[float, float]]] = [{} for _ in versions]
        for fold in researcher_folds(sorted(ratings), folds=folds, seed=seed):
            train = [r for r in ratings if r not in fold]
            best = min(
                candidates, key=lambda c: statistics.fmean(pooled(k, train) for k in costs[c])
            )
            chosen[best] += 1
            for v, version_costs in enumerate(costs[best]):
                held[v].update({r: version_costs[r] for r in fold if r in version_costs})
        losses.append(statistics.fmean(pooled(h, list(h)) for h in held))
    return CrossValidation(losses, chosen)


def in_sample(ratings: Ratings, versions: Sequence[VersionSignals], candidate: str) -> float:
    """A candidate's loss on every researcher (mean over versions)."""
    return statistics.fmean(
        pooled(researcher_costs(ratings, v.scores[candidate]), list(ratings)) for v in versions
    )


def _interval(low_high: Sequence[float], digits: int) -> str:
    low, high = low_high
    return f"[{low:.{digits}f}, {high:.{digits}f}]"


def outcome_table(directory: Path, settings: Settings, encoder: Encoder) -> str:
    """The headline table: both profiles through the product's evaluation, with intervals."""
    lines = [
        "| profile (product run, `--ci`) | gold-standard loss [95% CI] | easy | hard "
        "| authorship hits@1 [CI] | hits@10 | MRR [CI] |",
        "|---|---|---|---|---|---|---|",
    ]
    for profile in RankingProfile:
        started = time.monotonic()
        gold = run_goldstandard(
            directory, settings=settings, encoder=encoder, with_intervals=True, profile=profile
        )
        author = run_authorship(
            directory, settings=settings, encoder=encoder, with_intervals=True, profile=profile
        )
        m = author.metrics
        lines.append(
            f"| `{profile.value}` | {gold.loss:.4f} {_interval(gold.intervals['loss'], 3)} "
            f"| {gold.easy:.3f} | {gold.hard:.3f} "
            f"| {m.hits_at_1:.3f} {_interval(author.intervals['hits_at_1'], 2)} "
            f"| {m.hits_at_10:.2f} | {m.mrr:.3f} {_interval(author.intervals['mrr'], 2)} |"
        )
        print(f"{profile.value}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return "\n".join(lines)


#: The int8 rule (issue 17): the largest drop of authorship MRR allowed.
INT8_MRR_DROP = 0.01


def int8_table(directory: Path, settings: Settings) -> str:
    """int8 against float32 on both tasks and both profiles, paired, and the rule's verdict."""
    from matcher.evaluation import bootstrap_authorship, bootstrap_loss

    plain = settings.model_copy(update={"adapted_model": "off"})
    encoders = {
        name: make_encoder(plain.model_copy(update={"encoder": name}))
        for name in ("onnx", "onnx-int8")
    }
    ratings = read_ratings(directory)
    lines = [
        "| profile | encoder | gold-standard loss [95% CI] | authorship MRR [CI] "
        "| int8 − float32 loss [95% CI] | int8 − float32 MRR [CI] | rule |",
        "|---|---|---|---|---|---|---|",
    ]
    for profile in RankingProfile:
        runs = {}
        for name, encoder in encoders.items():
            started = time.monotonic()
            gold = run_goldstandard(
                directory, settings=plain, encoder=encoder, with_intervals=True, profile=profile
            )
            author = run_authorship(
                directory, settings=plain, encoder=encoder, with_intervals=True, profile=profile
            )
            runs[name] = (gold, author)
            print(
                f"int8 rule, {profile.value} {name}: {time.monotonic() - started:.0f} s",
                file=sys.stderr,
            )
        costs = {
            name: [researcher_costs(ratings, v.scores) for v in gold.per_version]
            for name, (gold, _) in runs.items()
        }
        loss_diff = bootstrap_loss(costs["onnx-int8"], other=costs["onnx"], seed=7)
        mrr_diff = bootstrap_authorship(
            runs["onnx-int8"][1].ranks, other=runs["onnx"][1].ranks, seed=7
        )["mrr"]
        holds = loss_diff.low <= 0 <= loss_diff.high and mrr_diff.value > -INT8_MRR_DROP
        for name, (gold, author) in runs.items():
            paired = (
                f"{loss_diff.value:+.4f} [{loss_diff.low:+.4f}, {loss_diff.high:+.4f}] "
                f"| {mrr_diff.value:+.4f} [{mrr_diff.low:+.4f}, {mrr_diff.high:+.4f}] "
                f"| {'holds' if holds else 'fails'}"
                if name == "onnx-int8"
                else "| |"
            )
            lines.append(
                f"| `{profile.value}` | {'int8' if name == 'onnx-int8' else 'float32'} "
                f"| {gold.loss:.4f} {_interval(gold.intervals['loss'], 3)} "
                f"| {author.metrics.mrr:.4f} {_interval(author.intervals['mrr'], 2)} | {paired} |"
            )
    return "\n".join(lines)


def cv_table(
    ratings: Ratings, versions: Sequence[VersionSignals], *, folds: int, seeds: Sequence[int]
) -> str:
    """Cross-validated loss of choosing an aggregation, or fusion weights, beside the fixed
    defaults' in-sample losses."""
    fast_default = AGGREGATIONS[2][0]
    thorough_default = label(DEFAULT_WEIGHTS)
    rows = [
        "| what is chosen on the other folds | candidates | held-out loss per fold seed "
        "| mean | chosen most often |",
        "|---|---|---|---|---|",
    ]
    groups = {
        "item aggregation (`fast`)": [name for name, _ in AGGREGATIONS],
        "fusion weights, pool scale (`thorough`)": [label(w) for w in fusion_candidates()],
    }
    for what, candidates in groups.items():
        result = cross_validate(ratings, versions, candidates, folds=folds, seeds=seeds)
        total = sum(result.chosen.values())
        often = ", ".join(f"{c} ({n} of {total})" for c, n in result.chosen.most_common(2))
        per_seed = ", ".join(f"{x:.4f}" for x in result.losses)
        rows.append(
            f"| {what} | {len(candidates)}: {'; '.join(candidates)} | {per_seed} "
            f"| **{result.mean:.4f}** | {often} |"
        )
    for name, candidate in (("`fast`", fast_default), ("`thorough`", thorough_default)):
        rows.append(
            f"| nothing: the fixed {name} default ({candidate}), in-sample | — | — "
            f"| **{in_sample(ratings, versions, candidate):.4f}** | — |"
        )
    best = min(
        groups["fusion weights, pool scale (`thorough`)"],
        key=lambda c: in_sample(ratings, versions, c),
    )
    rows.append(
        f"| the best fusion weights on all researchers ({best}), in-sample | — | — "
        f"| {in_sample(ratings, versions, best):.4f} | — |"
    )
    return "\n".join(rows)


def recall_table(data_dir: Path, encoder: Encoder, *, briefs: int) -> str:
    """Recall@k of an IVF index (the product's ``build_ivf``, forced whatever the pool's size)
    over the stored vectors of the index in ``data_dir``: on the perturbed stored vectors the
    build tunes ``nprobe`` on, and on real briefs that are not in the pool
    (``benchmarks.briefs.held_out_briefs``), at each ``nprobe``."""
    from benchmarks.briefs import demo_texts, held_out_briefs, require_outside
    from index.vectors.build import IndexPolicy, build_ivf, measure_recall, tuning_queries
    from index.vectors.snapshot import REFINE
    from service.container import open_index_store

    snap = open_index_store(Settings(data_dir=data_dir)).load()
    vectors = np.ascontiguousarray(snap.vectors, np.float32)
    policy = IndexPolicy(exact_max_vectors=0)
    built = build_ivf(vectors, snap.row_ids, policy)
    texts = held_out_briefs(briefs)
    require_outside(texts, demo_texts())
    queries = {
        "perturbed stored vectors (what the build tunes on)": tuning_queries(vectors, policy),
        f"{len(texts)} real briefs not in the pool": np.ascontiguousarray(
            encoder.encode(texts), np.float32
        ),
    }
    k = policy.recall_k
    rows = [
        f"| nprobe | {' | '.join(f'recall@{k}, {name}' for name in queries)} |",
        "|---|" + "---|" * len(queries),
    ]
    tuned_nprobe = int(built.params["nprobe"])
    for nprobe in sorted({*(2**i for i in range(12) if 2**i < tuned_nprobe), tuned_nprobe}):
        built.index.nprobe = nprobe
        found = [
            measure_recall(built.index, vectors, snap.row_ids, q, k, refine=REFINE)
            for q in queries.values()
        ]
        tuned = " (tuned)" if nprobe == tuned_nprobe else ""
        rows.append(f"| {nprobe}{tuned} | {' | '.join(f'{r:.3f}' for r in found)} |")
    head = (
        f"{built.index_type} over the {vectors.shape[0]:,} stored vectors"
        f" ({len(snap.profiles)} profiles), model {snap.manifest.model_id}."
    )
    return head + "\n\n" + "\n".join(rows)


def _stamp(argv: Sequence[str], seconds: float) -> str:
    return (
        f"Command: `python -m benchmarks.quality {' '.join(argv)}` — commit {commit()}, "
        f"{now()}, {seconds:.0f} s on {machine()}."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the sections of ``--out``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("--benchmark", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("docs/quality.md"))
    parser.add_argument("--no-outcome", action="store_true", help="skip the product runs")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--fold-seeds", type=int, default=5)
    parser.add_argument(
        "--recall-pool",
        type=Path,
        help="a data directory with an index (e.g. the demo's): measure recall on real briefs",
    )
    parser.add_argument("--recall-only", action="store_true", help="only the recall table")
    parser.add_argument("--int8-only", action="store_true", help="only the int8 rule's table")
    parser.add_argument("--briefs", type=int, default=200, help="real briefs for the recall")
    args = parser.parse_args(argv)
    shown = list(argv if argv is not None else sys.argv[1:])
    settings = Settings()
    encoder = make_encoder(settings.model_copy(update={"adapted_model": "off"}))
    if args.recall_pool is not None:
        started = time.monotonic()
        table = recall_table(args.recall_pool, encoder, briefs=args.briefs)
        write_section(
            args.out, "quality-recall", f"{table}\n\n{_stamp(shown, time.monotonic() - started)}"
        )
        if args.recall_only:
            return 0
    started = time.monotonic()
    table = int8_table(args.benchmark, settings)
    write_section(
        args.out, "quality-int8", f"{table}\n\n{_stamp(shown, time.monotonic() - started)}"
    )
    if args.int8_only:
        return 0
    ratings = read_ratings(args.benchmark)
    started = time.monotonic()
    versions = []
    brief_vectors: dict[str, np.ndarray] = {}
    with scratch_container(settings, encoder, prefix="ke-matcher-quality-") as container:
        for version in version_dirs(args.benchmark):
            print(f"signals of {version.name} …", file=sys.stderr)
            versions.append(version_signals(container, version, ratings, brief_vectors))
    table = cv_table(ratings, versions, folds=args.folds, seeds=range(args.fold_seeds))
    write_section(args.out, "quality-cv", f"{table}\n\n{_stamp(shown, time.monotonic() - started)}")
    if not args.no_outcome:
        started = time.monotonic()
        table = outcome_table(args.benchmark, settings, encoder)
        write_section(
            args.out, "quality-outcome", f"{table}\n\n{_stamp(shown, time.monotonic() - started)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
