"""Backup and restore of the catalogue (``matcher backup FILE`` / ``matcher restore FILE``).

SQLite: the online backup API copies a consistent snapshot while the service keeps running
(readers and writers wait at most for one copy step). A restore first validates the file (a
SQLite database that passes ``PRAGMA integrity_check`` and holds the catalogue's tables), then
copies it *into* the live catalogue with the same API — one write transaction, so other
connections see the old catalogue or the new one, never a mixture, and the write-ahead log
stays consistent (replacing the file under open connections would not). The index is derived
data: it is rebuilt from the restored catalogue and its embedding cache.

PostgreSQL: the database's own tools do this job; both commands refuse and say how.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from index.db.audit import AuditAction
from index.db.schema import audit_log, profiles
from matcher.errors import UnreadableInputError

SQLITE_MAGIC = b"SQLite format 3\x00"
REQUIRED_TABLES = frozenset(
    {"organisations", "profiles", "evidence", "chunks", "embeddings", "meta"}
)


class BackupError(UnreadableInputError):
    """A backup or restore that cannot be done (the message says why and what to do)."""


@dataclass(frozen=True, slots=True)
class BackupSummary:
    """What a backup file holds."""

    path: Path
    bytes: int
    profiles: int
    catalogue_version: int


def sqlite_path(url: str) -> Path:
    """The file of a SQLite catalogue URL.

    Raises:
        BackupError: PostgreSQL (with ``pg_dump``/``pg_restore`` guidance) or an in-memory
            database.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        safe = parsed.set(drivername="postgresql").render_as_string(hide_password=True)
        raise BackupError(
            "the catalogue is on PostgreSQL; use its own tools: "
            f"'pg_dump --format=custom --file FILE {safe}' to back up, "
            f"'pg_restore --clean --if-exists --dbname {safe} FILE' to restore, "
            "then 'matcher build --rebuild' to rebuild the index"
        )
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        shown = parsed.render_as_string(hide_password=True)
        raise BackupError(f"cannot back up the catalogue at {shown}: not a SQLite file")
    return Path(parsed.database)


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def inspect_backup(path: Path) -> BackupSummary:
    """Check that a file is a whole, sound catalogue backup.

    Raises:
        BackupError: missing, not SQLite, damaged, or not a catalogue.
    """
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite database (not a catalogue backup)")
    try:
        with _connect(path, read_only=True) as connection:
            problems = [r[0] for r in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"{path} is damaged: {'; '.join(problems[:3])}")
            tables = {
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            missing = REQUIRED_TABLES - tables
            if missing:
                raise BackupError(
                    f"{path} is not a ke-matcher catalogue (no {', '.join(sorted(missing))} table)"
                )
            version = connection.execute(
                "SELECT value FROM meta WHERE key = 'catalogue_version'"
            ).fetchone()
            if version is None:
                raise BackupError(f"{path} is not a ke-matcher catalogue (no catalogue version)")
            profiles = int(connection.execute("SELECT count(*) FROM profiles").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} cannot be read as a catalogue: {error}") from None
    return BackupSummary(
        path=path,
        bytes=path.stat().st_size,
        profiles=profiles,
        catalogue_version=int(version[0]),
    )


def backup(catalogue_url: str, target: Path, *, overwrite: bool = False) -> BackupSummary:
    """Copy the live catalogue to ``target`` (online: the service may keep running).

    The copy is written beside ``target`` and renamed into place, so ``target`` is never a
    half-written backup.

    Raises:
        BackupError: PostgreSQL, no catalogue yet, or ``target`` exists and not ``overwrite``.
    """
    source = sqlite_path(catalogue_url)
    if not source.is_file():
        raise BackupError(f"there is no catalogue at {source} to back up")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists; choose another name or pass --force")
    if target.resolve() == source.resolve():
        raise BackupError("the backup file cannot be the catalogue itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    scratch = Path(scratch_name)
    try:
        with _connect(source) as live, _connect(scratch) as copy:
            live.backup(copy)
            # a backup is one self-contained file: no write-ahead log beside it
            copy.execute("PRAGMA journal_mode=DELETE")
        _fsync(scratch)
        os.replace(scratch, target)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    return inspect_backup(target)


def restore(catalogue_url: str, source: Path) -> BackupSummary:
    """Replace the live catalogue with a validated backup (the index must be rebuilt after).

    Raises:
        BackupError: PostgreSQL, or the file is not a sound catalogue backup.
    """
    target = sqlite_path(catalogue_url)
    summary = inspect_backup(source)
    if target.exists() and source.resolve() == target.resolve():
        raise BackupError("the backup file is the catalogue itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connect(source, read_only=True) as backup_file, _connect(target) as live:
        live.execute("PRAGMA busy_timeout=30000")
        backup_file.backup(live)  # one step: one write transaction on the live catalogue
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return summary


def erased_profile_ids(engine: Engine) -> set[str]:
    """Profiles whose deletion the audit log records and that have not been added again: a
    restore must not bring them back."""
    with engine.connect() as connection:
        deleted = set(
            connection.execute(
                select(audit_log.c.target).where(
                    audit_log.c.action == AuditAction.PROFILE_DELETE.value
                )
            ).scalars()
        )
        present = set(connection.execute(select(profiles.c.id)).scalars())
    return deleted - present
