"""Brokered introductions and their history.

At most one introduction per profile and brief is open (:data:`OPEN_INTRODUCTION_STATUSES`):
checked inside the write transaction and enforced by a partial unique index, so that two
proposals at once cannot both be recorded; the second is refused with the first one's id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from index.db.clock import timestamp
from index.db.introduction_checklist import seed_checklist
from index.db.schema import introduction_events, introductions, profiles
from matcher.errors import (
    ConflictError,
    IntroductionNotFoundError,
    InvalidTransitionError,
    ProfileNotFoundError,
)
from matcher.model import (
    INTRODUCTION_TRANSITIONS,
    OPEN_INTRODUCTION_STATUSES,
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    brief_key,
)

_OPEN = sorted(s.value for s in OPEN_INTRODUCTION_STATUSES)


class DuplicateIntroductionError(ConflictError):
    """The same introduction (profile and brief) is already open (HTTP 409).

    Attributes:
        existing_id: the open introduction's id.
    """

    def __init__(self, profile_id: str, existing_id: int) -> None:
        super().__init__(
            f"an introduction of {profile_id!r} for this brief is already open (#{existing_id})"
        )
        self.existing_id = existing_id


class IntroductionStore:
    """Create, list and move introductions; every change is recorded with who made it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self,
        *,
        profile_id: str,
        requester: str,
        requester_organisation: str | None,
        brief: str,
        by: str,
        note: str = "",
    ) -> Introduction:
        """Propose an introduction to a profile.

        Raises:
            ProfileNotFoundError: no such profile.
            DuplicateIntroductionError: an introduction of this profile for the same brief is
                open (proposed, contacted or met).
        """
        now = timestamp()
        try:
            new_id = self._insert(
                profile_id=profile_id,
                requester=requester,
                requester_organisation=requester_organisation,
                brief=brief,
                by=by,
                note=note,
                now=now,
            )
        except IntegrityError as error:
            # a proposal committed between our check and our insert (the unique index), or the
            # profile erased meanwhile (the foreign key)
            existing = self.open_for([profile_id], brief).get(profile_id)
            if existing is not None:
                raise DuplicateIntroductionError(profile_id, existing) from error
            raise ProfileNotFoundError(profile_id) from error
        return self.get(new_id)

    def open_for(self, profile_ids: Iterable[str], brief: str) -> dict[str, int]:
        """The open introduction of each of ``profile_ids`` for ``brief``, by profile id."""
        key = brief_key(brief)
        wanted = list(profile_ids)
        if key is None or not wanted:
            return {}
        with self._engine.connect() as connection:
            return _open_for(connection, wanted, key)

    def _insert(
        self,
        *,
        profile_id: str,
        requester: str,
        requester_organisation: str | None,
        brief: str,
        by: str,
        note: str,
        now: str,
    ) -> int:
        with self._engine.begin() as connection:
            if (
                connection.execute(select(profiles.c.id).where(profiles.c.id == profile_id)).first()
                is None
            ):
                raise ProfileNotFoundError(profile_id)
            key = brief_key(brief)
            if key is not None:
                existing = _open_for(connection, [profile_id], key).get(profile_id)
                if existing is not None:
                    raise DuplicateIntroductionError(profile_id, existing)
            result = connection.execute(
                insert(introductions).values(
                    profile_id=profile_id,
                    requester=requester,
                    requester_organisation=requester_organisation,
                    brief=brief,
                    brief_key=key,
                    status=IntroductionStatus.PROPOSED.value,
                    created_by=by,
                    created_at=now,
                    updated_at=now,
                )
            )
            new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            _record(connection, new_id, now, by, "created", IntroductionStatus.PROPOSED, note)
        return new_id

    def get(self, introduction_id: int) -> Introduction:
        """One introduction with its history.

        Raises:
            IntroductionNotFoundError: no such introduction.
        """
        found = self._load([introduction_id])
        if not found:
            raise IntroductionNotFoundError(introduction_id)
        return found[0]

    def find(
        self,
        *,
        status: IntroductionStatus | None = None,
        profile_id: str | None = None,
        requester_organisation: str | None = None,
        created_by: str | None = None,
        limit: int = 500,
    ) -> list[Introduction]:
        """Introductions, newest first, filtered."""
        query = select(introductions.c.id).order_by(introductions.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(introductions.c.status == status.value)
        if profile_id:
            query = query.where(introductions.c.profile_id == profile_id)
        if requester_organisation:
            query = query.where(introductions.c.requester_organisation == requester_organisation)
        if created_by:
            query = query.where(introductions.c.created_by == created_by)
        with self._engine.connect() as connection:
            ids = list(connection.execute(query).scalars())
        return self._load(ids)

    def change_status(
        self, introduction_id: int, status: IntroductionStatus, *, by: str, note: str = ""
    ) -> Introduction:
        """Move an introduction along ``proposed → contacted → met → collaborating`` or to
        ``declined``.

        Raises:
            IntroductionNotFoundError: no such introduction.
            InvalidTransitionError: the move is not allowed from the current status.
        """
        now = timestamp()
        with self._engine.begin() as connection:
            current = connection.execute(
                select(introductions.c.status).where(introductions.c.id == introduction_id)
            ).scalar_one_or_none()
            if current is None:
                raise IntroductionNotFoundError(introduction_id)
            old = IntroductionStatus(current)
            if status not in INTRODUCTION_TRANSITIONS[old]:
                allowed = (
                    ", ".join(sorted(s.value for s in INTRODUCTION_TRANSITIONS[old]))
                    or "none (final)"
                )
                raise InvalidTransitionError(
                    f"cannot move an introduction from {old.value} to {status.value}; allowed: {allowed}"
                )
            result = connection.execute(
                update(introductions)
                .where(introductions.c.id == introduction_id)
                .where(introductions.c.status == old.value)
                .values(status=status.value, updated_at=now)
            )
            if result.rowcount != 1:  # changed concurrently; the caller may retry
                raise InvalidTransitionError(
                    "the introduction was changed by someone else; reload it"
                )
            _record(connection, introduction_id, now, by, "status", status, note)
            if status is IntroductionStatus.COLLABORATING:
                # governance follows a collaboration as it follows a bid (issue 20)
                seed_checklist(connection, introduction_id, date.fromisoformat(now[:10]))
        return self.get(introduction_id)

    def add_note(self, introduction_id: int, note: str, *, by: str) -> Introduction:
        """Add a note to an introduction's history.

        Raises:
            IntroductionNotFoundError: no such introduction.
        """
        now = timestamp()
        with self._engine.begin() as connection:
            found = connection.execute(
                select(introductions.c.id).where(introductions.c.id == introduction_id)
            ).first()
            if found is None:
                raise IntroductionNotFoundError(introduction_id)
            connection.execute(
                update(introductions)
                .where(introductions.c.id == introduction_id)
                .values(updated_at=now)
            )
            _record(connection, introduction_id, now, by, "note", None, note)
        return self.get(introduction_id)

    def _load(self, ids: list[int]) -> list[Introduction]:
        if not ids:
            return []
        with self._engine.connect() as connection:
            rows = {
                r["id"]: r
                for r in connection.execute(
                    select(introductions).where(introductions.c.id.in_(ids))
                ).mappings()
            }
            events: dict[int, list[IntroductionEvent]] = {i: [] for i in ids}
            for e in connection.execute(
                select(introduction_events)
                .where(introduction_events.c.introduction_id.in_(ids))
                .order_by(introduction_events.c.id)
            ).mappings():
                events[e["introduction_id"]].append(
                    IntroductionEvent(
                        at=e["at"],
                        by=e["by"],
                        action=e["action"],
                        status=IntroductionStatus(e["status"]) if e["status"] else None,
                        note=e["note"],
                    )
                )
        return [_introduction(rows[i], events[i]) for i in ids if i in rows]


def _open_for(connection: Connection, profile_ids: list[str], key: str) -> dict[str, int]:
    rows = connection.execute(
        select(introductions.c.profile_id, introductions.c.id)
        .where(introductions.c.profile_id.in_(profile_ids))
        .where(introductions.c.brief_key == key)
        .where(introductions.c.status.in_(_OPEN))
    )
    return {profile_id: int(introduction_id) for profile_id, introduction_id in rows}


def _record(
    connection: Connection,
    introduction_id: int,
    at: str,
    by: str,
    action: Literal["created", "status", "note"],
    status: IntroductionStatus | None,
    note: str,
) -> None:
    """Append one event to an introduction's history (inside the caller's transaction)."""
    connection.execute(
        insert(introduction_events).values(
            introduction_id=introduction_id,
            at=at,
            by=by,
            action=action,
            status=status.value if status else None,
            note=note,
        )
    )


def _introduction(row: Any, events: list[IntroductionEvent]) -> Introduction:
    return Introduction(
        id=row["id"],
        profile_id=row["profile_id"],
        requester=row["requester"],
        requester_organisation=row["requester_organisation"],
        brief=row["brief"],
        status=IntroductionStatus(row["status"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        events=tuple(events),
    )
