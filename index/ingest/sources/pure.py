"""Pure Web Service JSON (``/ws/api/persons``, ``/ws/api/research-outputs``): pages
(``{"count": ..., "items": [...]}``) of persons and research outputs.

Persons become :class:`SourcePerson`\\s (their primary current organisational unit as unit);
research outputs become publications whose internal contributors (persons with a Pure uuid)
are the people who make profiles; external contributors are named but carry no id. Both the
older layout (``personAssociations``, ``staffOrganisationAssociations``, texts as
``{"text": [{"locale", "value"}]}``) and the 5.18+ one (``contributors`` with
``typeDiscriminator``, US spellings, texts as ``{"en_GB": ...}``) are read. Outputs Pure marks
as not public (visibility ``RESTRICTED``, ``CONFIDENTIAL``) are skipped. See docs/sources.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from index.ingest.sources.model import (
    Authorship,
    ReadError,
    Source,
    SourcePerson,
    SourceRecord,
    SourceWork,
    normalise_doi,
    normalise_orcid,
)
from index.ingest.sources.reading import (
    FieldError,
    JSONObject,
    arr,
    dig,
    guarded,
    obj,
    read_file,
    required_text,
    text,
    year_of,
)
from matcher.model import EvidenceType

PREFERRED_LOCALES = ("en_GB", "en_US", "en")
HIDDEN_VISIBILITIES = frozenset({"RESTRICTED", "CONFIDENTIAL", "BACKEND"})


def localised(value: object) -> str:
    """The English (else first) text of a Pure localised value, in either layout."""
    if isinstance(value, str):
        return text(value)
    record = obj(value)
    if isinstance(record.get("text"), list):
        texts = [obj(t) for t in arr(record["text"])]
        for locale in PREFERRED_LOCALES:
            for item in texts:
                if text(item.get("locale")) == locale and text(item.get("value")):
                    return text(item.get("value"))
        return next((text(t.get("value")) for t in texts if text(t.get("value"))), "")
    if "value" in record:
        return text(record.get("value"))
    for locale in PREFERRED_LOCALES:
        if text(record.get(locale)):
            return text(record.get(locale))
    return next((text(v) for v in record.values() if text(v)), "")


def _either(record: JSONObject, *keys: str) -> object:
    """The first present of several spellings of a field (Pure changed them in 5.18)."""
    return next((record[k] for k in keys if k in record), None)


def _name(value: object) -> tuple[str, str, str]:
    name = obj(value)
    first = text(name.get("firstName"))
    last = text(name.get("lastName"))
    return first, last, " ".join(p for p in (first, last) if p)


def _free_keywords(value: object) -> list[str]:
    """Every string of a ``freeKeywords`` list under ``value``, in either layout of keyword
    groups (the older one nests ``freeKeywords`` lists of strings in ``freeKeywords`` lists of
    objects), in document order."""
    found: list[str] = []
    queue = [value]
    for item in queue:  # the list grows as it is walked: breadth first
        if isinstance(item, dict):
            for key, child in item.items():
                if key == "freeKeywords" and all(isinstance(k, str) for k in arr(child)):
                    found.extend(text(k) for k in arr(child))
                else:
                    queue.append(child)
        elif isinstance(item, list):
            queue.extend(item)
    return list(dict.fromkeys(k for k in found if k))


def _primary_unit(record: JSONObject) -> str:
    associations = [
        obj(a)
        for a in arr(
            _either(record, "staffOrganisationAssociations", "staffOrganizationAssociations")
        )
    ]
    current = [a for a in associations if not dig(a, "period", "endDate")]
    ordered = sorted(current, key=lambda a: a.get("isPrimaryAssociation") is not True)
    for association in ordered:
        unit = obj(_either(association, "organisationalUnit", "organizationalUnit"))
        name = localised(unit.get("name"))
        if name:
            return name
    return ""


def _person(
    record: JSONObject, organisation: str, retrieved_at: str
) -> list[SourceRecord | ReadError]:
    source_id = required_text(record, "uuid")
    given, family, name = _name(record.get("name"))
    if not name:
        raise FieldError("name", "missing")
    aliases = tuple(
        a
        for a in (_name(obj(v).get("name"))[2] for v in arr(record.get("nameVariants")))
        if a and a != name
    )
    pure_id = record.get("pureId")
    biography = next(
        (
            t
            for t in (
                localised(obj(p).get("value"))
                for p in arr(_either(record, "profileInformations", "profileInformation"))
            )
            if t
        ),
        "",
    )
    return [
        SourcePerson(
            source=Source.PURE,
            source_id=source_id,
            name=name,
            orcid=normalise_orcid(text(record.get("orcid"))),
            given_name=given,
            family_name=family,
            other_ids=(("pure_id", str(pure_id)),)
            if isinstance(pure_id, int | str) and not isinstance(pure_id, bool)
            else (),
            aliases=tuple(dict.fromkeys(aliases)),
            organisation=organisation,
            unit=_primary_unit(record),
            keywords=tuple(_free_keywords(record.get("keywordGroups"))),
            biography=biography,
            url=text(record.get("portalUrl")) or text(dig(record, "info", "portalUrl")),
            retrieved_at=retrieved_at,
        )
    ]


def _contributors(record: JSONObject, organisation: str) -> tuple[Authorship, ...]:
    authors = []
    for position, item in enumerate(arr(_either(record, "contributors", "personAssociations"))):
        contributor = obj(item)
        person = obj(contributor.get("person"))
        external = (
            "External" in text(contributor.get("typeDiscriminator"))
            or "externalPerson" in contributor
        )
        internal = bool(text(person.get("uuid"))) and not external
        units = [
            obj(u) for u in arr(_either(contributor, "organisationalUnits", "organizationalUnits"))
        ]
        name = _name(contributor.get("name"))[2] or localised(person.get("name"))
        authors.append(
            Authorship(
                person=text(person.get("uuid")) if internal else "",
                name=name,
                position=position,
                institutions=(organisation,) if internal and organisation else (),
                internal=internal,
                unit=next(
                    (localised(u.get("name")) for u in units if localised(u.get("name"))), ""
                ),
            )
        )
    return tuple(authors)


def _year(record: JSONObject) -> int | None:
    statuses = [obj(s) for s in arr(record.get("publicationStatuses"))]
    for status in sorted(statuses, key=lambda s: s.get("current") is not True):
        year = year_of(dig(status, "publicationDate", "year"))
        if year:
            return year
    return None


def _output(
    record: JSONObject, organisation: str, retrieved_at: str
) -> list[SourceRecord | ReadError]:
    source_id = required_text(record, "uuid")
    if text(dig(record, "visibility", "key")).upper() in HIDDEN_VISIBILITIES:
        return []
    title = localised(record.get("title"))
    if not title:
        raise FieldError("title", "missing")
    dois = [normalise_doi(text(obj(v).get("doi"))) for v in arr(record.get("electronicVersions"))]
    type_uri = text(dig(record, "type", "uri"))
    return [
        SourceWork(
            source=Source.PURE,
            source_id=source_id,
            title=title,
            type=EvidenceType.PUBLICATION,
            doi=next((d for d in dois if d), ""),
            abstract=localised(record.get("abstract")),
            year=_year(record),
            url=text(record.get("portalUrl")) or text(dig(record, "info", "portalUrl")),
            retrieved_at=retrieved_at,
            updated=text(record.get("modifiedDate")) or text(dig(record, "info", "modifiedDate")),
            source_type=type_uri.rsplit("/", 1)[-1]
            if type_uri
            else localised(dig(record, "type", "term")),
            keywords=tuple(_free_keywords(record.get("keywordGroups"))),
            authors=_contributors(record, organisation),
        )
    ]


def _one(record: object, organisation: str, retrieved_at: str) -> list[SourceRecord | ReadError]:
    if not isinstance(record, dict):
        raise FieldError("record", "expected a JSON object")
    if "title" in record or "contributors" in record or "personAssociations" in record:
        return _output(record, organisation, retrieved_at)
    if "name" in record:
        return _person(record, organisation, retrieved_at)
    raise FieldError("record", "not a Pure person or research output (no name, no title)")


def parse_value(
    value: object, file: str, line: int, retrieved_at: str, *, organisation: str = ""
) -> Iterator[SourceRecord | ReadError]:
    """The records of one decoded Pure value: a page (``items``) or one record."""
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        for index, item in enumerate(value["items"]):
            yield from _guarded_one(
                file, line, f"items[{index}].", item, organisation, retrieved_at
            )
    else:
        yield from _guarded_one(file, line, "", value, organisation, retrieved_at)


def _guarded_one(
    file: str, line: int, prefix: str, item: object, organisation: str, retrieved_at: str
) -> list[SourceRecord | ReadError]:
    return guarded(file, line, prefix, lambda: _one(item, organisation, retrieved_at))


def read_pure(
    path: Path, *, organisation: str = "", retrieved_at: str | None = None
) -> Iterator[SourceRecord | ReadError]:
    """Stream the people and research outputs of a Pure Web Service file.

    Args:
        path: a saved API page (or JSON Lines of pages or records).
        organisation: the id of the institution the Pure installation belongs to (its ROR id);
            Pure records do not name it. Set on people and internal contributors.
        retrieved_at: when the file was downloaded (ISO 8601); the file's mtime by default.

    Raises:
        WrongSourceError: the file holds another source's records.
        IngestError: the file cannot be opened.
    """

    def parse(
        value: object, file: str, line: int, stamp: str
    ) -> Iterator[SourceRecord | ReadError]:
        return parse_value(value, file, line, stamp, organisation=organisation)

    return read_file(path, Source.PURE, parse, retrieved_at=retrieved_at)
