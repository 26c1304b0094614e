"""``report partnership`` (added to :mod:`service.cli.insight`'s ``report`` group) (the partnership dashboard as one HTML file) and ``demo
seed-history`` (the demo's made-up introductions and bids history)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from service.cli.common import CliError, run_container


@click.command("partnership")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for partnership.html.")  # fmt: skip
@click.pass_context
def partnership(ctx: click.Context, out_dir: Path) -> None:
    """Write the partnership dashboard as one self-contained HTML file (opens with no network).

    Its themes, coverage of needs and SDG profile come from the pool (built first when missing
    or older than the index), as on the page."""
    from service.insight.dashboard import build_dashboard
    from service.insight.inputs import dashboard_inputs
    from service.insight.report import write_dashboard

    container = run_container(ctx)
    path = write_dashboard(build_dashboard(container, dashboard_inputs(container)), out_dir)
    click.echo(f"dashboard: {path}")


@click.group()
def demo() -> None:
    """Set-up steps of the demo (``make run`` runs them)."""


@demo.command("seed-history")
@click.pass_context
def seed_history(ctx: click.Context) -> None:
    """Add a made-up year of introductions and bids (fixed seed) so that the dashboard has
    something to show; does nothing when the history is already there."""
    from service.insight.demo import seed_demo_history

    container = run_container(ctx)
    try:
        done = seed_demo_history(container, end=datetime.now(UTC))
    except ValueError as error:
        raise CliError(f"cannot seed the demo history: {error}") from None
    if done.skipped:
        click.echo("demo history: already there, nothing written")
    else:
        click.echo(f"demo history: {done.introductions} introductions, {done.bids} bids written")
