"""The audit log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from index.db.audit import AuditAction
from service.http.auth import ADMIN_ONLY, roles_extra
from service.http.deps import Admin, ContainerDep
from service.http.routes.common import API_PREFIX
from service.http.schemas import AuditEntryOut, AuditPage

router = APIRouter(prefix=API_PREFIX, tags=["audit"])


@router.get("/audit", response_model=AuditPage, openapi_extra=roles_extra(*ADMIN_ONLY))
def read_audit(
    container: ContainerDep,
    _who: Admin,
    action: Annotated[AuditAction | None, Query()] = None,
    target: Annotated[str | None, Query(max_length=300)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPage:
    """The audit log, newest first: who viewed contact details, exported a shortlist or a
    report, changed an introduction or deleted a profile (admins only)."""
    entries, total = container.audit.entries(
        action=action,
        target=target,
        offset=offset,
        limit=limit,
    )
    names = {k.id: k.name for k in container.accounts.list_keys()}
    return AuditPage(
        items=[
            AuditEntryOut(
                id=e.id,
                at=e.at,
                actor=e.actor,
                actor_name=names.get(e.actor),
                action=e.action,
                target=e.target,
                detail=e.detail,
            )
            for e in entries
        ],
        total=total,
        offset=offset,
        limit=limit,
    )
