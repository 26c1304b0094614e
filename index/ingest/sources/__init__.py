"""Readers of real research bases: OpenAlex, ORCID, UKRI Gateway to Research and Pure.

Each reader streams a source's own JSON into the plain records of :mod:`.model`
(:class:`SourcePerson`, :class:`SourceWork`, :class:`SourceOrganisation`), with a
:class:`ReadError` for each record it cannot read; :mod:`.fetch` gets the same records from the
live APIs. Identity merging, provenance storage and the ``matcher import`` commands build on
these. See docs/sources.md.
"""

from __future__ import annotations

from index.ingest.sources.errors import (
    InvalidInstitutionIdError,
    InvalidSourceIdError,
    SourceRecordNotFoundError,
    SourceUnavailableError,
    WrongSourceError,
)
from index.ingest.sources.gtr import read_gtr
from index.ingest.sources.model import (
    AuthorRole,
    Authorship,
    ReadError,
    SdgScore,
    Source,
    SourceBatch,
    SourceOrganisation,
    SourcePerson,
    SourceRecord,
    SourceWork,
    guess_organisation_type,
    normalise_doi,
    normalise_openalex_id,
    normalise_orcid,
    normalise_ror,
)
from index.ingest.sources.openalex import (
    InstitutionFilter,
    institution_type,
    our_authorships,
    people_of,
    read_openalex,
    rebuild_abstract,
)
from index.ingest.sources.orcid import read_orcid
from index.ingest.sources.pure import read_pure
from index.ingest.sources.reading import sniff, sniff_file

__all__ = [  # noqa: RUF022 -- grouped by theme, like sentence-transformers' util
    # records (model)
    "AuthorRole",
    "Authorship",
    "ReadError",
    "SdgScore",
    "Source",
    "SourceBatch",
    "SourceOrganisation",
    "SourcePerson",
    "SourceRecord",
    "SourceWork",
    # id normal forms and types (model)
    "guess_organisation_type",
    "normalise_doi",
    "normalise_openalex_id",
    "normalise_orcid",
    "normalise_ror",
    # readers
    "read_gtr",
    "read_openalex",
    "read_orcid",
    "read_pure",
    "sniff",
    "sniff_file",
    # OpenAlex specifics
    "InstitutionFilter",
    "institution_type",
    "our_authorships",
    "people_of",
    "rebuild_abstract",
    # errors
    "InvalidInstitutionIdError",
    "InvalidSourceIdError",
    "SourceRecordNotFoundError",
    "SourceUnavailableError",
    "WrongSourceError",
]
