"""What every command module shares: the user-facing error, exit statuses, progress bars, the
settings and container of a run, and the options several commands take."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from tqdm import tqdm

from matcher.fusion import RankingProfile
from matcher.model import Aggregation
from service.container import Container, Progress, build_container
from service.settings import Settings

EXIT_REJECTED = 1
EXIT_ERROR = 2

F = TypeVar("F", bound=Callable[..., Any])

PROFILE_OPTION = click.option(
    "--profile",
    "ranking_profile",
    type=click.Choice([p.value for p in RankingProfile]),
    default=RankingProfile.FAST.value,
    show_default=True,
    help="Ranking profile: fast (one model) or thorough (fusion of several signals; slower).",
)


class CliError(click.ClickException):
    """An error already phrased for the user."""


class NoCatalogueError(CliError):
    """A read-only command run where there is no catalogue (or an empty one)."""

    exit_code = EXIT_ERROR


#: How to load a catalogue or find the right one, said by every "no catalogue" error.
LOAD_HINT = (
    "load profiles with 'matcher ingest FILE...', or point --data-dir or KE_MATCHER_DATA_DIR "
    "at the folder that holds the catalogue"
)


def require_catalogue(settings: Settings) -> None:
    """Refuse to go on when the configured SQLite catalogue does not exist, so that a read-only
    command (``search``, ``stats``) never creates an empty one in the wrong folder.

    Raises:
        NoCatalogueError: no catalogue file.
    """
    try:
        url = make_url(settings.catalogue_url)
    except ArgumentError:
        return  # opening the catalogue reports the bad URL in its own words
    if not url.get_backend_name().startswith("sqlite") or url.database in (None, "", ":memory:"):
        return  # a server database exists or not as a whole: opening it says which
    path = Path(url.database)
    if not path.is_file():
        raise NoCatalogueError(f"no catalogue at {path}: {LOAD_HINT}")


@contextmanager
def progress_bar(ctx: click.Context, description: str, *, unit: str = "text") -> Iterator[Progress]:
    """A ``(done, total)`` callback drawing a bar on stderr, unless ``--quiet`` or stderr is
    not a terminal; the bar appears with the first non-empty total and is closed on exit.

    Args:
        ctx: the command's context (holds whether progress is shown).
        description: the bar's label.
        unit: what is counted.
    """
    enabled: bool = ctx.obj["progress"]
    bar: tqdm[Any] | None = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if not enabled or total == 0:
            return
        if bar is None:
            bar = tqdm(total=total, desc=description, unit=unit, file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def run_settings(ctx: click.Context) -> Settings:
    """The settings of this run (the environment, with ``--data-dir`` applied)."""
    settings: Settings = ctx.obj["settings"]
    return settings


def run_container(ctx: click.Context) -> Container:
    """The container of this run, built on first use and closed when the run ends."""
    if "container" not in ctx.obj:
        ctx.obj["container"] = build_container(run_settings(ctx))
        ctx.call_on_close(ctx.obj["container"].close)
    container: Container = ctx.obj["container"]
    return container


def forget_container(ctx: click.Context) -> None:
    """Drop the run's container, so that the next :func:`run_container` builds a new one (after
    a change of model)."""
    ctx.obj.pop("container", None)


def eval_settings(ctx: click.Context, aggregation: str | None, top_k: int | None) -> Settings:
    """The settings, with an evaluation's ``--aggregation`` and ``--top-k`` applied."""
    update: dict[str, Any] = {}
    if aggregation:
        update["aggregation"] = Aggregation(aggregation)
    if top_k:
        update["top_k"] = top_k
    return run_settings(ctx).model_copy(update=update)


def aggregation_options(command: F) -> F:
    """``--aggregation`` and ``--top-k``, read by :func:`eval_settings`."""
    command = click.option(
        "--top-k", type=click.IntRange(1, 50), default=None, help="Items averaged by top_k_mean."
    )(command)
    return click.option(
        "--aggregation",
        type=click.Choice([a.value for a in Aggregation]),
        default=None,
        help="Override the aggregation.",
    )(command)


#: ``--ray [ADDRESS]``: run the heavy part on Ray (a cluster at ADDRESS, else
#: $KE_MATCHER_RAY_ADDRESS, else Ray started on this machine); needs the ``ray`` extra.
RAY_OPTION = click.option(
    "--ray",
    "ray_address",
    is_flag=False,
    flag_value="local",
    default=None,
    metavar="[ADDRESS]",
    help="Run on Ray: a cluster at ADDRESS (or $KE_MATCHER_RAY_ADDRESS), else a local Ray.",
)
#: ``--actors N``: the size of the Ray actor pool (default: the cluster's CPUs).
ACTORS_OPTION = click.option(
    "--actors",
    type=click.IntRange(1, 4096),
    default=None,
    help="Ray actors (default: one per CPU of the cluster).",
)
