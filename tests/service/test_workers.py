"""``matcher serve --workers 2`` on PostgreSQL, as a real server in a subprocess with the real
(ONNX) encoder: after a profile is deleted through one worker, no worker returns it, and every
worker serves the new index version within the reload bound."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.encoders.onnx_runtime import OnnxEncoder
from matcher.model import Role
from service.container import build_container
from service.settings import Settings
from tests.conftest import DEMO_FILES
from tests.pg import fresh_database, server_url

RELOAD_SECONDS = 1.0
# the bound a worker needs to serve a newer index: its reload interval, plus loading the
# version and a loaded machine's scheduling
BOUND_SECONDS = RELOAD_SECONDS + 4.0
BRIEF = "wearable sensors detect falls older inpatients"
START_TIMEOUT = 240


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged model exported to ONNX once for this module."""
    server_url()  # skip (or fail) before spending time on the export
    cache = tmp_path_factory.mktemp("onnx")
    OnnxEncoder(None, cache_dir=cache).encode(["warm up"])
    return cache


def _free_port() -> int:
    from tests.pg_server import free_port

    return free_port()


@pytest.fixture
def server(tmp_path: Path, onnx_cache: Path) -> Iterator[tuple[str, str, Path]]:
    """Two workers on a fresh PostgreSQL database holding the test profiles; yields the base
    URL, an admin key and the server's log."""
    with fresh_database() as url:
        data_dir = tmp_path / "var"
        settings = Settings(data_dir=data_dir, database_url=url, reload_seconds=RELOAD_SECONDS)
        shutil.copytree(onnx_cache, settings.model_cache_dir)
        container = build_container(settings)
        try:
            report, _ = container.ingest(DEMO_FILES)
            assert not report.errors
            _, admin_key = container.accounts.create_key(name="test admin", role=Role.ADMIN)
        finally:
            container.close()
        port = _free_port()
        log = tmp_path / "server.log"
        env = {
            **os.environ,
            "KE_MATCHER_DATA_DIR": str(data_dir),
            "KE_MATCHER_DATABASE_URL": url,
            "KE_MATCHER_RELOAD_SECONDS": str(RELOAD_SECONDS),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
        matcher = Path(sys.executable).with_name("matcher")
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(matcher),
                    "serve",
                    "--workers",
                    "2",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for_workers(base, log, process)
            yield base, admin_key, log
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for_workers(base: str, log: Path, process: subprocess.Popen[bytes]) -> None:
    """Until both workers have started and answer /ready."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        started = log.read_text(errors="replace").count("Application startup complete")
        if started >= 2:
            try:
                if all(_get(base, "/ready").status_code == 200 for _ in range(6)):
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.5)
    pytest.fail(f"two workers did not start in {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def _get(base: str, path: str, **kwargs: object) -> httpx.Response:
    # a new connection each time, so that the kernel spreads requests over both workers
    with httpx.Client(base_url=base, timeout=30) as client:
        return client.get(path, **kwargs)  # type: ignore[arg-type]


def _search(base: str, key: str) -> list[str]:
    with httpx.Client(base_url=base, timeout=60) as client:
        response = client.post(
            "/api/v1/search",
            json={"text": BRIEF, "top": 10},
            headers={"authorization": f"Bearer {key}"},
        )
    assert response.status_code == 200, response.text
    return [m["profile_id"] for group in response.json()["results"].values() for m in group]


def test_two_workers_stop_serving_a_deleted_profile(server: tuple[str, str, Path]) -> None:
    base, key, log = server
    found = _search(base, key)
    assert found, "the brief should match some profiles"
    victim = found[0]
    versions_before = {_get(base, "/ready").json()["index_version"] for _ in range(6)}

    with httpx.Client(base_url=base, timeout=60) as client:
        deleted = client.delete(
            f"/api/v1/profiles/{victim}", headers={"authorization": f"Bearer {key}"}
        )
    acknowledged = time.monotonic()
    assert deleted.status_code == 200, deleted.text
    new_version = deleted.json()["index_version"]
    assert new_version > max(versions_before)

    # From the acknowledgement on, no worker returns the profile (results are checked against
    # the catalogue), and within the bound every worker serves the new index version.
    served_new_at: float | None = None
    searches = 0
    while time.monotonic() < acknowledged + BOUND_SECONDS + 3:
        assert victim not in _search(base, key)
        searches += 1
        detail = _get(
            base, f"/api/v1/profiles/{victim}", headers={"authorization": f"Bearer {key}"}
        )
        assert detail.status_code == 404
        ready = [_get(base, "/ready").json()["index_version"] for _ in range(4)]
        if all(v >= new_version for v in ready):
            served_new_at = served_new_at or time.monotonic()
        else:
            assert time.monotonic() < acknowledged + BOUND_SECONDS, (
                f"a worker still serves index {min(ready)} {BOUND_SECONDS} s after the delete"
            )
            served_new_at = None
    assert served_new_at is not None
    assert served_new_at - acknowledged <= BOUND_SECONDS
    assert searches >= 3
    text = log.read_text(errors="replace")
    assert text.count("Started server process") >= 2, text[-2000:]
    assert "Traceback" not in text, text[-3000:]
