"""The introductions funnel, stage times, months and groups over hand-built histories; the bids'
months; the demo history's plan; a collaboration's checklist; a bid's short default name."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.bids import (
    DEFAULT_TEMPLATES,
    Bid,
    BidStatus,
    collaboration_checklist,
    short_call_name,
)
from matcher.insight.funnel import (
    bid_months,
    by_group,
    by_month,
    funnel,
    spells,
    stage_times,
    today_of,
)
from matcher.insight.history import plan_bids, plan_introductions, utc
from matcher.model import Introduction, IntroductionEvent
from matcher.model import IntroductionStatus as S


def intro(number: int, *moves: tuple[S, str], profile: str = "p1") -> Introduction:
    events = tuple(
        IntroductionEvent(
            at=f"{at}T09:00:00+00:00",
            by="jo",
            action="created" if i == 0 else "status",
            status=status,
            note="",
        )
        for i, (status, at) in enumerate(moves)
    )
    return Introduction(
        id=number,
        profile_id=profile,
        requester="r",
        requester_organisation=None,
        brief="b",
        status=moves[-1][0],
        created_by="jo",
        created_at=events[0].at,
        updated_at=events[-1].at,
        events=events,
    )


HISTORY = [
    intro(1, (S.PROPOSED, "2026-01-05")),
    intro(2, (S.PROPOSED, "2026-01-10"), (S.CONTACTED, "2026-01-20")),
    intro(3, (S.PROPOSED, "2026-01-10"), (S.DECLINED, "2026-01-12"), profile="p2"),
    intro(
        4,
        (S.PROPOSED, "2026-02-01"),
        (S.CONTACTED, "2026-02-03"),
        (S.MET, "2026-02-13"),
        (S.COLLABORATING, "2026-03-15"),
        profile="p2",
    ),
    intro(5, (S.PROPOSED, "2026-02-01"), (S.CONTACTED, "2026-02-05"), (S.DECLINED, "2026-02-09")),
]


def test_the_funnel_counts_every_introduction_once_per_stage_reached() -> None:
    f = funnel(HISTORY)
    assert f.total == 5 and sum(f.current.values()) == 5
    assert f.reached == {S.PROPOSED: 5, S.CONTACTED: 3, S.MET: 1, S.COLLABORATING: 1}
    assert f.declined_from == {S.PROPOSED: 1, S.CONTACTED: 1, S.MET: 0}
    assert f.conversion == {S.PROPOSED: 0.6, S.CONTACTED: round(1 / 3, 4), S.MET: 1.0}
    assert f.collaborating_rate == 0.2
    empty = funnel([])
    assert empty.total == 0 and empty.conversion[S.PROPOSED] is None
    assert empty.collaborating_rate is None


def test_time_in_stage_keeps_finished_and_ongoing_stays_apart() -> None:
    times = {t.stage: t for t in stage_times(HISTORY, today=today_of(date(2026, 1, 25)))}
    # proposed: 10 (intro 2), 2 (3), 2 (4), 4 (5) days finished; intro 1 still there since
    # 09:00 on the 5th: 19.6 days at midnight on the 25th
    assert times[S.PROPOSED].finished == 4 and times[S.PROPOSED].median_days == 3.0
    assert times[S.PROPOSED].ongoing == 1 and times[S.PROPOSED].ongoing_median_days == 19.6
    assert times[S.MET].finished == 1 and times[S.MET].median_days == 30.0
    assert [s.stage for s in spells(HISTORY[2])] == [S.PROPOSED]  # declined is no stay


def test_months_run_without_gaps_and_groups_largest_first() -> None:
    months = by_month(HISTORY)
    assert [m.month for m in months] == ["2026-01", "2026-02", "2026-03"]
    assert months[0].moved_into[S.PROPOSED] == 3 and months[0].moved_into[S.DECLINED] == 1
    assert months[2].moved_into[S.COLLABORATING] == 1
    groups = by_group(HISTORY, lambda i: i.profile_id)
    assert [(g.group, g.funnel.total) for g in groups] == [("p1", 3), ("p2", 2)]
    capped = by_group(HISTORY, lambda i: str(i.id), limit=2)
    assert [g.group for g in capped][-1] == "(others)" and capped[-1].funnel.total == 3
    assert sum(g.funnel.total for g in capped) == len(HISTORY)


def bid(number: int, status: BidStatus, dates: dict[str, str], amount: int) -> Bid:
    return Bid(
        id=number, call_name="c", funder="", scheme="", theme="", deadline=None, amount=amount,
        status=status, notes="", members=(), checklist=(), version=1, created_by="jo",
        created_at=dates["drafting"] + "T09:00:00+00:00", updated_at="", status_dates=dates,
    )  # fmt: skip


def test_bid_months_count_money_won_in_the_month_of_funding() -> None:
    rows = bid_months(
        [
            bid(1, BidStatus.FUNDED, {"drafting": "2026-01-02", "submitted": "2026-02-01",
                                      "funded": "2026-04-10"}, 100_000),
            bid(2, BidStatus.NOT_FUNDED, {"drafting": "2026-01-05", "submitted": "2026-02-03",
                                          "not_funded": "2026-03-01"}, 50_000),
        ]
    )  # fmt: skip
    assert [r.month for r in rows] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert rows[0].created == 2 and rows[1].submitted == 2
    assert rows[2].not_funded == 1 and rows[3].funded == 1 and rows[3].money_won == 100_000
    assert sum(r.money_won for r in rows) == 100_000


def test_the_demo_history_is_seeded_and_consistent() -> None:
    end = utc(2026, 12, 1)
    first = plan_introductions(["a", "b", "c"], ["x", "y", "z", "w"], end=end, count=10)
    again = plan_introductions(["a", "b", "c"], ["x", "y", "z", "w"], end=end, count=10)
    assert first == again and len(first) == 10
    assert len({(p.profile_id, p.brief) for p in first}) == len(first)
    for plan in first:
        assert plan.moves[0][0] is S.PROPOSED
        assert all(a[1] < b[1] < end for a, b in zip(plan.moves, plan.moves[1:], strict=False))
    bids = plan_bids(["a"], ["call"], end=end, count=5)
    assert all(b.statuses[0][0] == "drafting" for b in bids)
    with pytest.raises(ValueError, match="at least one profile"):
        plan_introductions([], ["x"], end=end)


def test_a_collaboration_checklist_comes_from_the_bid_templates() -> None:
    start = date(2026, 3, 1)
    academic = collaboration_checklist(DEFAULT_TEMPLATES, profile_kind="academic", start=start)
    sme = collaboration_checklist(DEFAULT_TEMPLATES, profile_kind="sme", start=start)
    assert "sme_agreement" not in {i.key for i in academic}
    assert {i.key for i in sme} == {t.key for t in DEFAULT_TEMPLATES}
    due = {i.key: i.due for i in sme}
    assert due["nhs_rd_hra"] == date(2026, 3, 17)  # 30 - 14 days
    assert due["ethics"] == date(2026, 5, 30)  # 30 + 60 days
    assert all(d is not None and d >= date(2026, 3, 8) for d in due.values())


def test_a_bid_from_a_consortium_gets_a_short_name() -> None:
    text = "Funding call on falls prevention with wearable sensors in care homes and wards, " * 3
    name = short_call_name("C3", text)
    assert name.startswith("C3: Funding call on falls") and name.endswith("…")
    assert len(name) <= 66 and not name.endswith(" …")
    assert short_call_name("C1", "  Short   call ") == "C1: Short call"
    assert short_call_name("C2", "") == "C2"
