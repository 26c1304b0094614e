"""One table from error family to HTTP status; nothing derives a status from a message.

The table maps the families of :mod:`matcher.errors` (each layer's own errors derive from
them), so a new error gets its status from the family it joins::

    InvalidInputError      422      AuthenticationError    401
    UnreadableInputError   400      PermissionDeniedError  403
    NotFoundError          404      RateLimitedError       429
    ConflictError          409      UnavailableError       503
    TooLargeError          413      anything else          400
"""

from __future__ import annotations

from matcher.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    MatcherError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    TooLargeError,
    UnavailableError,
    UnreadableInputError,
)

STATUS_BY_ERROR: dict[type[MatcherError], int] = {
    InvalidInputError: 422,
    UnreadableInputError: 400,
    NotFoundError: 404,
    ConflictError: 409,
    TooLargeError: 413,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    RateLimitedError: 429,
    UnavailableError: 503,
}


def status_for(error: MatcherError) -> int:
    """The HTTP status of an error: the entry of its nearest listed base class, else 400."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400
