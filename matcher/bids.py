"""Joint grant applications (bids) and the governance steps that follow an introduction.

A bid is born from a consortium of a batch report, or by hand; it moves
``drafting → internal_review → submitted → funded | not_funded`` (or ``withdrawn`` from any
open status). Its members have roles (lead, co-investigator, NHS partner, SME partner); its
checklist holds governance steps, seeded from templates (the usual UK steps), each with an owner,
a due date and a state. This module holds the rules only: storage is
:mod:`index.db.bids`, the HTTP edge ``service.http.routes.bids``.

Errors (leaves of :mod:`matcher.errors`)::

    InvalidInputError    422  └── InvalidBidError      a past deadline, a duplicate member, a
                                                       member without consent or in conflict
    NotFoundError        404  └── BidNotFoundError
    ConflictError        409  ├── BidTransitionError   a status move the current status forbids
                              └── StaleBidError        a write based on an old version of the bid
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from matcher.assignment import conflict_matrix
from matcher.errors import ConflictError, InvalidInputError, NotFoundError
from matcher.model import Profile

# ----------------------------------------------------------------------------- errors


class InvalidBidError(InvalidInputError):
    """A bid or a change to it that fails a rule (the message says which)."""


class BidNotFoundError(NotFoundError):
    """A bid id (or a checklist item of a bid) that does not exist."""


class BidTransitionError(ConflictError):
    """A status move the bid's current status does not allow."""


class StaleBidError(ConflictError):
    """A change based on an older version of the bid than the stored one (reload, then retry)."""

    def __init__(self, bid_id: int, expected: int, current: int) -> None:
        super().__init__(
            f"bid {bid_id} was changed by someone else (you had version {expected}, it is now "
            f"{current}); reload it and apply your change again"
        )
        self.bid_id = bid_id
        self.expected = expected
        self.current = current


# ----------------------------------------------------------------------------- statuses


class BidStatus(StrEnum):
    """Where a bid stands."""

    DRAFTING = "drafting"
    INTERNAL_REVIEW = "internal_review"
    SUBMITTED = "submitted"
    FUNDED = "funded"
    NOT_FUNDED = "not_funded"
    WITHDRAWN = "withdrawn"


#: The moves a bid may make; ``funded``, ``not_funded`` and ``withdrawn`` are final. A bid in
#: internal review may go back to drafting (review asked for changes).
BID_TRANSITIONS: dict[BidStatus, frozenset[BidStatus]] = {
    BidStatus.DRAFTING: frozenset({BidStatus.INTERNAL_REVIEW, BidStatus.WITHDRAWN}),
    BidStatus.INTERNAL_REVIEW: frozenset(
        {BidStatus.DRAFTING, BidStatus.SUBMITTED, BidStatus.WITHDRAWN}
    ),
    BidStatus.SUBMITTED: frozenset({BidStatus.FUNDED, BidStatus.NOT_FUNDED, BidStatus.WITHDRAWN}),
    BidStatus.FUNDED: frozenset(),
    BidStatus.NOT_FUNDED: frozenset(),
    BidStatus.WITHDRAWN: frozenset(),
}
#: Final statuses that are an outcome of the funder's decision (they become outcome labels).
DECIDED = frozenset({BidStatus.FUNDED, BidStatus.NOT_FUNDED})
FINAL = frozenset(s for s, moves in BID_TRANSITIONS.items() if not moves)


def check_transition(old: BidStatus, new: BidStatus) -> None:
    """Raise unless a bid may move from ``old`` to ``new``.

    Raises:
        BidTransitionError: the move is not allowed; the message lists the allowed ones.
    """
    if new not in BID_TRANSITIONS[old]:
        allowed = ", ".join(sorted(s.value for s in BID_TRANSITIONS[old])) or "none (final)"
        raise BidTransitionError(
            f"cannot move a bid from {old.value} to {new.value}; allowed: {allowed}"
        )


class BidRole(StrEnum):
    """A member's role in a bid."""

    LEAD = "lead"
    CO_INVESTIGATOR = "co_investigator"
    NHS_PARTNER = "nhs_partner"
    SME_PARTNER = "sme_partner"


#: Consortium roles (:class:`matcher.consortium.MemberRole` values) → bid roles.
ROLE_OF_CONSORTIUM_ROLE = {
    "lead academic": BidRole.LEAD,
    "co-investigator": BidRole.CO_INVESTIGATOR,
    "NHS partner": BidRole.NHS_PARTNER,
    "SME partner": BidRole.SME_PARTNER,
}


class StepState(StrEnum):
    """Where a governance step stands."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_NEEDED = "not_needed"


CLOSED_STEPS = frozenset({StepState.DONE, StepState.NOT_NEEDED})

# ----------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class BidMember:
    """A member of a bid: a profile and its role."""

    profile_id: str
    role: BidRole


@dataclass(frozen=True, slots=True)
class GovernanceTemplate:
    """A governance step that a new bid's checklist starts with.

    Attributes:
        key: a stable id (``nhs_rd_hra`` ...).
        title: what has to be done.
        applies_to: the member role whose presence brings the step in (``None``: every bid).
        offset_days: the step's due date relative to the bid's deadline (negative: before it).
    """

    key: str
    title: str
    applies_to: BidRole | None = None
    offset_days: int = 0


#: The usual UK steps of a joint health research bid, seeded until an admin edits them.
DEFAULT_TEMPLATES: tuple[GovernanceTemplate, ...] = (
    GovernanceTemplate(
        "nhs_rd_hra",
        "NHS R&D sign-off and HRA approval route agreed",
        BidRole.NHS_PARTNER,
        -14,
    ),
    GovernanceTemplate(
        "research_passport",
        "Research passport or honorary contract for university staff working in the NHS",
        BidRole.NHS_PARTNER,
        30,
    ),
    GovernanceTemplate("data_sharing", "Data-sharing agreement between the partners", None, 30),
    GovernanceTemplate(
        "sme_agreement",
        "Collaboration and IP agreement with the SME partner",
        BidRole.SME_PARTNER,
        -7,
    ),
    GovernanceTemplate("ethics", "Ethics approval (university or NHS REC)", None, 60),
)


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One governance step of a bid.

    Attributes:
        id: the item's id (0 before it is stored).
        key: the template it came from (empty for a step added by hand).
        title: what has to be done.
        owner: who does it (free text: a name or a team).
        due: when it is due, if known.
        state: where it stands.
    """

    id: int
    key: str
    title: str
    owner: str = ""
    due: date | None = None
    state: StepState = StepState.TODO

    def overdue(self, today: date) -> bool:
        """Whether the step is open and its due date has passed."""
        return self.state not in CLOSED_STEPS and self.due is not None and self.due < today

    def due_within(self, today: date, days: int = 7) -> bool:
        """Whether the step is open and due from ``today`` to ``days`` later (overdue excluded)."""
        return (
            self.state not in CLOSED_STEPS
            and self.due is not None
            and today <= self.due <= today + timedelta(days=days)
        )


@dataclass(frozen=True, slots=True)
class BidEvent:
    """One change to a bid: who did what, when (``detail`` holds ids and values, no notes)."""

    at: str
    by: str
    action: str
    detail: dict[str, object] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class BidSource:
    """Where a bid came from: a consortium of a batch job (``consortium`` counts from 1)."""

    job_id: str
    brief_id: str
    consortium: int


@dataclass(frozen=True, slots=True)
class Bid:
    """A joint grant application.

    Attributes:
        requester_organisation: the organisation asking (its people are conflicts of interest).
        declared_conflicts: profile ids declared as conflicts of interest.
        alternates: profile ids the consortium listed as alternates (candidates for a swap).
        introductions: ids of the introductions the bid came from.
        status_dates: status → the date (ISO) the bid reached it.
        version: bumped by every change; a write names the version it was based on.
    """

    id: int
    call_name: str
    funder: str
    scheme: str
    theme: str
    deadline: date | None
    amount: int | None
    status: BidStatus
    notes: str
    members: tuple[BidMember, ...]
    checklist: tuple[ChecklistItem, ...]
    version: int
    created_by: str
    created_at: str
    updated_at: str
    requester_organisation: str | None = None
    declared_conflicts: tuple[str, ...] = ()
    alternates: tuple[str, ...] = ()
    introductions: tuple[int, ...] = ()
    source: BidSource | None = None
    status_dates: dict[str, str] = field(default_factory=dict)
    events: tuple[BidEvent, ...] = ()

    def overdue_items(self, today: date) -> list[ChecklistItem]:
        """The open checklist steps past their due date (none once the bid is withdrawn or not
        funded; a funded bid's governance goes on)."""
        if self.status in FINAL - {BidStatus.FUNDED}:
            return []
        return [i for i in self.checklist if i.overdue(today)]


# ----------------------------------------------------------------------------- rules


def check_deadline(deadline: date | None, today: date) -> None:
    """Raise if a new deadline lies in the past.

    Raises:
        InvalidBidError: ``deadline`` is before ``today``.
    """
    if deadline is not None and deadline < today:
        raise InvalidBidError(
            f"deadline: {deadline.isoformat()} is in the past (today is {today.isoformat()})"
        )


def check_members(members: Sequence[BidMember]) -> None:
    """Raise if a profile appears twice or a bid has more than one lead.

    Raises:
        InvalidBidError: a duplicate member, or two leads.
    """
    seen: set[str] = set()
    for member in members:
        if member.profile_id in seen:
            raise InvalidBidError(f"members: {member.profile_id!r} is already a member of the bid")
        seen.add(member.profile_id)
    if sum(m.role is BidRole.LEAD for m in members) > 1:
        raise InvalidBidError("members: a bid has one lead")


def check_candidate(
    candidate: Profile | None,
    profile_id: str,
    *,
    requester_organisation: str | None,
    declared: Iterable[Profile | str],
) -> None:
    """Raise unless a profile may join a bid: it exists, consents to be listed, and is no
    conflict of interest (the same rule as batch matching: :func:`matcher.assignment.conflict_matrix`).

    Args:
        candidate: the profile, or ``None`` when the catalogue does not hold it.
        profile_id: its id (for the message).
        requester_organisation: the organisation asking for the bid, if any.
        declared: the bid's declared conflicts: profiles where the catalogue holds them (their
            co-authors count), ids otherwise.

    Raises:
        InvalidBidError: unknown, without consent, or a conflict of interest.
    """
    if candidate is None or not candidate.consent:
        # an unlisted profile looks unknown, as everywhere else
        raise InvalidBidError(f"members: no consenting profile with id {profile_id!r}")
    declared_profiles = [d for d in declared if isinstance(d, Profile)]
    declared_ids = {d.id if isinstance(d, Profile) else d for d in declared}
    pool = [candidate, *(d for d in declared_profiles if d.id != candidate.id)]
    forbidden = conflict_matrix(
        requester_organisations=[requester_organisation],
        declared=[declared_ids],
        profile_ids=[p.id for p in pool],
        profile_organisations=[p.organisation_id for p in pool],
        coauthors=[set(p.coauthors) for p in pool],
    )
    if bool(forbidden[0, 0]):
        raise InvalidBidError(
            f"members: {profile_id!r} is a conflict of interest for this bid (the requesting "
            "organisation, a declared conflict or a co-author of one)"
        )


def checklist_for(
    templates: Sequence[GovernanceTemplate],
    members: Sequence[BidMember],
    deadline: date | None,
) -> list[ChecklistItem]:
    """A new bid's checklist: every template that applies to its members' roles, due relative
    to its deadline (no due date when the deadline is unknown)."""
    roles = {m.role for m in members}
    return [
        ChecklistItem(
            id=0,
            key=t.key,
            title=t.title,
            due=deadline + timedelta(days=t.offset_days) if deadline else None,
        )
        for t in templates
        if t.applies_to is None or t.applies_to in roles
    ]


#: An introduction has no deadline: its governance steps fall due this many days after it
#: reached ``collaborating``, plus the template's offset (at least :data:`MIN_STEP_DAYS`).
COLLABORATION_STEP_DAYS = 30
MIN_STEP_DAYS = 7


def collaboration_checklist(
    templates: Sequence[GovernanceTemplate], *, profile_kind: str, start: date
) -> list[ChecklistItem]:
    """The governance checklist of an introduction that reached ``collaborating`` on ``start``:
    the same templates as a bid's. A step for an SME partner applies only when the introduced
    profile is an SME; every other step applies (KE staff mark a step ``not_needed`` where it
    does not: the NHS side of an introduction is usually the requester, whom the catalogue does
    not describe). Each falls due ``COLLABORATION_STEP_DAYS + offset_days`` days after
    ``start``, at least :data:`MIN_STEP_DAYS`."""
    return [
        ChecklistItem(
            id=0,
            key=t.key,
            title=t.title,
            due=start + timedelta(days=max(MIN_STEP_DAYS, COLLABORATION_STEP_DAYS + t.offset_days)),
        )
        for t in templates
        if t.applies_to is not BidRole.SME_PARTNER or profile_kind == "sme"
    ]


def short_call_name(brief_id: str, text: str, *, limit: int = 60) -> str:
    """A bid's default name from a consortium's brief: ``"C3: Funding call on falls…"``, the
    brief's first words up to ``limit`` characters, cut at a word boundary."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return f"{brief_id}: {words}" if words else brief_id
    cut = words[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.-") or words[:limit]
    return f"{brief_id}: {cut}…"


@dataclass(frozen=True, slots=True)
class BidSeries:
    """Figures for the partnership dashboard.

    Attributes:
        by_theme: theme → number of bids.
        by_status: status → number of bids.
        decided: bids the funder decided (funded or not).
        funded: bids funded.
        success_rate: funded / decided (``None`` before any decision).
        money_won: the requested amounts of funded bids, summed.
    """

    by_theme: dict[str, int]
    by_status: dict[str, int]
    decided: int
    funded: int
    success_rate: float | None
    money_won: int


def series(bids: Iterable[Bid]) -> BidSeries:
    """The dashboard's figures over ``bids``."""
    by_theme: dict[str, int] = {}
    by_status = {s.value: 0 for s in BidStatus}
    decided = funded = won = 0
    for bid in bids:
        theme = bid.theme or "(no theme)"
        by_theme[theme] = by_theme.get(theme, 0) + 1
        by_status[bid.status.value] += 1
        if bid.status in DECIDED:
            decided += 1
        if bid.status is BidStatus.FUNDED:
            funded += 1
            won += bid.amount or 0
    return BidSeries(
        by_theme=dict(sorted(by_theme.items())),
        by_status=by_status,
        decided=decided,
        funded=funded,
        success_rate=round(funded / decided, 4) if decided else None,
        money_won=won,
    )
