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


@pytest.mark.usefixtures("clean_environment")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_proxy_headers_are_believed_only_from_trusted_proxies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """uvicorn believes X-Forwarded-For from loopback by default; serve turns that off unless
    KE_MATCHER_TRUSTED_PROXIES names the proxies (both the one-process and the workers path)."""
    import uvicorn

    from service.cli import main

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    assert main(["--data-dir", str(tmp_path), "serve", "--workers", workers]) == 0
    assert calls[-1]["proxy_headers"] is False
    monkeypatch.setenv("KE_MATCHER_TRUSTED_PROXIES", "10.0.0.5, 192.168.0.0/16")
    assert main(["--data-dir", str(tmp_path), "serve", "--workers", workers]) == 0
    assert calls[-1]["proxy_headers"] is True
    assert calls[-1]["forwarded_allow_ips"] == "10.0.0.5,192.168.0.0/16"


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="not an address or network"):
        Settings(trusted_proxies="proxy.example.org")
