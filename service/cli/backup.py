"""``backup`` and ``restore`` of the catalogue (SQLite; PostgreSQL is pointed at its own tools)."""

from __future__ import annotations

from pathlib import Path

import click

from index.db.backup import BackupError, backup, inspect_backup, sqlite_path
from service.cli.common import CliError, progress_bar, run_container, run_settings


@click.command(name="backup")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.pass_context
def backup_command(ctx: click.Context, file: Path, force: bool) -> None:
    """Copy the catalogue to FILE while the service keeps running (SQLite's online backup).

    On PostgreSQL this refuses and prints the pg_dump command to use instead.
    """
    try:
        summary = backup(run_settings(ctx).catalogue_url, file, overwrite=force)
    except BackupError as error:
        raise CliError(str(error)) from None
    click.echo(
        f"backed up {summary.profiles} profiles (catalogue version {summary.catalogue_version}) "
        f"to {summary.path} ({summary.bytes} bytes)"
    )


@click.command(name="restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def restore_command(ctx: click.Context, file: Path) -> None:
    """Replace the catalogue with a backup FILE (checked first), then rebuild the index.

    Running servers pick up the rebuilt index like any other. On PostgreSQL this refuses and
    prints the pg_restore command to use instead.
    """
    try:
        sqlite_path(run_settings(ctx).catalogue_url)  # PostgreSQL: refuse before opening anything
        inspect_backup(file)  # a bad file: refuse before anything changes
    except BackupError as error:
        raise CliError(str(error)) from None
    container = run_container(ctx)
    with progress_bar(ctx, "embedding") as progress:
        try:
            report = container.restore(file, progress=progress)
        except BackupError as error:
            raise CliError(str(error)) from None
    again = report.erased_again
    click.echo(
        f"restored {report.summary.profiles} profiles "
        f"(catalogue version {report.summary.catalogue_version}) from {file}"
        + (f"; erased again {len(again)} profile(s) deleted since the backup" if again else "")
    )
    click.echo(report.sync.summary())
