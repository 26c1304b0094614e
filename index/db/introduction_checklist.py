"""Governance checklists of collaborating introductions (issue 20 item 2).

An introduction that reaches ``collaborating`` gets the same governance steps as a bid, from the
same templates (:func:`index.db.bids.read_templates`, :func:`matcher.bids.collaboration_checklist`),
seeded inside the status change's transaction (:func:`seed_checklist`). Each step has an owner, a
due date and a state like a bid's (:class:`matcher.bids.ChecklistItem`); every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from index.db.audit import AuditAction, AuditLog
from index.db.bids import read_templates
from index.db.schema import introduction_checklist, introductions, profiles
from matcher.bids import ChecklistItem, StepState, collaboration_checklist
from matcher.errors import IntroductionNotFoundError, NotFoundError


def seed_checklist(connection: Connection, introduction_id: int, start: date) -> int:
    """Give an introduction that just reached ``collaborating`` its governance steps (once:
    an introduction that already has steps keeps them). Returns how many were added."""
    existing = connection.execute(
        select(introduction_checklist.c.id)
        .where(introduction_checklist.c.introduction_id == introduction_id)
        .limit(1)
    ).first()
    if existing is not None:
        return 0
    kind = connection.execute(
        select(profiles.c.kind)
        .select_from(introductions.join(profiles, profiles.c.id == introductions.c.profile_id))
        .where(introductions.c.id == introduction_id)
    ).scalar_one_or_none()
    items = collaboration_checklist(
        read_templates(connection), profile_kind=str(kind or ""), start=start
    )
    for position, item in enumerate(items):
        connection.execute(
            insert(introduction_checklist).values(
                introduction_id=introduction_id,
                key=item.key,
                title=item.title,
                owner=item.owner,
                due=item.due.isoformat() if item.due else None,
                state=item.state.value,
                position=position,
            )
        )
    return len(items)


class IntroductionChecklistStore:
    """Read and change the governance steps of introductions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def items(self, introduction_ids: Iterable[int]) -> dict[int, list[ChecklistItem]]:
        """The steps of each introduction that has any, in order."""
        wanted = list(introduction_ids)
        found: dict[int, list[ChecklistItem]] = {}
        if not wanted:
            return found
        with self._engine.connect() as connection:
            for row in connection.execute(
                select(introduction_checklist)
                .where(introduction_checklist.c.introduction_id.in_(wanted))
                .order_by(
                    introduction_checklist.c.introduction_id, introduction_checklist.c.position
                )
            ).mappings():
                found.setdefault(row["introduction_id"], []).append(_item(row))
        return found

    def update_item(
        self, introduction_id: int, item_id: int, changes: dict[str, Any], *, actor: str
    ) -> ChecklistItem:
        """Change a step's ``owner``, ``due`` (a date or ``None``) or ``state``; audited (by
        ``actor``, a key id).

        Raises:
            IntroductionNotFoundError: no such introduction.
            NotFoundError: the introduction has no such step.
        """
        values = {k: v for k, v in changes.items() if k in ("owner", "due", "state")}
        if "due" in values:
            values["due"] = values["due"].isoformat() if values["due"] else None
        if "state" in values:
            values["state"] = StepState(values["state"]).value
        with self._engine.begin() as connection:
            where = (introduction_checklist.c.id == item_id) & (
                introduction_checklist.c.introduction_id == introduction_id
            )
            if connection.execute(select(introduction_checklist.c.id).where(where)).first() is None:
                if (
                    connection.execute(
                        select(introductions.c.id).where(introductions.c.id == introduction_id)
                    ).first()
                    is None
                ):
                    raise IntroductionNotFoundError(introduction_id)
                raise NotFoundError(
                    f"introduction {introduction_id} has no checklist item {item_id}"
                )
            if values:
                connection.execute(update(introduction_checklist).where(where).values(**values))
            AuditLog.record_in(
                connection,
                AuditAction.INTRODUCTION_CHECKLIST,
                actor=actor,
                target=f"introduction/{introduction_id}",
                detail={"item": item_id, **{k: v for k, v in values.items() if k != "owner"}},
            )
            row = connection.execute(select(introduction_checklist).where(where)).mappings().one()
        return _item(row)


def _item(row: Any) -> ChecklistItem:
    return ChecklistItem(
        id=row["id"],
        key=row["key"],
        title=row["title"],
        owner=row["owner"],
        due=date.fromisoformat(row["due"]) if row["due"] else None,
        state=StepState(row["state"]),
    )
