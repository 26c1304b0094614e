"""The audit log: who viewed contact details, exported a shortlist or report, changed an
introduction, curated a profile's evidence or deleted a profile.

Rows hold no personal data: the actor is a key id (never the key), the target a profile id,
``introduction/<id>``, ``bid/<id>``, ``shortlist`` or ``batch/<job id>``, and the detail only ids, counts,
formats and statuses (never a name, a contact, a note or a brief's text). Erasing a profile
(:meth:`AuditLog.forget_profile`) deletes every row about it and takes its id out of the others,
leaving only the fact of the deletion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, delete, func, insert, select, update

from index.db.clock import timestamp
from index.db.schema import audit_log


class AuditAction(StrEnum):
    """What an audit row records."""

    CONTACT_VIEW = "contact.view"
    SHORTLIST_EXPORT = "shortlist.export"
    REPORT_DOWNLOAD = "report.download"
    INTRODUCTION_CREATE = "introduction.create"
    INTRODUCTION_STATUS = "introduction.status"
    INTRODUCTION_NOTE = "introduction.note"
    PROFILE_DELETE = "profile.delete"
    EVIDENCE_CURATION = "evidence.curation"  # an item hidden, pinned or left to the ranking
    BID_CREATE = "bid.create"
    BID_UPDATE = "bid.update"
    BID_STATUS = "bid.status"
    BID_MEMBER = "bid.member"
    BID_CHECKLIST = "bid.checklist"
    BID_EXPORT = "bid.export"
    GOVERNANCE_TEMPLATES = "governance.templates"
    INTRODUCTION_CHECKLIST = "introduction.checklist"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit row."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


def _insert(
    connection: Connection, action: AuditAction, *, actor: str, target: str, detail: dict[str, Any]
) -> None:
    connection.execute(
        insert(audit_log).values(
            at=timestamp(timespec="microseconds"),
            actor=actor,
            action=action.value,
            target=target,
            detail=detail,
        )
    )


class AuditLog:
    """Append to and read the audit log in the catalogue database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        action: AuditAction,
        *,
        actor: str,
        target: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one row (``detail`` must hold ids, counts and formats only)."""
        with self._engine.begin() as connection:
            _insert(connection, action, actor=actor, target=target, detail=detail or {})

    def entries(
        self,
        *,
        action: AuditAction | None = None,
        target: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[AuditEntry], int]:
        """A page of rows, newest first, and how many rows match in all."""
        query = select(audit_log)
        count = select(func.count()).select_from(audit_log)
        if action is not None:
            query = query.where(audit_log.c.action == action.value)
            count = count.where(audit_log.c.action == action.value)
        if target is not None:
            query = query.where(audit_log.c.target == target)
            count = count.where(audit_log.c.target == target)
        with self._engine.connect() as connection:
            total = int(connection.execute(count).scalar_one())
            rows = connection.execute(
                query.order_by(audit_log.c.id.desc()).offset(offset).limit(limit)
            ).mappings()
            found = [
                AuditEntry(
                    id=r["id"],
                    at=r["at"],
                    actor=r["actor"],
                    action=r["action"],
                    target=r["target"],
                    detail=dict(r["detail"] or {}),
                )
                for r in rows
            ]
        return found, total

    @staticmethod
    def record_in(
        connection: Connection,
        action: AuditAction,
        *,
        actor: str,
        target: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one row inside the caller's transaction (a change and its record commit
        together)."""
        _insert(connection, action, actor=actor, target=target, detail=detail or {})

    @staticmethod
    def forget_profile(connection: Connection, profile_id: str, *, actor: str) -> int:
        """Erase what the log says about a profile and record its deletion (inside the
        caller's transaction, so that erasure and its record commit together).

        Rows whose target is the profile, or whose detail names it as ``profile_id``, are
        deleted; the profile's id is taken out of the ``profiles`` list of the others (exports,
        shortlist views). Returns how many rows were deleted.
        """
        deleted = connection.execute(
            delete(audit_log).where(audit_log.c.target == profile_id)
        ).rowcount
        # the JSON text holds the id in quotes; a cheap filter, then the exact test in Python
        quoted = json.dumps(profile_id)  # as SQLAlchemy's JSON type writes it
        for row in connection.execute(
            select(audit_log.c.id, audit_log.c.detail).where(
                cast(audit_log.c.detail, String).contains(quoted, autoescape=True)
            )
        ).mappings():
            detail = dict(row["detail"] or {})
            if detail.get("profile_id") == profile_id:
                connection.execute(delete(audit_log).where(audit_log.c.id == row["id"]))
                deleted += 1
            elif profile_id in (detail.get("profiles") or []):
                detail["profiles"] = [p for p in detail["profiles"] if p != profile_id]
                connection.execute(
                    update(audit_log).where(audit_log.c.id == row["id"]).values(detail=detail)
                )
        _insert(
            connection,
            AuditAction.PROFILE_DELETE,
            actor=actor,
            target=profile_id,
            detail={"erased_audit_rows": deleted},
        )
        return int(deleted)
