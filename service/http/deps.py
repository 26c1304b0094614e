"""The typed dependencies of every route, API and pages alike (``Annotated[..., Depends()]``).

A route names what it needs in its signature — ``container: ContainerDep, who: Staff`` — and
the alias says how it is found and who may call: :data:`AnyRole`, :data:`Staff` and
:data:`Admin` answer 401/403 (API), :data:`User` and :data:`StaffUser` send a browser without a
session to the sign-in page (pages). The ``Limited…`` aliases also count one search against
the caller's rate limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request

from matcher.errors import AuthenticationError, LoginRequiredError, PermissionDeniedError
from matcher.model import Role
from service.container import Container
from service.http.auth import (
    ADMIN_ONLY,
    ALL_ROLES,
    SESSION_COOKIE,
    STAFF_ROLES,
    Principal,
    identify,
    require,
)
from service.http.ratelimit import rate_limits_of
from service.settings import Settings


def get_container(request: Request) -> Container:
    """The container kept on the app."""
    container: Container = request.app.state.container
    return container


def searcher(request: Request) -> Principal | None:
    """Any role; or nobody at all when anonymous search is switched on (demos)."""
    settings: Settings = request.app.state.container.settings
    if settings.anonymous_search and not (
        request.headers.get("authorization")
        or request.headers.get("x-api-key")
        or request.cookies.get(SESSION_COOKIE)
    ):
        return None
    return require(*ALL_ROLES)(request)


def page_user(*roles: Role) -> Callable[[Request], Principal]:
    """Like :func:`service.http.auth.require`, but a missing session leads to the sign-in page."""
    allowed = frozenset(roles)

    def dependency(request: Request) -> Principal:
        container: Container = request.app.state.container
        try:
            principal = identify(request, container.accounts)
        except AuthenticationError:
            raise LoginRequiredError() from None
        if principal.role not in allowed:
            raise PermissionDeniedError("your role may not open this page")
        return principal

    return dependency


ContainerDep = Annotated[Container, Depends(get_container)]
AnyRole = Annotated[Principal, Depends(require(*ALL_ROLES))]
Staff = Annotated[Principal, Depends(require(*STAFF_ROLES))]
Admin = Annotated[Principal, Depends(require(*ADMIN_ONLY))]
Searcher = Annotated[Principal | None, Depends(searcher)]
User = Annotated[Principal, Depends(page_user(*ALL_ROLES))]
StaffUser = Annotated[Principal, Depends(page_user(*STAFF_ROLES))]
AdminUser = Annotated[Principal, Depends(page_user(*ADMIN_ONLY))]


def limited_searcher(request: Request, who: Searcher) -> Principal | None:
    """:func:`searcher`, then one search counted against the caller's key and address."""
    limits = rate_limits_of(request)
    if limits is not None:
        limits.check_search(request, who.key.id if who else None)
    return who


def limited_any_role(request: Request, who: AnyRole) -> Principal:
    """Any role, then one search counted against the caller's key and address."""
    limits = rate_limits_of(request)
    if limits is not None:
        limits.check_search(request, who.key.id)
    return who


LimitedSearcher = Annotated[Principal | None, Depends(limited_searcher)]
LimitedAnyRole = Annotated[Principal, Depends(limited_any_role)]

ProfileId = Annotated[str, Path(min_length=1, max_length=200)]
IntroductionId = Annotated[int, Path(ge=1, le=2**62)]
JobId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^job_[0-9a-f]+$")]
