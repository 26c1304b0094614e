"""The accessibility statement, served to everyone (signed in or not), as UK public-sector
services publish one: the standard aimed at, what is known not to meet it, how to report a
problem."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.http.auth import roles_extra
from service.web.render import render

router = APIRouter()


@router.get("/accessibility", response_class=HTMLResponse, openapi_extra=roles_extra())
def accessibility_statement(request: Request) -> HTMLResponse:
    """The accessibility statement (public)."""
    return render(request, "accessibility.html", {"user": None})
