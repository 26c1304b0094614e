"""Shared fixtures: small data in tests/data, a fake encoder for unit tests, the real model for
integration tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from service.container import Container, build_container
from service.settings import Settings
from tests.fakes import FakeEncoder
from tests.pg import BACKENDS, fresh_database

DATA = Path(__file__).parent / "data"
DEMO_FILES = [DATA / "organisations.csv", DATA / "profiles.jsonl", DATA / "smes.csv"]


@pytest.fixture
def data_dir() -> Path:
    return DATA


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_backends`` that use the catalogue run on SQLite and on PostgreSQL."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_backends"
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The catalogue's database: ``sqlite`` unless the test is marked ``both_backends``."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(backend: str) -> Iterator[str | None]:
    """``None`` on SQLite (the settings' default file), else a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield None
        return
    with fresh_database() as url:
        yield url


@pytest.fixture
def catalogue_url(database_url: str | None, tmp_path: Path) -> str:
    """A catalogue URL on the test's backend."""
    return database_url or f"sqlite:///{tmp_path / 'catalogue.db'}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(data_dir=tmp_path / "var", reload_seconds=0, database_url=database_url)


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
    """The real model, embedding each distinct text once per session (see tests/remembering.py)."""
    from tests.remembering import RememberingEncoder

    return RememberingEncoder()


CHROMIUM = os.environ.get("KE_MATCHER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DEMO = Path(__file__).parents[1] / "data" / "demo"
DEMO_INPUT = [
    DEMO / "organisations.csv",
    DEMO / "academics.jsonl",
    DEMO / "clinical_teams.jsonl",
    DEMO / "smes.csv",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; 'make test' installs Debian's chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def demo_container(
    tmp_path_factory: pytest.TempPathFactory, real_encoder: Any
) -> Iterator[Container]:
    """The demo region ingested once per test session with the real model."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("demo"), reload_seconds=0)
    container = build_container(settings, encoder=real_encoder)
    report, _ = container.ingest(DEMO_INPUT)
    assert not report.errors, report.errors[:3]
    yield container
    container.close()
