"""The shortlist page, and adding to or removing from it (from a result card or the list)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from index.db.audit import AuditAction
from service.http.auth import ALL_ROLES, roles_extra
from service.http.deps import ContainerDep, User
from service.http.exports import shortlist_rows
from service.web.render import back, render

router = APIRouter()


@router.get("/shortlist", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES))
def shortlist_page(request: Request, who: User, container: ContainerDep) -> HTMLResponse:
    """The user's shortlist, with export links."""
    rows = shortlist_rows(container, who.key.id, with_contact=who.sees_contacts)
    if who.sees_contacts and rows:
        container.audit.record(
            AuditAction.CONTACT_VIEW,
            actor=who.key.id,
            target="shortlist",
            detail={"via": "web", "profiles": [row["profile_id"] for row in rows]},
        )
    return render(request, "shortlist.html", {"user": who, "rows": rows})


@router.post("/shortlist/add", openapi_extra=roles_extra(*ALL_ROLES))
def shortlist_add(
    request: Request,
    who: User,
    container: ContainerDep,
    profile_id: Annotated[str, Form(min_length=1, max_length=200)],
    brief: Annotated[str, Form(max_length=100_000)] = "",
    brief_id: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add a profile to the shortlist (with the brief it was found for: by id from a result
    card, see :mod:`service.web.routes.search`)."""
    text = (container.briefs.get(brief_id) if brief_id else None) or brief
    container.accounts.add_to_shortlist(who.key.id, profile_id, brief=text[:2000])
    return back(request, "/shortlist")


@router.post("/shortlist/remove", openapi_extra=roles_extra(*ALL_ROLES))
def shortlist_remove(
    request: Request,
    who: User,
    container: ContainerDep,
    profile_id: Annotated[str, Form(min_length=1, max_length=200)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Remove a profile from the shortlist."""
    container.accounts.remove_from_shortlist(who.key.id, profile_id)
    return back(request, "/shortlist")
