"""A seeded, made-up history of introductions and bids over months, for the demo's dashboard.

Pure planning (an explicit ``seed``, no clock): who was introduced when, which stages each
introduction reached and when, and a few bids with their outcomes. The storage layer writes
the plan (:mod:`index.db.demo_history`). Stage odds are rough figures for a KE office (most
proposals are contacted, about half of those meet, about a third of meetings become
collaborations); they make a plausible picture, not a measurement.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from matcher.model import IntroductionStatus

#: Who the demo history says it was made by (how a second seeding knows the first).
DEMO_AUTHOR = "demo history"
_NEXT = {
    IntroductionStatus.PROPOSED: (IntroductionStatus.CONTACTED, 0.8, (3, 15)),
    IntroductionStatus.CONTACTED: (IntroductionStatus.MET, 0.6, (7, 30)),
    IntroductionStatus.MET: (IntroductionStatus.COLLABORATING, 0.45, (14, 60)),
}
_REQUESTERS = (
    "Ward manager, Care of the Elderly", "Consultant physiotherapist", "Lead research nurse",
    "Clinical director, Acute Medicine", "Founder, medtech SME", "Council public health lead",
    "Head of nursing education", "GP partner",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlannedIntroduction:
    """One introduction of the history: its moves (status, when) from ``proposed`` on."""

    profile_id: str
    requester: str
    brief: str
    moves: tuple[tuple[IntroductionStatus, datetime], ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class PlannedBid:
    """One bid of the history: its call, lead, amount and dated statuses."""

    call_name: str
    funder: str
    lead: str
    amount: int
    statuses: tuple[tuple[str, datetime], ...]


def plan_introductions(
    profile_ids: Sequence[str],
    briefs: Sequence[str],
    *,
    end: datetime,
    months: int = 12,
    count: int = 80,
    seed: int = 19,
) -> list[PlannedIntroduction]:
    """``count`` introductions proposed over the ``months`` before ``end``, each moving along
    the funnel with the odds above (declined otherwise, or still open when time ran out).

    Raises:
        ValueError: no profiles or no briefs to draw from.
    """
    if not profile_ids or not briefs:
        raise ValueError("plan_introductions needs at least one profile and one brief")
    rng = random.Random(seed)
    start = end - timedelta(days=30 * months)
    span = (end - start).total_seconds()
    plans = []
    used: set[tuple[str, str]] = set()  # one introduction per profile and brief
    for _ in range(count):
        pair = (rng.choice(profile_ids), rng.choice(briefs))
        for _retry in range(20):
            if pair not in used:
                break
            pair = (rng.choice(profile_ids), rng.choice(briefs))
        else:
            continue
        used.add(pair)
        at = start + timedelta(seconds=rng.random() * span * 0.95)
        moves = [(IntroductionStatus.PROPOSED, at)]
        status = IntroductionStatus.PROPOSED
        while status in _NEXT:
            following, odds, (low, high) = _NEXT[status]
            at = at + timedelta(days=rng.randint(low, high), hours=rng.randint(0, 8))
            if at >= end:
                break  # still open today
            status = following if rng.random() < odds else IntroductionStatus.DECLINED
            moves.append((status, at))
        plans.append(
            PlannedIntroduction(
                profile_id=pair[0],
                requester=rng.choice(_REQUESTERS),
                brief=pair[1],
                moves=tuple(moves),
            )
        )
    return sorted(plans, key=lambda p: p.moves[0][1])


def plan_bids(
    leads: Sequence[str], calls: Sequence[str], *, end: datetime, count: int = 14, seed: int = 20
) -> list[PlannedBid]:
    """``count`` bids over the year before ``end``: drafted, reviewed, submitted and decided
    (about a third of those decided funded), amounts from £50k to £1.5m.

    Raises:
        ValueError: no leads or calls.
    """
    if not leads or not calls:
        raise ValueError("plan_bids needs at least one lead and one call")
    rng = random.Random(seed)
    funders = ("NIHR", "MRC", "Innovate UK", "Chief Scientist Office", "Wellcome")
    plans = []
    for number in range(count):
        at = end - timedelta(days=rng.randint(40, 360))
        statuses = [("drafting", at)]
        for status, days in (("internal_review", 14), ("submitted", 21)):
            at = at + timedelta(days=days + rng.randint(0, 10))
            if at >= end:
                break
            statuses.append((status, at))
        if statuses[-1][0] == "submitted":
            at = at + timedelta(days=rng.randint(45, 120))
            if at < end:
                statuses.append(("funded" if rng.random() < 0.35 else "not_funded", at))
        elif rng.random() < 0.15:
            statuses.append(("withdrawn", min(end, at + timedelta(days=5))))
        plans.append(
            PlannedBid(
                call_name=f"{calls[number % len(calls)]} ({2025 + number % 2})",
                funder=rng.choice(funders),
                lead=rng.choice(leads),
                amount=rng.randrange(50_000, 1_500_000, 5_000),
                statuses=tuple(statuses),
            )
        )
    return plans


def utc(year: int, month: int, day: int) -> datetime:
    """A day at midnight UTC (the history's ``end`` in tests)."""
    return datetime(year, month, day, tzinfo=UTC)
