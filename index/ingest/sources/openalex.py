"""OpenAlex works and authors, as the snapshot stores them (JSON Lines, ``.gz`` too) or as
saved API result pages (``{"meta": ..., "results": [...]}``).

A work becomes a :class:`SourceWork` whose authorships name their authors and institutions; the
institutions travel with the work as :class:`SourceOrganisation`\\s. Which authorships make
profiles is decided by :func:`our_authorships` with an :class:`InstitutionFilter`; everyone else
on a work is a co-author only. See docs/sources.md for the field mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from index.ingest.sources.errors import InvalidInstitutionIdError
from index.ingest.sources.model import (
    Authorship,
    ReadError,
    SdgScore,
    Source,
    SourceOrganisation,
    SourcePerson,
    SourceRecord,
    SourceWork,
    normalise_doi,
    normalise_openalex_id,
    normalise_orcid,
    normalise_ror,
)
from index.ingest.sources.reading import (
    FieldError,
    JSONObject,
    arr,
    guarded,
    obj,
    read_file,
    text,
    year_of,
)
from matcher.model import EvidenceType, OrganisationType

NULL_AUTHOR = "A9999999999"
"""OpenAlex's placeholder author for authorships it could not attribute; never a person."""

MAX_ABSTRACT_WORDS = 20_000
"""Word positions beyond this are refused: a real abstract is far shorter, and a hostile index
must not make us allocate a huge list."""

INSTITUTION_TYPES: dict[str, OrganisationType] = {
    "education": OrganisationType.UNIVERSITY,
    "healthcare": OrganisationType.NHS_TRUST,
    "company": OrganisationType.SME,
    "government": OrganisationType.COUNCIL,
    "nonprofit": OrganisationType.CHARITY,
}
"""OpenAlex institution type → ours. OpenAlex's ``healthcare`` is any hospital or health body
in any country, ``company`` any size of company and ``government`` any level of government:
the mapping is the nearest of our types, not a claim that each is an NHS trust, an SME or a
council. ``facility``, ``archive``, ``funder`` and ``other`` map to ``other``."""


def institution_type(openalex_type: str) -> OrganisationType:
    """Our organisation type for an OpenAlex institution type (``other`` when unknown)."""
    return INSTITUTION_TYPES.get(openalex_type.strip().lower(), OrganisationType.OTHER)


def rebuild_abstract(index: object) -> str:
    """The abstract text of an ``abstract_inverted_index`` (word → positions); ``""`` when it is
    absent (``null``).

    Raises:
        FieldError: the index is not a mapping of words to lists of non-negative positions.
    """
    if index is None:
        return ""
    if not isinstance(index, dict):
        raise FieldError("abstract_inverted_index", "expected an object of word positions")
    words: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list):
            raise FieldError("abstract_inverted_index", f"positions of {word!r} are not a list")
        for position in positions:
            # one test for the usual case (a plain int in range), the exact reason otherwise
            if (
                position.__class__ is not int
                or not 0 <= position < MAX_ABSTRACT_WORDS
                or len(words) >= MAX_ABSTRACT_WORDS
            ):
                if isinstance(position, bool) or not isinstance(position, int) or position < 0:
                    raise FieldError("abstract_inverted_index", f"bad position {position!r}")
                if position >= MAX_ABSTRACT_WORDS or len(words) >= MAX_ABSTRACT_WORDS:
                    raise FieldError("abstract_inverted_index", "more words than any abstract has")
            words[position] = word
    return text(" ".join([words[p] for p in sorted(words)]))


# ----------------------------------------------------------------------------- records


_INSTITUTIONS: dict[tuple[object, ...], SourceOrganisation | None] = {}
_INSTITUTIONS_KEPT = 50_000
"""Institutions already read, by their raw fields: a snapshot names the same few thousand
institutions on every other work, and reading one is a dozen normalisations."""


def _organisation(value: object) -> SourceOrganisation | None:
    record = obj(value)
    lineage = record.get("lineage")
    key = (
        record.get("id"),
        record.get("display_name"),
        record.get("type"),
        record.get("ror"),
        record.get("country_code"),
        tuple(lineage) if isinstance(lineage, list) else lineage,
    )
    try:
        return _INSTITUTIONS[key]
    except KeyError:
        pass
    except TypeError:  # a field that is not a string (an object, a list in the lineage)
        return _read_organisation(record)
    if len(_INSTITUTIONS) >= _INSTITUTIONS_KEPT:
        _INSTITUTIONS.clear()
    found = _INSTITUTIONS[key] = _read_organisation(record)
    return found


def _read_organisation(record: JSONObject) -> SourceOrganisation | None:
    source_id = normalise_openalex_id(text(record.get("id")))
    if not source_id:
        return None  # an affiliation OpenAlex could not match to an institution
    source_type = text(record.get("type"))
    parents = tuple(
        p for p in (normalise_openalex_id(text(i)) for i in arr(record.get("lineage"))) if p
    )
    return SourceOrganisation(
        source=Source.OPENALEX,
        source_id=source_id,
        name=text(record.get("display_name")) or source_id,
        type=institution_type(source_type),
        ror=normalise_ror(text(record.get("ror"))),
        country=text(record.get("country_code")),
        source_type=source_type,
        parents=tuple(p for p in parents if p != source_id),
    )


def _authorships(
    record: JSONObject,
) -> tuple[tuple[Authorship, ...], tuple[SourceOrganisation, ...]]:
    value = record.get("authorships", [])
    if not isinstance(value, list):
        raise FieldError("authorships", "expected a list")
    authors: list[Authorship] = []
    organisations: dict[str, SourceOrganisation] = {}
    for position, item in enumerate(value):
        authorship = obj(item)
        author = obj(authorship.get("author"))
        person = normalise_openalex_id(text(author.get("id")))
        if person == NULL_AUTHOR:
            continue
        institutions: list[str] = []
        for raw in arr(authorship.get("institutions")):
            organisation = _organisation(raw)
            if organisation is not None:
                organisations.setdefault(organisation.source_id, organisation)
                institutions.append(organisation.source_id)
        authors.append(
            Authorship(
                person=person,
                name=text(author.get("display_name")) or text(authorship.get("raw_author_name")),
                orcid=normalise_orcid(text(author.get("orcid"))),
                position=position,
                institutions=tuple(dict.fromkeys(institutions)),
                is_corresponding=authorship.get("is_corresponding") is True,
            )
        )
    return tuple(authors), tuple(organisations.values())


def _sdgs(record: JSONObject) -> tuple[SdgScore, ...]:
    scores = []
    for item in arr(record.get("sustainable_development_goals")):
        goal = obj(item)
        score = goal.get("score")
        if isinstance(score, int | float) and not isinstance(score, bool):
            scores.append(SdgScore(text(goal.get("id")), text(goal.get("display_name")), score))
    return tuple(scores)


def _keywords(record: JSONObject) -> tuple[str, ...]:
    names = []
    for item in arr(record.get("keywords")):
        keyword = obj(item)
        # the 2024 schema has display_name; the older one had keyword
        names.append(text(keyword.get("display_name")) or text(keyword.get("keyword")))
    return tuple(dict.fromkeys(n for n in names if n))


def _funders(record: JSONObject) -> str:
    names = [text(obj(g).get("funder_display_name")) for g in arr(record.get("grants"))]
    return "; ".join(dict.fromkeys(n for n in names if n))


def _work(source_id: str, record: JSONObject, retrieved_at: str) -> list[SourceRecord | ReadError]:
    title = text(record.get("title")) or text(record.get("display_name"))
    if not title:
        raise FieldError("title", "missing")
    authors, organisations = _authorships(record)
    problems: list[SourceRecord | ReadError] = []
    try:
        abstract = rebuild_abstract(record.get("abstract_inverted_index"))
    except FieldError as error:
        abstract = ""
        problems.append(
            ReadError("", 0, error.field, f"{error.reason}; work kept without its abstract")
        )
    ids = obj(record.get("ids"))
    work = SourceWork(
        source=Source.OPENALEX,
        source_id=source_id,
        title=title,
        type=EvidenceType.PUBLICATION,
        doi=normalise_doi(text(record.get("doi")) or text(ids.get("doi"))),
        abstract=abstract,
        year=year_of(record.get("publication_year")) or year_of(record.get("publication_date")),
        funder=_funders(record),
        url=f"https://openalex.org/{source_id}",
        retrieved_at=retrieved_at,
        updated=text(record.get("updated_date")),
        source_type=text(record.get("type")),
        retracted=record.get("is_retracted") is True,
        keywords=_keywords(record),
        authors=authors,
        organisations=organisations,
        sdgs=_sdgs(record),
    )
    return [work, *problems]


def _author(
    source_id: str, record: JSONObject, retrieved_at: str
) -> list[SourceRecord | ReadError]:
    name = text(record.get("display_name"))
    if not name:
        raise FieldError("display_name", "missing")
    # last_known_institutions (a list) replaced last_known_institution (one) in 2024
    raw = arr(record.get("last_known_institutions")) or [record.get("last_known_institution")]
    organisations = [o for o in (_organisation(r) for r in raw) if o is not None]
    ids = obj(record.get("ids"))
    other_ids = tuple(
        (scheme, text(value))
        for scheme, value in sorted(ids.items())
        if scheme not in {"openalex", "orcid"} and text(value)
    )
    topics = arr(record.get("topics")) or arr(record.get("x_concepts"))
    person = SourcePerson(
        source=Source.OPENALEX,
        source_id=source_id,
        name=name,
        orcid=normalise_orcid(text(record.get("orcid")) or text(ids.get("orcid"))),
        other_ids=other_ids,
        aliases=tuple(
            a for a in (text(v) for v in arr(record.get("display_name_alternatives"))) if a
        ),
        organisation=organisations[0].source_id if organisations else "",
        organisation_name=organisations[0].name if organisations else "",
        keywords=tuple(t for t in (text(obj(v).get("display_name")) for v in topics[:5]) if t),
        url=f"https://openalex.org/{source_id}",
        retrieved_at=retrieved_at,
    )
    return [*organisations, person]


def _record(value: object, retrieved_at: str) -> list[SourceRecord | ReadError]:
    if not isinstance(value, dict):
        raise FieldError("record", "expected a JSON object")
    raw_id = value.get("id")
    if raw_id is None:
        raise FieldError("id", "missing")
    source_id = normalise_openalex_id(text(raw_id))
    if source_id.startswith("W"):
        return _work(source_id, value, retrieved_at)
    if source_id.startswith("A"):
        return _author(source_id, value, retrieved_at)
    raise FieldError("id", f"{raw_id!r} is not an OpenAlex work (W…) or author (A…) id")


def parse_value(
    value: object, file: str, line: int, retrieved_at: str
) -> Iterator[SourceRecord | ReadError]:
    """The records of one decoded JSON value: a work, an author, or an API page of them."""
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        for index, item in enumerate(value["results"]):
            yield from _located(file, line, f"results[{index}].", item, retrieved_at)
    else:
        yield from _located(file, line, "", value, retrieved_at)


def _located(
    file: str, line: int, prefix: str, value: object, retrieved_at: str
) -> list[SourceRecord | ReadError]:
    items = guarded(file, line, prefix, lambda: _record(value, retrieved_at))
    return [
        ReadError(file, line, prefix + i.field, i.reason) if isinstance(i, ReadError) and not i.file
        else i
        for i in items
    ]  # fmt: skip


def read_openalex(
    path: Path, *, retrieved_at: str | None = None
) -> Iterator[SourceRecord | ReadError]:
    """Stream the works and authors of an OpenAlex file (snapshot JSON Lines, ``.gz``, or saved
    API pages), with a ReadError for each record that cannot be read.

    Args:
        path: the file.
        retrieved_at: when the file was downloaded (ISO 8601); the file's mtime by default.

    Raises:
        WrongSourceError: the file holds another source's records.
        IngestError: the file cannot be opened.
    """
    return read_file(path, Source.OPENALEX, parse_value, retrieved_at=retrieved_at)


# ----------------------------------------------------------------------------- whose authorships


@dataclass(frozen=True, slots=True)
class InstitutionFilter:
    """The institutions whose authorships become profiles, by OpenAlex id and by ROR id."""

    openalex_ids: frozenset[str] = frozenset()
    rors: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, values: Iterable[str]) -> InstitutionFilter:
        """A filter from ``--institution`` values: ROR or OpenAlex ids, bare or as URLs.

        Raises:
            InvalidInstitutionIdError: a value is neither.
        """
        openalex_ids: set[str] = set()
        rors: set[str] = set()
        for value in values:
            ror = normalise_ror(value)
            openalex = normalise_openalex_id(value)
            if ror:
                rors.add(ror)
            elif openalex.startswith("I"):
                openalex_ids.add(openalex)
            else:
                raise InvalidInstitutionIdError(value)
        return cls(frozenset(openalex_ids), frozenset(rors))

    def matches(self, organisation: SourceOrganisation) -> bool:
        """Whether an institution is one of ours, or part of one (its lineage)."""
        if organisation.ror and organisation.ror in self.rors:
            return True
        return bool({organisation.source_id, *organisation.parents} & self.openalex_ids)


def _ours(work: SourceWork, institutions: InstitutionFilter) -> set[str]:
    # A ROR id names only the top institution; its departments (no ROR, the top one in their
    # lineage) are ours too when the top one appears on the same work.
    direct = {o.source_id for o in work.organisations if institutions.matches(o)}
    return direct | {o.source_id for o in work.organisations if direct.intersection(o.parents)}


def our_authorships(work: SourceWork, institutions: InstitutionFilter) -> tuple[Authorship, ...]:
    """The authorships of ``work`` at one of ``institutions`` (with an author id): the people
    who become profiles. The others on the work are co-authors only."""
    ours = _ours(work, institutions)
    return tuple(a for a in work.authors if a.person and ours.intersection(a.institutions))


def people_of(work: SourceWork, institutions: InstitutionFilter) -> tuple[SourcePerson, ...]:
    """A :class:`SourcePerson` for each of :func:`our_authorships`, at the first of our
    institutions they give on the work."""
    by_id = {o.source_id: o for o in work.organisations}
    ours = _ours(work, institutions)
    people = []
    for authorship in our_authorships(work, institutions):
        home = by_id[next(i for i in authorship.institutions if i in ours)]
        people.append(
            SourcePerson(
                source=Source.OPENALEX,
                source_id=authorship.person,
                name=authorship.name,
                orcid=authorship.orcid,
                organisation=home.source_id,
                organisation_name=home.name,
                url=f"https://openalex.org/{authorship.person}",
                retrieved_at=work.retrieved_at,
            )
        )
    return tuple(people)
