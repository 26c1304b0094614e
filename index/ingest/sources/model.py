"""What the source readers produce: plain records of our own, whatever the source's schema.

A reader turns OpenAlex, ORCID, Gateway to Research or Pure JSON into these frozen dataclasses;
identity merging, provenance storage and the catalogue come later and read only these. Ids are
kept in one normal form per scheme (bare ORCID iD ``0000-0002-1825-0097``, bare DOI
``10.1234/abc`` in lower case, bare OpenAlex ids ``W123``, bare ROR ids ``03yrm5c26``), so that
two sources naming the same thing give equal strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from matcher.errors import InvalidRecordError
from matcher.model import EvidenceType, OrganisationType


class Source(StrEnum):
    """The research bases a pool is built from; the value is the CLI's import command."""

    OPENALEX = "openalex"
    ORCID = "orcid"
    GTR = "gtr"
    PURE = "pure"


class AuthorRole(StrEnum):
    """What a person was on a work."""

    AUTHOR = "author"
    PRINCIPAL_INVESTIGATOR = "principal_investigator"
    CO_INVESTIGATOR = "co_investigator"
    FELLOW = "fellow"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class SourceOrganisation:
    """An organisation as one source describes it.

    Attributes:
        source_id: the source's own id (OpenAlex ``I123``, GtR uuid, ROR id for ORCID employers
            that carry one, else ``RINGGOLD:1234`` or the name).
        ror: the bare ROR id, when the source gives one.
        type: our organisation type, mapped from ``source_type`` (see docs/sources.md).
        source_type: the source's own type word, kept so that the mapping can be audited.
        parents: ``source_id``s of the organisations this one belongs to (OpenAlex lineage).
    """

    source: Source
    source_id: str
    name: str
    type: OrganisationType = OrganisationType.OTHER
    ror: str = ""
    country: str = ""
    source_type: str = ""
    parents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourcePerson:
    """A person as one source describes them.

    Attributes:
        source_id: the source's id of the person (OpenAlex ``A123``, the ORCID iD, GtR uuid,
            Pure uuid); with ``source`` the identity key the source offers.
        orcid: the bare ORCID iD when the source gives one (checked), else empty.
        other_ids: further ids as (scheme, value) pairs (``scopus``, ``pure_id``...).
        aliases: other spellings of the name the source lists.
        organisation: the ``source_id`` of the person's current organisation in the same source.
        organisation_name: that organisation's name, for name + organisation matching.
        unit: faculty, department or school.
    """

    source: Source
    source_id: str
    name: str
    orcid: str = ""
    given_name: str = ""
    family_name: str = ""
    other_ids: tuple[tuple[str, str], ...] = ()
    aliases: tuple[str, ...] = ()
    organisation: str = ""
    organisation_name: str = ""
    unit: str = ""
    keywords: tuple[str, ...] = ()
    biography: str = ""
    url: str = ""
    retrieved_at: str = ""


@dataclass(frozen=True, slots=True)
class Authorship:
    """One person's part in a work: an author of a paper or an investigator of a grant.

    Attributes:
        person: the person's ``source_id`` in the same source; empty when the source names a
            contributor without an id (an external Pure author, OpenAlex's null author).
        position: 0-based place in the work's list of people.
        institutions: ``source_id``s of the organisations given for this person on this work.
        internal: whether the source says the person belongs to the reading institution (Pure
            internal contributors); ``None`` when the source does not say.
    """

    person: str
    name: str = ""
    orcid: str = ""
    position: int = 0
    role: AuthorRole = AuthorRole.AUTHOR
    institutions: tuple[str, ...] = ()
    is_corresponding: bool = False
    internal: bool | None = None
    unit: str = ""


@dataclass(frozen=True, slots=True)
class SdgScore:
    """One UN Sustainable Development Goal OpenAlex tags a work with, and its score (0–1)."""

    id: str
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class SourceWork:
    """A publication or a grant as one source describes it.

    Attributes:
        type: :attr:`EvidenceType.PUBLICATION` or :attr:`EvidenceType.GRANT`.
        source_type: the source's own type (``article``, ``Research Grant``...).
        abstract: empty when the source has none (many OpenAlex works, every ORCID summary).
        url: where a person can see the record at the source.
        retrieved_at: when the record was read from the source (ISO 8601, UTC).
        updated: the source's own last-modified stamp, when it gives one.
        organisations: the organisations named on the work (OpenAlex institutions).
        sdgs: OpenAlex's Sustainable Development Goal scores.
    """

    source: Source
    source_id: str
    title: str
    type: EvidenceType = EvidenceType.PUBLICATION
    doi: str = ""
    abstract: str = ""
    year: int | None = None
    funder: str = ""
    url: str = ""
    retrieved_at: str = ""
    updated: str = ""
    source_type: str = ""
    retracted: bool = False
    keywords: tuple[str, ...] = ()
    authors: tuple[Authorship, ...] = ()
    organisations: tuple[SourceOrganisation, ...] = ()
    sdgs: tuple[SdgScore, ...] = ()


SourceRecord = SourcePerson | SourceWork | SourceOrganisation


@dataclass(frozen=True, slots=True)
class ReadError:
    """One record that could not be read, collected (never raised) so the rest of the file is
    kept; shown as ``file:line: field: reason``."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"

    def to_exception(self) -> InvalidRecordError:
        """The same error as the ingestion report's row error type."""
        return InvalidRecordError(self.file, self.line, self.field, self.reason)


@dataclass(slots=True)
class SourceBatch:
    """Records and errors of one or more files, collected in memory (small files and tests;
    large imports consume a reader's iterator directly)."""

    people: list[SourcePerson] = field(default_factory=list)
    works: list[SourceWork] = field(default_factory=list)
    organisations: list[SourceOrganisation] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)

    def add_all(self, items: Iterable[SourceRecord | ReadError]) -> SourceBatch:
        """Sort each item into its list; returns the batch itself."""
        for item in items:
            if isinstance(item, SourceWork):
                self.works.append(item)
            elif isinstance(item, SourcePerson):
                self.people.append(item)
            elif isinstance(item, SourceOrganisation):
                self.organisations.append(item)
            else:
                self.errors.append(item)
        return self


# ----------------------------------------------------------------------------- id normal forms

_ORCID = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
_ORCID_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?(?:sandbox\.)?orcid\.org/", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ROR = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}\d{2}$")
_ROR_PREFIX = re.compile(r"^(?:https?://)?ror\.org/", re.IGNORECASE)
_OPENALEX_PREFIX = re.compile(r"^(?:https?://)?(?:api\.)?openalex\.org/(?:\w+/)?", re.IGNORECASE)
_OPENALEX_ID = re.compile(r"^([WAISFCTPKwaisfctpk])(\d+)$")


def normalise_orcid(value: str) -> str:
    """The bare ORCID iD (``0000-0002-1825-0097``) of a bare or URL form, or ``""`` when the
    value is not one (wrong shape or check digit: ISO 7064 MOD 11-2)."""
    bare = _ORCID_PREFIX.sub("", value.strip()).upper()
    match = _ORCID.match(bare)
    if not match:
        return ""
    digits = "".join(match.groups())
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return "-".join(match.groups()) if digits[-1] == expected else ""


def normalise_doi(value: str) -> str:
    """The bare DOI in lower case (DOIs are case-insensitive), or ``""`` when not a DOI."""
    bare = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    return bare if bare.startswith("10.") and "/" in bare else ""


def normalise_ror(value: str) -> str:
    """The bare ROR id (``03yrm5c26``) of a bare or URL form, or ``""`` when not one."""
    bare = _ROR_PREFIX.sub("", value.strip()).lower().rstrip("/")
    return bare if _ROR.match(bare) else ""


def normalise_openalex_id(value: str) -> str:
    """The bare OpenAlex id (``W123``, ``A5023888391``, ``I4210151234``) of a bare or URL form,
    or ``""`` when not one."""
    bare = _OPENALEX_PREFIX.sub("", value.strip()).rstrip("/")
    match = _OPENALEX_ID.match(bare)
    return f"{match.group(1).upper()}{match.group(2)}" if match else ""


# ----------------------------------------------------------------------------- organisation types

_UNIVERSITY = re.compile(r"\b(universit\w*|college|school of medicine)\b", re.IGNORECASE)
_NHS = re.compile(
    r"\bNHS\b.*\b(trust|foundation|board)\b|\bhealth board\b|\bNHS (?:trust|foundation trust)\b",
    re.IGNORECASE,
)
_HSCP = re.compile(r"health and social care partnership", re.IGNORECASE)
_COUNCIL = re.compile(r"\b(city|county|borough|district|metropolitan)\b.*\bcouncil\b", re.I)


def guess_organisation_type(name: str) -> OrganisationType:
    """Our organisation type guessed from a name alone, for sources that give no type (ORCID,
    Gateway to Research, Pure external organisations).

    Deliberately narrow: only names that say what they are (``University``, ``NHS ... Trust``,
    ``Health and Social Care Partnership``, ``City Council``) are typed; everything else is
    :attr:`OrganisationType.OTHER`, for KE staff to correct. "Medical Research Council" is a
    funder, not a council, which is why a council needs a local-government word before it.
    """
    if _HSCP.search(name):
        return OrganisationType.HSCP
    if _NHS.search(name):
        return OrganisationType.NHS_TRUST
    if _COUNCIL.search(name):
        return OrganisationType.COUNCIL
    if _UNIVERSITY.search(name):
        return OrganisationType.UNIVERSITY
    return OrganisationType.OTHER
