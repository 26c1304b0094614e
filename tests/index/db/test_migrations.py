"""Schema migrations (Alembic): they build exactly index/db/schema.py, on SQLite and PostgreSQL;
databases from before migrations are stamped, not rebuilt; concurrent starts migrate once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, insert, inspect, select, text

from index.db.catalogue import Catalogue
from index.db.engine import (
    BASELINE_REVISION,
    BASELINE_TABLES,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    upgrade_schema,
)
from index.db.schema import introduction_events, introductions, metadata, organisations, profiles
from service.cli import main
from service.settings import Settings
from tests.pg import fresh_database

pytestmark = pytest.mark.both_backends


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_database(migrated=False) as url:
        yield url


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    made = make_engine(empty_url)
    yield made
    made.dispose()


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrations_build_exactly_the_schema(engine: Engine) -> None:
    assert upgrade_schema(engine) == head_revision()
    assert differences(engine) == []
    tables = set(inspect(engine).get_table_names())
    assert tables == set(metadata.tables) | {"alembic_version"}
    assert set(BASELINE_TABLES) <= tables


def test_schema_drift_is_detected(engine: Engine) -> None:
    """The comparison above can fail: a column the migrations do not know is reported."""
    upgrade_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE profiles ADD COLUMN stray INTEGER"))
    assert any("stray" in str(d) for d in differences(engine))


def test_downgrade_to_nothing_and_up_again(engine: Engine) -> None:
    upgrade_schema(engine)
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "base")
        connection.commit()
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_schema(engine)
    assert differences(engine) == []


def test_a_database_from_before_migrations_is_stamped_and_kept(engine: Engine) -> None:
    # what Catalogue() used to do: create_all, and no alembic_version
    # (the tables of then: those of the baseline; later revisions' tables did not exist)
    old_tables = [t for t in metadata.sorted_tables if t.name in BASELINE_TABLES]
    metadata.create_all(engine, tables=[t for t in old_tables if t.name != "audit_log"])
    with engine.begin() as connection:
        connection.execute(
            insert(organisations).values(
                id="org-old", name="Old", type="university", region="", content_hash="x"
            )
        )
    with engine.connect() as connection:
        assert current_revision(connection) is None
    catalogue = Catalogue(engine.url.render_as_string(hide_password=False))
    try:
        assert [o.id for o in catalogue.organisations()] == ["org-old"]
        with catalogue.engine.connect() as connection:
            assert current_revision(connection) == head_revision()
    finally:
        catalogue.close()
    assert differences(engine) == []  # the missing table was created
    with engine.connect() as connection:
        history = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert list(history) == [head_revision()]


def test_upgrading_a_populated_database_keeps_every_row(engine: Engine) -> None:
    """Later revisions alter tables that others refer to (SQLite rebuilds them): an
    introduction's history must survive, not be cascade-deleted."""
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), BASELINE_REVISION)
        connection.commit()
    with engine.begin() as connection:
        connection.execute(
            insert(organisations).values(
                id="org-a", name="A", type="university", region="", content_hash="x"
            )
        )
        connection.execute(
            insert(profiles).values(
                id="p1", kind="academic", name="P", organisation_id="org-a", keywords=[],
                capacity=1, consent=True, coauthors=[], content_hash="x", updated_at="2026",
            )
        )  # fmt: skip
        connection.execute(
            insert(introductions).values(
                id=1, profile_id="p1", requester="r", status="proposed", created_by="k",
                created_at="2026", updated_at="2026",
            )
        )  # fmt: skip
        connection.execute(
            insert(introduction_events),
            [{"introduction_id": 1, "at": "2026", "by": "k", "action": "created"}] * 3,
        )
    assert upgrade_schema(engine) == head_revision() != BASELINE_REVISION
    assert differences(engine) == []
    with engine.connect() as connection:
        for table, rows in ((introductions, 1), (introduction_events, 3), (profiles, 1)):
            assert connection.execute(select(func.count()).select_from(table)).scalar_one() == rows
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_concurrent_starts_migrate_once(empty_url: str) -> None:
    engines = [make_engine(empty_url) for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines))

    def open_one(engine: Engine) -> None:
        try:
            start.wait()
            upgrade_schema(engine)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=open_one, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engines[0].connect() as connection:
        assert (
            connection.execute(
                select(func.count()).select_from(text("alembic_version"))
            ).scalar_one()
            == 1
        )
    assert differences(engines[0]) == []
    for engine in engines:
        engine.dispose()


def test_matcher_db_upgrade(
    empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=empty_url)
    assert main(["db", "upgrade"], settings=settings) == 0
    assert head_revision() in capsys.readouterr().out
    engine = make_engine(empty_url)
    try:
        assert differences(engine) == []
    finally:
        engine.dispose()
    # a second run has nothing to do and says so
    assert main(["db", "upgrade"], settings=settings) == 0
    assert "already" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://matcher:secret@127.0.0.1:1/x", "cannot open the catalogue at"),
        ("mysql://matcher:secret@localhost/x", "unsupported catalogue database 'mysql'"),
        ("not a url", "bad catalogue URL"),
    ],
)
def test_a_catalogue_that_cannot_be_opened_is_one_clear_line(
    url: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=url)
    for command_line in (["stats"], ["db", "upgrade"]):
        assert main(command_line, settings=settings) == 2
        error = capsys.readouterr().err
        assert expected in error and error.count("\n") == 1, error
        assert "secret" not in error
