"""Shared fixtures: small data in tests/data, a fake encoder for unit tests, the real model for
integration tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from service.container import Container, build_container
from service.settings import Settings
from tests.fakes import FakeEncoder

DATA = Path(__file__).parent / "data"
DEMO_FILES = [DATA / "organisations.csv", DATA / "profiles.jsonl", DATA / "smes.csv"]


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", reload_seconds=0)


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def container(settings: Settings, fake_encoder: FakeEncoder) -> Iterator[Container]:
    built = build_container(settings, encoder=fake_encoder)
    yield built
    built.close()


@pytest.fixture
def loaded(container: Container) -> Container:
    report, _ = container.ingest(DEMO_FILES)
    assert not report.errors, report.errors
    return container


@pytest.fixture(scope="session")
def real_encoder() -> object:
    from index.encoders import SentenceTransformerEncoder

    return SentenceTransformerEncoder()
