"""Backup and restore of a SQLite catalogue at the storage layer (the ``matcher backup`` and
``matcher restore`` commands are tested in tests/service/test_backup.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.db.audit import AuditLog
from index.db.backup import (
    BackupError,
    backup,
    erased_profile_ids,
    inspect_backup,
    restore,
    sqlite_path,
)
from index.db.catalogue import Catalogue


def test_sqlite_path_refuses_what_is_not_a_sqlite_file(tmp_path: Path) -> None:
    assert sqlite_path(f"sqlite:///{tmp_path / 'c.db'}") == tmp_path / "c.db"
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_path("postgresql+psycopg://u:secret@host/db")
    with pytest.raises(BackupError, match="not a SQLite file"):
        sqlite_path("sqlite:///:memory:")


def test_a_backup_restores_the_catalogue_it_was_taken_of(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    target = tmp_path / "copy.bak"
    summary = backup(catalogue.url, target)
    assert (summary.profiles, summary.catalogue_version) == (2, catalogue.version)
    with pytest.raises(BackupError, match="exists"):
        backup(catalogue.url, target)
    catalogue.delete_profile("prof-b")
    assert catalogue.profile_ids() == ["prof-a"]
    restore(catalogue.url, target)
    assert catalogue.profile_ids() == ["prof-a", "prof-b"]
    assert catalogue.version == summary.catalogue_version


def test_a_file_that_is_not_a_catalogue_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.bak"
    text.write_text("hello")
    with pytest.raises(BackupError, match="not a SQLite database"):
        inspect_backup(text)
    with pytest.raises(BackupError, match="no backup file"):
        inspect_backup(tmp_path / "missing.bak")


def test_erased_profiles_are_those_the_audit_log_says_were_deleted(
    catalogue: Catalogue,
) -> None:
    assert erased_profile_ids(catalogue.engine) == set()
    catalogue.delete_profile(
        "prof-a",
        also=lambda connection: AuditLog.forget_profile(connection, "prof-a", actor="key_admin"),
    )
    assert erased_profile_ids(catalogue.engine) == {"prof-a"}
