"""The records of ingestion: pydantic models of an organisation, a profile and its evidence as
they arrive in a file or a request, their validation, and their conversion to the domain's
:class:`~matcher.model.Organisation` and :class:`~matcher.model.Profile` (texts normalised).
See ``docs/data-format.md`` for the fields.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from matcher.errors import InvalidRecordError
from matcher.model import (
    EvidenceItem,
    EvidenceType,
    Organisation,
    OrganisationType,
    Profile,
    ProfileKind,
    is_blank,
)
from matcher.text import normalise

MAX_FIELD_CHARS = 50_000
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@~\-/]{0,199}$"

ProfileId = Annotated[str, Field(pattern=ID_PATTERN)]
ShortText = Annotated[str, Field(max_length=1_000)]
LongText = Annotated[str, Field(max_length=MAX_FIELD_CHARS)]


def visible(value: str) -> str:
    """``value`` if it shows something (a name of zero-width characters renders as nothing).

    Raises:
        ValueError: ``value`` is empty once spaces and invisible characters are removed.
    """
    if is_blank(value):
        raise ValueError("must contain visible characters, not only spaces or invisible ones")
    return value


#: A required text: at least one visible character (a pydantic ``Annotated`` type).
Required = AfterValidator(visible)


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class OrganisationRecord(_Record):
    """An organisation row."""

    id: ProfileId
    name: Annotated[str, Field(min_length=1, max_length=1_000), Required]
    type: OrganisationType
    region: ShortText = ""


class EvidenceRecord(_Record):
    """An evidence item of a profile."""

    id: Annotated[str, Field(min_length=1, max_length=300), Required]
    type: EvidenceType
    title: Annotated[str, Field(min_length=1, max_length=2_000), Required]
    text: LongText = ""
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    specialty: ShortText = ""
    sector: ShortText = ""
    funder: ShortText = ""
    readiness_level: Annotated[int, Field(ge=1, le=9)] | None = None

    @field_validator("type")
    @classmethod
    def _not_summary(cls, value: EvidenceType) -> EvidenceType:
        if value is EvidenceType.SUMMARY:
            raise ValueError(
                "'summary' is made from the profile's summary field; not an evidence type"
            )
        return value


class ProfileRecord(_Record):
    """A profile row with its evidence."""

    id: ProfileId
    kind: ProfileKind
    name: Annotated[str, Field(min_length=1, max_length=1_000), Required]
    organisation: ProfileId
    unit: ShortText = ""
    region: ShortText = ""
    summary: LongText = ""
    keywords: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=100)] = []
    capacity: Annotated[int, Field(ge=0, le=1_000)] = 3
    contact: ShortText = ""
    consent: bool = True
    coauthors: Annotated[list[ProfileId], Field(max_length=2_000)] = []
    evidence: Annotated[list[EvidenceRecord], Field(max_length=2_000)] = []

    @field_validator("evidence")
    @classmethod
    def _unique_evidence(cls, items: list[EvidenceRecord]) -> list[EvidenceRecord]:
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"evidence id {item.id!r} appears twice")
            seen.add(item.id)
        return items


def record_error(source: str, line: int, error: ValidationError) -> InvalidRecordError:
    """The first problem pydantic found in a record, as ``source:line: field: reason``."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "record"
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return InvalidRecordError(source, line, location, message)


def to_organisation(record: OrganisationRecord) -> Organisation:
    """The domain organisation of a validated record (texts normalised)."""
    return Organisation(
        id=record.id, name=normalise(record.name), type=record.type, region=normalise(record.region)
    )


def to_profile(record: ProfileRecord) -> Profile:
    """The domain profile of a validated record (texts normalised)."""
    items = tuple(
        EvidenceItem(
            id=item.id,
            type=item.type,
            title=normalise(item.title),
            text=normalise(item.text),
            year=item.year,
            specialty=normalise(item.specialty),
            sector=normalise(item.sector),
            funder=normalise(item.funder),
            readiness_level=item.readiness_level,
        )
        for item in record.evidence
    )
    return Profile(
        id=record.id,
        kind=record.kind,
        name=normalise(record.name),
        organisation_id=record.organisation,
        unit=normalise(record.unit),
        region=normalise(record.region),
        summary=normalise(record.summary),
        keywords=tuple(k for k in (normalise(k) for k in record.keywords) if k),
        capacity=record.capacity,
        contact=record.contact,
        consent=record.consent,
        coauthors=tuple(record.coauthors),
        evidence=items,
    )
