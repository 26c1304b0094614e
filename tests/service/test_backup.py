"""``matcher backup`` and ``matcher restore``: a restored catalogue answers the same searches
the same way, a bad file is refused before anything changes, erased people stay erased, and
PostgreSQL is pointed at its own tools."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from index.ingest.records import ProfileRecord, to_profile
from matcher.briefs import make_brief
from service.cli import main
from service.container import Container
from service.settings import Settings

BRIEFS = [
    "wearable sensors to detect falls in older inpatients",
    "deep learning for retinal screening photographs",
    "battery life of a hip-worn fall detector",
]
DATA = Path(__file__).parents[1] / "data"


def results(container: Container) -> list[list[tuple[str, float]]]:
    """The ranked ids and scores of every brief, every kind."""
    answers = []
    for text in BRIEFS:
        found = container.engine.search(make_brief(text, top=10))
        answers.append(
            [(m.profile_id, round(m.score, 6)) for group in found.groups.values() for m in group]
        )
    return answers


def test_restore_brings_back_the_same_search_results(
    loaded: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = results(loaded)
    version = loaded.catalogue.version
    backup = tmp_path / "backups" / "catalogue.bak"
    assert main(["backup", str(backup)], container=loaded) == 0
    assert "backed up 6 profiles" in capsys.readouterr().out
    assert backup.read_bytes().startswith(b"SQLite format 3\x00")
    assert main(["backup", str(backup)], container=loaded) != 0  # never overwritten silently

    # change the catalogue after the backup: a profile rewritten, another added
    record = json.loads((DATA / "profiles.jsonl").read_text().splitlines()[0])
    record["summary"] = "Retinal photographs graded by deep learning."
    record["evidence"] = [
        {"id": "x", "type": "publication", "title": "Retinal screening", "text": "deep learning"}
    ]
    loaded.upsert_profile(to_profile(ProfileRecord.model_validate(record)))
    record.update(id="acad-new", name="Dr New")
    loaded.upsert_profile(to_profile(ProfileRecord.model_validate(record)))
    assert results(loaded) != before  # the precondition: the answers did change

    assert main(["restore", str(backup)], container=loaded) == 0
    output = capsys.readouterr().out
    assert "restored 6 profiles" in output and "rebuilt" in output
    assert results(loaded) == before
    assert loaded.catalogue.version == version
    assert loaded.store.problem(loaded.catalogue, loaded.encoder) is None  # index matches


def test_restore_keeps_erased_profiles_erased(loaded: Container, tmp_path: Path) -> None:
    backup = tmp_path / "before.bak"
    assert main(["backup", str(backup)], container=loaded) == 0
    loaded.delete("acad-falls", actor="key_admin")
    assert main(["restore", str(backup)], container=loaded) == 0
    assert "acad-falls" not in loaded.catalogue.profile_ids()
    assert "acad-retina" in loaded.catalogue.profile_ids()
    found = loaded.engine.search(make_brief(BRIEFS[0], top=10))
    assert "acad-falls" not in {m.profile_id for g in found.groups.values() for m in g}


def test_a_bad_backup_is_refused_and_changes_nothing(
    loaded: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = results(loaded)
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    truncated = tmp_path / "truncated.bak"
    assert main(["backup", str(tmp_path / "whole.bak")], container=loaded) == 0
    truncated.write_bytes((tmp_path / "whole.bak").read_bytes()[:8192])
    capsys.readouterr()
    for bad, reason in (
        (tmp_path / "missing.bak", "no backup file"),
        (text, "not a SQLite database"),
        (other, "not a ke-matcher catalogue"),
        (truncated, ""),
    ):
        assert main(["restore", str(bad)], container=loaded) != 0
        error = capsys.readouterr().err
        assert error.startswith("matcher: ") and reason in error, error
        assert "Traceback" not in error
    assert results(loaded) == before


def test_postgresql_is_pointed_at_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://ke:s3cret@db.example:5432/matcher"
    )
    assert main(["backup", str(tmp_path / "x.bak")], settings=settings) != 0
    error = capsys.readouterr().err
    assert "pg_dump" in error and "s3cret" not in error
    assert main(["restore", str(tmp_path / "x.bak")], settings=settings) != 0
    error = capsys.readouterr().err
    assert "pg_restore" in error and "s3cret" not in error
    assert not (tmp_path / "x.bak").exists()
