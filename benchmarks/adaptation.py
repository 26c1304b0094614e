"""Measure domain adaptation (``matcher adapt``) on a gold-standard directory.

For each candidate configuration: the loss with the model adapted to all the researchers'
archives (transductive, as the product adapts to its own pool), its bootstrap interval, and the
paired difference to the unadapted model; with ``--folds``, also the cross-validated loss, where
every researcher is scored by a model adapted only on the other folds' archives (inductive: the
researcher's own texts were never trained on). No ratings are used by any adaptation.

Usage::

    python -m benchmarks.adaptation DIR --candidate objective=title-abstract,lr=2e-5 \\
        [--candidate ...] [--folds 5] [--out results.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from index.encoders.adapt import AdaptationConfig
from matcher.evaluation import bootstrap_loss, researcher_costs
from service.evaluation.goldstandard import read_ratings, run_goldstandard, version_dirs
from service.settings import Settings

Costs = list[dict[str, tuple[float, float]]]
KEYS = {
    "objective": ("objective", str),
    "lr": ("learning_rate", float),
    "epochs": ("epochs", int),
    "batch": ("batch_size", int),
    "anchor": ("anchor", float),
    "scale": ("scale", float),
    "steps": ("max_steps", int),
    "seq": ("train_seq_length", int),
    "seed": ("seed", int),
}


def parse_candidate(text: str) -> AdaptationConfig:
    """``objective=simcse,lr=1e-5`` → an :class:`AdaptationConfig`."""
    values: dict[str, Any] = {}
    for part in filter(None, text.split(",")):
        key, _, value = part.partition("=")
        name, kind = KEYS[key.strip()]
        values[name] = kind(value.strip())
    return AdaptationConfig(**values)


def pooled(costs: Costs) -> float:
    """Version-averaged pooled loss."""
    return float(
        np.mean([sum(c for c, _ in v.values()) / sum(w for _, w in v.values()) for v in costs])
    )


def costs_of(report: Any, ratings: dict[str, dict[str, float]]) -> Costs:
    return [researcher_costs(ratings, v.scores) for v in report.per_version]


def subset_dir(directory: Path, researchers: set[str], scratch: Path) -> Path:
    """A view of ``directory`` whose evaluations.tsv holds only ``researchers``."""
    target = scratch / f"subset-{len(list(scratch.iterdir()))}"
    target.mkdir()
    with (directory / "evaluations.tsv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        rows = [r for r in reader if r["ParticipantID"].strip() in researchers]
        fields = reader.fieldnames or []
    with (target / "evaluations.tsv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=fields, delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)
    for version in version_dirs(directory):
        (target / version.name).symlink_to(version.resolve())
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--candidate", action="append", default=[])
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument("--no-full", action="store_true", help="Cross-validation only.")
    parser.add_argument("--encoder", default="torch")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--base-costs", type=Path, help="Cache of the unadapted run's per-researcher costs."
    )
    args = parser.parse_args()
    settings = Settings(encoder=args.encoder, adapted_model="off")
    ratings = read_ratings(args.directory)
    started = time.perf_counter()
    if args.base_costs and args.base_costs.is_file():
        saved = json.loads(args.base_costs.read_text())
        base = [{r: (c, w) for r, (c, w) in v.items()} for v in saved]
    else:
        base = costs_of(run_goldstandard(args.directory, settings=settings), ratings)
        if args.base_costs:
            args.base_costs.write_text(json.dumps(base))
    print(f"unadapted: loss {pooled(base):.4f} ({time.perf_counter() - started:.0f} s)", flush=True)
    results: list[dict[str, Any]] = []
    for text in args.candidate:
        config = parse_candidate(text)
        row: dict[str, Any] = {"candidate": text}
        if not args.no_full:
            started = time.perf_counter()
            report = run_goldstandard(
                args.directory, settings=settings, adaptation=config, with_intervals=True
            )
            ours = costs_of(report, ratings)
            diff = bootstrap_loss(ours, other=base, seed=7)
            row.update(
                loss=round(report.loss, 4),
                easy=round(report.easy, 3),
                hard=round(report.hard, 3),
                ci=report.intervals.get("loss"),
                minus_base=[round(diff.value, 4), round(diff.low, 4), round(diff.high, 4)],
                train_seconds=report.settings.get("adaptation", {}).get("train_seconds"),
                seconds=round(time.perf_counter() - started),
            )
            print(json.dumps(row), flush=True)
        if args.folds:
            started = time.perf_counter()
            everyone = sorted(ratings)
            order = np.random.default_rng(0).permutation(len(everyone))
            folds = [{everyone[i] for i in order[k :: args.folds]} for k in range(args.folds)]
            held: Costs = [{} for _ in version_dirs(args.directory)]
            train_seconds = []
            with tempfile.TemporaryDirectory() as scratch:
                for fold in folds:
                    view = subset_dir(args.directory, fold, Path(scratch))
                    report = run_goldstandard(
                        view,
                        settings=settings,
                        adaptation=config,
                        adapt_on=[r for r in everyone if r not in fold],
                    )
                    train_seconds.append(report.settings["adaptation"]["train_seconds"])
                    for table, version in zip(held, costs_of(report, ratings), strict=True):
                        table.update(version)
            diff = bootstrap_loss(held, other=base, seed=7)
            own = bootstrap_loss(held, seed=7)
            row.update(
                cv_loss=round(pooled(held), 4),
                cv_ci=[round(own.low, 4), round(own.high, 4)],
                cv_minus_base=[round(diff.value, 4), round(diff.low, 4), round(diff.high, 4)],
                cv_train_seconds=train_seconds,
                cv_seconds=round(time.perf_counter() - started),
            )
            print(json.dumps(row), flush=True)
        results.append(row)
    if args.out:
        args.out.write_text(json.dumps({"base": pooled(base), "results": results}, indent=2))


if __name__ == "__main__":
    main()
