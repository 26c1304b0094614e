"""Organisations: list them, add or replace one."""

from __future__ import annotations

from fastapi import APIRouter

from matcher.model import Organisation, OrganisationType
from service.http.auth import ADMIN_ONLY, ALL_ROLES, roles_extra
from service.http.deps import Admin, AnyRole, ContainerDep
from service.http.routes.common import API_PREFIX
from service.http.schemas import OrganisationIn, OrganisationOut, WriteResult

router = APIRouter(prefix=API_PREFIX, tags=["organisations"])


@router.get(
    "/organisations", response_model=list[OrganisationOut], openapi_extra=roles_extra(*ALL_ROLES)
)
def list_organisations(container: ContainerDep, _who: AnyRole) -> list[OrganisationOut]:
    """Every organisation."""
    return [
        OrganisationOut(id=o.id, name=o.name, type=o.type.value, region=o.region)
        for o in container.catalogue.organisations()
    ]


@router.post(
    "/organisations",
    response_model=WriteResult,
    status_code=201,
    openapi_extra=roles_extra(*ADMIN_ONLY),
)
def put_organisation(body: OrganisationIn, container: ContainerDep, _who: Admin) -> WriteResult:
    """Add or replace an organisation."""
    outcome = container.catalogue.upsert_organisation(
        Organisation(
            id=body.id, name=body.name, type=OrganisationType(body.type), region=body.region
        )
    )
    sync = container.sync()
    return WriteResult(id=body.id, status=outcome.status, index_version=sync.version)
