"""Connecting to Ray: a cluster by address, or a local one started (and stopped) for one command."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from matcher.errors import UnavailableError

#: The environment variable naming the cluster (``ray://…`` or ``host:port``) when no
#: ``--ray ADDRESS`` is given.
ADDRESS_VARIABLE = "KE_MATCHER_RAY_ADDRESS"
#: What ``--ray`` alone stands for: start Ray on this machine.
LOCAL = "local"


class RayUnavailableError(UnavailableError):
    """Ray is not installed (the ``ray`` extra) or no cluster answers at the address (503)."""


def import_ray() -> Any:
    """The ``ray`` module.

    Raises:
        RayUnavailableError: the optional extra is not installed.
    """
    try:
        import ray
    except ImportError as error:
        raise RayUnavailableError(
            "Ray is not installed: pip install 'ke-matcher[ray]' (or make test, which installs it)"
        ) from error
    return ray


def resolve_address(address: str | None) -> str | None:
    """The cluster to join: ``address`` unless it is :data:`LOCAL` or empty, else
    ``$KE_MATCHER_RAY_ADDRESS``; ``None`` means start Ray locally."""
    if address and address != LOCAL:
        return address
    return os.environ.get(ADDRESS_VARIABLE) or None


@contextlib.contextmanager
def ray_session(address: str | None = None, *, num_cpus: int | None = None) -> Iterator[Any]:
    """Ray, connected for the block: a running session is reused as it is; otherwise the cluster
    at :func:`resolve_address`, or a local Ray with ``num_cpus`` CPUs (all by default, no
    dashboard), shut down afterwards.

    Raises:
        RayUnavailableError: Ray is not installed, or the cluster cannot be reached.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    target = resolve_address(address)
    try:
        if target is None:
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=target, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise RayUnavailableError(f"cannot connect to Ray at {target}: {error}") from error
    try:
        yield ray
    finally:
        ray.shutdown()


def cluster_cpus(ray: Any) -> int:
    """The CPUs of the connected cluster (at least 1)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))
