"""``serve``: the settings its worker processes read back from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli.serve import export_settings
from service.settings import Settings


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``KE_MATCHER_*`` variable set, and whatever ``export_settings`` writes undone after."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    for name in Settings.model_fields:
        # registered with monkeypatch, so that whatever export_settings writes is undone
        monkeypatch.setenv(f"{prefix}{name}".upper(), "")
        monkeypatch.delenv(f"{prefix}{name}".upper())


@pytest.mark.usefixtures("clean_environment")
def test_workers_read_back_the_same_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "elsewhere", reload_seconds=0, demo_keys=True)
    export_settings(settings)
    assert Settings() == settings


@pytest.mark.usefixtures("clean_environment")
def test_several_workers_get_time_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn kills a worker that does not answer its health ping within the timeout; loading
    the model and index on a busy machine takes longer than uvicorn's default of 5 s."""
    import uvicorn

    from service.cli import main

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    assert main(["--data-dir", str(tmp_path), "serve", "--workers", "2"]) == 0
    assert calls and calls[0]["workers"] == 2
    timeout = calls[0]["timeout_worker_healthcheck"]
    assert isinstance(timeout, int) and timeout >= 60
