"""``themes``, ``sdgs``, ``report gaps`` and ``report partnership`` (from
:mod:`service.cli.dashboard`): partnership insight from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.insight.gaps import MEASURE_RANGE, SERVED_AT, Coverage, Thresholds
from matcher.insight.sdg_text import GOALS
from service.cli.common import run_container
from service.cli.dashboard import partnership


@click.command()
@click.option("--rebuild", is_flag=True, help="Cluster again even if the themes are current.")
@click.option(
    "--k", "k", type=click.IntRange(2, 200), default=None, help="A fixed number of themes."
)
@click.pass_context
def themes(ctx: click.Context, rebuild: bool, k: int | None) -> None:
    """Print the pool's themes (built from the current index when missing or stale)."""
    from service.insight.themes import build_pool_themes, current_themes, insight_store

    container = run_container(ctx)
    if container.store.current_dir() is None:
        container.sync()
    if rebuild or k is not None:
        built = build_pool_themes(container, k=k)
        if built.silhouettes:
            chosen = ", ".join(f"k={n}: {s:.3f}" for n, s in sorted(built.silhouettes.items()))
            click.echo(f"silhouette by k: {chosen}")
        click.echo(f"{built.k} themes from {built.items} items; {len(built.kept)} kept their id")
    stored = current_themes(container)
    if stored is None:
        click.echo("no themes")
        return
    members = insight_store(container).theme_members()
    profiles: dict[str, int] = {}
    for m in members:
        if m.item_id == "" and m.rank == 0:
            profiles[m.theme_id] = profiles.get(m.theme_id, 0) + 1
    click.echo(f"{len(stored.themes)} themes (index version {stored.index_version}):")
    for t in stored.themes:
        click.echo(f"  {t.id}  {t.label}  ({t.size} items, {profiles.get(t.id, 0)} profiles)")


@click.command()
@click.pass_context
def sdgs(ctx: click.Context) -> None:
    """Tag every item with SDGs; print the tags per goal and the agreement with sources."""
    from service.insight.sdgs import tag_pool

    container = run_container(ctx)
    if container.store.current_dir() is None:
        container.sync()
    built = tag_pool(container)
    click.echo(f"{built.tagged} of {built.items} items tagged with at least one SDG")
    for goal in GOALS:
        click.echo(f"  SDG {goal.number:>2} {goal.name}: {built.per_goal.get(goal.number, 0)}")
    for source, a in built.agreement.items():
        click.echo(
            f"agreement with {source} on {a.items} items: same top goal {a.same_top:.0%}, "
            f"at least one goal shared {a.overlap:.0%}, mean Jaccard {a.jaccard:.2f}"
        )


@click.group()
def report() -> None:
    """Insight reports for the KE office, written as files."""


report.add_command(partnership)


@report.command("gaps")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for gaps.csv, gaps.xlsx and gaps.html.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(*MEASURE_RANGE),
    default=SERVED_AT,
    show_default=True,
    help="Gap measure from which a need counts as served: its best academic score in spreads "
    "(1.4826 MAD) from the median best score of the pool's asks of its type.",
)
@click.option(
    "--sdg", type=click.IntRange(1, 17), default=None, help="Only needs tagged with this SDG."
)
@click.pass_context
def gaps(ctx: click.Context, out_dir: Path, threshold: float, sdg: int | None) -> None:
    """The capability-gap report: every need and challenge against the academics."""
    from service.insight.exports import write_gap_reports
    from service.insight.gaps import gap_report

    container = run_container(ctx)
    if container.store.current_dir() is None:
        container.sync()
    found = gap_report(container, thresholds=Thresholds.served_at(threshold), sdg=sdg)
    counts = found.counts
    click.echo(
        f"{len(found.results)} needs and challenges: {counts[Coverage.SERVED]} served, "
        f"{counts[Coverage.WEAK]} weakly served, {counts[Coverage.UNSERVED]} unserved "
        f"(served from {found.thresholds.served:+.1f} spreads, weakly from "
        f"{found.thresholds.weak:+.1f}); "
        f"{len(found.untapped)} untapped academics"
    )
    for kind, path in write_gap_reports(found, out_dir).items():
        click.echo(f"{kind}: {path}")
