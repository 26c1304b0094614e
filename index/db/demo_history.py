"""Write the demo's made-up history (:mod:`matcher.insight.history`) into the catalogue with the
timestamps of the plan (the stores stamp changes with the clock, which a history cannot use).

Only for the demo: ``matcher demo seed-history`` (``make run`` runs it). A second run finds the
first one's rows (by :data:`~matcher.insight.history.DEMO_AUTHOR`) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select

from index.db.introduction_checklist import seed_checklist
from index.db.schema import bid_events, bid_members, bids, introduction_events, introductions
from matcher.bids import BidRole
from matcher.insight.history import DEMO_AUTHOR, PlannedBid, PlannedIntroduction
from matcher.model import IntroductionStatus, brief_key


def already_seeded(engine: Engine) -> bool:
    """Whether the demo history is in the catalogue."""
    with engine.connect() as connection:
        return (
            connection.execute(
                select(introductions.c.id).where(introductions.c.created_by == DEMO_AUTHOR).limit(1)
            ).first()
            is not None
        )


def write_history(
    engine: Engine, plans: Sequence[PlannedIntroduction], bid_plans: Sequence[PlannedBid]
) -> tuple[int, int]:
    """Write the planned introductions (with their history and, once collaborating, their
    governance checklists) and bids in one transaction; returns how many of each."""
    with engine.begin() as connection:
        for plan in plans:
            first, last = plan.moves[0][1], plan.moves[-1]
            final = last[0]
            result = connection.execute(
                insert(introductions).values(
                    profile_id=plan.profile_id,
                    requester=plan.requester,
                    requester_organisation=None,
                    brief=plan.brief,
                    brief_key=brief_key(plan.brief),
                    status=final.value,
                    created_by=DEMO_AUTHOR,
                    created_at=_at(first),
                    updated_at=_at(last[1]),
                )
            )
            new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            for number, (status, at) in enumerate(plan.moves):
                connection.execute(
                    insert(introduction_events).values(
                        introduction_id=new_id,
                        at=_at(at),
                        by=DEMO_AUTHOR,
                        action="created" if number == 0 else "status",
                        status=status.value,
                        note="",
                    )
                )
            if final is IntroductionStatus.COLLABORATING:
                seed_checklist(connection, new_id, last[1].date())
        for bid in bid_plans:
            _write_bid(connection, bid)
    return len(plans), len(bid_plans)


def _write_bid(connection: Connection, plan: PlannedBid) -> None:
    created, (status, changed) = plan.statuses[0][1], plan.statuses[-1]
    result = connection.execute(
        insert(bids).values(
            call_name=plan.call_name,
            funder=plan.funder,
            scheme="",
            theme="",
            deadline=None,
            amount=plan.amount,
            status=status,
            notes="",
            requester_organisation=None,
            declared_conflicts=[],
            alternates=[],
            introductions=[],
            source=None,
            status_dates={s: at.date().isoformat() for s, at in plan.statuses},
            version=len(plan.statuses),
            created_by=DEMO_AUTHOR,
            created_at=_at(created),
            updated_at=_at(changed),
        )
    )
    bid_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    connection.execute(
        insert(bid_members).values(
            bid_id=bid_id, profile_id=plan.lead, role=BidRole.LEAD.value, position=0
        )
    )
    for number, (s, at) in enumerate(plan.statuses):
        connection.execute(
            insert(bid_events).values(
                bid_id=bid_id,
                at=_at(at),
                by=DEMO_AUTHOR,
                action="created" if number == 0 else "status",
                detail={"to": s} if number else {"members": [plan.lead]},
                note="",
            )
        )


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
