"""``eval goldstandard`` and ``eval authorship``: matching quality on external benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import click

from index.encoders.adapt import OBJECTIVES as ADAPT_OBJECTIVES
from index.encoders.adapt import AdaptationConfig
from matcher.fusion import RankingProfile
from service.cli.common import PROFILE_OPTION, aggregation_options, eval_settings


@click.group(name="eval")
def evaluate() -> None:
    """Evaluate matching quality on external benchmarks."""


def _adaptation(wanted: bool, objective: str | None) -> AdaptationConfig | None:
    """The adaptation an evaluation asked for (``None``: none)."""
    if not wanted:
        return None
    return AdaptationConfig(objective=objective) if objective else AdaptationConfig()


@evaluate.command(name="goldstandard")
@click.argument("directory", type=click.Path(path_type=Path))
@aggregation_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--ci",
    "with_intervals",
    is_flag=True,
    help="Bootstrap intervals over researchers, and paired differences to each peer.",
)
@PROFILE_OPTION
@click.option(
    "--adapt",
    "adapt_to_archives",
    is_flag=True,
    help="First adapt the model to the researchers' archives as 'matcher adapt' does.",
)
@click.option(
    "--adapt-objective",
    type=click.Choice(list(ADAPT_OBJECTIVES)),
    default=None,
    help="Objective of --adapt (default: matcher adapt's).",
)
@click.pass_context
def evaluate_goldstandard(
    ctx: click.Context,
    directory: Path,
    aggregation: str | None,
    top_k: int | None,
    as_json: bool,
    with_intervals: bool,
    ranking_profile: str,
    adapt_to_archives: bool,
    adapt_objective: str | None,
) -> None:
    """Run the gold-standard expertise benchmark in DIRECTORY through the search path."""
    from service.evaluation.goldstandard import run_goldstandard

    settings = eval_settings(ctx, aggregation, top_k)

    def say(name: str) -> None:
        if not as_json:
            click.echo(f"version {name} …", err=True)

    report = run_goldstandard(
        directory,
        settings=settings,
        progress=say,
        with_intervals=with_intervals,
        profile=RankingProfile(ranking_profile),
        adaptation=_adaptation(adapt_to_archives or adapt_objective is not None, adapt_objective),
    )
    if as_json:
        click.echo(json.dumps(report.to_json()))
        return
    click.echo(
        f"loss {report.loss:.4f}  easy {report.easy:.3f}  hard {report.hard:.3f}  "
        f"({report.researchers} researchers, {report.versions} versions)"
    )
    if report.intervals:
        low, high = report.intervals["loss"]
        click.echo(f"  95% interval over researchers: {low:.4f} – {high:.4f}")
    for name, figures in report.peers.items():
        line = f"  peer {name:<12} loss {figures['loss']:.4f}"
        if "ours_minus_peer" in figures:
            line += (
                f"   ours − peer {figures['ours_minus_peer']:+.4f} "
                f"[{figures['ours_minus_peer_low']:+.4f}, {figures['ours_minus_peer_high']:+.4f}]"
            )
        click.echo(line)


@evaluate.command(name="authorship")
@click.argument("directory", type=click.Path(path_type=Path))
@aggregation_options
@click.option(
    "--min-papers",
    type=click.IntRange(2, 1000),
    default=5,
    show_default=True,
    help="Hold out a paper only of researchers with at least this many.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Which papers are held out.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--ci", "with_intervals", is_flag=True, help="Bootstrap intervals over researchers.")
@PROFILE_OPTION
@click.pass_context
def evaluate_authorship(
    ctx: click.Context,
    directory: Path,
    aggregation: str | None,
    top_k: int | None,
    min_papers: int,
    seed: int,
    as_json: bool,
    with_intervals: bool,
    ranking_profile: str,
) -> None:
    """Hold out one paper per researcher in DIRECTORY; does it find its author? (hits@1/@10, MRR)"""
    from service.evaluation.authorship import run_authorship

    settings = eval_settings(ctx, aggregation, top_k)

    def say(message: str) -> None:
        if not as_json:
            click.echo(message, err=True)

    report = run_authorship(
        directory,
        settings=settings,
        profile=RankingProfile(ranking_profile),
        min_papers=min_papers,
        seed=seed,
        with_intervals=with_intervals,
        progress=say,
    )
    if as_json:
        click.echo(json.dumps(report.to_json()))
        return
    m = report.metrics
    click.echo(
        f"hits@1 {m.hits_at_1:.3f}  hits@10 {m.hits_at_10:.3f}  MRR {m.mrr:.3f}  "
        f"({m.queries} held-out papers, {report.researchers} researchers)"
    )
    for name, (low, high) in report.intervals.items():
        click.echo(f"  95% interval of {name}: {low:.3f} – {high:.3f}")
