"""Bids (joint grant applications): create one by hand or from a batch job's consortium, list,
read and change them, move them along, swap members, tick governance steps; the calendar feed,
exports, dashboard figures and governance templates. KE staff and admins, as introductions
(templates: admins change them).

Every change names the ``version`` of the bid it was based on: a stale one is answered 409 and
changes nothing. Every change is in the bid's history and the audit log (:mod:`index.db.bids`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from index.db.audit import AuditAction
from matcher.bids import BidMember, BidRole, BidStatus, GovernanceTemplate, check_deadline, series
from service.http.auth import ADMIN_ONLY, STAFF_ROLES, roles_extra
from service.http.bid_schemas import (
    BidIn,
    BidOut,
    BidPatch,
    BidStatusIn,
    BidStatusName,
    BidSummaryOut,
    ItemPatch,
    MemberAdd,
    MemberSwap,
    TemplateIn,
)
from service.http.bids import (
    bid_out,
    bids_csv,
    bids_xlsx,
    calendar,
    check_member,
    export_rows,
    new_bid,
    today,
    who_of,
)
from service.http.deps import Admin, ContainerDep, ProfileId, Staff
from service.http.routes.common import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["bids"])
STAFF = roles_extra(*STAFF_ROLES)
BidId = Annotated[int, Path(ge=1, le=2**62)]
ItemId = Annotated[int, Path(ge=1, le=2**62)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/bids", response_model=list[BidOut], openapi_extra=STAFF)
def list_bids(
    container: ContainerDep,
    _who: Staff,
    status: Annotated[BidStatusName | None, Query()] = None,
) -> list[BidOut]:
    """Bids, newest first, optionally of one status."""
    found = container.bids.find(status=BidStatus(status) if status else None)
    return [bid_out(container, b) for b in found]


@router.post("/bids", response_model=BidOut, status_code=201, openapi_extra=STAFF)
def create_bid(body: BidIn, container: ContainerDep, who: Staff) -> BidOut:
    """A new bid, by hand or from a batch job's consortium (its members checked again for
    consent and conflicts of interest; its checklist from the governance templates)."""
    created = container.bids.create(new_bid(container, body), who=who_of(who))
    return bid_out(container, created)


@router.get(
    "/bids/calendar.ics",
    openapi_extra=STAFF,
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def bids_calendar(container: ContainerDep, _who: Staff) -> Response:
    """Bid deadlines and governance due dates as an iCalendar feed (subscribe from a calendar)."""
    return Response(
        calendar(container.bids.find()),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="bids.ics"'},
    )


@router.get(
    "/bids/export.csv",
    openapi_extra=STAFF,
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(container: ContainerDep, who: Staff) -> Response:
    """Every bid as CSV (safe to open in a spreadsheet)."""
    return _export(container, who, "csv")


@router.get(
    "/bids/export.xlsx",
    openapi_extra=STAFF,
    response_class=Response,
    responses={
        200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
    },
)
def export_xlsx(container: ContainerDep, who: Staff) -> Response:
    """Every bid as an Excel workbook."""
    return _export(container, who, "xlsx")


def _export(container: ContainerDep, who: Staff, kind: str) -> Response:
    found = container.bids.find()
    rows = export_rows(container, found)
    container.audit.record(
        AuditAction.BID_EXPORT,
        actor=who.key.id,
        target="bids",
        detail={"format": kind, "count": len(rows)},
    )
    body, media = (
        (bids_csv(rows), "text/csv; charset=utf-8") if kind == "csv" else (bids_xlsx(rows), XLSX)
    )
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="bids.{kind}"'},
    )


@router.get("/bids/summary", response_model=BidSummaryOut, openapi_extra=STAFF)
def bids_summary(container: ContainerDep, _who: Staff) -> BidSummaryOut:
    """Figures for the partnership dashboard: bids by theme and status, success rate, money won."""
    figures = series(container.bids.find())
    return BidSummaryOut(
        by_theme=figures.by_theme,
        by_status=figures.by_status,
        decided=figures.decided,
        funded=figures.funded,
        success_rate=figures.success_rate,
        money_won=figures.money_won,
    )


@router.get("/bids/templates", response_model=list[TemplateIn], openapi_extra=STAFF)
def get_templates(container: ContainerDep, _who: Staff) -> list[TemplateIn]:
    """The governance templates new bids' checklists start from."""
    return [
        TemplateIn(
            key=t.key,
            title=t.title,
            applies_to=t.applies_to.value if t.applies_to else None,
            offset_days=t.offset_days,
        )
        for t in container.bids.templates()
    ]


@router.put(
    "/bids/templates", response_model=list[TemplateIn], openapi_extra=roles_extra(*ADMIN_ONLY)
)
def put_templates(body: list[TemplateIn], container: ContainerDep, who: Admin) -> list[TemplateIn]:
    """Replace the governance templates (admins; existing checklists are kept)."""
    container.bids.set_templates(
        [
            GovernanceTemplate(
                t.key, t.title, BidRole(t.applies_to) if t.applies_to else None, t.offset_days
            )
            for t in body
        ],
        who=who_of(who),
    )
    return get_templates(container, who)


@router.get("/bids/{bid_id}", response_model=BidOut, openapi_extra=STAFF)
def get_bid(bid_id: BidId, container: ContainerDep, _who: Staff) -> BidOut:
    """One bid with its members, checklist and history."""
    return bid_out(container, container.bids.get(bid_id))


@router.patch("/bids/{bid_id}", response_model=BidOut, openapi_extra=STAFF)
def patch_bid(bid_id: BidId, body: BidPatch, container: ContainerDep, who: Staff) -> BidOut:
    """Change a bid's own fields (a new deadline may not be in the past)."""
    changes = _given(body.model_dump(exclude_unset=True, exclude={"version"}), "deadline", "amount")
    if body.deadline is not None:
        check_deadline(body.deadline, today())
    changed = container.bids.update(bid_id, body.version, changes, who=who_of(who))
    return bid_out(container, changed)


@router.post("/bids/{bid_id}/status", response_model=BidOut, openapi_extra=STAFF)
def change_bid_status(
    bid_id: BidId, body: BidStatusIn, container: ContainerDep, who: Staff
) -> BidOut:
    """Move a bid: drafting → internal_review → submitted → funded | not_funded, or withdrawn."""
    changed = container.bids.change_status(
        bid_id, body.version, BidStatus(body.status), who=who_of(who), note=body.note
    )
    return bid_out(container, changed)


@router.post("/bids/{bid_id}/members", response_model=BidOut, openapi_extra=STAFF)
def add_member(bid_id: BidId, body: MemberAdd, container: ContainerDep, who: Staff) -> BidOut:
    """Add a member (consent and conflicts of interest checked)."""
    check_member(container, container.bids.get(bid_id), body.profile_id)
    changed = container.bids.add_member(
        bid_id, body.version, BidMember(body.profile_id, BidRole(body.role)), who=who_of(who)
    )
    return bid_out(container, changed)


@router.post("/bids/{bid_id}/members/{profile_id}/swap", response_model=BidOut, openapi_extra=STAFF)
def swap_member(
    bid_id: BidId, profile_id: ProfileId, body: MemberSwap, container: ContainerDep, who: Staff
) -> BidOut:
    """Replace a member by another profile in the same role (the checks run again)."""
    check_member(container, container.bids.get(bid_id), body.replacement)
    changed = container.bids.swap_member(
        bid_id, body.version, profile_id, body.replacement, who=who_of(who)
    )
    return bid_out(container, changed)


@router.delete("/bids/{bid_id}/members/{profile_id}", response_model=BidOut, openapi_extra=STAFF)
def remove_member(
    bid_id: BidId,
    profile_id: ProfileId,
    version: Annotated[int, Query(ge=1, le=2**62)],
    container: ContainerDep,
    who: Staff,
) -> BidOut:
    """Take a member out of a bid."""
    changed = container.bids.remove_member(bid_id, version, profile_id, who=who_of(who))
    return bid_out(container, changed)


@router.patch("/bids/{bid_id}/checklist/{item_id}", response_model=BidOut, openapi_extra=STAFF)
def patch_item(
    bid_id: BidId, item_id: ItemId, body: ItemPatch, container: ContainerDep, who: Staff
) -> BidOut:
    """Give a governance step an owner, a due date or a new state."""
    changes = _given(body.model_dump(exclude_unset=True, exclude={"version"}), "due")
    changed = container.bids.update_item(bid_id, body.version, item_id, changes, who=who_of(who))
    return bid_out(container, changed)


def _given(changes: dict[str, object], *clearable: str) -> dict[str, object]:
    """The fields given; ``null`` clears only the ``clearable`` ones (a deadline, an amount, a
    due date) and is ignored elsewhere (a bid always has a call name, a step a state)."""
    return {k: v for k, v in changes.items() if v is not None or k in clearable}
