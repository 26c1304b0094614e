"""Errors raised by ke-matcher: one tree for the whole product.

Callers and the HTTP status table catch the intermediate bases (families), never leaves. Each
layer defines its own leaves under these bases, in its own module (named on the right)::

    MatcherError                          base of everything the product raises on purpose
    ├── InvalidInputError            422  input that fails validation
    │   ├── InvalidBriefError             a brief that cannot be searched (empty, too long, filter)
    │   ├── InvalidRecordError            one input row: file, line, field, reason
    │   ├── InvalidBidError               a bid change that breaks a rule (matcher.bids)
    │   └── InvalidSourceIdError          an ORCID iD, ROR or source id that is malformed
    │       └── InvalidInstitutionIdError     (index.ingest.sources.errors)
    ├── UnreadableInputError         400  a whole file or directory that cannot be used
    │   ├── IngestError                   an input file that cannot be read (missing, format)
    │   │   └── WrongSourceError          a file of another source (index.ingest.sources.errors)
    │   ├── EvaluationDataError           a benchmark directory missing files or malformed
    │   ├── BackupError                   a backup or restore that cannot be done (index.db.backup)
    │   └── AdaptationError               a pool too small to adapt on (index.encoders.adapt)
    ├── NotFoundError                404  an unknown id
    │   ├── ProfileNotFoundError
    │   ├── IntroductionNotFoundError
    │   ├── EvidenceItemNotFoundError     an evidence item to curate (index.db.curation)
    │   ├── BidNotFoundError              (matcher.bids)
    │   ├── SourceRecordNotFoundError     a record a source does not have (sources.errors)
    │   ├── JobNotFoundError              a batch job (service.batch.jobs)
    │   └── SearchNotFoundError           a search reference unknown or expired (service.search.feedback)
    ├── ConflictError                409  a change the current state does not allow
    │   ├── InvalidTransitionError        an introduction status change that is not allowed
    │   ├── DuplicateIntroductionError    an open introduction exists (index.db.introductions)
    │   ├── BidTransitionError            a bid status change not allowed (matcher.bids)
    │   ├── StaleBidError                 a write based on an old version of a bid (matcher.bids)
    │   ├── JobNotFinishedError           reports of a job still running or failed (service.batch.jobs)
    │   │   └── ReportWithdrawnError      reports withdrawn after an erasure
    │   └── BuildInProgressError          another index build holds the lock (index.db.build_lock)
    ├── TooLargeError                413  a request body or upload over its limit
    │   └── PayloadTooLargeError
    ├── AuthenticationError          401  no key, or a key that is unknown or revoked
    │   └── LoginRequiredError            a page opened without a session (redirects to sign-in)
    ├── PermissionDeniedError        403  a valid key whose role may not do this
    ├── RateLimitedError             429  too many requests (``retry_after`` seconds)
    └── UnavailableError             503  something the answer needs is not there right now
        ├── IndexUnavailableError         no usable index (never built, or being rebuilt)
        │   └── CatalogueChangedError     the catalogue moved during a build (index.vectors.sync)
        ├── ModelUnavailableError         the packaged model cannot be found or loaded
        ├── CatalogueUnavailableError     the catalogue database cannot be opened
        ├── RayUnavailableError           the ray extra missing, or no cluster at the address (service.scale.ray_session)
        └── SourceUnavailableError        a source's API does not answer (sources.errors)

`ValueError` is kept for programmer misuse (a wrong argument in code), never for user input.
The service maps the families to HTTP statuses in one table (`service.http.errors`).
"""

from __future__ import annotations

# ----------------------------------------------------------------------------- families


class MatcherError(Exception):
    """Base class of every error ke-matcher raises on purpose."""


class InvalidInputError(MatcherError):
    """Input that fails validation (HTTP 422)."""


class UnreadableInputError(MatcherError):
    """A whole file or directory that cannot be used as given (HTTP 400)."""


class NotFoundError(MatcherError):
    """An id that names nothing (HTTP 404)."""


class ConflictError(MatcherError):
    """A change that the current state does not allow (HTTP 409)."""


class TooLargeError(MatcherError):
    """A request body or upload over its size limit (HTTP 413)."""


class AuthenticationError(MatcherError):
    """No credentials, or credentials that are unknown or revoked (HTTP 401)."""


class PermissionDeniedError(MatcherError):
    """Valid credentials whose role may not do this (HTTP 403)."""


class RateLimitedError(MatcherError):
    """Too many requests; ``retry_after`` says how many seconds to wait (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnavailableError(MatcherError):
    """Something an answer needs is not available right now (HTTP 503)."""


# ----------------------------------------------------------------------------- leaves


class InvalidBriefError(InvalidInputError):
    """A brief that cannot be searched.

    Attributes:
        field: the name of the offending field (``text``, ``kinds``, ``top`` ...).
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidRecordError(InvalidInputError):
    """One input row that failed validation, reported as ``file:line: field: reason``."""

    def __init__(self, source: str, line: int, field: str, reason: str) -> None:
        super().__init__(f"{source}:{line}: {field}: {reason}")
        self.source = source
        self.line = line
        self.field = field
        self.reason = reason


class IngestError(UnreadableInputError):
    """An input file that cannot be read at all."""


class EvaluationDataError(UnreadableInputError):
    """A benchmark directory with missing or malformed files."""


class ProfileNotFoundError(NotFoundError):
    """A profile id that is not in the catalogue."""

    def __init__(self, profile_id: str) -> None:
        super().__init__(f"no profile with id {profile_id!r}")
        self.profile_id = profile_id


class IntroductionNotFoundError(NotFoundError):
    """An introduction id that does not exist."""

    def __init__(self, introduction_id: int) -> None:
        super().__init__(f"no introduction with id {introduction_id}")
        self.introduction_id = introduction_id


class InvalidTransitionError(ConflictError):
    """A status change an introduction may not make."""


class PayloadTooLargeError(TooLargeError):
    """A request body or upload over its size limit."""


class LoginRequiredError(AuthenticationError):
    """A web page opened without a session: the browser is sent to the sign-in page."""


class IndexUnavailableError(UnavailableError):
    """No usable vector index is loaded."""


class ModelUnavailableError(UnavailableError):
    """The embedding model cannot be found or loaded."""


class CatalogueUnavailableError(UnavailableError):
    """The catalogue database cannot be opened: an unsupported URL, or a server that does not
    answer."""
