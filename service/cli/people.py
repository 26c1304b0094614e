"""``people review|merge|split|list``: KE staff decide the name-only matches the importers would
not merge silently, and list imported people once the office has decided; decisions are stored
and respected by every later import."""

from __future__ import annotations

from typing import TextIO

import click

from index.ingest.importer import rebuild_profiles
from index.ingest.sources.model import normalise_orcid
from matcher.errors import ProfileNotFoundError
from service.cli.common import CliError, run_container
from service.container import Container


@click.group()
def people() -> None:
    """Review, merge and split people imported from research sources."""


@people.command()
@click.option("--all", "show_all", is_flag=True, help="Decided pairs too.")
@click.pass_context
def review(ctx: click.Context, show_all: bool) -> None:
    """List candidate pairs: possibly one person, never merged without a decision."""
    container = run_container(ctx)
    reviews = container.sources.reviews(status=None if show_all else "pending")
    if not reviews:
        click.echo("no candidate pairs to review")
        return
    ids = {i for r in reviews for i in (r.profile_a, r.profile_b)}
    found = container.catalogue.get_profiles(ids, with_evidence=False)
    organisations = {o.id: o.name for o in container.catalogue.organisations()}

    def describe(profile_id: str) -> str:
        profile = found.get(profile_id)
        if profile is None:
            return f"{profile_id} (gone)"
        where = organisations.get(profile.organisation_id, profile.organisation_id)
        return f"{profile_id} ({profile.name}, {where})"

    for r in reviews:
        status = "" if r.status == "pending" else f" [{r.status}]"
        click.echo(
            f"{r.confidence:.2f}  {describe(r.profile_a)}  ~  {describe(r.profile_b)}: "
            f"{r.reason}{status}"
        )
    click.echo("decide with: matcher people merge A B  |  matcher people split A B (keep apart)")


@people.command()
@click.argument("keep")
@click.argument("other")
@click.pass_context
def merge(ctx: click.Context, keep: str, other: str) -> None:
    """Merge profile OTHER into KEEP: its source records and aliases move to KEEP."""
    container = run_container(ctx)
    found = container.catalogue.get_profiles([keep, other], with_evidence=False)
    for profile_id in (keep, other):
        if profile_id not in found:
            raise ProfileNotFoundError(profile_id)
    if keep == other:
        raise CliError("merge needs two different profiles")
    sources = container.sources
    sources.move_people(other, keep)
    sources.decide(keep, other, "merged", by="cli")
    container.catalogue.delete_profile(other)  # not an erasure: the person lives on in KEEP
    rebuild_profiles(container.catalogue, [keep], coauthor_years=container.settings.coauthor_years)
    report = container.sync()
    click.echo(f"merged {other} into {keep}")
    click.echo(report.summary())


@people.command()
@click.argument("profile_id")
@click.argument("other", required=False)
@click.pass_context
def split(ctx: click.Context, profile_id: str, other: str | None) -> None:
    """Keep people apart: with OTHER, record that PROFILE_ID and OTHER are two people; alone,
    give each source record merged into PROFILE_ID by name alone a profile of its own."""
    container = run_container(ctx)
    if profile_id not in container.catalogue.get_profiles([profile_id], with_evidence=False):
        raise ProfileNotFoundError(profile_id)
    sources = container.sources
    if other is not None:
        sources.decide(profile_id, other, "distinct", by="cli")
        click.echo(f"{profile_id} and {other} are kept apart")
        return
    moved = sources.split_name_links(profile_id)
    if not moved:
        raise CliError(f"{profile_id} has no source record merged by name alone")
    for new_id in moved:
        sources.decide(profile_id, new_id, "distinct", by="cli")
    rebuild_profiles(
        container.catalogue,
        [profile_id, *moved],
        coauthor_years=container.settings.coauthor_years,
        listed=container.settings.import_consent == "listed",
    )
    report = container.sync()
    click.echo(f"split {profile_id}: {', '.join(moved)}")
    click.echo(report.summary())


def _resolve(container: Container, tokens: list[str]) -> tuple[list[str], list[str]]:
    """Profile ids for ``tokens`` (a profile id, an ORCID iD or URL, or ``scheme:value`` of an
    imported identifier: ``openalex:A…``, ``gtr:…``, ``pure:…``) and the tokens not found."""
    known = set(container.catalogue.profile_ids())
    aliases = container.sources.aliases()
    found: list[str] = []
    missing: list[str] = []
    for token in tokens:
        orcid = normalise_orcid(token)
        scheme, _, value = token.partition(":")
        if token in known:
            found.append(token)
        elif orcid and ("orcid", orcid) in aliases:
            found.append(aliases[("orcid", orcid)])
        elif value and (scheme.lower(), value) in aliases:
            found.append(aliases[(scheme.lower(), value)])
        else:
            missing.append(token)
    return list(dict.fromkeys(found)), missing


@people.command("list")
@click.argument("who", nargs=-1)
@click.option(
    "--file",
    "from_file",
    type=click.File("r", encoding="utf-8"),
    help="People one per line (# starts a comment), e.g. the office's decided list.",
)
@click.option("--unlist", is_flag=True, help="Unlist them instead (hide them from searches).")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.pass_context
def list_people(
    ctx: click.Context, who: tuple[str, ...], from_file: TextIO | None, unlist: bool, dry_run: bool
) -> None:
    """List people in searches once the office has decided (docs/sources.md, Consent): by
    profile id, ORCID iD, or an imported identifier (openalex:A…, gtr:…, pure:…), on the
    command line or in --file. All or nothing: an unknown name changes nobody. The index is
    updated once for all of them; later imports keep the choice."""
    tokens = list(who)
    if from_file is not None:
        for line in from_file:
            entry = line.split("#", 1)[0].strip()
            if entry:
                tokens.append(entry)
    if not tokens:
        raise click.UsageError("name at least one person (or --file)")
    container = run_container(ctx)
    ids, missing = _resolve(container, tokens)
    if missing:
        shown = ", ".join(missing[:10]) + (
            f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        )
        raise CliError(f"not found, nobody changed: {shown}")
    wanted = not unlist
    state = "listed" if wanted else "unlisted"
    if dry_run:
        found = container.catalogue.get_profiles(ids, with_evidence=False)
        changing = [p for p in found.values() if p.consent != wanted]
        click.echo(f"would make {len(changing)} {state}; {len(ids) - len(changing)} already are")
        return
    changed = container.catalogue.profile_store.set_consent(ids, wanted)
    sync = container.sync() if changed else None
    click.echo(f"{len(changed)} people {state}; {len(ids) - len(changed)} already were")
    if sync is not None:
        click.echo(sync.summary())
