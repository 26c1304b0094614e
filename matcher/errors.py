"""Errors raised by ke-matcher, one hierarchy for the whole product.

::

    MatcherError                     base of everything the product raises on purpose
    ├── InvalidBriefError            a brief that cannot be searched (empty, too long, bad filter)
    ├── ProfileNotFoundError         an unknown profile id
    ├── InvalidRecordError           an input row that fails validation (file, line, field, reason)
    ├── IngestError                  a whole input file that cannot be read (missing, wrong format)
    ├── IndexUnavailableError        no usable index (never built, or being rebuilt)
    ├── ModelUnavailableError        the packaged model cannot be found or loaded
    ├── CatalogueUnavailableError    the catalogue database cannot be opened (URL, server down)
    ├── EvaluationDataError          a benchmark directory that is missing files or malformed
    ├── AuthenticationError          no key, or a key that is unknown or revoked
    ├── PermissionDeniedError        a valid key whose role may not do this
    ├── IntroductionNotFoundError    an unknown introduction id
    └── InvalidTransitionError       an introduction status change that is not allowed

`ValueError` is kept for programmer misuse (a wrong argument in code), never for user input.
The service maps each type to an HTTP status in one table (`service.http.errors`).
"""

from __future__ import annotations


class MatcherError(Exception):
    """Base class of every error ke-matcher raises on purpose."""


class CatalogueUnavailableError(MatcherError):
    """The catalogue database cannot be opened: an unsupported URL, or a server that does not
    answer."""


class InvalidBriefError(MatcherError):
    """A brief that cannot be searched.

    Attributes:
        field: the name of the offending field (``text``, ``kinds``, ``top`` ...).
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ProfileNotFoundError(MatcherError):
    """A profile id that is not in the catalogue."""

    def __init__(self, profile_id: str) -> None:
        super().__init__(f"no profile with id {profile_id!r}")
        self.profile_id = profile_id


class InvalidRecordError(MatcherError):
    """One input row that failed validation, reported as ``file:line: field: reason``."""

    def __init__(self, source: str, line: int, field: str, reason: str) -> None:
        super().__init__(f"{source}:{line}: {field}: {reason}")
        self.source = source
        self.line = line
        self.field = field
        self.reason = reason


class IngestError(MatcherError):
    """An input file that cannot be read at all."""


class IndexUnavailableError(MatcherError):
    """No usable vector index is loaded."""


class ModelUnavailableError(MatcherError):
    """The embedding model cannot be found or loaded."""


class EvaluationDataError(MatcherError):
    """A benchmark directory with missing or malformed files."""


class AuthenticationError(MatcherError):
    """No credentials, or credentials that are unknown or revoked."""


class PermissionDeniedError(MatcherError):
    """Valid credentials whose role may not do this."""


class IntroductionNotFoundError(MatcherError):
    """An introduction id that does not exist."""

    def __init__(self, introduction_id: int) -> None:
        super().__init__(f"no introduction with id {introduction_id}")
        self.introduction_id = introduction_id


class InvalidTransitionError(MatcherError):
    """A status change an introduction may not make."""
