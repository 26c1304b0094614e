"""``search``: rank partners for one brief."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url

from matcher.briefs import check_organisations, make_brief
from matcher.fusion import RankingProfile
from matcher.model import ProfileKind, SearchResult
from service.cli.common import (
    LOAD_HINT,
    PROFILE_OPTION,
    NoCatalogueError,
    require_catalogue,
    run_container,
    run_settings,
)


@click.command()
@click.argument("text")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in ProfileKind]),
    help="Only this kind (repeatable).",
)
@click.option(
    "--top", default=5, show_default=True, type=click.IntRange(1, 200), help="Matches per kind."
)
@click.option(
    "--organisation", "organisations", multiple=True, help="Only profiles of this organisation id."
)
@click.option("--region", "regions", multiple=True, help="Only profiles in this region.")
@click.option("--unit", "units", multiple=True, help="Only profiles in this unit.")
@click.option("--exclude", "exclude_profiles", multiple=True, help="Leave out this profile id.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@PROFILE_OPTION
@click.pass_context
def search(
    ctx: click.Context,
    text: str,
    kinds: tuple[str, ...],
    top: int,
    organisations: tuple[str, ...],
    regions: tuple[str, ...],
    units: tuple[str, ...],
    exclude_profiles: tuple[str, ...],
    as_json: bool,
    ranking_profile: str,
) -> None:
    """Rank partners for a brief."""
    from service.http.schemas import SearchResponse

    require_catalogue(run_settings(ctx))
    container = run_container(ctx)
    brief = make_brief(
        text,
        kinds=kinds,
        top=top,
        organisations=organisations,
        regions=regions,
        units=units,
        exclude_profiles=exclude_profiles,
        max_chars=container.settings.max_brief_chars,
    )
    if not container.catalogue.counts().get("profiles"):
        where = make_url(container.catalogue.url).render_as_string(hide_password=True)
        raise NoCatalogueError(f"the catalogue at {where} is empty: {LOAD_HINT}")
    check_organisations(brief, container.catalogue.organisation_ids())
    if container.store.current_dir() is None:
        container.sync()
    result = container.engine.search(brief, profile=RankingProfile(ranking_profile))
    if as_json:
        version = container.engine.snapshot().manifest.version
        click.echo(
            SearchResponse.of(result, index_version=version, took_ms=0).model_dump_json(indent=2)
        )
        return
    _print_result(result)


def _print_result(result: SearchResult) -> None:
    """The matches of every kind, each with its shared terms and two best pieces of evidence."""
    for kind, matches in result.groups.items():
        click.secho(f"\n{kind.label()}", bold=True)
        if not matches:
            click.echo("  (none)")
        for m in matches:
            click.echo(
                f"  {m.rank:>2}. {m.score:.3f}  {m.name} — {m.organisation_name} ({m.unit})  [{m.profile_id}]"
            )
            if m.shared_terms:
                click.echo(f"      shared terms: {', '.join(m.shared_terms)}")
            for e in m.evidence[:2]:
                click.echo(f"      {e.similarity:.3f} {e.type.value}: {e.title}")
                if e.provenance:
                    click.echo(f"            ({'; '.join(p.label() for p in e.provenance)})")
