"""The ``matcher`` command line. Errors are one line on stderr and a non-zero exit status."""

from __future__ import annotations

import enum
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from tqdm import tqdm

from index.encoders.adapt import OBJECTIVES as ADAPT_OBJECTIVES
from index.encoders.adapt import AdaptationConfig
from matcher.briefs import make_brief
from matcher.errors import MatcherError
from matcher.fusion import RankingProfile
from matcher.model import Aggregation, ProfileKind, Role
from service.container import Container, build_container
from service.settings import Settings

EXIT_REJECTED = 1
EXIT_ERROR = 2


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


@contextmanager
def _progress(description: str, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    bar: tqdm[Any] | None = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if not enabled or total == 0:
            return
        if bar is None:
            bar = tqdm(total=total, desc=description, unit="text", file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj["settings"]
    return settings


def _eval_settings(ctx: click.Context, aggregation: str | None, top_k: int | None) -> Settings:
    """The settings, with an evaluation's ``--aggregation`` and ``--top-k`` applied."""
    update: dict[str, Any] = {}
    if aggregation:
        update["aggregation"] = Aggregation(aggregation)
    if top_k:
        update["top_k"] = top_k
    return _settings(ctx).model_copy(update=update)


def _container(ctx: click.Context) -> Container:
    if "container" not in ctx.obj:
        ctx.obj["container"] = build_container(_settings(ctx))
        ctx.call_on_close(ctx.obj["container"].close)
    container: Container = ctx.obj["container"]
    return container


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


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Validate and load JSON Lines / CSV files, then update the index.

    Invalid rows are reported as file:line: field: reason and skipped; the exit status is 1 when
    any row was rejected.
    """
    container = _container(ctx)
    with _progress("embedding", ctx.obj["progress"]) as progress:
        report, sync = container.ingest(list(paths), progress=progress)
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    click.echo(sync.summary())
    if report.errors:
        ctx.exit(EXIT_REJECTED)


@cli.command()
@click.option(
    "--rebuild", is_flag=True, help="Build from scratch (vectors still come from the cache)."
)
@click.pass_context
def build(ctx: click.Context, rebuild: bool) -> None:
    """Bring the index up to date with the catalogue (repairs a stale or broken index)."""
    container = _container(ctx)
    with _progress("embedding", ctx.obj["progress"]) as progress:
        report = container.sync(force_rebuild=rebuild, progress=progress)
    click.echo(report.summary())


@cli.command()
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

    container = _container(ctx)
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
    if container.store.current_dir() is None:
        container.sync()
    result = container.engine.search(brief, profile=RankingProfile(ranking_profile))
    if as_json:
        version = container.engine.snapshot().manifest.version
        click.echo(
            SearchResponse.of(result, index_version=version, took_ms=0).model_dump_json(indent=2)
        )
        return
    for kind, matches in result.groups.items():
        click.secho(f"\n{kind.value.replace('_', ' ')}s", bold=True)
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


@cli.command()
@click.argument("profile_id")
@click.pass_context
def delete(ctx: click.Context, profile_id: str) -> None:
    """Erase a profile: catalogue rows, cached embeddings and vectors."""
    container = _container(ctx)
    report = container.delete(profile_id)
    click.echo(f"deleted {profile_id}")
    click.echo(report.summary())


@cli.command(name="backup")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.pass_context
def backup_command(ctx: click.Context, file: Path, force: bool) -> None:
    """Copy the catalogue to FILE while the service keeps running (SQLite's online backup).

    On PostgreSQL this refuses and prints the pg_dump command to use instead.
    """
    from index.db.backup import BackupError, backup

    try:
        summary = backup(_settings(ctx).catalogue_url, file, overwrite=force)
    except BackupError as error:
        raise CliError(str(error)) from None
    click.echo(
        f"backed up {summary.profiles} profiles (catalogue version {summary.catalogue_version}) "
        f"to {summary.path} ({summary.bytes} bytes)"
    )


@cli.command(name="restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def restore_command(ctx: click.Context, file: Path) -> None:
    """Replace the catalogue with a backup FILE (checked first), then rebuild the index.

    Running servers pick up the rebuilt index like any other. On PostgreSQL this refuses and
    prints the pg_restore command to use instead.
    """
    from index.db.backup import (
        BackupError,
        erased_profile_ids,
        inspect_backup,
        restore,
        sqlite_path,
    )
    from index.db.engine import upgrade_schema

    settings = _settings(ctx)
    try:
        sqlite_path(settings.catalogue_url)  # PostgreSQL: refuse before opening anything
        inspect_backup(file)  # a bad file: refuse before anything changes
    except BackupError as error:
        raise CliError(str(error)) from None
    container = _container(ctx)
    # people erased since the backup was taken must stay erased
    erased = erased_profile_ids(container.catalogue.engine)
    try:
        summary = restore(settings.catalogue_url, file)
    except BackupError as error:
        raise CliError(str(error)) from None
    upgrade_schema(container.catalogue.engine)  # a backup from an older version
    with _progress("embedding", ctx.obj["progress"]) as progress:
        report = container.sync(force_rebuild=True, progress=progress)
    again = sorted(erased & set(container.catalogue.profile_ids()))
    for profile_id in again:
        report = container.delete(profile_id, actor="restore")
    click.echo(
        f"restored {summary.profiles} profiles (catalogue version {summary.catalogue_version}) "
        f"from {file}"
        + (f"; erased again {len(again)} profile(s) deleted since the backup" if again else "")
    )
    click.echo(report.summary())


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Catalogue counts and the index manifest."""
    settings = _settings(ctx)
    from index.db.catalogue import Catalogue
    from index.vectors.store import IndexStore

    catalogue = Catalogue(settings.catalogue_url)
    try:
        manifest = IndexStore(settings.index_dir).current_manifest()
        data: dict[str, Any] = {
            "catalogue": settings.catalogue_url,
            "catalogue_version": catalogue.version,
            "counts": catalogue.counts(),
            "index": manifest.to_json() if manifest else None,
        }
    finally:
        catalogue.close()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"catalogue: {data['catalogue']} (version {data['catalogue_version']})")
    for key, value in data["counts"].items():
        click.echo(f"  {key}: {value}")
    if manifest is None:
        click.echo("index: none built yet (run 'matcher build')")
    else:
        recall = (
            f", recall@{manifest.recall_k} {manifest.recall_at_k:.3f}"
            if manifest.recall_at_k is not None
            else ""
        )
        params = ", ".join(f"{k}={v}" for k, v in manifest.index_params.items())
        click.echo(
            f"index: v{manifest.version}, {manifest.vector_count} vectors, {manifest.index_type}"
            f"{' (' + params + ')' if params else ''}{recall}, model {manifest.model_id}, "
            f"catalogue version {manifest.catalogue_version}"
        )


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.option(
    "--demo-keys",
    is_flag=True,
    help="Create one key per role for this run and print them (demo data only).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes. Each serves the index on disk and picks up a newer version "
    "within KE_MATCHER_RELOAD_SECONDS; use PostgreSQL when several workers take writes.",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, demo_keys: bool, workers: int
) -> None:
    """Serve the web pages and the JSON API (repairs the index first if it is stale)."""
    import uvicorn

    from service.app import create_app

    settings = _settings(ctx)
    container = _container(ctx)
    click.echo(container.sync().summary())
    app = create_app(container)
    host = host or settings.host
    port = port or settings.port
    if demo_keys or settings.demo_keys:
        for key in container.accounts.list_keys():
            if key.name.startswith("demo ") and not key.revoked_at:
                container.accounts.revoke_key(key.id)
        click.echo("demo keys for this run (sign in at the web page with one of them):")
        for role in Role:
            _key, secret = container.accounts.create_key(name=f"demo {role.value}", role=role)
            click.echo(f"  {role.value:<10} {secret}")
    if settings.anonymous_search:
        click.echo("anonymous search is on: POST /api/v1/search answers without a key")
    click.echo(f"serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    if workers > 1:
        # Each worker process builds its own container from the same settings (passed through
        # the environment) with create_app() as the factory.
        container.close()
        _export_settings(settings)
        click.echo(f"{workers} workers")
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            access_log=False,
        )
        return
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def _export_settings(settings: Settings) -> None:
    """Put every setting into this process's environment (``KE_MATCHER_*``), so that processes
    it starts read the same settings, command-line overrides included."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    for name, value in settings.model_dump().items():
        key = f"{prefix}{name}".upper()
        if value is None:
            os.environ.pop(key, None)
        elif isinstance(value, enum.Enum):
            os.environ[key] = str(value.value)
        elif isinstance(value, bool):
            os.environ[key] = "true" if value else "false"
        elif isinstance(value, list | dict | tuple | set):
            os.environ[key] = json.dumps(value, default=str)
        else:
            os.environ[key] = str(value)


@cli.group()
def db() -> None:
    """The catalogue database (SQLite, or PostgreSQL via KE_MATCHER_DATABASE_URL)."""


@db.command(name="upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply pending schema migrations (also done at every start); a database from before
    migrations is stamped, not rebuilt."""
    from index.db.engine import current_revision, make_engine, reachable, upgrade_schema

    settings = _settings(ctx)
    if settings.catalogue_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.catalogue_url)
    try:
        with reachable(engine):
            with engine.connect() as connection:
                before = current_revision(connection)
            after = upgrade_schema(engine)
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"catalogue schema already at {after}")
    else:
        click.echo(f"catalogue schema upgraded from {before or 'nothing'} to {after}")


@cli.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command(name="create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", required=True, help="Who holds the key (shown in introductions).")
@click.pass_context
def keys_create(ctx: click.Context, role: str, name: str) -> None:
    """Create a key and print it once (only its hash is stored)."""
    key, secret = _container(ctx).accounts.create_key(name=name, role=Role(role))
    click.echo(f"created {key.id} ({key.role.value}, {key.name}); the key, shown only now:")
    click.echo(secret)


@keys.command(name="list")
@click.pass_context
def keys_list(ctx: click.Context) -> None:
    """List keys (never the secrets)."""
    for key in _container(ctx).accounts.list_keys():
        state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        click.echo(
            f"{key.id}  {key.role.value:<10} {key.name}  ({state}, created {key.created_at})"
        )


@keys.command(name="revoke")
@click.argument("key_id")
@click.pass_context
def keys_revoke(ctx: click.Context, key_id: str) -> None:
    """Revoke a key and end its web sessions."""
    key = _container(ctx).accounts.revoke_key(key_id)
    click.echo(f"revoked {key.id} ({key.name})")


@cli.command()
@click.argument("call_file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for the reports.",
)
@click.option(
    "--capacity",
    type=click.IntRange(0, 1000),
    default=None,
    help="Capacity of every profile for this call (default: each profile's own).",
)
@click.option(
    "--per-organisation",
    type=click.IntRange(1, 100),
    default=None,
    help="At most this many partners from one organisation per brief.",
)
@click.option("--alternates", type=click.IntRange(0, 20), default=3, show_default=True)
@PROFILE_OPTION
@click.pass_context
def batch(
    ctx: click.Context,
    call_file: Path,
    out_dir: Path,
    capacity: int | None,
    per_organisation: int | None,
    alternates: int,
    ranking_profile: str,
) -> None:
    """Match every brief of a call file; write partners.csv, partners.xlsx and report.html."""
    from service.batch.reports import write_reports
    from service.batch.run import run_batch

    container = _container(ctx)
    if container.store.current_dir() is None:
        container.sync()
    bar: tqdm[Any] | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not ctx.obj["progress"]:
            return
        if bar is None:
            bar = tqdm(
                total=total, desc="scoring briefs", unit="brief", file=sys.stderr, leave=False
            )
        bar.update(done - bar.n)

    try:
        result = run_batch(
            container,
            call_file,
            capacity=capacity,
            per_organisation=per_organisation,
            alternates=alternates,
            profile=RankingProfile(ranking_profile),
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.close()
    paths = write_reports(result, out_dir)
    for error in result.errors:
        click.echo(str(error), err=True)
    assigned = sum(len(o.partners) for o in result.outcomes)
    click.echo(
        f"{len(result.outcomes)} briefs, {assigned} partners assigned, {len(result.short)} short, "
        f"{len(result.errors)} rows rejected; total score {result.total_score}"
    )
    for o in result.short:
        assert o.shortfall is not None
        click.echo(f"  short: {o.brief.id}: {o.shortfall.constraint} ({o.shortfall.detail})")
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")
    if result.errors:
        ctx.exit(EXIT_REJECTED)


@cli.command()
@click.option(
    "--objective",
    type=click.Choice(list(ADAPT_OBJECTIVES)),
    default=None,
    help="Training pairs: title ↔ body of an item, an item and itself under dropout (simcse), "
    "or two items of one profile.",
)
@click.option("--epochs", type=click.IntRange(1, 20), default=None, help="Passes over the texts.")
@click.option("--lr", type=click.FloatRange(1e-7, 1e-3), default=None, help="Peak learning rate.")
@click.option(
    "--anchor",
    type=click.FloatRange(0, 1000),
    default=None,
    help="Weight of the pull toward the original model's embeddings (0: none).",
)
@click.option("--seed", type=int, default=None, help="Seed of shuffling and dropout.")
@click.option("--off", is_flag=True, help="Go back to the unadapted model.")
@click.option("--no-build", is_flag=True, help="Do not re-embed the pool and rebuild the index.")
@click.pass_context
def adapt(
    ctx: click.Context,
    objective: str | None,
    epochs: int | None,
    lr: float | None,
    anchor: float | None,
    seed: int | None,
    off: bool,
    no_build: bool,
) -> None:
    """Adapt the model to the pool's own texts (no ratings needed), then rebuild the index.

    The adapted model is kept under the data directory's models/ folder, named by a fingerprint
    of base model, objective, hyperparameters and texts, and is used from then on (unless
    KE_MATCHER_ADAPTED_MODEL says otherwise); its id is in the index manifest and the cache.
    """
    from index.db.catalogue import Catalogue
    from index.encoders.adapt import AdaptationConfig, activate, texts_from_profiles
    from index.encoders.adapt import adapt as adapt_model
    from index.encoders.base import packaged_model_path

    settings = _settings(ctx)
    if off:
        activate(settings.model_cache_dir, None)
        click.echo("adaptation off: the encoders use the unadapted model")
    else:
        defaults = AdaptationConfig()
        config = AdaptationConfig(
            objective=objective or defaults.objective,
            epochs=epochs or defaults.epochs,
            learning_rate=lr or defaults.learning_rate,
            anchor=defaults.anchor if anchor is None else anchor,
            seed=defaults.seed if seed is None else seed,
        )
        catalogue = Catalogue(settings.catalogue_url, max_words=settings.chunk_words)
        try:
            texts = texts_from_profiles(catalogue.iter_profiles())
        finally:
            catalogue.close()
        base = settings.model_path or packaged_model_path()
        with _progress("adapting", ctx.obj["progress"]) as progress:
            adapted = adapt_model(
                texts,
                base_path=base,
                models_dir=settings.model_cache_dir,
                config=config,
                progress=progress,
            )
        activate(settings.model_cache_dir, adapted)
        how = (
            "reused"
            if adapted.reused
            else f"trained in {adapted.seconds:.0f} s, {adapted.steps} steps"
        )
        click.echo(f"adapted model {adapted.name} ({adapted.texts} texts, {how})")
        if settings.adapted_model != "auto":
            click.echo(
                f"note: KE_MATCHER_ADAPTED_MODEL={settings.adapted_model}, so the encoders do "
                "not use it until that setting is 'auto'",
                err=True,
            )
    if no_build:
        return
    ctx.obj.pop("container", None)  # the old container's encoder holds the previous model
    container = _container(ctx)
    with _progress("embedding", ctx.obj["progress"]) as progress:
        click.echo(container.sync(progress=progress).summary())


@cli.group(name="eval")
def evaluate() -> None:
    """Evaluate matching quality on external benchmarks."""


def _adaptation(wanted: bool, objective: str | None) -> AdaptationConfig | None:
    if not wanted:
        return None
    return AdaptationConfig(objective=objective) if objective else AdaptationConfig()


F = TypeVar("F", bound=Callable[..., Any])


def _aggregation_options(command: F) -> F:
    """``--aggregation`` and ``--top-k``, read by :func:`_eval_settings`."""
    command = click.option(
        "--top-k", type=click.IntRange(1, 50), default=None, help="Items averaged by top_k_mean."
    )(command)
    return click.option(
        "--aggregation",
        type=click.Choice([a.value for a in Aggregation]),
        default=None,
        help="Override the aggregation.",
    )(command)


@evaluate.command(name="goldstandard")
@click.argument("directory", type=click.Path(path_type=Path))
@_aggregation_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--ci",
    "with_intervals",
    is_flag=True,
    help="Bootstrap intervals over researchers, and paired differences to each peer.",
)
@PROFILE_OPTION
@click.option(
    "--adapt",
    "adapt_to_archives",
    is_flag=True,
    help="First adapt the model to the researchers' archives as 'matcher adapt' does.",
)
@click.option(
    "--adapt-objective",
    type=click.Choice(list(ADAPT_OBJECTIVES)),
    default=None,
    help="Objective of --adapt (default: matcher adapt's).",
)
@click.pass_context
def evaluate_goldstandard(
    ctx: click.Context,
    directory: Path,
    aggregation: str | None,
    top_k: int | None,
    as_json: bool,
    with_intervals: bool,
    ranking_profile: str,
    adapt_to_archives: bool,
    adapt_objective: str | None,
) -> None:
    """Run the gold-standard expertise benchmark in DIRECTORY through the search path."""
    from service.evaluation.goldstandard import run_goldstandard

    settings = _eval_settings(ctx, aggregation, top_k)

    def say(name: str) -> None:
        if not as_json:
            click.echo(f"version {name} …", err=True)

    report = run_goldstandard(
        directory,
        settings=settings,
        progress=say,
        with_intervals=with_intervals,
        profile=RankingProfile(ranking_profile),
        adaptation=_adaptation(adapt_to_archives or adapt_objective is not None, adapt_objective),
    )
    if as_json:
        click.echo(json.dumps(report.to_json()))
        return
    click.echo(
        f"loss {report.loss:.4f}  easy {report.easy:.3f}  hard {report.hard:.3f}  "
        f"({report.researchers} researchers, {report.versions} versions)"
    )
    if report.intervals:
        low, high = report.intervals["loss"]
        click.echo(f"  95% interval over researchers: {low:.4f} – {high:.4f}")
    for name, figures in report.peers.items():
        line = f"  peer {name:<12} loss {figures['loss']:.4f}"
        if "ours_minus_peer" in figures:
            line += (
                f"   ours − peer {figures['ours_minus_peer']:+.4f} "
                f"[{figures['ours_minus_peer_low']:+.4f}, {figures['ours_minus_peer_high']:+.4f}]"
            )
        click.echo(line)


@evaluate.command(name="authorship")
@click.argument("directory", type=click.Path(path_type=Path))
@_aggregation_options
@click.option(
    "--min-papers",
    type=click.IntRange(2, 1000),
    default=5,
    show_default=True,
    help="Hold out a paper only of researchers with at least this many.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Which papers are held out.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--ci", "with_intervals", is_flag=True, help="Bootstrap intervals over researchers.")
@PROFILE_OPTION
@click.pass_context
def evaluate_authorship(
    ctx: click.Context,
    directory: Path,
    aggregation: str | None,
    top_k: int | None,
    min_papers: int,
    seed: int,
    as_json: bool,
    with_intervals: bool,
    ranking_profile: str,
) -> None:
    """Hold out one paper per researcher in DIRECTORY; does it find its author? (hits@1/@10, MRR)"""
    from service.evaluation.authorship import run_authorship

    settings = _eval_settings(ctx, aggregation, top_k)

    def say(message: str) -> None:
        if not as_json:
            click.echo(message, err=True)

    report = run_authorship(
        directory,
        settings=settings,
        profile=RankingProfile(ranking_profile),
        min_papers=min_papers,
        seed=seed,
        with_intervals=with_intervals,
        progress=say,
    )
    if as_json:
        click.echo(json.dumps(report.to_json()))
        return
    m = report.metrics
    click.echo(
        f"hits@1 {m.hits_at_1:.3f}  hits@10 {m.hits_at_10:.3f}  MRR {m.mrr:.3f}  "
        f"({m.queries} held-out papers, {report.researchers} researchers)"
    )
    for name, (low, high) in report.intervals.items():
        click.echo(f"  95% interval of {name}: {low:.3f} – {high:.3f}")


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


if __name__ == "__main__":
    sys.exit(main())
