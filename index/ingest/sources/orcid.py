"""ORCID public records, API v3.0 JSON (``GET /v3.0/{iD}/record``), saved one per file or as
JSON Lines.

A record gives one :class:`SourcePerson` (name, other names, keywords, biography, current
employment → organisation and unit), one publication per work group (the group's first,
preferred, summary) and one grant per funding group. ORCID summaries carry no abstracts and
no co-authors. See docs/sources.md for the field mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
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
    normalise_doi,
    normalise_orcid,
    normalise_ror,
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
    text,
    year_of,
)
from matcher.model import EvidenceType


def _value(value: object) -> str:
    """ORCID wraps most strings as ``{"value": "..."}``."""
    return text(dig(value, "value"))


def _organisation(value: object) -> SourceOrganisation | None:
    organisation = obj(value)
    name = text(organisation.get("name"))
    if not name:
        return None
    disambiguated = obj(organisation.get("disambiguated-organization"))
    scheme = text(disambiguated.get("disambiguation-source")).upper()
    identifier = text(disambiguated.get("disambiguated-organization-identifier"))
    ror = normalise_ror(identifier) if scheme == "ROR" else ""
    if ror:
        source_id = ror
    elif scheme and identifier:
        source_id = f"{scheme}:{identifier}"
    else:
        source_id = f"name:{name}"
    return SourceOrganisation(
        source=Source.ORCID,
        source_id=source_id,
        name=name,
        type=guess_organisation_type(name),
        ror=ror,
        country=text(dig(organisation, "address", "country")),
    )


def _current_employment(activities: JSONObject) -> tuple[SourceOrganisation | None, str]:
    employments = obj(activities.get("employments"))
    if "employment-summary" in employments and "affiliation-group" not in employments:
        raise FieldError(
            "activities-summary.employments",
            "ORCID API v2.x layout (unknown schema version); fetch the record from /v3.0/",
        )
    for group in arr(employments.get("affiliation-group")):
        for summary in arr(obj(group).get("summaries")):
            employment = obj(obj(summary).get("employment-summary"))
            if employment and employment.get("end-date") is None:
                organisation = _organisation(employment.get("organization"))
                if organisation is not None:
                    return organisation, text(employment.get("department-name"))
    return None, ""


def _doi(external_ids: object) -> str:
    dois = [
        (text(e.get("external-id-relationship")) != "self", text(e.get("external-id-value")))
        for e in (obj(i) for i in arr(dig(external_ids, "external-id")))
        if text(e.get("external-id-type")).lower() == "doi"
    ]
    for _, value in sorted(dois):  # a "self" DOI before a "part-of" one
        doi = normalise_doi(value)
        if doi:
            return doi
    return ""


def _work(summary: JSONObject, *, kind: str, owner: Authorship, retrieved_at: str) -> SourceWork:
    title = _value(dig(summary, "title", "title"))
    if not title:
        raise FieldError("title", "missing")
    put_code = summary.get("put-code")
    if isinstance(put_code, bool) or not isinstance(put_code, int | str) or not str(put_code):
        raise FieldError("put-code", "missing")
    grant = kind == "funding"
    doi = "" if grant else _doi(summary.get("external-ids"))
    date = summary.get("start-date") if grant else summary.get("publication-date")
    url = _value(summary.get("url")) or (f"https://doi.org/{doi}" if doi else "")
    return SourceWork(
        source=Source.ORCID,
        source_id=f"{owner.orcid}/{kind}/{put_code}",
        title=title,
        type=EvidenceType.GRANT if grant else EvidenceType.PUBLICATION,
        doi=doi,
        year=year_of(_value(dig(date, "year"))),
        funder=text(dig(summary, "organization", "name")) if grant else "",
        url=url or f"https://orcid.org/{owner.orcid}",
        retrieved_at=retrieved_at,
        updated=iso_from_millis(dig(summary, "last-modified-date", "value")),
        source_type=text(summary.get("type")),
        # an ORCID funding summary does not say the owner's role on the grant
        authors=(replace(owner, role=AuthorRole.OTHER) if grant else owner,),
    )


def _activities(
    activities: JSONObject, owner: Authorship, retrieved_at: str
) -> Iterator[tuple[str, SourceWork | FieldError]]:
    """Each work group's first summary and each funding group's first, with its place."""
    for kind, section, key in (("work", "works", "work-summary"), ("funding", "fundings", "funding-summary")):  # fmt: skip
        for index, group in enumerate(arr(dig(activities, section, "group"))):
            summaries = arr(obj(group).get(key))
            if not summaries:
                continue
            place = f"activities-summary.{section}.group[{index}]."
            try:
                yield (
                    place,
                    _work(obj(summaries[0]), kind=kind, owner=owner, retrieved_at=retrieved_at),
                )
            except FieldError as error:
                yield place, error


def _record(
    value: object, file: str, line: int, retrieved_at: str
) -> list[SourceRecord | ReadError]:
    if not isinstance(value, dict):
        raise FieldError("record", "expected a JSON object")
    if "orcid-profile" in value:
        raise FieldError(
            "orcid-profile", "ORCID API 1.2 message (unknown schema version); fetch /v3.0/"
        )
    raw_id = dig(value, "orcid-identifier", "path")
    if raw_id is None:
        raise FieldError("orcid-identifier.path", "missing")
    orcid = normalise_orcid(text(raw_id))
    if not orcid:
        raise FieldError("orcid-identifier.path", f"{raw_id!r} is not a valid ORCID iD")
    person = obj(value.get("person"))
    name_record = person.get("name")
    given = _value(dig(name_record, "given-names"))
    family = _value(dig(name_record, "family-name"))
    name = _value(dig(name_record, "credit-name")) or " ".join(p for p in (given, family) if p)
    if not name:
        raise FieldError("person.name", "missing (the name is not public)")
    activities = obj(value.get("activities-summary"))
    organisation, unit = _current_employment(activities)
    records: list[SourceRecord | ReadError] = [organisation] if organisation else []
    records.append(
        SourcePerson(
            source=Source.ORCID,
            source_id=orcid,
            name=name,
            orcid=orcid,
            given_name=given,
            family_name=family,
            other_ids=tuple(
                (text(e.get("external-id-type")), text(e.get("external-id-value")))
                for e in (
                    obj(i) for i in arr(dig(person, "external-identifiers", "external-identifier"))
                )
                if text(e.get("external-id-type")) and text(e.get("external-id-value"))
            ),
            aliases=tuple(
                a
                for a in (
                    text(obj(o).get("content"))
                    for o in arr(dig(person, "other-names", "other-name"))
                )
                if a
            ),
            organisation=organisation.source_id if organisation else "",
            organisation_name=organisation.name if organisation else "",
            unit=unit,
            keywords=tuple(
                k
                for k in (
                    text(obj(k).get("content")) for k in arr(dig(person, "keywords", "keyword"))
                )
                if k
            ),
            biography=text(dig(person, "biography", "content")),
            url=f"https://orcid.org/{orcid}",
            retrieved_at=retrieved_at,
        )
    )
    owner = Authorship(person=orcid, name=name, orcid=orcid, role=AuthorRole.AUTHOR)
    for place, item in _activities(activities, owner, retrieved_at):
        if isinstance(item, FieldError):
            records.append(ReadError(file, line, place + item.field, item.reason))
        else:
            records.append(item)
    return records


def parse_value(
    value: object, file: str, line: int, retrieved_at: str
) -> Iterator[SourceRecord | ReadError]:
    """The records of one decoded ORCID record."""
    yield from guarded(file, line, "", lambda: _record(value, file, line, retrieved_at))


def read_orcid(
    path: Path, *, retrieved_at: str | None = None
) -> Iterator[SourceRecord | ReadError]:
    """Stream the people, employers, works and grants of ORCID v3.0 record files.

    Args:
        path: one record (a JSON document) or JSON Lines of records.
        retrieved_at: when the file was downloaded (ISO 8601); the file's mtime by default.

    Raises:
        WrongSourceError: the file holds another source's records.
        IngestError: the file cannot be opened.
    """
    return read_file(path, Source.ORCID, parse_value, retrieved_at=retrieved_at)
