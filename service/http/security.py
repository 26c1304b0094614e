"""Browser-facing protections: security headers on every response, and CSRF checks on every
form that changes state.

Headers. Every response says ``nosniff``, ``same-origin`` referrers and no framing; every HTML
response also carries a Content-Security-Policy (scripts and styles from this origin only: the
pages have no inline script or style, so none may run), a Permissions-Policy that switches off
powerful features, and ``no-store`` (pages show contact details). A route may set its own
policy first (the self-contained batch report does); the API viewers under ``/docs`` and
``/redoc`` load FastAPI's assets from its CDN and get a policy that allows that.

HTTPS. With ``secure_cookies`` on (or ``auto`` and the request came over https: directly, or
from a trusted proxy's ``X-Forwarded-Proto``) cookies are ``Secure`` and every response carries
``Strict-Transport-Security`` (:func:`over_https`).

Caching. Every answer but the static files is ``no-store``: API answers, exports and reports
carry contact details, and a shared cache or the browser's disk must not keep them.

Paths. No error shows where the server keeps its files (:func:`without_server_paths`).

CSRF. Page forms carry a token: the session's (``csrf`` field) once signed in, and a
double-submit token (cookie + field) on the sign-in form, which has no session yet.
:func:`csrf_guard` checks it for every unsafe request to a page route before the route runs.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from index.db.accounts import AccountStore
from matcher.errors import AuthenticationError, PermissionDeniedError
from service.http.auth import SESSION_COOKIE, presented_secret, same_token
from service.settings import Settings

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
#: The batch report is one file with its own inline style; it never runs a script.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'; sandbox"
)
#: Swagger UI and ReDoc (FastAPI's defaults) load from jsdelivr and start with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "interest-cohort=()"
)
EVERY_RESPONSE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}

#: A year, as browsers' preload lists ask for.
HSTS = "max-age=31536000; includeSubDomains"
#: Answers that may be cached: the pages' own scripts and styles, which hold no data.
CACHEABLE_PATHS = ("/static/",)

LOGIN_CSRF_COOKIE = "ke_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def over_https(request: Request) -> bool:
    """Whether cookies are ``Secure`` and HSTS is sent for this request: the
    ``secure_cookies`` setting (``on``/``off``), or with ``auto`` whether the request came over
    https."""
    settings: Settings = request.app.state.settings
    if settings.secure_cookies == "auto":
        return request.url.scheme == "https"
    return settings.secure_cookies == "on"


def without_server_paths(message: str, roots: Iterable[Path | str] = ()) -> str:
    """``message`` with every path under the temporary directory or ``roots`` (the data
    directory) cut to its base name: an error may name a file, never where the server keeps it."""
    found = {str(Path(tempfile.gettempdir()).resolve()), tempfile.gettempdir()}
    for root in roots:
        found |= {str(root), str(Path(root).resolve())}
    for root in sorted((r.rstrip("/") for r in found if r.strip("/.")), key=len, reverse=True):
        # the root and any folders after it, up to the file's base name
        message = re.sub(rf"(?<![\w/]){re.escape(root)}(?:/[^\s/'\"]*)*/", "", message)
        message = re.sub(rf"(?<![\w/]){re.escape(root)}(?![\w/])", "(server folder)", message)
    return message


def add_security_headers(request: Request, response: Response) -> None:
    """Set the security headers on one response (a header the route set itself is kept)."""
    for name, value in EVERY_RESPONSE.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith(CACHEABLE_PATHS):
        response.headers.setdefault("cache-control", "no-store")
    if over_https(request):
        response.headers.setdefault("strict-transport-security", HSTS)
    if response.headers.get("content-type", "").startswith("text/html"):
        policy = DOCS_CSP if request.url.path.startswith(DOCS_PATHS) else PAGE_CSP
        response.headers.setdefault("content-security-policy", policy)
        response.headers.setdefault("permissions-policy", PERMISSIONS_POLICY)
        response.headers.setdefault("cross-origin-opener-policy", "same-origin")


def install_security_headers(app: FastAPI) -> None:
    """Add the middleware that sets the security headers on every response."""

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        add_security_headers(request, response)
        return response


def new_login_token() -> str:
    """A fresh double-submit token for the sign-in form."""
    return secrets.token_urlsafe(24)


async def csrf_guard(request: Request) -> None:
    """Refuse an unsafe request to a page route that lacks the right CSRF token (403).

    This is the one CSRF check of the pages (a router dependency: it runs before every page
    route, and the routes check nothing more). The sign-in form must echo its cookie's token
    (form field ``csrf`` or header ``X-CSRF-Token``); a request signed in by the session cookie
    must carry the session's token in its form field ``csrf`` (every page form has it). A
    request that presents an API key is not a browser's cross-site request and is left to its
    route. Tokens are compared in constant time.

    Raises:
        PermissionDeniedError: the token is missing or wrong.
    """
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    if request.url.path == "/login":
        given = form.get("csrf") or request.headers.get("x-csrf-token")
        if not same_token(given, request.cookies.get(LOGIN_CSRF_COOKIE)):
            raise PermissionDeniedError("the sign-in form has expired; reload the page")
        return
    if presented_secret(request):
        return  # signed in by key (service.http.auth.identify), not by the cookie
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return  # not signed in: the route sends the browser to the sign-in page
    accounts: AccountStore = request.app.state.container.accounts
    try:
        session = await run_in_threadpool(accounts.session, token)
    except AuthenticationError:
        return  # an expired session: likewise
    if not same_token(form.get("csrf"), session.csrf):
        raise PermissionDeniedError("the form has expired; reload the page and try again")
