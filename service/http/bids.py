"""Bids as the API and the pages both change them (lower than either, so neither imports the
other): checks against the catalogue (consent, conflicts of interest), bids from a batch job's
consortium, the API view, the calendar feed and the exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from icalendar import Calendar, Event
from openpyxl import Workbook

from index.db.bids import NewBid, Who
from matcher.bids import (
    ROLE_OF_CONSORTIUM_ROLE,
    Bid,
    BidMember,
    BidRole,
    BidSource,
    InvalidBidError,
    check_candidate,
    check_deadline,
    check_members,
    checklist_for,
    short_call_name,
)
from matcher.model import Profile
from service.batch.consortia_file import read_consortia
from service.container import Container
from service.http.auth import Principal
from service.http.bid_schemas import BidEventOut, BidIn, BidOut, ItemOut, MemberOut
from service.http.exports import neutralise

EXPORT_COLUMNS = (
    "id", "call_name", "funder", "scheme", "theme", "status", "deadline", "amount", "lead",
    "members", "open_steps", "overdue_steps", "created_by", "created_at", "updated_at",
)  # fmt: skip


def today() -> date:
    """Today's date in UTC (the day deadlines and due dates are compared with)."""
    return datetime.now(UTC).date()


def who_of(principal: Principal) -> Who:
    """Who makes a change: the key's name in the history, its id in the audit log."""
    return Who(by=principal.key.name, actor=principal.key.id)


def check_member(container: Container, bid: Bid | NewBid, profile_id: str) -> None:
    """Raise unless a profile may join ``bid``: it exists, consents, and is no conflict of
    interest for the bid's requesting organisation and declared conflicts.

    Raises:
        InvalidBidError: the reason.
    """
    found = container.catalogue.get_profiles(
        [profile_id, *bid.declared_conflicts], with_evidence=False
    )
    declared: list[Profile | str] = [found.get(d) or d for d in bid.declared_conflicts]
    check_candidate(
        found.get(profile_id),
        profile_id,
        requester_organisation=bid.requester_organisation,
        declared=declared,
    )


def new_bid(container: Container, body: BidIn) -> NewBid:
    """The bid ``body`` asks for, checked: a deadline not in the past, members that consent
    and are no conflicts of interest, no duplicates; its checklist from the templates.

    Raises:
        InvalidBidError: a rule fails (the message says which).
        JobNotFoundError, JobNotFinishedError: the named job or its consortia are not there.
    """
    check_deadline(body.deadline, today())
    if body.job_id is not None:
        new = _from_consortium(container, body)
    else:
        if body.brief_id is not None or body.consortium is not None:
            raise InvalidBidError("job_id: give job_id with brief_id and consortium")
        if not body.call_name:
            raise InvalidBidError("call_name: a bid by hand needs a call name")
        new = NewBid(
            call_name=body.call_name,
            members=tuple(BidMember(m.profile_id, BidRole(m.role)) for m in body.members),
            requester_organisation=body.requester_organisation,
            declared_conflicts=tuple(body.conflicts),
        )
    new = replace(
        new,
        funder=body.funder,
        scheme=body.scheme,
        theme=body.theme,
        deadline=body.deadline,
        amount=body.amount,
        notes=body.notes,
        introductions=tuple(body.introductions),
    )
    check_members(new.members)
    for member in new.members:
        check_member(container, new, member.profile_id)
    checklist = checklist_for(container.bids.templates(), new.members, new.deadline)
    return replace(new, checklist=tuple(checklist))


def _from_consortium(container: Container, body: BidIn) -> NewBid:
    assert body.job_id is not None  # the caller checked
    if body.brief_id is None or body.consortium is None:
        raise InvalidBidError(
            "brief_id, consortium: a bid from a job names its brief and consortium"
        )
    briefs = read_consortia(container.settings.batches_dir, body.job_id)
    brief = next((b for b in briefs if b["brief_id"] == body.brief_id), None)
    if brief is None:
        raise InvalidBidError(
            f"brief_id: job {body.job_id} has no consortia for brief {body.brief_id!r}"
        )
    chosen = next((c for c in brief["consortia"] if c["number"] == body.consortium), None)
    if chosen is None:
        raise InvalidBidError(
            f"consortium: brief {body.brief_id!r} has {len(brief['consortia'])} consortia"
        )
    members = tuple(
        BidMember(m["profile_id"], ROLE_OF_CONSORTIUM_ROLE.get(m["role"], BidRole.CO_INVESTIGATOR))
        for m in chosen["members"]
    )
    taken = {m.profile_id for m in members}
    return NewBid(
        call_name=body.call_name or short_call_name(body.brief_id, str(brief["text"])),
        members=members,
        requester_organisation=brief.get("requester_organisation"),
        declared_conflicts=tuple(brief.get("conflicts", ())),
        alternates=tuple(p for p in brief.get("alternates", ()) if p not in taken),
        source=BidSource(body.job_id, body.brief_id, body.consortium),
    )


def names_of(container: Container, bids: Sequence[Bid]) -> dict[str, str]:
    """Profile id → name for every member and alternate of ``bids``."""
    ids = {m.profile_id for b in bids for m in b.members} | {p for b in bids for p in b.alternates}
    return {
        p.id: p.name for p in container.catalogue.get_profiles(ids, with_evidence=False).values()
    }


def bid_out(container: Container, bid: Bid) -> BidOut:
    """The API view of a bid (members and alternates named; overdue steps flagged)."""
    names = names_of(container, [bid])
    now = today()
    return BidOut.model_validate(
        {
            "id": bid.id,
            "call_name": bid.call_name,
            "funder": bid.funder,
            "scheme": bid.scheme,
            "theme": bid.theme,
            "deadline": bid.deadline,
            "amount": bid.amount,
            "status": bid.status.value,
            "notes": bid.notes,
            "version": bid.version,
            "members": [
                MemberOut(
                    profile_id=m.profile_id,
                    name=names.get(m.profile_id, "(unlisted)"),
                    role=m.role.value,
                )
                for m in bid.members
            ],
            "alternates": [
                MemberOut(profile_id=p, name=names[p], role="co_investigator")
                for p in bid.alternates
                if p in names
            ],
            "checklist": [
                ItemOut(
                    id=i.id,
                    key=i.key,
                    title=i.title,
                    owner=i.owner,
                    due=i.due,
                    state=i.state.value,
                    overdue=i in bid.overdue_items(now),
                )
                for i in bid.checklist
            ],
            "introductions": list(bid.introductions),
            "source": (
                {
                    "job_id": bid.source.job_id,
                    "brief_id": bid.source.brief_id,
                    "consortium": bid.source.consortium,
                }
                if bid.source
                else None
            ),
            "status_dates": bid.status_dates,
            "created_by": bid.created_by,
            "created_at": bid.created_at,
            "updated_at": bid.updated_at,
            "events": [
                BidEventOut(at=e.at, by=e.by, action=e.action, detail=e.detail, note=e.note)
                for e in bid.events
            ],
        }
    )


# ---------------------------------------------------------------------------- calendar


def calendar(bids: Sequence[Bid], *, stamp: datetime | None = None) -> bytes:
    """An iCalendar feed: one all-day event per bid deadline and per open governance step with
    a due date (withdrawn and not-funded bids left out)."""
    feed = Calendar()
    feed.add("prodid", "-//ke-matcher//bids//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "ke-matcher bids")
    at = stamp or datetime.now(UTC)
    for bid in bids:
        if bid.status.value in ("withdrawn", "not_funded"):
            continue
        if bid.deadline is not None:
            feed.add_component(
                _event(f"bid-{bid.id}-deadline", f"Deadline: {bid.call_name}", bid.deadline, at,
                       f"{bid.funder} {bid.scheme}".strip() + f" · status {bid.status.value}")
            )  # fmt: skip
        for item in bid.checklist:
            if item.due is not None and item.state.value not in ("done", "not_needed"):
                owner = f" · owner {item.owner}" if item.owner else ""
                feed.add_component(
                    _event(f"bid-{bid.id}-step-{item.id}", f"{item.title} ({bid.call_name})",
                           item.due, at, f"governance step, {item.state.value}{owner}")
                )  # fmt: skip
    return bytes(feed.to_ical())


def _event(uid: str, summary: str, day: date, stamp: datetime, description: str) -> Event:
    event = Event()
    event.add("uid", f"{uid}@ke-matcher")
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtstamp", stamp)
    event.add("description", description)
    return event


# ---------------------------------------------------------------------------- exports


def export_rows(container: Container, bids: Sequence[Bid]) -> list[dict[str, object]]:
    """One row per bid for the CSV and XLSX exports."""
    names = names_of(container, bids)
    now = today()
    rows: list[dict[str, object]] = []
    for bid in bids:
        lead = next((m for m in bid.members if m.role is BidRole.LEAD), None)
        rows.append(
            {
                "id": bid.id,
                "call_name": bid.call_name,
                "funder": bid.funder,
                "scheme": bid.scheme,
                "theme": bid.theme,
                "status": bid.status.value,
                "deadline": bid.deadline.isoformat() if bid.deadline else "",
                "amount": bid.amount if bid.amount is not None else "",
                "lead": names.get(lead.profile_id, "") if lead else "",
                "members": "; ".join(
                    f"{names.get(m.profile_id, m.profile_id)} ({m.role.value})" for m in bid.members
                ),
                "open_steps": sum(
                    i.state.value not in ("done", "not_needed") for i in bid.checklist
                ),
                "overdue_steps": len(bid.overdue_items(now)),
                "created_by": bid.created_by,
                "created_at": bid.created_at,
                "updated_at": bid.updated_at,
            }
        )
    return rows


def bids_csv(rows: list[dict[str, object]]) -> bytes:
    """CSV (UTF-8 with BOM), cells neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise(row.get(k, "")) for k in EXPORT_COLUMNS})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def bids_xlsx(rows: list[dict[str, object]]) -> bytes:
    """An XLSX workbook with one sheet, cells neutralised."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Bids"
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([neutralise(row.get(k, "")) for k in EXPORT_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
