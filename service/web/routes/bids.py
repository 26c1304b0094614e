"""The bids pages (KE staff): a board of bids by status with overdue governance steps flagged and
a "due this week" list; a bid's page with its members, checklist and history; a batch job's
consortia, each made a bid with one click. Changes go through the same checks, history and
audit as the API (:mod:`service.http.bids`, :mod:`index.db.bids`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from matcher.bids import BID_TRANSITIONS, BidStatus, InvalidBidError, StepState
from matcher.model import IntroductionStatus
from service.batch.consortia_file import read_consortia
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.bid_schemas import BidIn
from service.http.bids import check_member, names_of, new_bid, today, who_of
from service.http.deps import ContainerDep, JobId, StaffUser
from service.web.render import render
from service.web.routes.introductions import collaboration_steps

router = APIRouter()
STAFF = roles_extra(*STAFF_ROLES)
Csrf = Annotated[str, Form(max_length=200)]
Version = Annotated[int, Form(ge=1, le=2**62)]
STATUS_NAMES = {
    BidStatus.DRAFTING: "Drafting",
    BidStatus.INTERNAL_REVIEW: "Internal review",
    BidStatus.SUBMITTED: "Submitted",
    BidStatus.FUNDED: "Funded",
    BidStatus.NOT_FUNDED: "Not funded",
    BidStatus.WITHDRAWN: "Withdrawn",
}


def _day(text: str, field: str) -> date | None:
    """A date from a form field (empty: none).

    Raises:
        InvalidBidError: not a date.
    """
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidBidError(f"{field}: {text!r} is not a date (YYYY-MM-DD)") from None


@router.get("/bids", response_class=HTMLResponse, openapi_extra=STAFF)
def board(request: Request, who: StaffUser, container: ContainerDep) -> HTMLResponse:
    """Bids by status, overdue steps flagged, and the steps due this week."""
    found = container.bids.find()
    now = today()
    due_soon = sorted(
        (
            (i, b)
            for b in found
            for i in b.checklist
            if i.due_within(now) or i in b.overdue_items(now)
        ),
        key=lambda pair: pair[0].due or now,
    )
    return render(
        request,
        "bids.html",
        {
            "user": who,
            "columns": {s: [b for b in found if b.status is s] for s in BidStatus},
            "status_names": STATUS_NAMES,
            "names": names_of(container, found),
            "today": now,
            "due_soon": due_soon,
            # governance of collaborating introductions is due on the same list
            "collaboration_due": collaboration_steps(
                container,
                container.introductions.find(status=IntroductionStatus.COLLABORATING),
                now,
            )[1],
        },
    )


@router.post("/bids", openapi_extra=STAFF)
def create(
    who: StaffUser,
    container: ContainerDep,
    csrf: Csrf = "",
    call_name: Annotated[str, Form(max_length=300)] = "",
    funder: Annotated[str, Form(max_length=300)] = "",
    deadline: Annotated[str, Form(max_length=20)] = "",
    job_id: Annotated[str, Form(max_length=40)] = "",
    brief_id: Annotated[str, Form(max_length=300)] = "",
    consortium: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Make a bid: from a batch job's consortium (one click), or by hand from the board."""
    fields: dict[str, Any] = {"funder": funder, "deadline": _day(deadline, "deadline")}
    if call_name.strip():
        fields["call_name"] = call_name.strip()
    if job_id:
        fields |= {"job_id": job_id, "brief_id": brief_id, "consortium": consortium or None}
    try:
        body = BidIn.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidBidError(f"{first['loc'][0]}: {first['msg']}") from None
    created = container.bids.create(new_bid(container, body), who=who_of(who))
    return RedirectResponse(f"/bids/{created.id}", status_code=303)


@router.get("/bids/from-batch/{job_id}", response_class=HTMLResponse, openapi_extra=STAFF)
def from_batch(
    request: Request, job_id: JobId, who: StaffUser, container: ContainerDep
) -> HTMLResponse:
    """A batch job's consortia, each with a "Make a bid" button."""
    briefs = read_consortia(container.settings.batches_dir, job_id)
    ids = {m["profile_id"] for b in briefs for c in b["consortia"] for m in c["members"]}
    names = {
        p.id: p.name for p in container.catalogue.get_profiles(ids, with_evidence=False).values()
    }
    return render(
        request,
        "bids_from_batch.html",
        {"user": who, "job_id": job_id, "briefs": briefs, "names": names},
    )


@router.get("/bids/{bid_id}", response_class=HTMLResponse, openapi_extra=STAFF)
def bid_page(
    request: Request, bid_id: int, who: StaffUser, container: ContainerDep
) -> HTMLResponse:
    """One bid: its details, members (with alternates to swap in), checklist and history."""
    bid = container.bids.get(bid_id)
    now = today()
    return render(
        request,
        "bids_detail.html",
        {
            "user": who,
            "bid": bid,
            "names": names_of(container, [bid]),
            "status_names": STATUS_NAMES,
            "moves": sorted(BID_TRANSITIONS[bid.status]),
            "overdue": {i.id for i in bid.overdue_items(now)},
            "states": list(StepState),
        },
    )


@router.post("/bids/{bid_id}/status", openapi_extra=STAFF)
def move(
    bid_id: int,
    who: StaffUser,
    container: ContainerDep,
    version: Version,
    status: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=5_000)] = "",
    csrf: Csrf = "",
) -> Response:
    """Move a bid to a new status."""
    try:
        target = BidStatus(status)
    except ValueError:
        raise InvalidBidError(f"status: unknown status {status!r}") from None
    container.bids.change_status(bid_id, version, target, who=who_of(who), note=note)
    return RedirectResponse(f"/bids/{bid_id}", status_code=303)


@router.post("/bids/{bid_id}/checklist/{item_id}", openapi_extra=STAFF)
def tick(
    bid_id: int,
    item_id: int,
    who: StaffUser,
    container: ContainerDep,
    version: Version,
    owner: Annotated[str, Form(max_length=300)] = "",
    due: Annotated[str, Form(max_length=20)] = "",
    state: Annotated[str, Form(max_length=20)] = "todo",
    csrf: Csrf = "",
) -> Response:
    """Give a governance step an owner, a due date and a state."""
    try:
        step = StepState(state)
    except ValueError:
        raise InvalidBidError(f"state: unknown state {state!r}") from None
    changes = {"owner": owner.strip(), "due": _day(due, "due"), "state": step.value}
    container.bids.update_item(bid_id, version, item_id, changes, who=who_of(who))
    return RedirectResponse(f"/bids/{bid_id}", status_code=303)


@router.post("/bids/{bid_id}/members/{profile_id}/swap", openapi_extra=STAFF)
def swap(
    bid_id: int,
    profile_id: str,
    who: StaffUser,
    container: ContainerDep,
    version: Version,
    replacement: Annotated[str, Form(min_length=1, max_length=200)],
    csrf: Csrf = "",
) -> Response:
    """Swap a member for an alternate (consent and conflicts of interest checked again)."""
    check_member(container, container.bids.get(bid_id), replacement)
    container.bids.swap_member(bid_id, version, profile_id, replacement, who=who_of(who))
    return RedirectResponse(f"/bids/{bid_id}", status_code=303)


@router.post("/bids/{bid_id}/members/{profile_id}/remove", openapi_extra=STAFF)
def remove(
    bid_id: int,
    profile_id: str,
    who: StaffUser,
    container: ContainerDep,
    version: Version,
    csrf: Csrf = "",
) -> Response:
    """Take a member out of a bid."""
    container.bids.remove_member(bid_id, version, profile_id, who=who_of(who))
    return RedirectResponse(f"/bids/{bid_id}", status_code=303)
