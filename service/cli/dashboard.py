"""``report partnership`` (added to :mod:`service.cli.insight`'s ``report`` group) (the partnership dashboard as one HTML file) and ``demo
seed-history`` (the demo's made-up introductions and bids history)."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path

import click

from service.cli.common import CliError, run_container


def _mapping(path: Path | None, what: str) -> dict[str, object] | None:
    if path is None:
        return None
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CliError(f"{path}: cannot read {what}: {error}") from None
    if not isinstance(loaded, dict):
        raise CliError(f"{path}: {what} must be a JSON object")
    return loaded


@click.command("partnership")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for partnership.html.")  # fmt: skip
@click.option("--themes", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON object: profile id → theme label (default: the pool's themes).")  # fmt: skip
@click.option("--coverage", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON object: theme → [served, weak, unserved] (default: the gap report).")  # fmt: skip
@click.option("--sdg", type=click.Path(path_type=Path, dir_okay=False),
              help='JSON: {"pool": {SDG: items}, "collaborations": {SDG: n}} (default: SDG tags).')  # fmt: skip
@click.pass_context
def partnership(
    ctx: click.Context,
    out_dir: Path,
    themes: Path | None,
    coverage: Path | None,
    sdg: Path | None,
) -> None:
    """Write the partnership dashboard as one self-contained HTML file (opens with no network)."""
    from service.insight.dashboard import InsightInputs, build_dashboard
    from service.insight.report import write_dashboard

    theme_map = _mapping(themes, "themes")
    coverage_map = _mapping(coverage, "coverage")
    sdg_map = _mapping(sdg, "SDG profile") or {}
    try:
        inputs = InsightInputs(
            themes={str(k): str(v) for k, v in theme_map.items()} if theme_map else None,
            coverage={str(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in coverage_map.items()}  # type: ignore[index]
            if coverage_map
            else None,
            sdg_pool={str(k): int(v) for k, v in dict(sdg_map.get("pool") or {}).items()} or None,  # type: ignore[call-overload]
            sdg_collaborations={
                str(k): int(v)
                for k, v in dict(sdg_map.get("collaborations") or {}).items()  # type: ignore[call-overload]
            }
            or None,
        )
    except (TypeError, ValueError, IndexError) as error:
        raise CliError(f"an input file has the wrong shape: {error}") from None
    container = run_container(ctx)
    # what no file gives comes from the pool: themes, the gap report's coverage, SDG tags
    from service.insight.inputs import dashboard_inputs

    if any(getattr(inputs, f.name) is None for f in fields(inputs)):
        pool = dashboard_inputs(container)
        inputs = replace(
            inputs,
            **{
                f.name: getattr(pool, f.name)
                for f in fields(inputs)
                if getattr(inputs, f.name) is None
            },
        )
    path = write_dashboard(build_dashboard(container, inputs), out_dir)
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
