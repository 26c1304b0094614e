"""``serve``: the web pages and the JSON API, in one process or several workers."""

from __future__ import annotations

import contextlib
import enum
import json
import os
from pathlib import Path
from typing import Any

import click

from index.db.accounts import AccountStore
from index.vectors.snapshot import FLOAT16_FILE, INDEX_FILE
from matcher.model import Role
from service.cli.common import RAY_OPTION, run_container, run_settings
from service.settings import Settings

#: How long uvicorn waits for a starting worker to answer its health ping (seconds).
WORKER_HEALTHCHECK_SECONDS = 120


#: ``--workers auto``, before it is resolved (:func:`auto_workers`).
AUTO = 0
#: Most workers ``auto`` chooses.
MAX_AUTO_WORKERS = 8
#: Share of the memory available at start that ``auto``'s workers may fill with index copies.
AUTO_MEMORY_SHARE = 0.5


class WorkerCount(click.ParamType[int]):
    """A number of workers from 1 to 64, or ``auto`` (:data:`AUTO` until resolved)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        if str(value).strip().lower() == "auto":
            return AUTO
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{value!r} is neither a number nor 'auto'", param, ctx)
        if not 1 <= number <= 64:
            self.fail(f"{number} is not in the range 1-64", param, ctx)
        return number


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def index_memory_bytes(version: Path | None, *, shared: bool = False) -> int:
    """What one worker holds of an index version in its own memory: the FAISS index and the
    float16 copy when each process reads its own (``KE_MATCHER_INDEX_SHARED=0``); nothing when
    they are shared (memory-mapped: one copy in the page cache for all the workers, like the
    float32 vectors, which are never counted)."""
    if version is None or shared:
        return 0
    return sum(
        (version / name).stat().st_size
        for name in (INDEX_FILE, FLOAT16_FILE)
        if (version / name).is_file()
    )


def available_memory() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes, or ``None`` where there is none."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def auto_workers(cores: int, per_worker: int, available: int | None) -> int:
    """``--workers auto``: one worker per usable core (at most :data:`MAX_AUTO_WORKERS`), but no
    more than :data:`AUTO_MEMORY_SHARE` of the available memory holds in index copies (when each
    process loads its own: ``per_worker`` is 0 when the index is shared), and at least one."""
    workers = max(1, min(cores, MAX_AUTO_WORKERS))
    if available is not None and per_worker > 0:
        workers = min(workers, max(1, int(available * AUTO_MEMORY_SHARE // per_worker)))
    return workers


@click.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.option(
    "--demo-keys",
    is_flag=True,
    help="Create one key per role for this run and print them (demo data only).",
)
@click.option(
    "--workers",
    type=WorkerCount(),
    default="1",
    show_default=True,
    help="Worker processes, or 'auto': one per usable core while the index fits in memory that "
    "many times (see auto_workers). Each serves the index on disk and picks up a newer version "
    "within KE_MATCHER_RELOAD_SECONDS; use PostgreSQL when several workers take writes.",
)
@click.option(
    "--shards",
    type=click.IntRange(1, 1024),
    default=None,
    help="Search a profile-sharded index on Ray Serve: N shard deployments and a router that "
    "merges their answers exactly (needs the ray extra; Ray local, or --ray ADDRESS).",
)
@RAY_OPTION
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    demo_keys: bool,
    workers: int,
    shards: int | None,
    ray_address: str | None,
) -> None:
    """Serve the web pages and the JSON API (repairs the index first if it is stale)."""
    import uvicorn

    from service.app import create_app

    if shards is None and ray_address is not None:
        raise click.UsageError("--ray needs --shards N (the sharded search runs on Ray)")
    if shards is not None and workers != 1:
        raise click.UsageError("--shards serves from one process: leave out --workers")
    if shards is not None:
        from service.scale.ray_serve import import_serve

        import_serve()  # a missing extra is said before the index is repaired
    settings = run_settings(ctx)
    container = run_container(ctx)
    click.echo(container.sync().summary())
    if workers == AUTO:
        per_worker = index_memory_bytes(container.store.current_dir(), shared=settings.index_shared)
        workers = auto_workers(usable_cores(), per_worker, available_memory())
        click.echo(f"--workers auto: {workers} (usable cores, and the index's memory per worker)")
    app = create_app(container)
    host = host or settings.host
    port = port or settings.port
    if demo_keys or settings.demo_keys:
        _issue_demo_keys(container.accounts)
    if settings.anonymous_search:
        click.echo("anonymous search is on: POST /api/v1/search answers without a key")
    click.echo(f"serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    if workers > 1:
        # Each worker process builds its own container from the same settings (passed through
        # the environment) with create_app() as the factory.
        container.close()
        export_settings(settings)
        click.echo(f"{workers} workers")
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            access_log=False,
            # a worker loads the model and the index before it can answer uvicorn's health
            # ping; on a busy 2-core machine that takes longer than the 5 s default, and the
            # supervisor would kill and restart workers that are merely still starting
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            **uvicorn_options(settings),
        )
        return
    with contextlib.ExitStack() as stack:
        if shards is not None:
            from service.scale.ray_serve import sharded_search

            stack.enter_context(
                sharded_search(settings, container.engine, shards, address=ray_address)
            )
            click.echo(f"searching {shards} shards on Ray Serve")
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            access_log=False,
            **uvicorn_options(settings),
        )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options that come from the settings: proxy headers only from the trusted
    proxies. (uvicorn's own default believes ``X-Forwarded-For`` from loopback, so that anyone
    on the machine could choose the address their failed sign-ins count against.)"""
    if not settings.trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.trusted_proxies}


def _issue_demo_keys(accounts: AccountStore) -> None:
    """Revoke the demo keys of earlier runs, then create and print one per role."""
    for key in accounts.list_keys():
        if key.name.startswith("demo ") and not key.revoked_at:
            accounts.revoke_key(key.id)
    click.echo("demo keys for this run (sign in at the web page with one of them):")
    for role in Role:
        _key, secret = accounts.create_key(name=f"demo {role.value}", role=role)
        click.echo(f"  {role.value:<10} {secret}")


def export_settings(settings: Settings) -> None:
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
