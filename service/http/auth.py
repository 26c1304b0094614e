"""Who is calling: API keys (header) or a web session (cookie), and the roles each route allows.

Every route declares its roles with :func:`require`; the declaration is also written into the
route's OpenAPI entry (``x-roles``) so that a test can walk every route with every role.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from index.db.accounts import AccountStore
from matcher.errors import AuthenticationError, PermissionDeniedError
from matcher.model import ApiKey, Role
from service.http.ratelimit import rate_limits_of

SESSION_COOKIE = "ke_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_ROLES = (Role.CLINICIAN, Role.KE_STAFF, Role.ADMIN)
STAFF_ROLES = (Role.KE_STAFF, Role.ADMIN)
ADMIN_ONLY = (Role.ADMIN,)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: their key, and the CSRF token when they came through a web session."""

    key: ApiKey
    csrf: str | None = None
    session_token: str | None = None

    @property
    def role(self) -> Role:
        """The key's role."""
        return self.key.role

    @property
    def sees_contacts(self) -> bool:
        """KE staff and admins see contact details; clinicians do not."""
        return self.key.role in STAFF_ROLES


def presented_secret(request: Request) -> str:
    """The API key a request presents (``Authorization: Bearer`` wins over ``X-API-Key``), or
    ``""`` when it presents none and is therefore signed in by its session cookie, if at all."""
    header = request.headers.get("authorization", "")
    secret = request.headers.get("x-api-key", "")
    if header.lower().startswith("bearer "):
        secret = header[7:].strip()
    return secret


def same_token(given: object, expected: str | None) -> bool:
    """Whether ``given`` is the (non-empty) token ``expected``, compared in constant time."""
    return (
        isinstance(given, str)
        and bool(expected)
        and secrets.compare_digest(given.encode(), str(expected).encode())
    )


def identify(request: Request, accounts: AccountStore) -> Principal:
    """The principal of a request.

    Raises:
        AuthenticationError: no key or session, or an unknown/revoked one.
        RateLimitedError: a key whose prefix has had too many failures, or a wrong key from an
            address that has presented too many (:mod:`service.http.ratelimit`).
    """
    secret = presented_secret(request)
    if secret:
        limits = rate_limits_of(request)
        if limits is not None:
            limits.check_key(secret)  # before the key is looked at: guessing gets nowhere
        try:
            return Principal(key=accounts.authenticate(secret))
        except AuthenticationError:
            if limits is not None:
                limits.failed_sign_in(request, secret)  # 429 once the address has sprayed
            raise
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        session = accounts.session(token)
        return Principal(key=session.key, csrf=session.csrf, session_token=token)
    raise AuthenticationError("an API key is required (header 'Authorization: Bearer <key>')")


def require(*roles: Role) -> Callable[[Request], Principal]:
    """A dependency that admits only the given roles (401 without a key, 403 with another role)."""
    allowed = frozenset(roles)

    def dependency(request: Request) -> Principal:
        accounts: AccountStore = request.app.state.container.accounts
        principal = identify(request, accounts)
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise PermissionDeniedError(f"this needs one of the roles: {names}")
        if (
            principal.session_token is not None
            and request.method not in SAFE_METHODS
            and not same_token(request.headers.get("x-csrf-token"), principal.csrf)
        ):
            # A cookie alone must not be able to change anything (cross-site request forgery).
            raise PermissionDeniedError(
                "a request signed in by cookie needs its X-CSRF-Token header"
            )
        request.state.principal = principal
        return principal

    return dependency


def roles_extra(*roles: Role) -> dict[str, Any]:
    """The OpenAPI extension that declares a route's roles (empty: public)."""
    return {"x-roles": sorted(r.value for r in roles)}
