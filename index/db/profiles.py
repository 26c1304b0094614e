"""Profiles and their evidence: written whole (profile row, evidence items and their chunks in
one transaction), read whole or in part, and erased."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields, is_dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from index.db.clock import timestamp
from index.db.curation import Choices, read_choices, state_of
from index.db.embedding_cache import purge_orphaned_embeddings
from index.db.schema import chunks, evidence, organisations, profiles
from index.db.versioning import CatalogueVersion, UpsertOutcome, hash_record
from matcher.errors import ProfileNotFoundError
from matcher.model import EvidenceItem, EvidenceType, Profile, ProfileKind, Provenance
from matcher.text import DEFAULT_MAX_WORDS, Count, chunk, content_hash, word_count


class ProfileStore:
    """Read and write profiles with their evidence and chunks in the catalogue database.

    Args:
        engine: an engine on a database opened with
            :func:`index.db.versioning.open_catalogue_engine`.
        max_tokens: the longest chunk of an evidence text, as ``count`` measures it; longer
            texts are split on sentence boundaries (:func:`matcher.text.chunk`).
        count: the length of a piece of text (words by default; the model's tokens in service).
    """

    def __init__(
        self, engine: Engine, *, max_tokens: int = DEFAULT_MAX_WORDS, count: Count = word_count
    ) -> None:
        self._engine = engine
        self._max_tokens = max_tokens
        self._count = count
        self._versions = CatalogueVersion(engine)

    # ------------------------------------------------------------------ writes
    def upsert_profile(self, profile: Profile) -> UpsertOutcome:
        """Add a profile or replace it with its new content; an identical one is left alone.

        The profile, its evidence and its chunks are written in one transaction.
        """
        return self.upsert_profiles([profile])[0]

    def upsert_profiles(self, batch: Sequence[Profile]) -> list[UpsertOutcome]:
        """:meth:`upsert_profile` for many profiles in one transaction (the importers write a
        few hundred at a time); one outcome per profile, in order.

        Raises:
            ValueError: a profile id appears twice in ``batch``.
        """
        if len({p.id for p in batch}) != len(batch):
            raise ValueError("upsert_profiles: a profile id appears twice in the batch")
        if not batch:
            return []
        outcomes: list[UpsertOutcome] = []
        with self._versions.writing() as connection:
            # every write path (ingest, the API, importers): no region of its own → its
            # organisation's, so that region filters find it
            regions = _organisation_regions(connection, batch)
            batch = [_with_organisation_region(p, regions) for p in batch]
            digests = [profile_hash(p) for p in batch]
            existing: dict[str, str] = {
                row.id: row.content_hash
                for row in connection.execute(
                    select(profiles.c.id, profiles.c.content_hash).where(
                        profiles.c.id.in_([p.id for p in batch])
                    )
                )
            }
            changed: list[Profile] = []
            added: list[dict[str, Any]] = []
            old_hashes: set[str] = set()
            for profile, digest in zip(batch, digests, strict=True):
                before = existing.get(profile.id)
                if before == digest:
                    outcomes.append(UpsertOutcome(profile.id, "unchanged"))
                    continue
                if before is not None:
                    # the evidence is replaced but the profile row is updated in place: deleting
                    # it would cascade to the profile's introductions and shortlist entries
                    old_hashes |= _delete_profile_rows(connection, profile.id, keep_profile=True)
                values = _profile_values(profile, digest)
                if before is None:
                    added.append(values)
                else:
                    connection.execute(
                        update(profiles).where(profiles.c.id == profile.id).values(**values)
                    )
                changed.append(profile)
                outcomes.append(UpsertOutcome(profile.id, "added" if before is None else "updated"))
            if not changed:
                return outcomes
            if added:  # new profiles in one multi-row statement, before their evidence
                connection.execute(insert(profiles), added)
            self._write_evidence(connection, changed)
            # texts the profiles no longer have leave the cache; unchanged ones stay cached
            purge_orphaned_embeddings(connection, old_hashes)
            self._versions.bump(connection)
        return outcomes

    def set_consent(self, profile_ids: Iterable[str], consent: bool) -> list[str]:
        """List (``True``) or unlist profiles, nothing else about them changed; the ids that
        changed (unknown ids and those already so are left alone). Each profile's content hash
        is recomputed from its whole stored content (hidden items included), so that a later
        import of the same records finds it unchanged."""
        ids = list(dict.fromkeys(profile_ids))
        if not ids:
            return []
        changed: list[str] = []
        with self._engine.begin() as connection:
            items = _stored_items(connection, ids)
            rows = connection.execute(select(profiles).where(profiles.c.id.in_(ids))).mappings()
            for r in list(rows):
                if bool(r["consent"]) == consent:
                    continue
                profile = replace(_profile_from_row(r, items[r["id"]]), consent=consent)
                connection.execute(
                    update(profiles)
                    .where(profiles.c.id == r["id"])
                    .values(
                        consent=consent,
                        content_hash=profile_hash(profile),
                        updated_at=timestamp(),
                    )
                )
                changed.append(str(r["id"]))
            if changed:
                self._versions.bump(connection)
        return changed

    def _write_evidence(self, connection: Connection, batch: Sequence[Profile]) -> None:
        """Insert profiles' evidence items (each summary first) and their chunks."""
        rows: list[dict[str, Any]] = []
        contents: list[tuple[str, str]] = []
        for profile in batch:
            for position, item in enumerate(profile.evidence_with_summary()):
                rows.append(_evidence_values(profile.id, position, item))
                contents.append((profile.id, item.content))
        if not rows:
            return
        # one statement for all items, their keys returned in order (SQLAlchemy's
        # "insertmanyvalues"), so that the chunks can name them
        keys = connection.execute(
            insert(evidence).returning(evidence.c.pk, sort_by_parameter_order=True), rows
        ).scalars()
        chunk_rows = [
            {
                "evidence_pk": evidence_pk,
                "profile_id": profile_id,
                "position": i,
                "text": piece,
                "text_hash": content_hash(piece),
            }
            for evidence_pk, (profile_id, content) in zip(keys, contents, strict=True)
            for i, piece in enumerate(
                chunk(content, max_tokens=self._max_tokens, count=self._count)
            )
        ]
        if chunk_rows:
            connection.execute(insert(chunks), chunk_rows)

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
        with self._versions.writing() as connection:
            found = connection.execute(
                select(profiles.c.id).where(profiles.c.id == profile_id)
            ).scalar_one_or_none()
            if found is None:
                raise ProfileNotFoundError(profile_id)
            hashes = _delete_profile_rows(connection, profile_id)
            purge_orphaned_embeddings(connection, hashes)
            if also is not None:
                also(connection)
            self._versions.bump(connection)
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    # ------------------------------------------------------------------ reads
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
        with self._engine.connect() as connection:
            items: dict[str, list[EvidenceItem]] = {i: [] for i in ids}
            if with_evidence:
                items = _stored_items(connection, ids)
                choices = read_choices(connection, ids)
                items = {i: _curated(found, choices.get(i, {})) for i, found in items.items()}
            rows = connection.execute(select(profiles).where(profiles.c.id.in_(ids))).mappings()
            return {r["id"]: _profile_from_row(r, items[r["id"]]) for r in rows}

    def evidence_items(
        self, item_ids: Sequence[str], profile_ids: Sequence[str]
    ) -> dict[tuple[str, str], EvidenceItem]:
        """Evidence items (summary items included) keyed by (profile id, item id); items KE
        staff hid are left out (:mod:`index.db.curation`)."""
        if not profile_ids:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(evidence)
                .where(evidence.c.profile_id.in_(set(profile_ids)))
                .where(evidence.c.item_id.in_(set(item_ids)))
            ).mappings()
            found = [(r["profile_id"], _item_from_row(r)) for r in rows]
            choices = read_choices(connection, profile_ids)
        return {
            (profile_id, item.id): item
            for profile_id, item in found
            for item in _curated([item], choices.get(profile_id, {}))
        }

    def pinned_items(self, profile_ids: Sequence[str]) -> dict[str, list[EvidenceItem]]:
        """The items of each profile that are pinned (by an importer or a curation choice) and
        not hidden, in the profile's order; profiles without one are left out."""
        ids = list(dict.fromkeys(profile_ids))
        if not ids:
            return {}
        with self._engine.connect() as connection:
            choices = read_choices(connection, ids)
            curated = [i for i in ids if i in choices]
            query = select(evidence).where(evidence.c.profile_id.in_(ids))
            query = query.where(
                evidence.c.pinned.is_(True) | evidence.c.profile_id.in_(curated)
                if curated
                else evidence.c.pinned.is_(True)
            )
            rows = connection.execute(
                query.order_by(evidence.c.profile_id, evidence.c.position)
            ).mappings()
            found: dict[str, list[EvidenceItem]] = {}
            for r in rows:
                for item in _curated([_item_from_row(r)], choices.get(r["profile_id"], {})):
                    if item.pinned:
                        found.setdefault(r["profile_id"], []).append(item)
        return found

    def profile_ids(self) -> list[str]:
        """Every profile id, sorted."""
        with self._engine.connect() as connection:
            return list(connection.execute(select(profiles.c.id).order_by(profiles.c.id)).scalars())

    def iter_profiles(self, batch: int = 200) -> Iterator[Profile]:
        """Every profile, in id order (read ``batch`` profiles at a time)."""
        ids = self.profile_ids()
        for start in range(0, len(ids), batch):
            found = self.get_profiles(ids[start : start + batch])
            for profile_id in ids[start : start + batch]:
                yield found[profile_id]


def _stored_items(connection: Connection, ids: Sequence[str]) -> dict[str, list[EvidenceItem]]:
    """The evidence items stored for each of ``ids`` (the summary item excluded), in order,
    before curation."""
    items: dict[str, list[EvidenceItem]] = {i: [] for i in ids}
    for r in connection.execute(
        select(evidence)
        .where(evidence.c.profile_id.in_(ids))
        .where(evidence.c.type != EvidenceType.SUMMARY.value)
        .order_by(evidence.c.profile_id, evidence.c.position)
    ).mappings():
        items[r["profile_id"]].append(_item_from_row(r))
    return items


def _curated(items: Iterable[EvidenceItem], choices: Choices) -> list[EvidenceItem]:
    """``items`` as KE staff chose: hidden ones left out, pinned ones marked."""
    if not choices:
        return list(items)
    kept: list[EvidenceItem] = []
    for item in items:
        state = state_of(choices, item.id, item.doi)
        if state == "hidden":
            continue
        kept.append(replace(item, pinned=True) if state == "pinned" else item)
    return kept


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


def profile_hash(profile: Profile) -> str:
    """The content hash an upsert compares (``updated_at`` left out). Evidence fields at their
    defaults (no DOI, provenance or pin) are left out too, so that profiles written before
    those fields existed keep their hash."""
    record = _as_record(profile)
    record.pop("updated_at")
    for item in record["evidence"]:
        for key, default in _EVIDENCE_DEFAULTS.items():
            if item.get(key) == default:
                item.pop(key)
    return hash_record(record)


_EVIDENCE_DEFAULTS: dict[str, object] = {"doi": "", "provenance": (), "pinned": False}


_PLAIN = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _as_record(value: Any) -> Any:
    """What :func:`dataclasses.asdict` gives for a profile (dataclasses as dicts, tuples and
    lists element by element), without its deep copies: the importers hash thousands of
    profiles of dozens of items each, and the hash must stay what it was."""
    cls = value.__class__
    if cls in _PLAIN:
        return value
    names = _FIELD_NAMES.get(cls)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _as_record(getattr(value, name)) for name in names}
    if cls is tuple or cls is list:
        if all(v.__class__ is str for v in value):
            return value  # keywords, co-authors: nothing inside to convert
        return cls(_as_record(v) for v in value)
    if isinstance(value, dict):
        return {_as_record(k): _as_record(v) for k, v in value.items()}
    return value


def _profile_values(profile: Profile, digest: str) -> dict[str, Any]:
    return {
        "id": profile.id,
        "kind": profile.kind.value,
        "name": profile.name,
        "organisation_id": profile.organisation_id,
        "unit": profile.unit,
        "region": profile.region,
        "summary": profile.summary,
        "keywords": list(profile.keywords),
        "capacity": profile.capacity,
        "contact": profile.contact,
        "consent": profile.consent,
        "coauthors": list(profile.coauthors),
        "content_hash": digest,
        "updated_at": profile.updated_at or timestamp(),
    }


def _evidence_values(profile_id: str, position: int, item: EvidenceItem) -> dict[str, Any]:
    return {
        "profile_id": profile_id,
        "item_id": item.id,
        "position": position,
        "type": item.type.value,
        "title": item.title,
        "text": item.text,
        "year": item.year,
        "specialty": item.specialty,
        "sector": item.sector,
        "funder": item.funder,
        "readiness_level": item.readiness_level,
        "doi": item.doi,
        "provenance": [_as_record(p) for p in item.provenance] if item.provenance else None,
        "pinned": item.pinned,
    }


def _profile_from_row(r: Any, items: list[EvidenceItem]) -> Profile:
    return Profile(
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
        evidence=tuple(items),
        updated_at=r["updated_at"],
    )


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
        doi=r["doi"] or "",
        provenance=tuple(Provenance(**p) for p in r["provenance"] or ()),
        pinned=bool(r["pinned"]),
    )


def _organisation_regions(connection: Connection, batch: Sequence[Profile]) -> dict[str, str]:
    """The regions of the organisations of ``batch``'s profiles that have none of their own
    (one query for the batch)."""
    wanted = sorted({p.organisation_id for p in batch if not p.region})
    if not wanted:
        return {}
    rows = connection.execute(
        select(organisations.c.id, organisations.c.region).where(organisations.c.id.in_(wanted))
    )
    return {r.id: r.region for r in rows if r.region}


def _with_organisation_region(profile: Profile, regions: dict[str, str]) -> Profile:
    """``profile`` with its organisation's region when it has none of its own."""
    if profile.region:
        return profile
    region = regions.get(profile.organisation_id)
    return replace(profile, region=region) if region else profile
