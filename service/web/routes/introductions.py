"""The introductions board (KE staff): introductions by status, one-click creation from a
result card, moving one to its next status. Changes are audited as in the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from index.db.audit import AuditAction
from matcher.errors import InvalidTransitionError
from matcher.model import INTRODUCTION_TRANSITIONS, IntroductionStatus
from service.http.audit import audit_introduction
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.deps import ContainerDep, StaffUser
from service.web.render import back, render

router = APIRouter()


@router.get("/introductions", response_class=HTMLResponse, openapi_extra=roles_extra(*STAFF_ROLES))
def board(request: Request, who: StaffUser, container: ContainerDep) -> HTMLResponse:
    """Introductions grouped by status (KE staff)."""
    found = container.introductions.find()
    names = {
        p.id: p.name
        for p in container.catalogue.get_profiles([i.profile_id for i in found]).values()
    }
    columns = {status: [i for i in found if i.status is status] for status in IntroductionStatus}
    return render(
        request,
        "introductions.html",
        {
            "user": who,
            "columns": columns,
            "names": names,
            "transitions": INTRODUCTION_TRANSITIONS,
        },
    )


@router.post("/introductions", openapi_extra=roles_extra(*STAFF_ROLES))
def introduce(
    request: Request,
    who: StaffUser,
    container: ContainerDep,
    profile_id: Annotated[str, Form(min_length=1, max_length=200)],
    brief: Annotated[str, Form(max_length=100_000)] = "",
    requester: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create an introduction from a result card (one click)."""
    created = container.introductions.create(
        profile_id=profile_id,
        requester=requester.strip() or f"brief searched by {who.key.name}",
        requester_organisation=None,
        brief=brief[:20_000],
        by=who.key.name,
    )
    audit_introduction(container, who, AuditAction.INTRODUCTION_CREATE, created)
    return back(request, "/introductions")


@router.post("/introductions/{introduction_id}/status", openapi_extra=roles_extra(*STAFF_ROLES))
def move(
    request: Request,
    introduction_id: int,
    who: StaffUser,
    container: ContainerDep,
    status: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=5_000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Move an introduction to its next status."""
    try:
        target = IntroductionStatus(status)
    except ValueError:
        raise InvalidTransitionError(f"unknown status {status!r}") from None
    changed = container.introductions.change_status(
        introduction_id, target, by=who.key.name, note=note
    )
    audit_introduction(container, who, AuditAction.INTRODUCTION_STATUS, changed)
    return back(request, "/introductions")
