"""Bids (joint grant applications), their members, checklists and history; governance templates;
outcome labels.

Every change is one transaction that first bumps the bid's ``version`` from the one the caller
read (a stale write raises :class:`~matcher.bids.StaleBidError`, so two KE staff editing one bid
never silently overwrite each other), then writes the change, a history row and an audit row
(:meth:`index.db.audit.AuditLog.record_in`). Moving a bid to ``funded`` or ``not_funded`` writes
one outcome label per member (``outcome_labels``: what the ranking-that-learns issue reads).
Erasing a profile (:meth:`BidStore.forget_profile`) removes it from bids and labels and replaces
its id by ``(erased)`` in the bids' history.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from index.db.audit import AuditAction, AuditLog
from index.db.clock import timestamp
from index.db.schema import (
    bid_checklist,
    bid_events,
    bid_members,
    bids,
    governance_templates,
    outcome_labels,
)
from matcher.bids import (
    DECIDED,
    DEFAULT_TEMPLATES,
    Bid,
    BidEvent,
    BidMember,
    BidNotFoundError,
    BidRole,
    BidSource,
    BidStatus,
    ChecklistItem,
    GovernanceTemplate,
    InvalidBidError,
    StaleBidError,
    StepState,
    check_members,
    check_transition,
)

ERASED = "(erased)"
#: Fields of a bid that :meth:`BidStore.update` may change.
EDITABLE = ("call_name", "funder", "scheme", "theme", "deadline", "amount", "notes")


@dataclass(frozen=True, slots=True)
class NewBid:
    """What a new bid is made of (validated by the caller against the catalogue)."""

    call_name: str
    funder: str = ""
    scheme: str = ""
    theme: str = ""
    deadline: date | None = None
    amount: int | None = None
    notes: str = ""
    members: tuple[BidMember, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    requester_organisation: str | None = None
    declared_conflicts: tuple[str, ...] = ()
    alternates: tuple[str, ...] = ()
    introductions: tuple[int, ...] = ()
    source: BidSource | None = None


@dataclass(frozen=True, slots=True)
class OutcomeLabel:
    """One learned outcome: a profile's part in a decided bid."""

    profile_id: str
    kind: str
    label: str
    at: str
    bid_id: int | None


@dataclass(frozen=True, slots=True)
class Who:
    """Who makes a change: ``by`` (a key's name, in the history) and ``actor`` (its id, in the
    audit log)."""

    by: str
    actor: str


class BidStore:
    """Create, read and change bids; read and replace governance templates."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------------ templates

    def templates(self) -> list[GovernanceTemplate]:
        """The governance templates (the defaults until an admin replaces them)."""
        with self._engine.connect() as connection:
            return read_templates(connection)

    def set_templates(self, templates: Sequence[GovernanceTemplate], *, who: Who) -> None:
        """Replace the governance templates (new bids use them; existing checklists stay).

        Raises:
            InvalidBidError: two templates share a key, or the list is empty.
        """
        keys = [t.key for t in templates]
        if not keys or len(set(keys)) != len(keys):
            raise InvalidBidError("templates: give at least one, each with its own key")
        with self._engine.begin() as connection:
            connection.execute(delete(governance_templates))
            for position, t in enumerate(templates):
                connection.execute(
                    insert(governance_templates).values(
                        key=t.key,
                        title=t.title,
                        applies_to=t.applies_to.value if t.applies_to else None,
                        offset_days=t.offset_days,
                        position=position,
                    )
                )
            AuditLog.record_in(
                connection,
                AuditAction.GOVERNANCE_TEMPLATES,
                actor=who.actor,
                target="governance",
                detail={"templates": len(keys)},
            )

    # ------------------------------------------------------------------ reading

    def get(self, bid_id: int) -> Bid:
        """One bid with its members, checklist and history.

        Raises:
            BidNotFoundError: no such bid.
        """
        found = self._load([bid_id])
        if not found:
            raise BidNotFoundError(f"no bid with id {bid_id}")
        return found[0]

    def find(self, *, status: BidStatus | None = None, limit: int = 1000) -> list[Bid]:
        """Bids, newest first, optionally of one status."""
        query = select(bids.c.id).order_by(bids.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(bids.c.status == status.value)
        with self._engine.connect() as connection:
            ids = list(connection.execute(query).scalars())
        return self._load(ids)

    def outcome_labels(self, *, profile_id: str | None = None) -> list[OutcomeLabel]:
        """Outcome labels, oldest first (all, or one profile's)."""
        query = select(outcome_labels).order_by(outcome_labels.c.id)
        if profile_id is not None:
            query = query.where(outcome_labels.c.profile_id == profile_id)
        with self._engine.connect() as connection:
            return [
                OutcomeLabel(
                    profile_id=r["profile_id"],
                    kind=r["kind"],
                    label=r["label"],
                    at=r["at"],
                    bid_id=r["bid_id"],
                )
                for r in connection.execute(query).mappings()
            ]

    # ------------------------------------------------------------------ changes

    def create(self, new: NewBid, *, who: Who) -> Bid:
        """Store a new bid (status ``drafting``, version 1) with its members and checklist.

        Raises:
            InvalidBidError: a duplicate member, or a member erased meanwhile.
        """
        check_members(new.members)
        now = timestamp()
        try:
            with self._engine.begin() as connection:
                bid_id = self._insert(connection, new, now, who)
        except IntegrityError as error:  # a member's profile was erased meanwhile
            raise InvalidBidError("members: a member's profile no longer exists") from error
        return self.get(bid_id)

    def _insert(self, connection: Connection, new: NewBid, now: str, who: Who) -> int:
        result = connection.execute(
            insert(bids).values(
                call_name=new.call_name,
                funder=new.funder,
                scheme=new.scheme,
                theme=new.theme,
                deadline=new.deadline.isoformat() if new.deadline else None,
                amount=new.amount,
                status=BidStatus.DRAFTING.value,
                notes=new.notes,
                requester_organisation=new.requester_organisation,
                declared_conflicts=list(new.declared_conflicts),
                alternates=list(new.alternates),
                introductions=list(new.introductions),
                source=(
                    {
                        "job_id": new.source.job_id,
                        "brief_id": new.source.brief_id,
                        "consortium": new.source.consortium,
                    }
                    if new.source
                    else None
                ),
                status_dates={BidStatus.DRAFTING.value: now[:10]},
                version=1,
                created_by=who.by,
                created_at=now,
                updated_at=now,
            )
        )
        bid_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        for position, member in enumerate(new.members):
            _insert_member(connection, bid_id, member, position)
        for position, item in enumerate(new.checklist):
            connection.execute(
                insert(bid_checklist).values(**_item_row(item), bid_id=bid_id, position=position)
            )
        detail: dict[str, Any] = {"members": [m.profile_id for m in new.members]}
        if new.source:
            detail["source"] = f"{new.source.job_id}/{new.source.brief_id}/{new.source.consortium}"
        _record(connection, bid_id, now, who, "created", detail)
        AuditLog.record_in(
            connection,
            AuditAction.BID_CREATE,
            actor=who.actor,
            target=f"bid/{bid_id}",
            detail={"profiles": [m.profile_id for m in new.members], "status": "drafting"},
        )
        return bid_id

    def update(self, bid_id: int, version: int, changes: dict[str, Any], *, who: Who) -> Bid:
        """Change a bid's own fields (:data:`EDITABLE`); ``deadline`` is a date or ``None``.

        Raises:
            BidNotFoundError: no such bid.
            StaleBidError: the bid is no longer at ``version``.
            ValueError: a field that is not editable (programmer misuse).
        """
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}; editable: {', '.join(EDITABLE)}")
        values = dict(changes)
        if "deadline" in values:
            values["deadline"] = values["deadline"].isoformat() if values["deadline"] else None
        now = timestamp()
        with self._engine.begin() as connection:
            _bump(connection, bid_id, version, now)
            if values:
                connection.execute(update(bids).where(bids.c.id == bid_id).values(**values))
            shown = {k: v for k, v in values.items() if k not in ("notes", "call_name")}
            _record(connection, bid_id, now, who, "updated", {"fields": sorted(values), **shown})
            _audit(connection, who, AuditAction.BID_UPDATE, bid_id, {"fields": sorted(values)})
        return self.get(bid_id)

    def change_status(
        self, bid_id: int, version: int, status: BidStatus, *, who: Who, note: str = ""
    ) -> Bid:
        """Move a bid along its statuses; a decided bid labels each member with its outcome.

        Raises:
            BidNotFoundError: no such bid.
            StaleBidError: the bid is no longer at ``version``.
            BidTransitionError: the move is not allowed from the current status.
        """
        now = timestamp()
        with self._engine.begin() as connection:
            _bump(connection, bid_id, version, now)
            row = connection.execute(
                select(bids.c.status, bids.c.status_dates).where(bids.c.id == bid_id)
            ).one()
            old = BidStatus(row.status)
            check_transition(old, status)
            dates = {**(row.status_dates or {}), status.value: now[:10]}
            connection.execute(
                update(bids)
                .where(bids.c.id == bid_id)
                .values(status=status.value, status_dates=dates)
            )
            if status in DECIDED:
                for profile_id in connection.execute(
                    select(bid_members.c.profile_id).where(bid_members.c.bid_id == bid_id)
                ).scalars():
                    connection.execute(
                        insert(outcome_labels).values(
                            profile_id=profile_id,
                            kind="bid",
                            label=status.value,
                            at=now,
                            bid_id=bid_id,
                        )
                    )
            _record(
                connection,
                bid_id,
                now,
                who,
                "status",
                {"from": old.value, "to": status.value},
                note,
            )
            _audit(connection, who, AuditAction.BID_STATUS, bid_id, {"status": status.value})
        return self.get(bid_id)

    def add_member(self, bid_id: int, version: int, member: BidMember, *, who: Who) -> Bid:
        """Add a member (checked by the caller for consent and conflicts of interest).

        Raises:
            BidNotFoundError: no such bid.
            StaleBidError: the bid is no longer at ``version``.
            InvalidBidError: already a member, a second lead, or the profile was erased.
        """
        return self._change_members(bid_id, version, who, add=member)

    def remove_member(self, bid_id: int, version: int, profile_id: str, *, who: Who) -> Bid:
        """Take a member out of a bid.

        Raises:
            BidNotFoundError: no such bid, or the profile is not a member.
            StaleBidError: the bid is no longer at ``version``.
        """
        return self._change_members(bid_id, version, who, remove=profile_id)

    def swap_member(
        self, bid_id: int, version: int, profile_id: str, replacement: str, *, who: Who
    ) -> Bid:
        """Replace a member by another profile in the same role and place.

        Raises:
            BidNotFoundError: no such bid, or ``profile_id`` is not a member.
            StaleBidError: the bid is no longer at ``version``.
            InvalidBidError: the replacement is already a member, or was erased.
        """
        return self._change_members(bid_id, version, who, remove=profile_id, add=replacement)

    def _change_members(
        self,
        bid_id: int,
        version: int,
        who: Who,
        *,
        remove: str | None = None,
        add: BidMember | str | None = None,
    ) -> Bid:
        now = timestamp()
        try:
            with self._engine.begin() as connection:
                _bump(connection, bid_id, version, now)
                members = _members(connection, bid_id)
                position = len(members)
                role: BidRole | None = None
                if remove is not None:
                    found = [(i, m) for i, m in enumerate(members) if m.profile_id == remove]
                    if not found:
                        raise BidNotFoundError(f"{remove!r} is not a member of bid {bid_id}")
                    position, role = found[0][0], found[0][1].role
                    members.pop(position)
                    connection.execute(
                        delete(bid_members)
                        .where(bid_members.c.bid_id == bid_id)
                        .where(bid_members.c.profile_id == remove)
                    )
                added = None
                if add is not None:
                    added = (
                        add
                        if isinstance(add, BidMember)
                        else BidMember(add, role or BidRole.CO_INVESTIGATOR)
                    )
                    check_members([*members, added])
                    _insert_member(connection, bid_id, added, position)
                action = "swapped" if remove and added else "removed" if remove else "added"
                detail: dict[str, Any] = {
                    "removed": remove,
                    "added": added.profile_id if added else None,
                }
                if added:
                    detail["role"] = added.role.value
                _record(connection, bid_id, now, who, f"member {action}", detail)
                for profile_id in (remove, added.profile_id if added else None):
                    if profile_id:
                        _audit(
                            connection, who, AuditAction.BID_MEMBER, bid_id,
                            {"profile_id": profile_id, "change": action},
                        )  # fmt: skip
        except IntegrityError as error:
            raise InvalidBidError("members: that profile no longer exists") from error
        return self.get(bid_id)

    def update_item(
        self,
        bid_id: int,
        version: int,
        item_id: int,
        changes: dict[str, Any],
        *,
        who: Who,
    ) -> Bid:
        """Change a checklist step's ``owner``, ``due`` (a date or ``None``) or ``state``.

        Raises:
            BidNotFoundError: no such bid, or no such step on it.
            StaleBidError: the bid is no longer at ``version``.
        """
        values = {k: v for k, v in changes.items() if k in ("owner", "due", "state", "title")}
        if "due" in values:
            values["due"] = values["due"].isoformat() if values["due"] else None
        if "state" in values:
            values["state"] = StepState(values["state"]).value
        now = timestamp()
        with self._engine.begin() as connection:
            _bump(connection, bid_id, version, now)
            found = connection.execute(
                select(bid_checklist.c.id)
                .where(bid_checklist.c.id == item_id)
                .where(bid_checklist.c.bid_id == bid_id)
            ).first()
            if found is None:
                raise BidNotFoundError(f"bid {bid_id} has no checklist item {item_id}")
            if values:
                connection.execute(
                    update(bid_checklist).where(bid_checklist.c.id == item_id).values(**values)
                )
            shown = {k: v for k, v in values.items() if k in ("due", "state")}
            _record(
                connection,
                bid_id,
                now,
                who,
                "checklist",
                {"item": item_id, "fields": sorted(values), **shown},
            )
            _audit(connection, who, AuditAction.BID_CHECKLIST, bid_id, {"item": item_id, **shown})
        return self.get(bid_id)

    # ------------------------------------------------------------------ erasure

    @staticmethod
    def forget_profile(connection: Connection, profile_id: str) -> int:
        """Take an erased profile out of every bid (inside the erasure's transaction): its
        memberships and outcome labels are deleted, its id leaves the bids' alternates and
        declared conflicts, and in their history it becomes ``(erased)``. Returns how many
        history rows were anonymised."""
        # the profile's row may already be gone (its foreign keys cascade): these deletes then
        # find nothing, and say what erasure means where no cascade applies
        connection.execute(delete(bid_members).where(bid_members.c.profile_id == profile_id))
        connection.execute(delete(outcome_labels).where(outcome_labels.c.profile_id == profile_id))
        for row in connection.execute(
            select(bids.c.id, bids.c.alternates, bids.c.declared_conflicts)
        ).mappings():
            alternates, declared = list(row["alternates"]), list(row["declared_conflicts"])
            if profile_id in alternates or profile_id in declared:
                connection.execute(
                    update(bids)
                    .where(bids.c.id == row["id"])
                    .values(
                        alternates=[p for p in alternates if p != profile_id],
                        declared_conflicts=[p for p in declared if p != profile_id],
                    )
                )
        quoted = json.dumps(profile_id)  # how the JSON text holds it; the exact test follows
        anonymised = 0
        for row in connection.execute(
            select(bid_events.c.id, bid_events.c.detail).where(
                cast(bid_events.c.detail, String).contains(quoted, autoescape=True)
            )
        ).mappings():
            connection.execute(
                update(bid_events)
                .where(bid_events.c.id == row["id"])
                .values(detail=_anonymised(row["detail"], profile_id))
            )
            anonymised += 1
        return anonymised

    # ------------------------------------------------------------------ loading

    def _load(self, ids: list[int]) -> list[Bid]:
        if not ids:
            return []
        with self._engine.connect() as connection:
            rows = {
                r["id"]: r
                for r in connection.execute(select(bids).where(bids.c.id.in_(ids))).mappings()
            }
            members: dict[int, list[BidMember]] = {i: [] for i in ids}
            for m in connection.execute(
                select(bid_members)
                .where(bid_members.c.bid_id.in_(ids))
                .order_by(bid_members.c.bid_id, bid_members.c.position)
            ).mappings():
                members[m["bid_id"]].append(BidMember(m["profile_id"], BidRole(m["role"])))
            items: dict[int, list[ChecklistItem]] = {i: [] for i in ids}
            for c in connection.execute(
                select(bid_checklist)
                .where(bid_checklist.c.bid_id.in_(ids))
                .order_by(bid_checklist.c.bid_id, bid_checklist.c.position)
            ).mappings():
                items[c["bid_id"]].append(_item(c))
            events: dict[int, list[BidEvent]] = {i: [] for i in ids}
            for e in connection.execute(
                select(bid_events).where(bid_events.c.bid_id.in_(ids)).order_by(bid_events.c.id)
            ).mappings():
                events[e["bid_id"]].append(
                    BidEvent(
                        at=e["at"],
                        by=e["by"],
                        action=e["action"],
                        detail=dict(e["detail"]),
                        note=e["note"],
                    )
                )
        return [_bid(rows[i], members[i], items[i], events[i]) for i in ids if i in rows]


# ---------------------------------------------------------------------------- helpers


def read_templates(connection: Connection) -> list[GovernanceTemplate]:
    """The governance templates as stored (inside the caller's transaction), or the defaults
    while no admin has replaced them; bids and collaborating introductions both start from
    them."""
    rows = connection.execute(
        select(governance_templates).order_by(governance_templates.c.position)
    ).mappings()
    found = [
        GovernanceTemplate(
            key=r["key"],
            title=r["title"],
            applies_to=BidRole(r["applies_to"]) if r["applies_to"] else None,
            offset_days=r["offset_days"],
        )
        for r in rows
    ]
    return found or list(DEFAULT_TEMPLATES)


def _bump(connection: Connection, bid_id: int, version: int, now: str) -> None:
    """Move the bid from ``version`` to the next (first in every change: it also locks the row)."""
    result = connection.execute(
        update(bids)
        .where(bids.c.id == bid_id)
        .where(bids.c.version == version)
        .values(version=bids.c.version + 1, updated_at=now)
    )
    if result.rowcount == 1:
        return
    current = connection.execute(select(bids.c.version).where(bids.c.id == bid_id)).scalar()
    if current is None:
        raise BidNotFoundError(f"no bid with id {bid_id}")
    raise StaleBidError(bid_id, version, int(current))


def _members(connection: Connection, bid_id: int) -> list[BidMember]:
    return [
        BidMember(r.profile_id, BidRole(r.role))
        for r in connection.execute(
            select(bid_members.c.profile_id, bid_members.c.role)
            .where(bid_members.c.bid_id == bid_id)
            .order_by(bid_members.c.position)
        )
    ]


def _insert_member(connection: Connection, bid_id: int, member: BidMember, position: int) -> None:
    connection.execute(
        insert(bid_members).values(
            bid_id=bid_id, profile_id=member.profile_id, role=member.role.value, position=position
        )
    )


def _item_row(item: ChecklistItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "title": item.title,
        "owner": item.owner,
        "due": item.due.isoformat() if item.due else None,
        "state": item.state.value,
    }


def _item(row: Any) -> ChecklistItem:
    return ChecklistItem(
        id=row["id"],
        key=row["key"],
        title=row["title"],
        owner=row["owner"],
        due=date.fromisoformat(row["due"]) if row["due"] else None,
        state=StepState(row["state"]),
    )


def _record(
    connection: Connection,
    bid_id: int,
    at: str,
    who: Who,
    action: str,
    detail: dict[str, Any],
    note: str = "",
) -> None:
    connection.execute(
        insert(bid_events).values(
            bid_id=bid_id, at=at, by=who.by, action=action, detail=detail, note=note
        )
    )


def _audit(
    connection: Connection, who: Who, action: AuditAction, bid_id: int, detail: dict[str, Any]
) -> None:
    AuditLog.record_in(connection, action, actor=who.actor, target=f"bid/{bid_id}", detail=detail)


def _anonymised(value: Any, profile_id: str) -> Any:
    """``value`` with every occurrence of ``profile_id`` (as a whole string) replaced."""
    if isinstance(value, str):
        return ERASED if value == profile_id else value
    if isinstance(value, list):
        return [_anonymised(v, profile_id) for v in value]
    if isinstance(value, dict):
        return {k: _anonymised(v, profile_id) for k, v in value.items()}
    return value


def _bid(
    row: Any, members: list[BidMember], items: list[ChecklistItem], events: list[BidEvent]
) -> Bid:
    source = row["source"]
    return Bid(
        id=row["id"],
        call_name=row["call_name"],
        funder=row["funder"],
        scheme=row["scheme"],
        theme=row["theme"],
        deadline=date.fromisoformat(row["deadline"]) if row["deadline"] else None,
        amount=row["amount"],
        status=BidStatus(row["status"]),
        notes=row["notes"],
        members=tuple(members),
        checklist=tuple(items),
        version=row["version"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        requester_organisation=row["requester_organisation"],
        declared_conflicts=tuple(row["declared_conflicts"]),
        alternates=tuple(row["alternates"]),
        introductions=tuple(row["introductions"]),
        source=BidSource(source["job_id"], source["brief_id"], int(source["consortium"]))
        if source
        else None,
        status_dates=dict(row["status_dates"]),
        events=tuple(events),
    )
