"""One table from error type to HTTP status; nothing derives a status from a message."""

from __future__ import annotations

from matcher.errors import (
    AuthenticationError,
    CatalogueUnavailableError,
    EvaluationDataError,
    IndexUnavailableError,
    IngestError,
    IntroductionNotFoundError,
    InvalidBriefError,
    InvalidRecordError,
    InvalidTransitionError,
    MatcherError,
    ModelUnavailableError,
    PermissionDeniedError,
    ProfileNotFoundError,
)
from service.batch.jobs import JobNotFinishedError, JobNotFoundError
from service.http.ratelimit import RateLimitedError

STATUS_BY_ERROR: dict[type[MatcherError], int] = {
    JobNotFoundError: 404,
    JobNotFinishedError: 409,
    InvalidBriefError: 422,
    InvalidRecordError: 422,
    IngestError: 400,
    ProfileNotFoundError: 404,
    IntroductionNotFoundError: 404,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    InvalidTransitionError: 409,
    EvaluationDataError: 400,
    IndexUnavailableError: 503,
    ModelUnavailableError: 503,
    CatalogueUnavailableError: 503,
    RateLimitedError: 429,
}


def status_for(error: MatcherError) -> int:
    """The HTTP status of an error: the entry of its nearest listed base class, else 400."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400
