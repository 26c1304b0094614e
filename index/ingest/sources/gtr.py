"""UKRI Gateway to Research (GtR-2 API, JSON: ``Accept: application/vnd.rcuk.gtr.json-v7``)
pages of projects, persons and organisations, or single records of them.

A project becomes a grant :class:`SourceWork` whose authorships are its principal investigator
(``PI_PER``), co-investigators (``COI_PER``, ``RESEARCH_COI_PER``) and fellows
(``FELLOW_PER``), from the project's ``links.link[]``; the lead organisation (``LEAD_ORG``)
is the principal investigator's institution. Persons and organisations pages give the names.
See docs/sources.md for the field mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from index.ingest.sources.model import (
    AuthorRole,
    Authorship,
    ReadError,
    Source,
    SourceOrganisation,
    SourcePerson,
    SourceRecord,
    SourceWork,
    guess_organisation_type,
    normalise_orcid,
)
from index.ingest.sources.reading import (
    FieldError,
    JSONObject,
    arr,
    dig,
    guarded,
    iso_from_millis,
    obj,
    read_file,
    required_text,
    text,
    year_of,
)
from matcher.model import EvidenceType

PERSON_ROLES: dict[str, AuthorRole] = {
    "PI_PER": AuthorRole.PRINCIPAL_INVESTIGATOR,
    "COI_PER": AuthorRole.CO_INVESTIGATOR,
    "RESEARCH_COI_PER": AuthorRole.CO_INVESTIGATOR,
    "FELLOW_PER": AuthorRole.FELLOW,
}
"""GtR link relations that name a project's investigators; other people on a project (project
manager, students, supervisors) are not evidence of its subject expertise."""

PROJECT_PAGE_URL = "https://gtr.ukri.org/projects?ref="
PERSON_PAGE_URL = "https://gtr.ukri.org/person/"


def _links(record: JSONObject) -> list[tuple[str, str]]:
    """(rel, id) of each link; the id is the last segment of its href."""
    links = []
    for item in arr(dig(record, "links", "link")):
        link = obj(item)
        href = text(link.get("href")).rstrip("/")
        rel = text(link.get("rel"))
        if href and rel:
            links.append((rel, href.rsplit("/", 1)[-1]))
    return links


def _year(value: object) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return year_of(iso_from_millis(value))  # GtR dates are epoch milliseconds
    return year_of(value)


def _lead_organisation(record: JSONObject, lead_id: str) -> SourceOrganisation | None:
    participants = [obj(p) for p in arr(dig(record, "participantValues", "participant"))]
    for participant in participants:
        same = text(participant.get("organisationId")) == lead_id
        lead = text(participant.get("role")) == "LEAD_PARTICIPANT"
        name = text(participant.get("organisationName"))
        if name and (same or (lead and not text(participant.get("organisationId")))):
            return SourceOrganisation(
                source=Source.GTR, source_id=lead_id, name=name, type=guess_organisation_type(name)
            )
    return None


def _project(record: JSONObject, retrieved_at: str) -> list[SourceRecord | ReadError]:
    source_id = required_text(record, "id")
    title = required_text(record, "title")
    links = _links(record)
    lead = next((i for rel, i in links if rel == "LEAD_ORG"), "")
    unit = text(record.get("leadOrganisationDepartment"))
    authors: list[Authorship] = []
    for rel, person in links:
        role = PERSON_ROLES.get(rel)
        if role is None:
            continue
        principal = role is AuthorRole.PRINCIPAL_INVESTIGATOR
        authors.append(
            Authorship(
                person=person,
                position=len(authors),
                role=role,
                institutions=(lead,) if principal and lead else (),
                unit=unit if principal else "",
            )
        )
    references = [
        text(obj(i).get("value"))
        for i in arr(dig(record, "identifiers", "identifier"))
        if text(obj(i).get("type")) == "RCUK"
    ]
    organisation = _lead_organisation(record, lead) if lead else None
    return [
        SourceWork(
            source=Source.GTR,
            source_id=source_id,
            title=title,
            type=EvidenceType.GRANT,
            abstract=text(record.get("abstractText")),
            year=_year(record.get("start")),
            funder=text(record.get("leadFunder")),
            url=PROJECT_PAGE_URL + references[0]
            if references and references[0]
            else text(record.get("href")),
            retrieved_at=retrieved_at,
            updated=iso_from_millis(record.get("updated"))
            or iso_from_millis(record.get("created")),
            source_type=text(record.get("grantCategory")),
            authors=tuple(authors),
            organisations=(organisation,) if organisation else (),
        )
    ]


def _person(record: JSONObject, retrieved_at: str) -> list[SourceRecord | ReadError]:
    source_id = required_text(record, "id")
    first = text(record.get("firstName"))
    others = text(record.get("otherNames"))
    surname = text(record.get("surname"))
    if not surname and not first:
        raise FieldError("surname", "missing")
    name = " ".join(p for p in (first, surname) if p)
    full = " ".join(p for p in (first, others, surname) if p)
    raw_orcid = text(record.get("orcidId")) or text(record.get("orcid"))
    employer = next((i for rel, i in _links(record) if rel == "EMPLOYED"), "")
    return [
        SourcePerson(
            source=Source.GTR,
            source_id=source_id,
            name=name,
            orcid=normalise_orcid(raw_orcid),
            given_name=first,
            family_name=surname,
            aliases=(full,) if full != name else (),
            organisation=employer,
            url=PERSON_PAGE_URL + source_id,
            retrieved_at=retrieved_at,
        )
    ]


def _organisation(record: JSONObject, retrieved_at: str) -> list[SourceRecord | ReadError]:
    source_id = required_text(record, "id")
    name = required_text(record, "name")
    addresses = [obj(a) for a in arr(dig(record, "addresses", "address"))]
    return [
        SourceOrganisation(
            source=Source.GTR,
            source_id=source_id,
            name=name,
            type=guess_organisation_type(name),
            country=next((text(a.get("country")) for a in addresses if text(a.get("country"))), ""),
        )
    ]


_KINDS = {"project": _project, "person": _person, "organisation": _organisation}


def _kind_of(record: JSONObject) -> str:
    href = text(record.get("href"))
    for kind in _KINDS:
        if f"/{kind}s/" in href:
            return kind
    if "title" in record:
        return "project"
    if "surname" in record or "firstName" in record:
        return "person"
    return "organisation" if "name" in record else ""


def parse_value(
    value: object, file: str, line: int, retrieved_at: str
) -> Iterator[SourceRecord | ReadError]:
    """The records of one decoded GtR value: a page of projects, persons or organisations, or
    one record."""
    if not isinstance(value, dict):
        yield ReadError(file, line, "record", "expected a JSON object")
        return
    pages = [k for k in _KINDS if isinstance(value.get(k), list)]
    if pages:
        for kind in pages:
            for index, item in enumerate(arr(value[kind])):
                yield from _one(file, line, f"{kind}[{index}].", kind, item, retrieved_at)
        return
    kind = _kind_of(value)
    if not kind:
        yield ReadError(file, line, "record", "not a GtR project, person or organisation")
        return
    yield from _one(file, line, "", kind, value, retrieved_at)


def _one(
    file: str, line: int, prefix: str, kind: str, item: object, retrieved_at: str
) -> list[SourceRecord | ReadError]:
    if not isinstance(item, dict):
        return [ReadError(file, line, prefix + "record", "expected a JSON object")]
    return guarded(file, line, prefix, lambda: _KINDS[kind](item, retrieved_at))


def read_gtr(path: Path, *, retrieved_at: str | None = None) -> Iterator[SourceRecord | ReadError]:
    """Stream the grants, people and organisations of a Gateway to Research file.

    Args:
        path: a saved API page (or JSON Lines of pages or records).
        retrieved_at: when the file was downloaded (ISO 8601); the file's mtime by default.

    Raises:
        WrongSourceError: the file holds another source's records.
        IngestError: the file cannot be opened.
    """
    return read_file(path, Source.GTR, parse_value, retrieved_at=retrieved_at)
