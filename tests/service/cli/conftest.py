"""The CLI's tests run with the fake encoder: every container a command builds gets it."""

from __future__ import annotations

import pytest

import service.cli.common as cli_common
from service.container import build_container
from tests.fakes import FakeEncoder


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = FakeEncoder()
    monkeypatch.setattr(
        cli_common, "build_container", lambda settings: build_container(settings, encoder=encoder)
    )
