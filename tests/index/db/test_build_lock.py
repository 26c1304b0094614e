"""One index build at a time across replicas: on PostgreSQL a second build waits for the first
and, past its wait, is refused with a clear message (409); the lock is free again afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.db.build_lock import BuildInProgressError, build_lock
from index.db.versioning import open_catalogue_engine
from service.cli import main
from service.cli.common import EXIT_ERROR
from service.container import build_container
from service.settings import Settings
from tests.conftest import DEMO_FILES
from tests.fakes import FakeEncoder
from tests.pg import fresh_database


def test_a_second_build_is_refused_while_another_replica_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fresh_database() as url:
        other = open_catalogue_engine(url)  # another replica's connection pool
        settings = Settings(data_dir=tmp_path / "var", reload_seconds=0, database_url=url)
        container = build_container(settings, encoder=FakeEncoder())
        try:
            container.ingest(DEMO_FILES)
            with build_lock(other):
                with pytest.raises(BuildInProgressError, match="another index build is running"):
                    container.sync(force_rebuild=True, lock_wait_seconds=0.2)
                status = main(["build", "--rebuild", "--wait", "0.2"], container=container)
                assert status == EXIT_ERROR
                assert "another index build is running" in capsys.readouterr().err
            # released: the next build goes through
            assert container.sync(force_rebuild=True, lock_wait_seconds=0.2).rebuilt
        finally:
            container.close()
            other.dispose()


def test_the_lock_is_a_no_op_on_sqlite(tmp_path: Path) -> None:
    engine = open_catalogue_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with build_lock(engine), build_lock(engine, wait_seconds=0):
        pass
    engine.dispose()
