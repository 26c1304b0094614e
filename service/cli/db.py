"""``db``: the catalogue database's schema."""

from __future__ import annotations

import click

from service.cli.common import run_settings
from service.container import upgrade_catalogue


@click.group()
def db() -> None:
    """The catalogue database (SQLite, or PostgreSQL via KE_MATCHER_DATABASE_URL)."""


@db.command(name="upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply pending schema migrations (also done at every start); a database from before
    migrations is stamped, not rebuilt."""
    before, after = upgrade_catalogue(run_settings(ctx))
    if before == after:
        click.echo(f"catalogue schema already at {after}")
    else:
        click.echo(f"catalogue schema upgraded from {before or 'nothing'} to {after}")
