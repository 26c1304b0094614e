"""The pool of profiles: ``ingest``, ``build``, ``delete`` and ``stats``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url

from index.db.build_lock import BUILD_LOCK_WAIT_SECONDS
from index.vectors.manifest import Manifest
from service.cli.common import (
    ACTORS_OPTION,
    EXIT_REJECTED,
    RAY_OPTION,
    progress_bar,
    require_catalogue,
    run_container,
    run_settings,
)
from service.container import open_catalogue, open_index_store
from service.settings import Settings


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Validate and load JSON Lines / CSV files, then update the index.

    Invalid rows are reported as file:line: field: reason and skipped; the exit status is 1 when
    any row was rejected.
    """
    container = run_container(ctx)
    with progress_bar(ctx, "embedding") as progress:
        report, sync = container.ingest(list(paths), progress=progress)
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    click.echo(sync.summary())
    if report.errors:
        ctx.exit(EXIT_REJECTED)


@click.command()
@click.option(
    "--rebuild", is_flag=True, help="Build from scratch (vectors still come from the cache)."
)
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(0, 86_400),
    default=BUILD_LOCK_WAIT_SECONDS,
    show_default=True,
    help="Seconds to wait for a build another replica is running (PostgreSQL), then give up.",
)
@RAY_OPTION
@ACTORS_OPTION
@click.pass_context
def build(
    ctx: click.Context,
    rebuild: bool,
    wait_seconds: float,
    ray_address: str | None,
    actors: int | None,
) -> None:
    """Bring the index up to date with the catalogue (repairs a stale or broken index).

    With --ray the texts to embed are embedded by a pool of encoder actors on Ray (a cluster at
    ADDRESS or $KE_MATCHER_RAY_ADDRESS, else Ray started on this machine); the index is then
    built here as without it.
    """
    container = run_container(ctx)
    if ray_address is not None:
        from service.scale.ray_embed import embed_on_ray

        container.encoder.encode(["warm-up"])  # exports the ONNX model once, before the actors
        done = embed_on_ray(
            container.settings,
            container.catalogue,
            container.encoder.model_id,
            address=ray_address,
            actors=actors,
        )
        click.echo(done.summary())
    with progress_bar(ctx, "embedding") as progress:
        report = container.sync(
            force_rebuild=rebuild, progress=progress, lock_wait_seconds=wait_seconds
        )
    click.echo(report.summary())


@click.command()
@click.argument("profile_id")
@click.pass_context
def delete(ctx: click.Context, profile_id: str) -> None:
    """Erase a profile: catalogue rows, cached embeddings and vectors."""
    container = run_container(ctx)
    report = container.delete(profile_id)
    click.echo(f"deleted {profile_id}")
    click.echo(report.summary())


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Catalogue counts and the index manifest."""
    require_catalogue(run_settings(ctx))
    data, manifest = _stats(run_settings(ctx))
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"catalogue: {data['catalogue']} (version {data['catalogue_version']})")
    for key, value in data["counts"].items():
        click.echo(f"  {key}: {value}")
    if manifest is None:
        click.echo("index: none built yet (run 'matcher build')")
    else:
        click.echo(_describe_index(manifest))


def _stats(settings: Settings) -> tuple[dict[str, Any], Manifest | None]:
    """The figures ``stats`` prints (as its JSON), and the current index manifest; only the
    catalogue is opened, no model is loaded."""
    catalogue = open_catalogue(settings)
    try:
        manifest = open_index_store(settings).current_manifest()
        data: dict[str, Any] = {
            # a PostgreSQL URL may hold a password: never print it
            "catalogue": make_url(settings.catalogue_url).render_as_string(hide_password=True),
            "catalogue_version": catalogue.version,
            "counts": catalogue.counts(),
            "index": manifest.to_json() if manifest else None,
        }
    finally:
        catalogue.close()
    return data, manifest


def _describe_index(manifest: Manifest) -> str:
    """One line on the current index version."""
    # say what the recall was measured on: the build's tuning queries are stored vectors moved
    # by noise (index.vectors.build.tuning_queries), not real briefs (issue 23)
    recall = (
        f", recall@{manifest.recall_k} {manifest.recall_at_k:.3f} on perturbed stored vectors"
        if manifest.recall_at_k is not None
        else ""
    )
    params = ", ".join(f"{k}={v}" for k, v in manifest.index_params.items())
    return (
        f"index: v{manifest.version}, {manifest.vector_count} vectors, {manifest.index_type}"
        f"{' (' + params + ')' if params else ''}{recall}, model {manifest.model_id}, "
        f"catalogue version {manifest.catalogue_version}"
    )
