"""A real server (uvicorn in a thread, real model, real FAISS, real SQLite) and headless Debian
Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from matcher.model import Role
from service.app import create_app
from service.container import Container, build_container
from service.settings import Settings
from tests.conftest import DEMO_FILES


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serve_demo(data_dir: Path, encoder: Any) -> Iterator[tuple[str, Container]]:
    """The browser tests' data (real model) served by uvicorn on a free loopback port."""
    container = build_container(Settings(data_dir=data_dir, reload_seconds=0), encoder=encoder)
    report, _ = container.ingest(DEMO_FILES)
    assert not report.errors
    port = _free_port()
    config = uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", container
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        container.close()


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, real_encoder: Any
) -> Iterator[tuple[str, Container]]:
    with serve_demo(tmp_path_factory.mktemp("browser"), real_encoder) as served:
        yield served


@pytest.fixture
def keys(server: tuple[str, Container]) -> dict[Role, str]:
    _url, container = server
    return {
        role: container.accounts.create_key(name=f"{role.value} tester", role=role)[1]
        for role in Role
    }


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where to save screenshots: docs/screenshots when asked (make screenshots), else a temp dir."""
    target = os.environ.get("KE_MATCHER_SCREENSHOTS")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path
