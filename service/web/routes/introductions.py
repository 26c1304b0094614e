"""The introductions board (KE staff): introductions by status, a proposal from a result card
(who asked, and the brief searched), moving one to its next status. Changes are audited as in
the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from index.db.audit import AuditAction
from index.db.introductions import DuplicateIntroductionError
from index.ingest.records import Required
from matcher.bids import ChecklistItem, InvalidBidError, StepState
from matcher.errors import InvalidTransitionError
from matcher.model import INTRODUCTION_TRANSITIONS, Introduction, IntroductionStatus
from service.container import Container
from service.http.audit import audit_introduction
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.bids import today
from service.http.deps import ContainerDep, StaffUser
from service.http.schemas import DuplicateIntroductionOut
from service.search.feedback import record_outcome
from service.web.render import back, page_error, render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class CollaborationStep:
    """A governance step of a collaborating introduction, as the "due this week" lists show it."""

    item: ChecklistItem
    introduction: Introduction
    name: str


def collaboration_steps(
    container: Container, found: list[Introduction], now: date
) -> tuple[dict[int, list[ChecklistItem]], list[CollaborationStep]]:
    """The checklists of ``found`` (by introduction id), and their steps overdue or due within
    a week, soonest first."""
    checklists = container.introduction_checklists.items(
        i.id for i in found if i.status is IntroductionStatus.COLLABORATING
    )
    names = {
        p.id: p.name
        for p in container.catalogue.get_profiles(
            [i.profile_id for i in found if i.id in checklists], with_evidence=False
        ).values()
    }
    by_id = {i.id: i for i in found}
    due = [
        CollaborationStep(item, by_id[intro_id], names.get(by_id[intro_id].profile_id, "(erased)"))
        for intro_id, items in checklists.items()
        for item in items
        if item.overdue(now) or item.due_within(now)
    ]
    return checklists, sorted(due, key=lambda s: s.item.due or now)


@router.get("/introductions", response_class=HTMLResponse, openapi_extra=roles_extra(*STAFF_ROLES))
def board(request: Request, who: StaffUser, container: ContainerDep) -> HTMLResponse:
    """Introductions grouped by status (KE staff); a collaborating one with its governance
    checklist, overdue steps flagged, and the steps due this week above the board."""
    found = container.introductions.find()
    names = {
        p.id: p.name
        for p in container.catalogue.get_profiles([i.profile_id for i in found]).values()
    }
    columns = {status: [i for i in found if i.status is status] for status in IntroductionStatus}
    now = today()
    checklists, due_soon = collaboration_steps(container, found, now)
    return render(
        request,
        "introductions.html",
        {
            "user": who,
            "columns": columns,
            "names": names,
            "transitions": INTRODUCTION_TRANSITIONS,
            "checklists": checklists,
            "overdue": {k: sum(i.overdue(now) for i in v) for k, v in checklists.items()},
            "due_soon": due_soon,
            "today": now,
            "states": list(StepState),
        },
    )


@router.post(
    "/introductions/{introduction_id}/checklist/{item_id}", openapi_extra=roles_extra(*STAFF_ROLES)
)
def tick(
    request: Request,
    introduction_id: int,
    item_id: int,
    who: StaffUser,
    container: ContainerDep,
    owner: Annotated[str, Form(max_length=300)] = "",
    due: Annotated[str, Form(max_length=20)] = "",
    state: Annotated[str, Form(max_length=20)] = "todo",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Give a collaboration's governance step an owner, a due date and a state (audited)."""
    try:
        step = StepState(state)
        day = date.fromisoformat(due.strip()) if due.strip() else None
    except ValueError:
        raise InvalidBidError(
            f"state or due: {state!r}, {due!r} (a state and YYYY-MM-DD)"
        ) from None
    container.introduction_checklists.update_item(
        introduction_id,
        item_id,
        {"owner": owner.strip(), "due": day, "state": step.value},
        actor=who.key.id,
    )
    return back(request, f"/introductions#intro-{introduction_id}")


@router.post("/introductions", openapi_extra=roles_extra(*STAFF_ROLES))
def introduce(
    request: Request,
    who: StaffUser,
    container: ContainerDep,
    profile_id: Annotated[str, Form(min_length=1, max_length=200)],
    requester: Annotated[str, Form(min_length=1, max_length=500), Required],
    brief: Annotated[str, Form(max_length=100_000)] = "",
    brief_id: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Propose an introduction from a result card, for the person who asked (``requester``)
    and the brief searched (by id). One already open for the profile and brief: 409, naming it.
    """
    text = (container.briefs.get(brief_id) if brief_id else None) or brief
    try:
        created = container.introductions.create(
            profile_id=profile_id,
            requester=requester.strip(),
            requester_organisation=None,
            brief=text[:20_000],
            by=who.key.name,
        )
    except DuplicateIntroductionError as error:
        return already_proposed(request, error)
    audit_introduction(container, who, AuditAction.INTRODUCTION_CREATE, created)
    return back(request, "/introductions")


def already_proposed(request: Request, error: DuplicateIntroductionError) -> Response:
    """The answer to a second proposal: 409 with the open one's id (JSON to the page's script,
    else the error page)."""
    message = f"Introduction already proposed (#{error.existing_id})"
    if request.headers.get("x-requested-with") == "fetch":
        body = DuplicateIntroductionOut(
            error=type(error).__name__, message=message, introduction_id=error.existing_id
        )
        return JSONResponse(body.model_dump(), status_code=409)
    return page_error(request, 409, message)


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
    # an outcome (collaborating / declined) is a label for the re-ranker (issue 18)
    record_outcome(
        container.engine, container.feedback, changed, given_by=who.key.id, role=who.role.value
    )
    return back(request, "/introductions")
