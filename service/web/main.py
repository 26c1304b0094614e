"""The web pages assembled: one router over every page router, its CSRF guard, the templates
and the static files.

Pages use the same keys as the API: signing in exchanges a key for a session cookie (HttpOnly,
SameSite=Lax); every form that changes state carries the session's CSRF token, checked once for
every page by :func:`service.http.security.csrf_guard` (the forms' routes still declare their
``csrf`` field, for its length bound, but compare nothing). A little plain JavaScript
(``static/app.js``) makes shortlisting and introductions work without a page reload; without it
the forms still work.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from service.http.security import csrf_guard
from service.web.render import HERE, build_templates
from service.web.routes import (
    accessibility,
    auth,
    batches,
    bids,
    dashboard,
    governance,
    insight,
    introductions,
    profiles,
    search,
    shortlist,
)

# every unsafe request to a page needs its form's CSRF token (service.http.security)
web_router = APIRouter(include_in_schema=False, tags=["pages"], dependencies=[Depends(csrf_guard)])
web_router.include_router(auth.router)
web_router.include_router(search.router)
web_router.include_router(profiles.router)
web_router.include_router(shortlist.router)
web_router.include_router(introductions.router)
web_router.include_router(batches.router)
web_router.include_router(bids.router)
web_router.include_router(accessibility.router)
web_router.include_router(insight.router)
web_router.include_router(dashboard.router)
web_router.include_router(governance.router)


def mount_static(app: FastAPI) -> None:
    """Serve ``static/`` (CSS and the small script)."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")


def include_pages(app: FastAPI) -> None:
    """Add the pages to ``app``: their templates (on ``app.state``), routes and static files."""
    app.state.templates = build_templates()
    app.include_router(web_router)
    mount_static(app)
