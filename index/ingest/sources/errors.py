"""Errors of the source readers and fetchers, leaves of the product's one tree
(:mod:`matcher.errors`)::

    UnreadableInputError
    └── IngestError
        └── WrongSourceError          a file of another source given to a reader
    InvalidInputError
    └── InvalidSourceIdError          an id given to an importer that is not of its scheme
        └── InvalidInstitutionIdError an --institution value that is neither ROR nor OpenAlex
    NotFoundError
    └── SourceRecordNotFoundError     the API answered 404 (an unknown ORCID iD, organisation)
    UnavailableError
    └── SourceUnavailableError        the API still failed after the retries, or refused us

A bad *record* is never raised: it becomes a :class:`~index.ingest.sources.model.ReadError`
collected beside the records that could be read.
"""

from __future__ import annotations

from matcher.errors import IngestError, InvalidInputError, NotFoundError, UnavailableError


class WrongSourceError(IngestError):
    """A file that holds records of another source than the reader's.

    Attributes:
        file: the file's name.
        found: the source the file holds (``"orcid"``...).
        expected: the source the reader reads.
    """

    def __init__(self, file: str, *, found: str, expected: str) -> None:
        super().__init__(
            f"{file}: holds {_DESCRIPTIONS.get(found, found)} records, not "
            f"{_DESCRIPTIONS.get(expected, expected)}; import it with `matcher import {found}`"
        )
        self.file = file
        self.found = found
        self.expected = expected


_DESCRIPTIONS = {
    "openalex": "OpenAlex",
    "orcid": "ORCID",
    "gtr": "UKRI Gateway to Research",
    "pure": "Pure",
}


class InvalidSourceIdError(InvalidInputError):
    """An id given to an importer or fetcher that is not of the scheme it needs.

    Attributes:
        kind: what the id should name (``institution``, ``ORCID iD``...).
        value: the id as given.
    """

    def __init__(self, kind: str, value: str, expected: str) -> None:
        super().__init__(f"{kind} {value!r}: expected {expected}")
        self.kind = kind
        self.value = value


class InvalidInstitutionIdError(InvalidSourceIdError):
    """An institution id that is neither a ROR id nor an OpenAlex institution id."""

    def __init__(self, value: str) -> None:
        super().__init__(
            "institution",
            value,
            "a ROR id (https://ror.org/0abcdef12 or 0abcdef12) "
            "or an OpenAlex institution id (https://openalex.org/I123 or I123)",
        )


class SourceRecordNotFoundError(NotFoundError):
    """The source's API has no such record (HTTP 404)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url}: not found at the source")
        self.url = url


class SourceUnavailableError(UnavailableError):
    """The source's API did not answer usefully, after the retries allowed."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
