"""A local Ray for the scale tests: two CPUs, no dashboard, started once and stopped at the end
(the machine is shared: keep the Ray tests few and light)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tenacity import Retrying, stop_after_attempt

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def local_ray() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")

    def start() -> None:
        if ray.is_initialized():  # a start that timed out half-way
            ray.shutdown()
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            object_store_memory=200 * 1024 * 1024,
            # the workers import tests.fakes (the fake encoder)
            runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
        )

    # Ray gives its raylet a fixed 30 s to register; on a shared, overloaded 2-core machine that
    # is sometimes too short: start again (three attempts in all)
    for attempt in Retrying(stop=stop_after_attempt(3), reraise=True):
        with attempt:
            start()
    yield ray
    ray.shutdown()
