"""The introductions funnel over time, and the bids' series, for the partnership dashboard.

Pure: introductions (with their status history) and bids in, figures out. An introduction
*reached* a stage when its history records the move there (``proposed`` at creation); the
funnel counts, for each stage, the introductions that ever reached it, so that
``reached[proposed]`` is every introduction and the current statuses add up to it too. Time in a
stage is measured from the move into it to the move out of it (for a stage still occupied: to
``today``, reported apart as "so far", never mixed into the finished spells).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from matcher.bids import DECIDED, Bid, BidStatus
from matcher.model import Introduction, IntroductionStatus

#: The funnel's stages in order; ``declined`` is the way out of any open stage.
STAGES: tuple[IntroductionStatus, ...] = (
    IntroductionStatus.PROPOSED,
    IntroductionStatus.CONTACTED,
    IntroductionStatus.MET,
    IntroductionStatus.COLLABORATING,
)
OPEN_STAGES = STAGES[:-1]
NO_GROUP = "(none)"


@dataclass(frozen=True, slots=True)
class Spell:
    """One stay of an introduction in one stage."""

    stage: IntroductionStatus
    start: datetime
    end: datetime | None  # None: still there


@dataclass(frozen=True, slots=True)
class StageTime:
    """How long introductions stayed in a stage.

    Attributes:
        stage: the stage.
        finished: spells that ended (the introduction moved on or was declined).
        median_days: their median length in days (``None`` without any).
        ongoing: introductions in the stage now.
        ongoing_median_days: how long those have been there so far (median, days).
    """

    stage: IntroductionStatus
    finished: int
    median_days: float | None
    ongoing: int
    ongoing_median_days: float | None


@dataclass(frozen=True, slots=True)
class Funnel:
    """The funnel of a set of introductions.

    Attributes:
        total: how many introductions.
        current: status → how many are in it now (adds up to ``total``).
        reached: stage → how many ever reached it (``reached[proposed] == total``).
        declined_from: open stage → how many were declined from it.
        conversion: open stage → share of those that reached it that reached the next stage
            (``None`` when none reached it).
    """

    total: int
    current: dict[IntroductionStatus, int]
    reached: dict[IntroductionStatus, int]
    declined_from: dict[IntroductionStatus, int]
    conversion: dict[IntroductionStatus, float | None]

    @property
    def collaborating_rate(self) -> float | None:
        """Share of all introductions that became collaborations."""
        if not self.total:
            return None
        return round(self.reached[IntroductionStatus.COLLABORATING] / self.total, 4)


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One month of the funnel: introductions proposed, and moves into each stage that month."""

    month: str  # YYYY-MM
    moved_into: dict[IntroductionStatus, int]


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at)


def spells(introduction: Introduction) -> list[Spell]:
    """The stages an introduction passed through, in order, from its history."""
    moves: list[tuple[datetime, IntroductionStatus]] = [
        (_parse(e.at), e.status)
        for e in introduction.events
        if e.status is not None and e.action in ("created", "status")
    ]
    if not moves or moves[0][1] is not IntroductionStatus.PROPOSED:
        # history without its creation (an older row): it was proposed when created
        moves.insert(0, (_parse(introduction.created_at), IntroductionStatus.PROPOSED))
    found: list[Spell] = []
    for (start, stage), following in zip(moves, [*moves[1:], None], strict=True):
        if stage is IntroductionStatus.DECLINED:
            continue
        found.append(Spell(stage, start, following[0] if following else None))
    return found


def reached_stages(introduction: Introduction) -> set[IntroductionStatus]:
    """Every status an introduction ever had (its current one included)."""
    reached = {s.stage for s in spells(introduction)} | {introduction.status}
    return reached


def funnel(introductions: Iterable[Introduction]) -> Funnel:
    """The funnel of ``introductions``."""
    items = list(introductions)
    current = {s: 0 for s in IntroductionStatus}
    reached = {s: 0 for s in STAGES}
    declined_from = {s: 0 for s in OPEN_STAGES}
    for introduction in items:
        current[introduction.status] += 1
        stages = reached_stages(introduction)
        for stage in STAGES:
            reached[stage] += stage in stages
        if introduction.status is IntroductionStatus.DECLINED:
            passed = [s for s in OPEN_STAGES if s in stages]
            declined_from[passed[-1] if passed else IntroductionStatus.PROPOSED] += 1
    conversion: dict[IntroductionStatus, float | None] = {
        stage: round(reached[nxt] / reached[stage], 4) if reached[stage] else None
        for stage, nxt in zip(OPEN_STAGES, STAGES[1:], strict=True)
    }
    return Funnel(len(items), current, reached, declined_from, conversion)


def _days(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 86_400)


def stage_times(introductions: Iterable[Introduction], *, today: datetime) -> list[StageTime]:
    """How long introductions spent in each open stage (finished spells and ongoing ones)."""
    finished: dict[IntroductionStatus, list[float]] = {s: [] for s in OPEN_STAGES}
    ongoing: dict[IntroductionStatus, list[float]] = {s: [] for s in OPEN_STAGES}
    for introduction in introductions:
        for spell in spells(introduction):
            if spell.stage not in finished:
                continue
            if spell.end is not None:
                finished[spell.stage].append(_days(spell.start, spell.end))
            elif introduction.status is spell.stage:
                ongoing[spell.stage].append(_days(spell.start, today))
    return [
        StageTime(
            stage=s,
            finished=len(finished[s]),
            median_days=round(statistics.median(finished[s]), 1) if finished[s] else None,
            ongoing=len(ongoing[s]),
            ongoing_median_days=round(statistics.median(ongoing[s]), 1) if ongoing[s] else None,
        )
        for s in OPEN_STAGES
    ]


def by_month(introductions: Iterable[Introduction]) -> list[MonthRow]:
    """Moves into each stage (and ``declined``) per calendar month, every month from the first
    to the last (months without a move included, so that a chart's axis is time)."""
    counts: dict[str, dict[IntroductionStatus, int]] = {}
    for introduction in introductions:
        for event in introduction.events:
            if event.status is None or event.action not in ("created", "status"):
                continue
            month = event.at[:7]
            row = counts.setdefault(month, {s: 0 for s in IntroductionStatus})
            row[event.status] += 1
    if not counts:
        return []
    months = _months(min(counts), max(counts))
    empty = {s: 0 for s in IntroductionStatus}
    return [MonthRow(m, dict(counts.get(m, empty))) for m in months]


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


@dataclass(frozen=True, slots=True)
class GroupRow:
    """The funnel of one group (an organisation, a kind, a theme)."""

    group: str
    funnel: Funnel


def by_group(
    introductions: Iterable[Introduction],
    group_of: Callable[[Introduction], str | None],
    *,
    limit: int | None = None,
) -> list[GroupRow]:
    """One funnel per group, the largest first (ties by name); ``group_of`` returning ``None``
    puts an introduction under :data:`NO_GROUP`. With ``limit``, the smallest groups beyond it
    are added up as ``(others)``."""
    groups: dict[str, list[Introduction]] = {}
    for introduction in introductions:
        groups.setdefault(group_of(introduction) or NO_GROUP, []).append(introduction)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if limit is not None and len(ordered) > limit:
        rest = [i for _, members in ordered[limit:] for i in members]
        ordered = [*ordered[:limit], ("(others)", rest)]
    return [GroupRow(name, funnel(members)) for name, members in ordered]


def theme_lookup(
    themes: Mapping[str, str] | None,
) -> Callable[[Introduction], str | None] | None:
    """A ``group_of`` for :func:`by_group` from a mapping profile id → theme label; ``None``
    while themes have not been computed."""
    if not themes:
        return None
    return lambda introduction: themes.get(introduction.profile_id)


# ----------------------------------------------------------------------------- bids


@dataclass(frozen=True, slots=True)
class BidMonth:
    """One month of bids: created, submitted, decided, funded, and the money won."""

    month: str
    created: int
    submitted: int
    funded: int
    not_funded: int
    money_won: int


_BID_FIELDS = ("created", "submitted", "funded", "not_funded", "money_won")


def bid_months(bids: Sequence[Bid]) -> list[BidMonth]:
    """Bids per month by when they were created, submitted and decided (from their status
    dates), and the requested amounts of those funded that month."""
    rows: dict[str, dict[str, int]] = {}

    def add(day: str | None, field: str, value: int = 1) -> None:
        if day:
            row = rows.setdefault(day[:7], dict.fromkeys(_BID_FIELDS, 0))
            row[field] += value

    for bid in bids:
        add(bid.created_at, "created")
        add(bid.status_dates.get(BidStatus.SUBMITTED.value), "submitted")
        if bid.status in DECIDED:
            day = bid.status_dates.get(bid.status.value)
            add(day, bid.status.value)
            if bid.status is BidStatus.FUNDED:
                add(day, "money_won", bid.amount or 0)
    if not rows:
        return []
    empty = dict.fromkeys(_BID_FIELDS, 0)
    return [BidMonth(month=m, **rows.get(m, empty)) for m in _months(min(rows), max(rows))]


def today_of(day: date) -> datetime:
    """Midnight UTC of ``day`` as the ``today`` of :func:`stage_times` (tests pin it)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
