"""Signing in (an API key exchanged for a session cookie) and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from matcher.errors import AuthenticationError
from service.http.auth import ALL_ROLES, SESSION_COOKIE, roles_extra
from service.http.deps import ContainerDep, User
from service.http.ratelimit import rate_limits_of
from service.http.security import LOGIN_CSRF_COOKIE, new_login_token, over_https
from service.web.render import render

router = APIRouter()


def login_form(request: Request, error: str | None, status: int) -> HTMLResponse:
    """The sign-in form, with its double-submit token (the same value in a cookie and the form)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_token()
    page = render(
        request, "login.html", {"error": error, "user": None, "login_csrf": token}, status
    )
    page.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=3600,
        path="/login",
        secure=over_https(request),
    )
    return page


@router.get("/login", response_class=HTMLResponse, openapi_extra=roles_extra())
def login_page(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return login_form(request, None, 200)


@router.post("/login", response_class=HTMLResponse, openapi_extra=roles_extra())
def login(
    request: Request,
    container: ContainerDep,
    key: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Exchange an API key for a session cookie (the form's token is checked by
    :func:`service.http.security.csrf_guard`; failures are rate-limited per key prefix and per
    address, and a valid key is never refused for the failures of others)."""
    limits = rate_limits_of(request)
    secret = key.strip()
    if limits is not None:
        limits.check_key(secret)
    try:
        api_key = container.accounts.authenticate(secret)
    except AuthenticationError:
        if limits is not None:
            limits.failed_sign_in(request, secret)
        return login_form(request, "That key is not valid.", 401)
    if limits is not None:
        limits.session_opened(api_key.id)
    token, _session = container.accounts.open_session(api_key)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=12 * 3600,
        path="/",
        secure=over_https(request),
    )
    return response


@router.post("/logout", openapi_extra=roles_extra(*ALL_ROLES))
def logout(
    request: Request,
    who: User,
    container: ContainerDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """End the session (the form's token is checked by the router's CSRF guard)."""
    if who.session_token:
        container.accounts.close_session(who.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=over_https(request))
    return response
