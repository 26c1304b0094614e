"""What the importers of research sources remember in the catalogue: each source's people,
works and authorships as last read, the aliases that map source identities to our profiles, the
review queue of name-only matches, the suppression list of erased people and KE staff's curation
of evidence items.

Profiles are derived from these rows (:mod:`index.ingest.importer` assembles them), so a merge,
a split or a re-import rebuilds a profile from what its sources said, never from a previous
profile.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select, update

from index.db.clock import timestamp
from index.db.curation import CurationState
from index.db.schema import (
    curation,
    identity_reviews,
    person_aliases,
    source_authorships,
    source_people,
    source_works,
    suppressions,
)
from index.db.versioning import CatalogueVersion

WorkStatus = Literal["added", "changed", "unchanged"]
ReviewStatus = Literal["pending", "merged", "distinct"]

_BATCH = 500  # rows per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True, slots=True)
class StagedPerson:
    """A person as one source described them, attached to a profile.

    Attributes:
        link: ``id`` (a shared identifier, or the person's own new profile) or ``name`` (a
            name + organisation match); a split undoes ``name`` links only.
    """

    source: str
    source_id: str
    profile_id: str
    link: str
    name: str
    name_key: str
    orcid: str = ""
    organisation_id: str = ""
    organisation_name: str = ""
    unit: str = ""
    keywords: tuple[str, ...] = ()
    biography: str = ""
    url: str = ""
    retrieved_at: str = ""
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class StagedWork:
    """A work as one source described it (its content hash decides whether it changed)."""

    source: str
    source_id: str
    type: str
    title: str
    abstract: str = ""
    year: int | None = None
    doi: str = ""
    funder: str = ""
    url: str = ""
    retrieved_at: str = ""
    content_hash: str = ""
    #: the source's SDG scores of the work: (goal id, score) pairs (OpenAlex)
    sdgs: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class StagedAuthorship:
    """One person on a staged work; ``ours`` when the person becomes a profile."""

    source: str
    work_id: str
    person: str
    orcid: str
    role: str
    ours: bool


@dataclass(frozen=True, slots=True)
class Review:
    """A name-only match waiting for (or given) a decision by KE staff."""

    id: int
    profile_a: str
    profile_b: str
    confidence: float
    reason: str
    status: ReviewStatus
    created_at: str
    decided_at: str | None = None
    decided_by: str | None = None


def _safe(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._:@~\-/]", "-", value).strip("-")[:200] or "x"


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


def _person_from_row(r: Any) -> StagedPerson:
    return StagedPerson(
        source=r["source"],
        source_id=r["source_id"],
        profile_id=r["profile_id"],
        link=r["link"],
        name=r["name"],
        name_key=r["name_key"],
        orcid=r["orcid"],
        organisation_id=r["organisation_id"],
        organisation_name=r["organisation_name"],
        unit=r["unit"],
        keywords=tuple(r["keywords"]),
        biography=r["biography"],
        url=r["url"],
        retrieved_at=r["retrieved_at"],
        content_hash=r["content_hash"],
    )


def _work_from_row(r: Any) -> StagedWork:
    return StagedWork(
        source=r["source"],
        source_id=r["source_id"],
        type=r["type"],
        title=r["title"],
        abstract=r["abstract"],
        year=r["year"],
        doi=r["doi"],
        funder=r["funder"],
        url=r["url"],
        retrieved_at=r["retrieved_at"],
        content_hash=r["content_hash"],
        sdgs=tuple((str(g), float(v)) for g, v in (r.get("sdgs") or ())),
    )


class SourceStore:
    """The importers' tables (:mod:`index.db.schema`, revision 0003).

    Args:
        engine: an engine on a catalogue database at the newest migration.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------------ aliases and people
    def aliases(self) -> dict[tuple[str, str], str]:
        """Every (scheme, value) → profile id (the identity map; one row per identifier)."""
        with self._engine.connect() as connection:
            return {
                (r.scheme, r.value): r.profile_id
                for r in connection.execute(select(person_aliases))
            }

    def aliases_of(self, profile_id: str) -> list[tuple[str, str]]:
        """The (scheme, value) identifiers of one profile."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(person_aliases.c.scheme, person_aliases.c.value).where(
                    person_aliases.c.profile_id == profile_id
                )
            )
            return sorted((r.scheme, r.value) for r in rows)

    def write_people(
        self, people: Sequence[StagedPerson], aliases: Mapping[tuple[str, str], str]
    ) -> None:
        """Insert or replace staged people and set aliases, in one transaction."""
        with self._engine.begin() as connection:
            self._write_people(connection, people, aliases)

    @staticmethod
    def _write_people(
        connection: Connection,
        people: Sequence[StagedPerson],
        aliases: Mapping[tuple[str, str], str],
    ) -> None:
        # one DELETE ... IN (...) per source and chunk (an OR of pairs compiles slowly)
        by_source: dict[str, list[str]] = {}
        for p in people:
            by_source.setdefault(p.source, []).append(p.source_id)
        for source, ids in by_source.items():
            for id_part in _chunks(ids):
                connection.execute(
                    delete(source_people).where(
                        source_people.c.source == source, source_people.c.source_id.in_(id_part)
                    )
                )
        for part in _chunks(list(people)):
            connection.execute(
                insert(source_people),
                [
                    {
                        "source": p.source,
                        "source_id": p.source_id,
                        "profile_id": p.profile_id,
                        "link": p.link,
                        "name": p.name,
                        "name_key": p.name_key,
                        "orcid": p.orcid,
                        "organisation_id": p.organisation_id,
                        "organisation_name": p.organisation_name,
                        "unit": p.unit,
                        "keywords": list(p.keywords),
                        "biography": p.biography,
                        "url": p.url,
                        "retrieved_at": p.retrieved_at,
                        "content_hash": p.content_hash,
                    }
                    for p in part
                ],
            )
        items = list(aliases.items())
        by_scheme: dict[str, list[str]] = {}
        for (scheme, value), _ in items:
            by_scheme.setdefault(scheme, []).append(value)
        for scheme, values in by_scheme.items():
            for value_part in _chunks(values):
                connection.execute(
                    delete(person_aliases).where(
                        person_aliases.c.scheme == scheme, person_aliases.c.value.in_(value_part)
                    )
                )
        for part in _chunks(items):
            connection.execute(
                insert(person_aliases),
                [{"scheme": s, "value": v, "profile_id": p} for (s, v), p in part],
            )

    def people(self, *, source: str | None = None) -> dict[tuple[str, str], StagedPerson]:
        """Staged people by (source, source id), of one source or all."""
        query = select(source_people)
        if source is not None:
            query = query.where(source_people.c.source == source)
        with self._engine.connect() as connection:
            return {
                (r["source"], r["source_id"]): _person_from_row(r)
                for r in connection.execute(query).mappings()
            }

    def people_of(self, profile_ids: Iterable[str]) -> dict[str, list[StagedPerson]]:
        """The staged people attached to each of ``profile_ids``."""
        ids = list(dict.fromkeys(profile_ids))
        found: dict[str, list[StagedPerson]] = {i: [] for i in ids}
        with self._engine.connect() as connection:
            for part in _chunks(ids):
                for r in connection.execute(
                    select(source_people).where(source_people.c.profile_id.in_(part))
                ).mappings():
                    found[r["profile_id"]].append(_person_from_row(r))
        return found

    def people_named(self, name_key: str) -> list[StagedPerson]:
        """Staged people whose normalised family name is ``name_key``."""
        with self._engine.connect() as connection:
            return [
                _person_from_row(r)
                for r in connection.execute(
                    select(source_people).where(source_people.c.name_key == name_key)
                ).mappings()
            ]

    def move_people(self, from_profile: str, to_profile: str) -> None:
        """Attach every staged person and alias of ``from_profile`` to ``to_profile`` (a
        merge)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(source_people)
                .where(source_people.c.profile_id == from_profile)
                .values(profile_id=to_profile, link="id")
            )
            connection.execute(
                update(person_aliases)
                .where(person_aliases.c.profile_id == from_profile)
                .values(profile_id=to_profile)
            )

    def split_name_links(self, profile_id: str) -> list[str]:
        """Give each source person attached to ``profile_id`` by a name match a profile of its
        own (``<source>-<source id>``), with its alias; returns the new profile ids."""
        moved: list[str] = []
        with self._engine.begin() as connection:
            rows = connection.execute(
                select(source_people.c.source, source_people.c.source_id).where(
                    source_people.c.profile_id == profile_id, source_people.c.link == "name"
                )
            ).all()
            for source, source_id in rows:
                new_id = _safe(f"{source}-{source_id}")
                connection.execute(
                    update(source_people)
                    .where(source_people.c.source == source, source_people.c.source_id == source_id)
                    .values(profile_id=new_id, link="id")
                )
                connection.execute(
                    update(person_aliases)
                    .where(person_aliases.c.scheme == source, person_aliases.c.value == source_id)
                    .values(profile_id=new_id)
                )
                moved.append(new_id)
        return moved

    def forget_profile(self, connection: Connection, profile_id: str) -> None:
        """Remove a profile's staged people, aliases, curation and their authorships of works
        (erasure; run inside the deletion's transaction)."""
        people = connection.execute(
            select(source_people.c.source, source_people.c.source_id).where(
                source_people.c.profile_id == profile_id
            )
        ).all()
        for source, source_id in people:
            connection.execute(
                delete(source_authorships).where(
                    source_authorships.c.source == source, source_authorships.c.person == source_id
                )
            )
        connection.execute(delete(source_people).where(source_people.c.profile_id == profile_id))
        connection.execute(delete(person_aliases).where(person_aliases.c.profile_id == profile_id))
        connection.execute(delete(curation).where(curation.c.profile_id == profile_id))
        connection.execute(
            delete(identity_reviews).where(
                or_(
                    identity_reviews.c.profile_a == profile_id,
                    identity_reviews.c.profile_b == profile_id,
                )
            )
        )
        # works no longer anybody's in the pool leave with the person (their texts are theirs)
        connection.execute(
            delete(source_works).where(
                ~select(source_authorships.c.work_id)
                .where(
                    source_authorships.c.source == source_works.c.source,
                    source_authorships.c.work_id == source_works.c.source_id,
                    source_authorships.c.ours.is_(True),
                )
                .exists()
            )
        )

    # ------------------------------------------------------------------ works
    def write_works(
        self,
        works: Sequence[StagedWork],
        authorships: Sequence[StagedAuthorship],
        *,
        run: int,
    ) -> dict[tuple[str, str], WorkStatus]:
        """Stage works and their authorships: a work whose content hash is unchanged keeps its
        row (and its ``retrieved_at``: the retrieval of this version) and only records that
        ``run`` saw it; others are inserted or replaced with their authorships.

        Returns:
            (source, source id) → ``added``, ``changed`` or ``unchanged``.
        """
        statuses: dict[tuple[str, str], WorkStatus] = {}
        with self._engine.begin() as connection:
            for part in _chunks(list(works)):
                keys = [(w.source, w.source_id) for w in part]
                known = {
                    (r.source, r.source_id): r.content_hash
                    for r in connection.execute(
                        select(
                            source_works.c.source, source_works.c.source_id, source_works.c.content_hash
                        ).where(
                            source_works.c.source == part[0].source,
                            source_works.c.source_id.in_([k[1] for k in keys]),
                        )
                    )
                }  # fmt: skip
                for w in part:
                    before = known.get((w.source, w.source_id))
                    statuses[(w.source, w.source_id)] = (
                        "added"
                        if before is None
                        else ("unchanged" if before == w.content_hash else "changed")
                    )
                self._replace_works(connection, part, statuses, run)
            changed = {k for k, s in statuses.items() if s != "unchanged"}
            rows = [a for a in authorships if (a.source, a.work_id) in changed]
            for part in _chunks(sorted(changed)):
                connection.execute(
                    delete(source_authorships).where(
                        source_authorships.c.source == part[0][0],
                        source_authorships.c.work_id.in_([k[1] for k in part]),
                    )
                )
            if rows:
                connection.execute(
                    insert(source_authorships),
                    [
                        {
                            "source": a.source,
                            "work_id": a.work_id,
                            "person": a.person,
                            "orcid": a.orcid,
                            "role": a.role,
                            "ours": a.ours,
                        }
                        for a in rows
                    ],
                )
        return statuses

    @staticmethod
    def _replace_works(
        connection: Connection,
        part: Sequence[StagedWork],
        statuses: Mapping[tuple[str, str], WorkStatus],
        run: int,
    ) -> None:
        seen = [w.source_id for w in part if statuses[(w.source, w.source_id)] == "unchanged"]
        if seen:
            connection.execute(
                update(source_works)
                .where(source_works.c.source == part[0].source, source_works.c.source_id.in_(seen))
                .values(run=run)
            )
        changed = [w for w in part if statuses[(w.source, w.source_id)] == "changed"]
        if changed:
            connection.execute(
                delete(source_works).where(
                    source_works.c.source == part[0].source,
                    source_works.c.source_id.in_([w.source_id for w in changed]),
                )
            )
        fresh = [w for w in part if statuses[(w.source, w.source_id)] != "unchanged"]
        if fresh:
            connection.execute(
                insert(source_works),
                [
                    {
                        "source": w.source,
                        "source_id": w.source_id,
                        "type": w.type,
                        "title": w.title,
                        "abstract": w.abstract,
                        "year": w.year,
                        "doi": w.doi,
                        "funder": w.funder,
                        "url": w.url,
                        "retrieved_at": w.retrieved_at,
                        "content_hash": w.content_hash,
                        "run": run,
                        "sdgs": [list(pair) for pair in w.sdgs] if w.sdgs else None,
                    }
                    for w in fresh
                ],
            )

    def authorships_not_ours(self, source: str, run: int) -> Iterator[tuple[str, str, str]]:
        """(work id, person, orcid) of every authorship of ``source`` that is not *ours*, on the works
        ``run`` saw (streamed: a snapshot has millions)."""
        joined = source_authorships.join(
            source_works,
            and_(
                source_works.c.source == source_authorships.c.source,
                source_works.c.source_id == source_authorships.c.work_id,
            ),
        )
        query = (
            select(
                source_authorships.c.work_id,
                source_authorships.c.person,
                source_authorships.c.orcid,
            )
            .select_from(joined)
            .where(
                source_authorships.c.source == source,
                source_works.c.run == run,
                source_authorships.c.ours.is_(False),
                source_authorships.c.person != "",
            )
        )
        with self._engine.connect() as connection:
            result = connection.execution_options(yield_per=5_000).execute(query)
            yield from ((row[0], row[1], row[2]) for row in result)

    def adopt(
        self,
        source: str,
        pairs: Sequence[tuple[str, str]],
        rehash: Callable[[StagedWork, list[StagedAuthorship]], str],
    ) -> set[tuple[str, str]]:
        """Make the (work id, person) authorships of ``source`` *ours* and give their works the
        content hash ``rehash`` computes from the work and its authorships, in one transaction.

        Returns:
            the (source, person) of everyone on those works.
        """
        by_work: dict[str, set[str]] = {}
        for work_id, person in pairs:
            by_work.setdefault(work_id, set()).add(person)
        people: set[tuple[str, str]] = set()
        with self._engine.begin() as connection:
            for part in _chunks(sorted(by_work)):
                for work_id in part:
                    connection.execute(
                        update(source_authorships)
                        .where(
                            source_authorships.c.source == source,
                            source_authorships.c.work_id == work_id,
                            source_authorships.c.person.in_(sorted(by_work[work_id])),
                        )
                        .values(ours=True)
                    )
                works = {
                    r["source_id"]: _work_from_row(r)
                    for r in connection.execute(
                        select(source_works).where(
                            source_works.c.source == source, source_works.c.source_id.in_(part)
                        )
                    ).mappings()
                }
                on_works: dict[str, list[StagedAuthorship]] = {}
                for r in connection.execute(
                    select(source_authorships).where(
                        source_authorships.c.source == source,
                        source_authorships.c.work_id.in_(part),
                    )
                ):
                    on_works.setdefault(r.work_id, []).append(
                        StagedAuthorship(r.source, r.work_id, r.person, r.orcid, r.role, r.ours)
                    )
                    people.add((source, r.person))
                for work_id, work in works.items():
                    connection.execute(
                        update(source_works)
                        .where(source_works.c.source == source, source_works.c.source_id == work_id)
                        .values(content_hash=rehash(work, on_works.get(work_id, [])))
                    )
        return people

    def last_run(self) -> int:
        """The highest run number any staged work records (0 when none)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(source_works.c.run).order_by(source_works.c.run.desc()).limit(1)
            )
            value = rows.scalar_one_or_none()
        return int(value or 0)

    def withdraw(
        self, source: str, run: int, *, prefixes: Sequence[str] | None = None
    ) -> tuple[int, set[tuple[str, str]]]:
        """Delete the works of ``source`` that ``run`` did not see (a full snapshot's leavers)
        with their authorships.

        Args:
            source: the source.
            run: the run that saw the works to keep.
            prefixes: only works whose id starts with one of these (an ORCID record's works,
                ``{iD}/``); all of the source's when ``None``.

        Returns:
            how many works were withdrawn, and the (source, person) of everyone on them.
        """
        query = select(source_works.c.source_id).where(
            source_works.c.source == source, source_works.c.run != run
        )
        if prefixes is not None:
            if not prefixes:
                return 0, set()
            query = query.where(or_(*(source_works.c.source_id.startswith(p) for p in prefixes)))
        with self._engine.begin() as connection:
            gone = list(connection.execute(query).scalars())
            people: set[tuple[str, str]] = set()
            for part in _chunks(gone):
                people |= {
                    (source, person)
                    for person in connection.execute(
                        select(source_authorships.c.person).where(
                            source_authorships.c.source == source,
                            source_authorships.c.work_id.in_(part),
                        )
                    ).scalars()
                }
                connection.execute(
                    delete(source_authorships).where(
                        source_authorships.c.source == source,
                        source_authorships.c.work_id.in_(part),
                    )
                )
                connection.execute(
                    delete(source_works).where(
                        source_works.c.source == source, source_works.c.source_id.in_(part)
                    )
                )
        return len(gone), people

    def people_on(self, works: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (source, person) of everyone on the given (source, work id)s."""
        by_source: dict[str, list[str]] = {}
        for source, work_id in works:
            by_source.setdefault(source, []).append(work_id)
        found: set[tuple[str, str]] = set()
        with self._engine.connect() as connection:
            for source, ids in by_source.items():
                for part in _chunks(ids):
                    found |= {
                        (source, person)
                        for person in connection.execute(
                            select(source_authorships.c.person).where(
                                source_authorships.c.source == source,
                                source_authorships.c.work_id.in_(part),
                            )
                        ).scalars()
                    }
        return found

    def works_of(
        self, people: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[tuple[StagedWork, str]]]:
        """The staged works each (source, person) is *ours* on, with the person's role."""
        by_source: dict[str, list[str]] = {}
        for source, person in people:
            by_source.setdefault(source, []).append(person)
        found: dict[tuple[str, str], list[tuple[StagedWork, str]]] = {}
        joined = source_works.join(
            source_authorships,
            and_(
                source_authorships.c.source == source_works.c.source,
                source_authorships.c.work_id == source_works.c.source_id,
            ),
        )
        with self._engine.connect() as connection:
            for source, ids in by_source.items():
                for part in _chunks(ids):
                    query = (
                        select(source_works, source_authorships.c.person, source_authorships.c.role)
                        .select_from(joined)
                        .where(
                            source_authorships.c.source == source,
                            source_authorships.c.person.in_(part),
                            source_authorships.c.ours.is_(True),
                        )
                    )
                    for r in connection.execute(query).mappings():
                        found.setdefault((source, r["person"]), []).append(
                            (_work_from_row(r), r["role"])
                        )
        return found

    def coauthors_of(
        self, works: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        """Everyone on each (source, work id): (person, orcid, role)."""
        by_source: dict[str, list[str]] = {}
        for source, work_id in works:
            by_source.setdefault(source, []).append(work_id)
        found: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        with self._engine.connect() as connection:
            for source, ids in by_source.items():
                for part in _chunks(sorted(set(ids))):
                    query = select(
                        source_authorships.c.work_id,
                        source_authorships.c.person,
                        source_authorships.c.orcid,
                        source_authorships.c.role,
                    ).where(
                        source_authorships.c.source == source,
                        source_authorships.c.work_id.in_(part),
                    )
                    for work_id, person, orcid, role in connection.execute(query):
                        found.setdefault((source, work_id), []).append((person, orcid, role))
        return found

    # ------------------------------------------------------------------ reviews
    def add_review(self, profile_a: str, profile_b: str, confidence: float, reason: str) -> bool:
        """Queue a name-only match for review (a pair is queued once, whatever its fate).

        Returns:
            whether the pair was new.
        """
        a, b = sorted((profile_a, profile_b))
        with self._engine.begin() as connection:
            exists = connection.execute(
                select(identity_reviews.c.id).where(
                    identity_reviews.c.profile_a == a, identity_reviews.c.profile_b == b
                )
            ).scalar_one_or_none()
            if exists is not None:
                return False
            connection.execute(
                insert(identity_reviews).values(
                    profile_a=a,
                    profile_b=b,
                    confidence=confidence,
                    reason=reason,
                    status="pending",
                    created_at=timestamp(),
                )
            )
        return True

    def reviews(self, *, status: ReviewStatus | None = "pending") -> list[Review]:
        """Reviews of one status (all when ``None``), most confident first."""
        query = select(identity_reviews).order_by(
            identity_reviews.c.confidence.desc(), identity_reviews.c.id
        )
        if status is not None:
            query = query.where(identity_reviews.c.status == status)
        with self._engine.connect() as connection:
            return [Review(**dict(r)) for r in connection.execute(query).mappings()]

    def decided_apart(self) -> set[tuple[str, str]]:
        """Pairs (sorted) that KE staff kept apart, or that are queued for review: never merged
        by name."""
        with self._engine.connect() as connection:
            return {
                (r.profile_a, r.profile_b)
                for r in connection.execute(
                    select(identity_reviews.c.profile_a, identity_reviews.c.profile_b).where(
                        identity_reviews.c.status != "merged"
                    )
                )
            }

    def decide(self, profile_a: str, profile_b: str, status: ReviewStatus, *, by: str) -> None:
        """Record KE staff's decision on a pair (queued or not)."""
        a, b = sorted((profile_a, profile_b))
        now = timestamp()
        with self._engine.begin() as connection:
            found = connection.execute(
                update(identity_reviews)
                .where(identity_reviews.c.profile_a == a, identity_reviews.c.profile_b == b)
                .values(status=status, decided_at=now, decided_by=by)
            )
            if found.rowcount == 0:
                connection.execute(
                    insert(identity_reviews).values(
                        profile_a=a,
                        profile_b=b,
                        confidence=0.0,
                        reason="decided by KE staff",
                        status=status,
                        created_at=now,
                        decided_at=now,
                        decided_by=by,
                    )
                )

    # ------------------------------------------------------------------ suppression
    def suppressed(self) -> set[str]:
        """Every suppressed identifier hash."""
        with self._engine.connect() as connection:
            return set(connection.execute(select(suppressions.c.identifier_hash)).scalars())

    @staticmethod
    def suppress(connection: Connection, hashes: Iterable[str]) -> None:
        """Add identifier hashes to the suppression list (inside an erasure's transaction)."""
        wanted = set(hashes)
        if not wanted:
            return
        known = set(
            connection.execute(
                select(suppressions.c.identifier_hash).where(
                    suppressions.c.identifier_hash.in_(wanted)
                )
            ).scalars()
        )
        rows = [{"identifier_hash": h, "created_at": timestamp()} for h in sorted(wanted - known)]
        if rows:
            connection.execute(insert(suppressions), rows)

    # ------------------------------------------------------------------ curation
    def set_curation(
        self, profile_id: str, item_key: str, state: CurationState | None, *, by: str = ""
    ) -> None:
        """Hide or pin one evidence item of a profile (``None`` clears the choice).

        The catalogue version is bumped: the catalogue applies the choice as it reads
        (:mod:`index.db.curation`), so what is searched changes and the index must follow.
        """
        versions = CatalogueVersion(self._engine)
        with versions.writing() as connection:
            versions.bump(connection)
            connection.execute(
                delete(curation).where(
                    curation.c.profile_id == profile_id, curation.c.item_key == item_key
                )
            )
            if state is not None:
                connection.execute(
                    insert(curation).values(
                        profile_id=profile_id, item_key=item_key, state=state, at=timestamp(), by=by
                    )
                )

    def curation_of(self, profile_ids: Iterable[str]) -> dict[str, dict[str, CurationState]]:
        """Per profile, item key → ``hidden`` or ``pinned``."""
        ids = list(dict.fromkeys(profile_ids))
        found: dict[str, dict[str, CurationState]] = {}
        with self._engine.connect() as connection:
            for part in _chunks(ids):
                for r in connection.execute(
                    select(curation).where(curation.c.profile_id.in_(part))
                ):
                    found.setdefault(r.profile_id, {})[r.item_key] = r.state
        return found
