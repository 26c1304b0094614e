"""The ``matcher`` group, its global options, and :func:`main`. Errors are one line on stderr
and a non-zero exit status."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from matcher.errors import MatcherError
from service.cli.adapt import adapt
from service.cli.backup import backup_command, restore_command
from service.cli.batch import batch
from service.cli.common import EXIT_ERROR
from service.cli.dashboard import demo
from service.cli.db import db
from service.cli.evaluate import evaluate
from service.cli.import_ import import_group
from service.cli.insight import report, sdgs, themes
from service.cli.keys import keys
from service.cli.learn import learn
from service.cli.people import people
from service.cli.pool import build, delete, ingest, stats
from service.cli.search import search
from service.cli.serve import serve
from service.container import Container
from service.settings import Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    help="Catalogue and index folder (default: var/ or KE_MATCHER_DATA_DIR).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, quiet: bool) -> None:
    """ke-matcher: find academic, NHS and industry partners for a brief."""
    ctx.ensure_object(dict)
    if "settings" not in ctx.obj:
        settings = Settings()
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": data_dir})
        ctx.obj["settings"] = settings
    ctx.obj["progress"] = not quiet and sys.stderr.isatty()


for _command in (
    ingest, build, delete, stats, search, backup_command, restore_command, serve, db, keys, batch,
    adapt, evaluate, import_group, people, themes, sdgs, report, demo, learn,
):  # fmt: skip
    cli.add_command(_command)


def main(
    argv: Sequence[str] | None = None,
    *,
    settings: Settings | None = None,
    container: Container | None = None,
) -> int:
    """Run the CLI; returns the exit status instead of raising (tests call this)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    obj: dict[str, Any] = {}
    if settings is not None:
        obj["settings"] = settings
    if container is not None:
        obj["settings"] = container.settings
        obj["container"] = container
    try:
        status = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="matcher",
            obj=obj,
            standalone_mode=False,
        )
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.exceptions.NoArgsIsHelpError as error:
        # ``matcher`` (or a group) alone asks for the help: print it, as ``--help`` does
        click.echo(error.ctx.get_help() if error.ctx else cli.get_help(click.Context(cli)))
        return 0
    except click.exceptions.Abort:
        click.echo("matcher: interrupted", err=True)
        return 130
    except click.ClickException as error:
        click.echo(f"matcher: {error.format_message()}", err=True)
        return error.exit_code
    except MatcherError as error:
        click.echo(f"matcher: {error}", err=True)
        return EXIT_ERROR
    except OSError as error:
        click.echo(
            f"matcher: {error.strerror or error}: {error.filename or ''}".rstrip(": "), err=True
        )
        return EXIT_ERROR
    return status if isinstance(status, int) else 0
