"""The catalogue: the source of truth for organisations, profiles, evidence, chunks and the
embedding cache. SQLAlchemy 2 Core over SQLite (WAL) by default, so that a shared deployment on
PostgreSQL is a change of URL.

Every write runs in one transaction and bumps ``catalogue_version``; the vector index records the
version it was built from, so a stale index is noticed and brought up to date.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Connection,
    Engine,
    delete,
    func,
    insert,
    select,
    update,
)

from index.db.engine import insert_ignoring_duplicates, make_engine, reachable, upgrade_schema
from index.db.schema import chunks, embeddings, evidence, meta, organisations, profiles
from matcher.errors import ProfileNotFoundError
from matcher.model import (
    EvidenceItem,
    EvidenceType,
    Organisation,
    OrganisationType,
    Profile,
    ProfileKind,
)
from matcher.text import DEFAULT_MAX_WORDS, Count, chunk, content_hash, word_count

logger = logging.getLogger(__name__)

VERSION_KEY = "catalogue_version"


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


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    """What writing one record did: ``added``, ``updated`` or ``unchanged``."""

    id: str
    status: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _hash_record(record: Mapping[str, Any]) -> str:
    return content_hash(json.dumps(record, sort_keys=True, default=str))


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


class Catalogue:
    """Read and write the catalogue.

    Opening it brings the database's schema to the newest migration (:mod:`index.db.engine`).

    Writes that change what is searched are serialised across processes: each takes the
    catalogue's write lock (the version row) with its first statement, so two workers never
    interleave a profile's rows or lose a version bump.

    Args:
        url: a SQLAlchemy URL: ``sqlite:///path`` (default) or ``postgresql+psycopg://…``.
        max_tokens: the longest chunk of an evidence text, as ``count`` measures it; longer
            texts are split on sentence boundaries (:func:`matcher.text.chunk`).
        count: the length of a piece of text: words by default; the container passes the
            model's token count (:mod:`index.encoders.tokens`) with its window as ``max_tokens``.
    """

    def __init__(
        self, url: str, *, max_tokens: int = DEFAULT_MAX_WORDS, count: Count = word_count
    ) -> None:
        self.url = url
        self._max_tokens = max_tokens
        self._count = count
        self._engine: Engine = make_engine(url)
        with reachable(self._engine):
            upgrade_schema(self._engine)
            with self._engine.begin() as connection:
                insert_ignoring_duplicates(connection, meta, [{"key": VERSION_KEY, "value": "0"}])

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (shared with the stores of keys and introductions)."""
        return self._engine

    def close(self) -> None:
        """Release the connection pool."""
        self._engine.dispose()

    # ------------------------------------------------------------------ versions
    @property
    def version(self) -> int:
        """Incremented by every write that changes what is searched."""
        with self._engine.connect() as connection:
            value = connection.execute(
                select(meta.c.value).where(meta.c.key == VERSION_KEY)
            ).scalar_one()
        return int(value)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction holding the catalogue's write lock from its first statement.

        The lock is a no-op update of the version row: a row lock on PostgreSQL, the database's
        write lock on SQLite (taken at once rather than at the first real write, so a second
        writer waits instead of failing with a stale read). Later reads in the transaction see
        every write committed before it.
        """
        with self._engine.begin() as connection:
            connection.execute(
                update(meta).where(meta.c.key == VERSION_KEY).values(value=meta.c.value)
            )
            yield connection

    def index_source(self) -> tuple[int, list[ChunkRow], list[ProfileMeta]]:
        """The version, chunks and profile fields an index is built from, read in one
        consistent snapshot (a write committed meanwhile is in all three or in none)."""
        with self._engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # one read transaction: WAL gives it a single snapshot
                connection.exec_driver_sql("BEGIN")
            else:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            version = int(
                connection.execute(
                    select(meta.c.value).where(meta.c.key == VERSION_KEY)
                ).scalar_one()
            )
            return version, self._chunk_rows(connection), self._profile_metas(connection)

    @staticmethod
    def _bump(connection: Connection) -> None:
        current = connection.execute(
            select(meta.c.value).where(meta.c.key == VERSION_KEY)
        ).scalar_one()
        connection.execute(
            update(meta).where(meta.c.key == VERSION_KEY).values(value=str(int(current) + 1))
        )

    # ------------------------------------------------------------------ organisations
    def upsert_organisation(self, organisation: Organisation) -> UpsertOutcome:
        """Add or replace an organisation; an identical one is left alone."""
        record = asdict(organisation)
        record["type"] = organisation.type.value
        digest = _hash_record(record)
        with self._writing() as connection:
            existing = connection.execute(
                select(organisations.c.content_hash).where(organisations.c.id == organisation.id)
            ).scalar_one_or_none()
            if existing == digest:
                return UpsertOutcome(organisation.id, "unchanged")
            values = {**record, "content_hash": digest}
            if existing is None:
                connection.execute(insert(organisations).values(**values))
            else:
                connection.execute(
                    update(organisations)
                    .where(organisations.c.id == organisation.id)
                    .values(**values)
                )
            self._bump(connection)
        return UpsertOutcome(organisation.id, "added" if existing is None else "updated")

    def organisation_ids(self) -> set[str]:
        """The ids of every organisation."""
        with self._engine.connect() as connection:
            return set(connection.execute(select(organisations.c.id)).scalars())

    def organisations(self) -> list[Organisation]:
        """Every organisation, by id."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(organisations).order_by(organisations.c.id)).mappings()
            return [
                Organisation(
                    id=r["id"], name=r["name"], type=OrganisationType(r["type"]), region=r["region"]
                )
                for r in rows
            ]

    # ------------------------------------------------------------------ profiles
    def upsert_profile(self, profile: Profile) -> UpsertOutcome:
        """Add a profile or replace it with its new content; an identical one is left alone.

        The profile, its evidence and its chunks are written in one transaction.
        """
        record = asdict(profile)
        record.pop("updated_at")
        digest = _hash_record(record)
        with self._writing() as connection:
            existing = connection.execute(
                select(profiles.c.content_hash).where(profiles.c.id == profile.id)
            ).scalar_one_or_none()
            if existing == digest:
                return UpsertOutcome(profile.id, "unchanged")
            old_hashes: set[str] = set()
            if existing is not None:
                # the evidence is replaced but the profile row is updated in place: deleting it
                # would cascade to the profile's introductions and shortlist entries
                old_hashes = self._delete_profile_rows(connection, profile.id, keep_profile=True)
            connection.execute(
                (
                    insert(profiles)
                    if existing is None
                    else update(profiles).where(profiles.c.id == profile.id)
                ).values(
                    id=profile.id,
                    kind=profile.kind.value,
                    name=profile.name,
                    organisation_id=profile.organisation_id,
                    unit=profile.unit,
                    region=profile.region,
                    summary=profile.summary,
                    keywords=list(profile.keywords),
                    capacity=profile.capacity,
                    contact=profile.contact,
                    consent=profile.consent,
                    coauthors=list(profile.coauthors),
                    content_hash=digest,
                    updated_at=profile.updated_at or _now(),
                )
            )
            for position, item in enumerate(profile.evidence_with_summary()):
                result = connection.execute(
                    insert(evidence).values(
                        profile_id=profile.id,
                        item_id=item.id,
                        position=position,
                        type=item.type.value,
                        title=item.title,
                        text=item.text,
                        year=item.year,
                        specialty=item.specialty,
                        sector=item.sector,
                        funder=item.funder,
                        readiness_level=item.readiness_level,
                    )
                )
                evidence_pk = result.inserted_primary_key[0]  # type: ignore[index]
                rows = [
                    {
                        "evidence_pk": evidence_pk,
                        "profile_id": profile.id,
                        "position": i,
                        "text": piece,
                        "text_hash": content_hash(piece),
                    }
                    for i, piece in enumerate(
                        chunk(item.content, max_tokens=self._max_tokens, count=self._count)
                    )
                ]
                if rows:
                    connection.execute(insert(chunks), rows)
            # texts the profile no longer has leave the cache; unchanged ones stay cached
            self._purge_orphaned_embeddings(connection, old_hashes)
            self._bump(connection)
        return UpsertOutcome(profile.id, "added" if existing is None else "updated")

    def delete_profile(
        self, profile_id: str, *, also: Callable[[Connection], object] | None = None
    ) -> None:
        """Erase a profile: its row, evidence, chunks and every cached embedding of its texts
        that no other profile uses (and, through foreign keys, its shortlist entries and
        introductions). On SQLite the write-ahead log is then checkpointed and truncated, so
        that the erased text is left in no file (deleted pages are zeroed: ``secure_delete``).

        Args:
            profile_id: the profile to erase.
            also: more work to commit in the same transaction (the audit log's erasure).

        Raises:
            ProfileNotFoundError: no such profile.
        """
        with self._writing() as connection:
            found = connection.execute(
                select(profiles.c.id).where(profiles.c.id == profile_id)
            ).scalar_one_or_none()
            if found is None:
                raise ProfileNotFoundError(profile_id)
            hashes = self._delete_profile_rows(connection, profile_id)
            self._purge_orphaned_embeddings(connection, hashes)
            if also is not None:
                also(connection)
            self._bump(connection)
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    @staticmethod
    def _delete_profile_rows(
        connection: Connection, profile_id: str, *, keep_profile: bool = False
    ) -> set[str]:
        """Delete a profile's rows (its evidence and chunks only, when ``keep_profile``);
        returns the text hashes its chunks had."""
        hashes = set(
            connection.execute(
                select(chunks.c.text_hash).where(chunks.c.profile_id == profile_id)
            ).scalars()
        )
        connection.execute(delete(chunks).where(chunks.c.profile_id == profile_id))
        connection.execute(delete(evidence).where(evidence.c.profile_id == profile_id))
        if not keep_profile:
            connection.execute(delete(profiles).where(profiles.c.id == profile_id))
        return hashes

    @staticmethod
    def _purge_orphaned_embeddings(connection: Connection, hashes: set[str]) -> None:
        """Drop cached embeddings of texts that no chunk uses any more (erasure)."""
        if not hashes:
            return
        still_used = set(
            connection.execute(
                select(chunks.c.text_hash).where(chunks.c.text_hash.in_(hashes))
            ).scalars()
        )
        orphaned = hashes - still_used
        if orphaned:
            connection.execute(delete(embeddings).where(embeddings.c.text_hash.in_(orphaned)))

    def get_profile(self, profile_id: str) -> Profile:
        """A whole profile with its evidence (the summary item excluded).

        Raises:
            ProfileNotFoundError: no such profile.
        """
        found = self.get_profiles([profile_id])
        if profile_id not in found:
            raise ProfileNotFoundError(profile_id)
        return found[profile_id]

    def get_profiles(
        self, profile_ids: Iterable[str], *, with_evidence: bool = True
    ) -> dict[str, Profile]:
        """Whole profiles for the ids that exist (unknown ids are left out).

        Args:
            profile_ids: the profiles wanted.
            with_evidence: ``False`` leaves every profile's ``evidence`` empty (a cheaper read
                when only the profile's own fields are shown).
        """
        ids = list(dict.fromkeys(profile_ids))
        if not ids:
            return {}
        result: dict[str, Profile] = {}
        with self._engine.connect() as connection:
            items: dict[str, list[EvidenceItem]] = {i: [] for i in ids}
            if with_evidence:
                for r in connection.execute(
                    select(evidence)
                    .where(evidence.c.profile_id.in_(ids))
                    .where(evidence.c.type != EvidenceType.SUMMARY.value)
                    .order_by(evidence.c.profile_id, evidence.c.position)
                ).mappings():
                    items[r["profile_id"]].append(_item_from_row(r))
            for r in connection.execute(select(profiles).where(profiles.c.id.in_(ids))).mappings():
                result[r["id"]] = Profile(
                    id=r["id"],
                    kind=ProfileKind(r["kind"]),
                    name=r["name"],
                    organisation_id=r["organisation_id"],
                    unit=r["unit"],
                    region=r["region"],
                    summary=r["summary"],
                    keywords=tuple(r["keywords"]),
                    capacity=r["capacity"],
                    contact=r["contact"],
                    consent=bool(r["consent"]),
                    coauthors=tuple(r["coauthors"]),
                    evidence=tuple(items[r["id"]]),
                    updated_at=r["updated_at"],
                )
        return result

    def evidence_items(
        self, item_ids: Sequence[str], profile_ids: Sequence[str]
    ) -> dict[tuple[str, str], EvidenceItem]:
        """Evidence items (summary items included) keyed by (profile id, item id)."""
        if not profile_ids:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(evidence)
                .where(evidence.c.profile_id.in_(set(profile_ids)))
                .where(evidence.c.item_id.in_(set(item_ids)))
            ).mappings()
            return {(r["profile_id"], r["item_id"]): _item_from_row(r) for r in rows}

    def profile_metas(self) -> list[ProfileMeta]:
        """Filtering fields of every profile, by id."""
        with self._engine.connect() as connection:
            return self._profile_metas(connection)

    @staticmethod
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

    def profile_ids(self) -> list[str]:
        """Every profile id, sorted."""
        with self._engine.connect() as connection:
            return list(connection.execute(select(profiles.c.id).order_by(profiles.c.id)).scalars())

    def counts(self) -> dict[str, int]:
        """How many organisations, profiles (per kind), evidence items, chunks and cached vectors."""
        with self._engine.connect() as connection:
            result = {
                "organisations": connection.execute(
                    select(func.count()).select_from(organisations)
                ).scalar_one(),
                "profiles": connection.execute(
                    select(func.count()).select_from(profiles)
                ).scalar_one(),
                "evidence_items": connection.execute(
                    select(func.count())
                    .select_from(evidence)
                    .where(evidence.c.type != EvidenceType.SUMMARY.value)
                ).scalar_one(),
                "chunks": connection.execute(select(func.count()).select_from(chunks)).scalar_one(),
                "cached_embeddings": connection.execute(
                    select(func.count()).select_from(embeddings)
                ).scalar_one(),
            }
            for kind, n in connection.execute(
                select(profiles.c.kind, func.count()).group_by(profiles.c.kind)
            ).all():
                result[f"profiles_{kind}"] = n
        return result

    # ------------------------------------------------------------------ chunks and cache
    def chunk_rows(self) -> list[ChunkRow]:
        """Every chunk with its profile and item, in id order."""
        with self._engine.connect() as connection:
            return self._chunk_rows(connection)

    @staticmethod
    def _chunk_rows(connection: Connection) -> list[ChunkRow]:
        rows = connection.execute(
            select(chunks.c.id, chunks.c.profile_id, evidence.c.item_id, chunks.c.text_hash)
            .join(evidence, evidence.c.pk == chunks.c.evidence_pk)
            .order_by(chunks.c.id)
        ).all()
        return [ChunkRow(r.id, r.profile_id, r.item_id, r.text_hash) for r in rows]

    def chunk_texts(self, chunk_ids: Sequence[int]) -> dict[int, str]:
        """The texts of the given chunks."""
        result: dict[int, str] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(chunk_ids), 500):
                batch = list(chunk_ids[start : start + 500])
                for r in connection.execute(
                    select(chunks.c.id, chunks.c.text).where(chunks.c.id.in_(batch))
                ):
                    result[r.id] = r.text
        return result

    def cached_vectors(
        self, model_id: str, hashes: Iterable[str]
    ) -> dict[str, npt.NDArray[np.float32]]:
        """Cached embeddings for the hashes that have one."""
        wanted = list(set(hashes))
        found: dict[str, npt.NDArray[np.float32]] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                for r in connection.execute(
                    select(embeddings.c.text_hash, embeddings.c.vector)
                    .where(embeddings.c.model_id == model_id)
                    .where(embeddings.c.text_hash.in_(batch))
                ):
                    found[r.text_hash] = np.frombuffer(r.vector, dtype=np.float32)
        return found

    def cache_vectors(
        self,
        model_id: str,
        vectors: Mapping[str, npt.NDArray[np.float32]],
        *,
        only_in_use: bool = False,
    ) -> None:
        """Store embeddings; a hash already cached for this model is left as it is.

        Args:
            model_id: the model that made the vectors.
            vectors: vectors by text hash.
            only_in_use: skip hashes no chunk uses (any more): an index build passes it, so a
                profile erased by another process while its texts were being embedded leaves
                nothing behind. Under the write lock, that erasure either ran before (the hash
                is skipped here) or runs after (and purges it).
        """
        if not vectors:
            return
        with self._writing() as connection:
            present = set(
                connection.execute(
                    select(embeddings.c.text_hash)
                    .where(embeddings.c.model_id == model_id)
                    .where(embeddings.c.text_hash.in_(list(vectors)))
                ).scalars()
            )
            used = (
                set(
                    connection.execute(
                        select(chunks.c.text_hash).where(chunks.c.text_hash.in_(list(vectors)))
                    ).scalars()
                )
                if only_in_use
                else set(vectors)
            )
            rows = [
                {
                    "model_id": model_id,
                    "text_hash": h,
                    "vector": np.asarray(v, np.float32).tobytes(),
                }
                for h, v in vectors.items()
                if h not in present and h in used
            ]
            insert_ignoring_duplicates(connection, embeddings, rows)

    def cached_hashes(self) -> set[str]:
        """Every text hash with a cached embedding, whatever the model (used by erasure checks)."""
        with self._engine.connect() as connection:
            return set(connection.execute(select(embeddings.c.text_hash)).scalars())

    def iter_profiles(self, batch: int = 200) -> Iterator[Profile]:
        """Every profile, in id order."""
        ids = self.profile_ids()
        for start in range(0, len(ids), batch):
            found = self.get_profiles(ids[start : start + batch])
            for profile_id in ids[start : start + batch]:
                yield found[profile_id]


def _item_from_row(r: Any) -> EvidenceItem:
    return EvidenceItem(
        id=r["item_id"],
        type=EvidenceType(r["type"]),
        title=r["title"],
        text=r["text"],
        year=r["year"],
        specialty=r["specialty"],
        sector=r["sector"],
        funder=r["funder"],
        readiness_level=r["readiness_level"],
    )
