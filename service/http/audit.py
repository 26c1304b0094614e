"""Audit records written by both the API and the pages (lower than either, so that neither
imports the other)."""

from __future__ import annotations

from index.db.audit import AuditAction
from matcher.model import Introduction
from service.container import Container
from service.http.auth import Principal


def audit_introduction(
    container: Container, who: Principal, action: AuditAction, introduction: Introduction
) -> None:
    """Record a change to an introduction (ids and status only: no notes, no brief)."""
    container.audit.record(
        action,
        actor=who.key.id,
        target=f"introduction/{introduction.id}",
        detail={"profile_id": introduction.profile_id, "status": introduction.status.value},
    )
