"""``serve``: the settings its worker processes read back from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli.serve import export_settings
from service.settings import Settings


def test_workers_read_back_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    for name in Settings.model_fields:
        # registered with monkeypatch, so that whatever export_settings writes is undone
        monkeypatch.setenv(f"{prefix}{name}".upper(), "")
        monkeypatch.delenv(f"{prefix}{name}".upper())
    settings = Settings(data_dir=tmp_path / "elsewhere", reload_seconds=0, demo_keys=True)
    export_settings(settings)
    assert Settings() == settings
