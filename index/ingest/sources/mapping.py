"""From source records to our model: organisation ids, staged rows, and one evidence item per
real work (the same DOI, then the same normalised title and year, from several sources is one
item with every source in its provenance).

Pure functions; the importer (:mod:`index.ingest.importer`) reads and writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.db.sources import StagedAuthorship, StagedPerson, StagedWork
from index.ingest.sources.model import Source, SourceOrganisation, SourcePerson, SourceWork
from matcher.identity import name_key, title_key
from matcher.model import EvidenceItem, EvidenceType, Organisation, Provenance
from matcher.text import content_hash

SOURCE_PRIORITY: tuple[str, ...] = (
    Source.ORCID.value,
    Source.PURE.value,
    Source.GTR.value,
    Source.OPENALEX.value,
)
"""Whose word wins for a person's own fields (name, unit, biography): the person's own record
(ORCID), then the institution's (Pure), then GtR, then OpenAlex's automatic attribution."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._:@~\-/]")


def safe_id(value: str) -> str:
    """``value`` with every character our ids refuse replaced by ``-`` (and at most 200
    characters long)."""
    cleaned = _UNSAFE.sub("-", value).strip("-") or "x"
    return cleaned[:200]


def organisation_id(organisation: SourceOrganisation) -> str:
    """Our id of a source's organisation: ``ror-<ROR id>`` when it has one (so that sources
    naming the same ROR agree), else ``<source>-<source id>``."""
    if organisation.ror:
        return f"ror-{organisation.ror}"
    return safe_id(f"{organisation.source.value}-{organisation.source_id}")


def to_organisation(organisation: SourceOrganisation, our_id: str) -> Organisation:
    """The organisation as we store it."""
    return Organisation(id=our_id, name=organisation.name, type=organisation.type)


def new_profile_id(person: SourcePerson) -> str:
    """The id of a profile first made from ``person``: ``orcid-<iD>`` when it has one, else
    ``<source>-<source id>``."""
    if person.orcid:
        return f"orcid-{person.orcid}"
    return safe_id(f"{person.source.value}-{person.source_id}")


def person_hash(person: SourcePerson, organisation_id: str, organisation_name: str) -> str:
    """The content hash of a person record (its retrieval time left out)."""
    return content_hash(
        json.dumps(
            [
                person.name,
                person.orcid,
                organisation_id,
                organisation_name,
                person.unit,
                list(person.keywords),
                person.biography,
                person.url,
            ]
        )
    )


def staged_person(
    person: SourcePerson,
    *,
    profile_id: str,
    link: str,
    organisation_id: str,
    organisation_name: str,
) -> StagedPerson:
    """The row of a person attached to ``profile_id``."""
    return StagedPerson(
        source=person.source.value,
        source_id=person.source_id,
        profile_id=profile_id,
        link=link,
        name=person.name,
        name_key=name_key(person.name),
        orcid=person.orcid,
        organisation_id=organisation_id,
        organisation_name=organisation_name,
        unit=person.unit,
        keywords=person.keywords,
        biography=person.biography,
        url=person.url,
        retrieved_at=person.retrieved_at,
        content_hash=person_hash(person, organisation_id, organisation_name),
    )


def staged_work(
    work: SourceWork, ours: frozenset[str]
) -> tuple[StagedWork, list[StagedAuthorship]]:
    """A work's row and its authorships (``ours``: the person ids that become profiles). Its
    content hash covers what we keep of it, not the source's ``updated`` stamp (OpenAlex bumps
    that for a new citation)."""
    authorships = [
        StagedAuthorship(
            source=work.source.value,
            work_id=work.source_id,
            person=a.person,
            orcid=a.orcid,
            role=a.role.value,
            ours=a.person in ours,
        )
        for a in {a.person: a for a in reversed(work.authors) if a.person}.values()
    ]
    digest = _work_hash(
        work.type.value,
        work.title,
        work.abstract,
        work.year,
        work.doi,
        work.funder,
        work.url,
        authorships,
        tuple((g.id, float(g.score)) for g in work.sdgs),
    )
    row = StagedWork(
        source=work.source.value,
        source_id=work.source_id,
        type=work.type.value,
        title=work.title,
        abstract=work.abstract,
        year=work.year,
        doi=work.doi,
        funder=work.funder,
        url=work.url,
        retrieved_at=work.retrieved_at,
        content_hash=digest,
        sdgs=tuple((g.id, float(g.score)) for g in work.sdgs),
    )
    return row, authorships


def _work_hash(
    type_: str,
    title: str,
    abstract: str,
    year: int | None,
    doi: str,
    funder: str,
    url: str,
    authorships: Sequence[StagedAuthorship],
    sdgs: Sequence[tuple[str, float]] = (),
) -> str:
    return content_hash(
        json.dumps(
            [
                type_,
                title,
                abstract,
                year,
                doi,
                funder,
                url,
                sorted((a.person, a.orcid, a.role, a.ours) for a in authorships),
                # only when there are some: the hashes of works without SDG scores are unchanged
                *([sorted(sdgs)] if sdgs else []),
            ]
        )
    )


def restaged_hash(work: StagedWork, authorships: Sequence[StagedAuthorship]) -> str:
    """The content hash :func:`staged_work` gives a work read again with these authorships
    (after the importer made more of its people *ours*)."""
    return _work_hash(
        work.type,
        work.title,
        work.abstract,
        work.year,
        work.doi,
        work.funder,
        work.url,
        authorships,
        work.sdgs,
    )


# ----------------------------------------------------------------------------- one item per work


@dataclass(frozen=True, slots=True)
class MergedItem:
    """One real work of a profile, built from every source that has it.

    Attributes:
        keys: every key the item answers to (``doi:…`` and ``t:…`` of each member), so that
            curation keyed on any of them still finds it when a later source adds a DOI.
        item: the evidence item (its id is the first of ``keys``).
    """

    keys: frozenset[str]
    item: EvidenceItem


def _title_key(work: StagedWork) -> str:
    return "t:" + title_key(work.title, work.year)


def _group(works: Sequence[StagedWork], titles: dict[int, str]) -> list[list[StagedWork]]:
    """Works grouped as one real work each: by DOI, then by normalised title + year
    (``titles``: each work's title key, by ``id()``)."""
    groups: list[list[StagedWork]] = []
    by_doi: dict[str, int] = {}
    by_title: dict[str, int] = {}
    for work in sorted(works, key=lambda w: (not w.doi, w.source, w.source_id)):
        title = titles[id(work)]
        if work.doi and work.doi in by_doi:
            index = by_doi[work.doi]
        elif not work.doi and title in by_title:
            index = by_title[title]
        else:
            index = len(groups)
            groups.append([])
        groups[index].append(work)
        if work.doi:
            by_doi.setdefault(work.doi, index)
        by_title.setdefault(title, index)
    return groups


def _priority(work: StagedWork) -> tuple[int, int, str, str]:
    # the longest abstract describes the work best; then the source we trust most for texts
    rank = SOURCE_PRIORITY.index(work.source) if work.source in SOURCE_PRIORITY else 9
    return (-len(work.abstract), -rank, work.source, work.source_id)


def merge_works(works: Sequence[StagedWork]) -> list[MergedItem]:
    """One evidence item per real work, in a stable order (newest first, then by id).

    The text comes from the member with the longest abstract (a source without abstracts,
    like ORCID summaries, only adds provenance); the year, DOI and funder from the first
    member that has one.
    """
    items: list[MergedItem] = []
    titles = {id(w): _title_key(w) for w in works}  # hashed once per work, not per use
    for group in _group(works, titles):
        best = min(group, key=_priority)
        doi = next((w.doi for w in group if w.doi), "")
        keys = [f"doi:{doi}"] if doi else []
        keys += [k for k in dict.fromkeys(titles[id(w)] for w in group) if k not in keys]
        provenance = tuple(
            sorted(
                {Provenance(w.source, w.source_id, w.url, w.retrieved_at) for w in group},
                key=lambda p: (p.source, p.source_id),
            )
        )
        item = EvidenceItem(
            id=keys[0],
            type=EvidenceType(best.type),
            title=best.title,
            text=best.abstract,
            year=best.year if best.year is not None else next((w.year for w in group if w.year), None),
            funder=best.funder or next((w.funder for w in group if w.funder), ""),
            doi=doi,
            provenance=provenance,
        )  # fmt: skip
        items.append(MergedItem(frozenset(keys), item))
    items.sort(key=lambda m: (-(m.item.year or 0), m.item.id))
    return items
