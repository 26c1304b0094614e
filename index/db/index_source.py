"""What a vector index is built from: the catalogue's chunks, their texts and the filtering
fields of every profile, read without the profiles' texts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from index.db.curation import read_choices, state_of
from index.db.schema import chunks, evidence, profiles
from index.db.versioning import read_version
from matcher.model import ProfileKind

# rows per IN (...) list: well under SQLite's limit on bound parameters
_BATCH = 500


@dataclass(frozen=True, slots=True)
class ChunkRow:
    """One chunk as the index needs it."""

    id: int
    profile_id: str
    item_id: str
    text_hash: str


@dataclass(frozen=True, slots=True)
class ProfileMeta:
    """What search needs of a profile for filtering, without its texts."""

    id: str
    kind: ProfileKind
    organisation_id: str
    region: str
    unit: str
    consent: bool


class IndexSource:
    """Read the catalogue as the vector index sees it.

    Args:
        engine: an engine on a database opened with
            :func:`index.db.versioning.open_catalogue_engine`.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def index_source(self) -> tuple[int, list[ChunkRow], list[ProfileMeta]]:
        """The version, chunks and profile fields an index is built from, read in one
        consistent snapshot (a write committed meanwhile is in all three or in none)."""
        with self._engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # one read transaction: WAL gives it a single snapshot
                connection.exec_driver_sql("BEGIN")
            else:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            version = read_version(connection)
            return version, _chunk_rows(connection), _profile_metas(connection)

    def chunk_rows(self) -> list[ChunkRow]:
        """Every chunk with its profile and item, in id order."""
        with self._engine.connect() as connection:
            return _chunk_rows(connection)

    def chunk_texts(self, chunk_ids: Sequence[int]) -> dict[int, str]:
        """The texts of the given chunks (unknown ids are left out)."""
        result: dict[int, str] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(chunk_ids), _BATCH):
                batch = list(chunk_ids[start : start + _BATCH])
                for r in connection.execute(
                    select(chunks.c.id, chunks.c.text).where(chunks.c.id.in_(batch))
                ):
                    result[r.id] = r.text
        return result

    def profile_metas(self) -> list[ProfileMeta]:
        """Filtering fields of every profile, by id."""
        with self._engine.connect() as connection:
            return _profile_metas(connection)


def _chunk_rows(connection: Connection) -> list[ChunkRow]:
    """Every chunk but those of items KE staff hid: a hidden item is never embedded."""
    rows = connection.execute(
        select(
            chunks.c.id, chunks.c.profile_id, evidence.c.item_id, evidence.c.doi, chunks.c.text_hash
        )
        .join(evidence, evidence.c.pk == chunks.c.evidence_pk)
        .order_by(chunks.c.id)
    ).all()
    choices = read_choices(connection)
    return [
        ChunkRow(r.id, r.profile_id, r.item_id, r.text_hash)
        for r in rows
        if r.profile_id not in choices
        or state_of(choices[r.profile_id], r.item_id, r.doi) != "hidden"
    ]


def _profile_metas(connection: Connection) -> list[ProfileMeta]:
    rows = connection.execute(
        select(
            profiles.c.id,
            profiles.c.kind,
            profiles.c.organisation_id,
            profiles.c.region,
            profiles.c.unit,
            profiles.c.consent,
        ).order_by(profiles.c.id)
    ).all()
    return [
        ProfileMeta(
            id=r.id,
            kind=ProfileKind(r.kind),
            organisation_id=r.organisation_id,
            region=r.region,
            unit=r.unit,
            consent=bool(r.consent),
        )
        for r in rows
    ]
