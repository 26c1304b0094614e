"""Introductions: propose one, list and read them, move them along, add notes (KE staff).

Every change is audited by :func:`service.http.audit.audit_introduction`, as on the pages.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from index.db.audit import AuditAction
from index.db.introductions import DuplicateIntroductionError
from matcher.bids import ChecklistItem
from matcher.errors import ProfileNotFoundError
from matcher.model import Introduction, IntroductionStatus
from service.container import Container
from service.http.audit import audit_introduction
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.bid_schemas import ItemOut, StepPatch
from service.http.bids import today
from service.http.deps import ContainerDep, IntroductionId, Staff
from service.http.routes.common import API_PREFIX, listed
from service.http.schemas import (
    DuplicateIntroductionOut,
    IntroductionEventOut,
    IntroductionIn,
    IntroductionOut,
    NoteIn,
    StatusChange,
)
from service.search.feedback import record_outcome

router = APIRouter(prefix=API_PREFIX, tags=["introductions"])


def introduction_out(container: Container, introduction: Introduction) -> IntroductionOut:
    """The API view of an introduction (with the profile's name)."""
    names = {
        p.id: p.name for p in container.catalogue.get_profiles([introduction.profile_id]).values()
    }
    return IntroductionOut(
        id=introduction.id,
        profile_id=introduction.profile_id,
        profile_name=names.get(introduction.profile_id, "(deleted)"),
        requester=introduction.requester,
        requester_organisation=introduction.requester_organisation,
        brief=introduction.brief,
        status=introduction.status.value,
        created_by=introduction.created_by,
        created_at=introduction.created_at,
        updated_at=introduction.updated_at,
        events=[
            IntroductionEventOut(
                at=e.at,
                by=e.by,
                action=e.action,
                status=e.status.value if e.status else None,
                note=e.note,
            )
            for e in introduction.events
        ],
    )


@router.post(
    "/introductions",
    response_model=IntroductionOut,
    status_code=201,
    responses={
        409: {
            "model": DuplicateIntroductionOut,
            "description": "An introduction of this profile for the same brief is open "
            "(proposed, contacted or met); ``introduction_id`` names it.",
        }
    },
    openapi_extra=roles_extra(*STAFF_ROLES),
)
def create_introduction(
    body: IntroductionIn, container: ContainerDep, who: Staff
) -> IntroductionOut | JSONResponse:
    """Propose an introduction (typically from a search result). At most one per profile and
    brief is open at a time: a second answers 409 with the open one's id."""
    if not listed(container, body.profile_id):
        raise ProfileNotFoundError(body.profile_id)
    try:
        created = container.introductions.create(
            profile_id=body.profile_id,
            requester=body.requester,
            requester_organisation=body.requester_organisation,
            brief=body.brief,
            by=who.key.name,
            note=body.note,
        )
    except DuplicateIntroductionError as error:
        refused = DuplicateIntroductionOut(
            error=type(error).__name__, message=str(error), introduction_id=error.existing_id
        )
        return JSONResponse(refused.model_dump(), status_code=409)
    audit_introduction(container, who, AuditAction.INTRODUCTION_CREATE, created)
    return introduction_out(container, created)


@router.get(
    "/introductions", response_model=list[IntroductionOut], openapi_extra=roles_extra(*STAFF_ROLES)
)
def list_introductions(
    container: ContainerDep,
    _who: Staff,
    status: Annotated[
        Literal["proposed", "contacted", "met", "collaborating", "declined"] | None, Query()
    ] = None,
    profile_id: Annotated[str | None, Query(max_length=200)] = None,
    requester_organisation: Annotated[str | None, Query(max_length=200)] = None,
) -> list[IntroductionOut]:
    """Introductions, newest first, filtered by status, profile or requester organisation."""
    found = container.introductions.find(
        status=IntroductionStatus(status) if status else None,
        profile_id=profile_id,
        requester_organisation=requester_organisation,
    )
    return [introduction_out(container, i) for i in found]


@router.get(
    "/introductions/{introduction_id}",
    response_model=IntroductionOut,
    openapi_extra=roles_extra(*STAFF_ROLES),
)
def get_introduction(
    introduction_id: IntroductionId, container: ContainerDep, _who: Staff
) -> IntroductionOut:
    """One introduction with its history."""
    return introduction_out(container, container.introductions.get(introduction_id))


@router.post(
    "/introductions/{introduction_id}/status",
    response_model=IntroductionOut,
    openapi_extra=roles_extra(*STAFF_ROLES),
)
def change_status(
    introduction_id: IntroductionId, body: StatusChange, container: ContainerDep, who: Staff
) -> IntroductionOut:
    """Move an introduction: proposed → contacted → met → collaborating, or declined."""
    changed = container.introductions.change_status(
        introduction_id, IntroductionStatus(body.status), by=who.key.name, note=body.note
    )
    audit_introduction(container, who, AuditAction.INTRODUCTION_STATUS, changed)
    # an outcome (collaborating / declined) is a label for the re-ranker (issue 18)
    record_outcome(
        container.engine, container.feedback, changed, given_by=who.key.id, role=who.role.value
    )
    return introduction_out(container, changed)


@router.post(
    "/introductions/{introduction_id}/notes",
    response_model=IntroductionOut,
    openapi_extra=roles_extra(*STAFF_ROLES),
)
def add_note(
    introduction_id: IntroductionId, body: NoteIn, container: ContainerDep, who: Staff
) -> IntroductionOut:
    """Add a note to an introduction's history."""
    noted = container.introductions.add_note(introduction_id, body.note, by=who.key.name)
    audit_introduction(container, who, AuditAction.INTRODUCTION_NOTE, noted)
    return introduction_out(container, noted)


def _step_out(item: ChecklistItem, now: date) -> ItemOut:
    return ItemOut(
        id=item.id,
        key=item.key,
        title=item.title,
        owner=item.owner,
        due=item.due,
        state=item.state.value,
        overdue=item.overdue(now),
    )


@router.get(
    "/introductions/{introduction_id}/checklist",
    response_model=list[ItemOut],
    openapi_extra=roles_extra(*STAFF_ROLES),
)
def get_checklist(
    introduction_id: IntroductionId, container: ContainerDep, _who: Staff
) -> list[ItemOut]:
    """The governance checklist of an introduction (empty until it reaches collaborating)."""
    container.introductions.get(introduction_id)  # 404 for an unknown one
    now = today()
    items = container.introduction_checklists.items([introduction_id]).get(introduction_id, [])
    return [_step_out(i, now) for i in items]


@router.patch(
    "/introductions/{introduction_id}/checklist/{item_id}",
    response_model=ItemOut,
    openapi_extra=roles_extra(*STAFF_ROLES),
)
def patch_step(
    introduction_id: IntroductionId,
    item_id: Annotated[int, Path(ge=1, le=2**62)],
    body: StepPatch,
    container: ContainerDep,
    who: Staff,
) -> ItemOut:
    """Give a governance step of a collaboration an owner, a due date or a state (audited)."""
    changes = body.model_dump(exclude_unset=True)
    if "owner" in changes and changes["owner"] is None:
        changes["owner"] = ""
    if changes.get("state") is None:
        changes.pop("state", None)
    item = container.introduction_checklists.update_item(
        introduction_id, item_id, changes, actor=who.key.id
    )
    return _step_out(item, today())
