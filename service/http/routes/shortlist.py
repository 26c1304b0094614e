"""The caller's shortlist: read, add, remove, export as CSV or XLSX (exports are audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from index.db.audit import AuditAction
from matcher.errors import ProfileNotFoundError
from service.http.auth import ALL_ROLES, roles_extra
from service.http.deps import AnyRole, ContainerDep, ProfileId
from service.http.exports import shortlist_csv, shortlist_rows, shortlist_xlsx
from service.http.routes.common import API_PREFIX, listed
from service.http.schemas import ShortlistIn, ShortlistItemOut

router = APIRouter(prefix=API_PREFIX, tags=["shortlist"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/shortlist", response_model=list[ShortlistItemOut], openapi_extra=roles_extra(*ALL_ROLES)
)
def get_shortlist(container: ContainerDep, who: AnyRole) -> list[ShortlistItemOut]:
    """The caller's shortlist."""
    return [ShortlistItemOut(**row) for row in shortlist_rows(container, who.key.id)]


@router.post(
    "/shortlist",
    response_model=list[ShortlistItemOut],
    status_code=201,
    openapi_extra=roles_extra(*ALL_ROLES),
)
def add_to_shortlist(
    body: ShortlistIn, container: ContainerDep, who: AnyRole
) -> list[ShortlistItemOut]:
    """Add a profile to the caller's shortlist."""
    if not listed(container, body.profile_id):
        raise ProfileNotFoundError(body.profile_id)
    container.accounts.add_to_shortlist(who.key.id, body.profile_id, brief=body.brief)
    return [ShortlistItemOut(**row) for row in shortlist_rows(container, who.key.id)]


@router.delete(
    "/shortlist/{profile_id}",
    response_model=list[ShortlistItemOut],
    openapi_extra=roles_extra(*ALL_ROLES),
)
def remove_from_shortlist(
    profile_id: ProfileId, container: ContainerDep, who: AnyRole
) -> list[ShortlistItemOut]:
    """Remove a profile from the caller's shortlist."""
    container.accounts.remove_from_shortlist(who.key.id, profile_id)
    return [ShortlistItemOut(**row) for row in shortlist_rows(container, who.key.id)]


@router.get(
    "/shortlist/export",
    openapi_extra=roles_extra(*ALL_ROLES),
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
def export_shortlist(
    container: ContainerDep,
    who: AnyRole,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:
    """The caller's shortlist as CSV or XLSX (contact details for KE staff and admins)."""
    rows = shortlist_rows(container, who.key.id, with_contact=who.sees_contacts)
    container.audit.record(
        AuditAction.SHORTLIST_EXPORT,
        actor=who.key.id,
        target="shortlist",
        detail={
            "format": format,
            "rows": len(rows),
            "with_contacts": who.sees_contacts,
            "profiles": [row["profile_id"] for row in rows],
        },
    )
    if format == "xlsx":
        return Response(
            shortlist_xlsx(rows),
            media_type=XLSX,
            headers={"content-disposition": 'attachment; filename="shortlist.xlsx"'},
        )
    return Response(
        shortlist_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="shortlist.csv"'},
    )
