"""``batch``: match every brief of a call file and write the reports."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.fusion import RankingProfile
from service.cli.common import (
    ACTORS_OPTION,
    EXIT_REJECTED,
    PROFILE_OPTION,
    RAY_OPTION,
    progress_bar,
    run_container,
)


@click.command()
@click.argument("call_file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for the reports.",
)
@click.option(
    "--capacity",
    type=click.IntRange(0, 1000),
    default=None,
    help="Capacity of every profile for this call (default: each profile's own).",
)
@click.option(
    "--per-organisation",
    type=click.IntRange(1, 100),
    default=None,
    help="At most this many partners from one organisation per brief.",
)
@click.option(
    "--alternates",
    type=click.IntRange(0, 20),
    default=3,
    show_default=True,
    help="Runners-up listed per brief after its assigned partners (not assigned).",
)
@PROFILE_OPTION
@RAY_OPTION
@ACTORS_OPTION
@click.pass_context
def batch(
    ctx: click.Context,
    call_file: Path,
    out_dir: Path,
    capacity: int | None,
    per_organisation: int | None,
    alternates: int,
    ranking_profile: str,
    ray_address: str | None,
    actors: int | None,
) -> None:
    """Match every brief of a call file; write partners.csv, partners.xlsx and report.html.

    With --ray the briefs are scored by Ray actors holding the index (assignment and consortia
    stay here); the reports are the same as without it.
    """
    from service.batch.reports import write_reports
    from service.batch.run import BriefScorer, run_batch

    container = run_container(ctx)
    if container.store.current_dir() is None:
        container.sync()
    scorer: BriefScorer | None = None
    if ray_address is not None:
        from service.scale.ray_batch import ray_scorer

        scorer = ray_scorer(container.settings, container.engine, ray_address, actors=actors)

    with progress_bar(ctx, "scoring briefs", unit="brief") as progress:
        result = run_batch(
            container,
            call_file,
            capacity=capacity,
            per_organisation=per_organisation,
            alternates=alternates,
            profile=RankingProfile(ranking_profile),
            progress=progress,
            scorer=scorer,
        )
    paths = write_reports(result, out_dir)
    for error in result.errors:
        click.echo(str(error), err=True)
    assigned = sum(len(o.partners) for o in result.outcomes)
    click.echo(
        f"{len(result.outcomes)} briefs, {assigned} partners assigned, {len(result.short)} short, "
        f"{len(result.errors)} rows rejected; total score {result.total_score}"
    )
    for o in result.short:
        assert o.shortfall is not None
        click.echo(f"  short: {o.brief.id}: {o.shortfall.constraint} ({o.shortfall.detail})")
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")
    if result.errors:
        ctx.exit(EXIT_REJECTED)
