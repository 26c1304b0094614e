"""``import openalex|orcid|gtr|pure``: build and refresh the pool from real research bases.

Every command reads saved files (or, with ``--api``, the live API), imports the records
(:mod:`index.ingest.importer`), brings the index up to date, and prints the rejected rows as
``file:line: field: reason``, then one summary line; the exit status is 1 when any row was
rejected (the rest is kept), as with ``matcher ingest``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import click

from index.ingest.importer import ImportOptions
from index.ingest.sources import (
    InstitutionFilter,
    ReadError,
    Source,
    SourceRecord,
    WrongSourceError,
    read_gtr,
    read_openalex,
    read_orcid,
    read_pure,
    sniff_file,
)
from index.ingest.sources.fetch import (
    GTR_API,
    OPENALEX_API,
    ORCID_API,
    SourceClient,
    fetch_gtr,
    fetch_openalex,
    fetch_orcid,
)
from service.cli.common import EXIT_REJECTED, CliError, progress_bar, run_container

Records = Iterable[SourceRecord | ReadError]
Reader = Callable[[Path], Iterator[SourceRecord | ReadError]]

PATHS = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
FULL = click.option(
    "--full",
    is_flag=True,
    help="The files are the source's whole record: works of it not seen are withdrawn "
    "(never when a row was rejected).",
)
API = click.option("--api", is_flag=True, help="Fetch the records live instead of from files.")
API_URL = click.option("--api-url", default=None, hidden=True, help="Another API root (tests).")


def _check_files(paths: Iterable[Path], source: Source) -> None:
    """Refuse the whole run, before anything is written, when a file holds another source."""
    for path in paths:
        found = sniff_file(path)
        if found is not None and found is not source:
            raise WrongSourceError(str(path), found=found.value, expected=source.value)


def _from_files(paths: tuple[Path, ...], source: Source, reader: Reader) -> Records:
    _check_files(paths, source)
    return itertools.chain.from_iterable(reader(path) for path in paths)


def _run(ctx: click.Context, source: Source, records: Records, options: ImportOptions) -> None:
    """Import, sync, report; exit 1 when rows were rejected."""
    container = run_container(ctx)
    with (
        progress_bar(ctx, f"{source.value}: profiles", unit="profile") as progress,
        progress_bar(ctx, "embedding") as embed_progress,
    ):
        report, sync = container.import_source(
            source, records, options=options, progress=progress, embed_progress=embed_progress
        )
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    if report.people_created and not options.listed:
        click.echo(
            f"{report.people_created} new people are unlisted (not shown in searches) until "
            "listed: set KE_MATCHER_IMPORT_CONSENT=listed once your office has decided "
            "(docs/sources.md, Consent)"
        )
    click.echo(sync.summary())
    if report.errors:
        ctx.exit(EXIT_REJECTED)


def _options(ctx: click.Context, *, full: bool, institutions: Iterable[str] = ()) -> ImportOptions:
    settings = ctx.obj["settings"]
    return ImportOptions(
        institutions=InstitutionFilter.parse(institutions),
        full=full,
        coauthor_years=settings.coauthor_years,
        listed=settings.import_consent == "listed",
    )


def _need(paths: tuple[Path, ...], api: bool, what: str) -> None:
    if not paths and not api:
        raise CliError(f"give the files to import, or --api with {what}")


def _import(
    ctx: click.Context,
    source: Source,
    options: ImportOptions,
    *,
    paths: tuple[Path, ...],
    reader: Reader,
    api: bool,
    api_url: str,
    fetch: Callable[[SourceClient], Records],
    missing: str = "",
) -> None:
    """Import from the source's API (``--api``: refused with ``missing`` named when an option it
    needs is absent) or from the files."""
    if not api:
        _run(ctx, source, _from_files(paths, source, reader), options)
        return
    if missing:
        raise CliError(f"--api needs {missing}")
    with SourceClient(api_url) as client:
        _run(ctx, source, fetch(client), options)


@click.group(name="import")
def import_group() -> None:
    """Import OpenAlex works, ORCID records, Gateway to Research projects or Pure outputs."""


@import_group.command()
@PATHS
@click.option(
    "--institution",
    "institutions",
    multiple=True,
    help="A ROR or OpenAlex institution id (repeatable): its authorships become profiles.",
)
@click.option("--mailto", default="", help="Contact e-mail for OpenAlex's polite pool (--api).")
@API
@API_URL
@FULL
@click.pass_context
def openalex(
    ctx: click.Context,
    paths: tuple[Path, ...],
    institutions: tuple[str, ...],
    mailto: str,
    api: bool,
    api_url: str | None,
    full: bool,
) -> None:
    """OpenAlex works (snapshot JSON Lines, .gz, or saved API pages) and author records."""
    _need(paths, api, "--institution and --mailto")
    _import(
        ctx,
        Source.OPENALEX,
        _options(ctx, full=full, institutions=institutions),
        paths=paths,
        reader=read_openalex,
        api=api,
        api_url=api_url or OPENALEX_API,
        fetch=lambda client: fetch_openalex(client, institutions, mailto=mailto),
        missing="" if institutions and mailto else "--institution and --mailto",
    )


@import_group.command()
@PATHS
@click.option("--orcid", "orcids", multiple=True, help="An ORCID iD to fetch (--api; repeatable).")
@API
@API_URL
@click.pass_context
def orcid(
    ctx: click.Context,
    paths: tuple[Path, ...],
    orcids: tuple[str, ...],
    api: bool,
    api_url: str | None,
) -> None:
    """ORCID public records (API v3.0 /record JSON); a record is the person's whole list, so
    works gone from a newer record are withdrawn."""
    _need(paths, api, "--orcid")
    _import(
        ctx,
        Source.ORCID,
        _options(ctx, full=False),
        paths=paths,
        reader=read_orcid,
        api=api,
        api_url=api_url or ORCID_API,
        fetch=lambda client: fetch_orcid(client, orcids),
        missing="" if orcids else "at least one --orcid",
    )


@import_group.command()
@PATHS
@click.option(
    "--organisation", "organisations", multiple=True, help="A GtR organisation id (--api)."
)
@API
@API_URL
@FULL
@click.pass_context
def gtr(
    ctx: click.Context,
    paths: tuple[Path, ...],
    organisations: tuple[str, ...],
    api: bool,
    api_url: str | None,
    full: bool,
) -> None:
    """UKRI Gateway to Research pages of projects, persons and organisations."""
    _need(paths, api, "--organisation")
    _import(
        ctx,
        Source.GTR,
        _options(ctx, full=full),
        paths=paths,
        reader=read_gtr,
        api=api,
        api_url=api_url or GTR_API,
        fetch=lambda client: fetch_gtr(client, organisations),
        missing="" if organisations else "at least one --organisation",
    )


@import_group.command()
@PATHS
@click.option(
    "--organisation", default="", help="The ROR id of the institution the Pure system is of."
)
@FULL
@click.pass_context
def pure(ctx: click.Context, paths: tuple[Path, ...], organisation: str, full: bool) -> None:
    """Pure Web Service pages of persons and research outputs (internal people only)."""
    _need(paths, False, "")

    def reader(path: Path) -> Iterator[SourceRecord | ReadError]:
        return read_pure(path, organisation=organisation)

    _run(ctx, Source.PURE, _from_files(paths, Source.PURE, reader), _options(ctx, full=full))
