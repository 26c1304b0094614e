"""Profiles: list, read (contact details for KE staff, audited), add, replace and erase; KE
staff's curation of their evidence (audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from index.db.audit import AuditAction
from index.ingest.records import ProfileRecord, to_profile
from matcher.errors import InvalidRecordError, ProfileNotFoundError
from matcher.model import Role
from service.container import Container
from service.http.auth import ADMIN_ONLY, ALL_ROLES, STAFF_ROLES, roles_extra
from service.http.deps import Admin, AnyRole, ContainerDep, ProfileId, Staff
from service.http.routes.common import API_PREFIX
from service.http.schemas import (
    CurationIn,
    CurationOut,
    ProfilePage,
    ProfilePublic,
    ProfileSummary,
    WriteResult,
)

router = APIRouter(prefix=API_PREFIX, tags=["profiles"])


@router.get("/profiles", response_model=ProfilePage, openapi_extra=roles_extra(*ALL_ROLES))
def list_profiles(
    container: ContainerDep,
    _who: AnyRole,
    kind: Annotated[Literal["academic", "clinical_team", "sme"] | None, Query()] = None,
    organisation: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ProfilePage:
    """Listed profiles, by id, optionally of one kind or organisation."""
    metas = [
        m
        for m in container.catalogue.profile_metas()
        if m.consent
        and (kind is None or m.kind.value == kind)
        and (organisation is None or m.organisation_id == organisation)
    ]
    page = metas[offset : offset + limit]
    found = container.catalogue.get_profiles([m.id for m in page])
    items = [
        ProfileSummary(
            id=m.id,
            kind=m.kind.value,
            name=found[m.id].name,
            organisation_id=m.organisation_id,
            unit=m.unit,
            region=m.region,
        )
        for m in page
        if m.id in found
    ]
    return ProfilePage(items=items, total=len(metas), offset=offset, limit=limit)


@router.get(
    "/profiles/{profile_id}", response_model=ProfilePublic, openapi_extra=roles_extra(*ALL_ROLES)
)
def get_profile(profile_id: ProfileId, container: ContainerDep, who: AnyRole) -> ProfilePublic:
    """A profile's public fields and evidence; contact details for KE staff and admins."""
    profile = container.catalogue.get_profile(profile_id)
    if not profile.consent and who.role is not Role.ADMIN:
        raise ProfileNotFoundError(profile_id)  # not listed: indistinguishable from unknown
    names = container.engine.organisation_names()
    if who.sees_contacts:
        container.audit.record(
            AuditAction.CONTACT_VIEW, actor=who.key.id, target=profile.id, detail={"via": "api"}
        )
    return ProfilePublic.of(
        profile, names.get(profile.organisation_id, ""), with_contact=who.sees_contacts
    )


def _write_profile(record: ProfileRecord, container: Container) -> WriteResult:
    outcome, sync = container.upsert_profile(to_profile(record))
    return WriteResult(id=outcome.id, status=outcome.status, index_version=sync.version)


@router.post(
    "/profiles",
    response_model=WriteResult,
    status_code=201,
    openapi_extra=roles_extra(*ADMIN_ONLY),
)
def create_profile(record: ProfileRecord, container: ContainerDep, _who: Admin) -> WriteResult:
    """Add a profile (or replace one with the same id); the index is updated before the answer."""
    return _write_profile(record, container)


@router.put(
    "/profiles/{profile_id}", response_model=WriteResult, openapi_extra=roles_extra(*ADMIN_ONLY)
)
def update_profile(
    profile_id: ProfileId, record: ProfileRecord, container: ContainerDep, _who: Admin
) -> WriteResult:
    """Replace a profile whole."""
    if record.id != profile_id:
        raise InvalidRecordError(
            "request", 0, "id", f"the body's id {record.id!r} differs from the URL's"
        )
    container.catalogue.get_profile(profile_id)
    return _write_profile(record, container)


@router.delete(
    "/profiles/{profile_id}", response_model=WriteResult, openapi_extra=roles_extra(*ADMIN_ONLY)
)
def delete_profile(profile_id: ProfileId, container: ContainerDep, who: Admin) -> WriteResult:
    """Erase a profile: its record, evidence, vectors, cached embeddings, shortlist entries,
    introductions and the batch reports that name it; the audit log keeps only the fact."""
    sync = container.delete(profile_id, actor=who.key.id)
    return WriteResult(id=profile_id, status="deleted", index_version=sync.version)


# an item key may be a DOI, which holds slashes: the ``path`` convertor takes them
ItemKey = Annotated[str, Path(min_length=1, max_length=300)]


@router.put(
    "/profiles/{profile_id}/evidence/{item_key:path}/curation",
    response_model=CurationOut,
    openapi_extra=roles_extra(*STAFF_ROLES),
)
def curate_evidence(
    profile_id: ProfileId,
    item_key: ItemKey,
    choice: CurationIn,
    container: ContainerDep,
    who: Staff,
) -> CurationOut:
    """Hide an evidence item of a profile (never embedded, never shown), pin it (always shown
    among a match's evidence) or clear the choice (``none``). The item is named by its id or
    its DOI; the change is audited and the index updated before the answer."""
    profile = container.catalogue.get_profile(profile_id)
    if not profile.consent and who.role is not Role.ADMIN:
        raise ProfileNotFoundError(profile_id)  # not listed: indistinguishable from unknown
    state = None if choice.state == "none" else choice.state
    key, sync = container.curate(profile_id, item_key, state, actor=who.key.id)
    return CurationOut(
        profile_id=profile_id, item_key=key, state=choice.state, index_version=sync.version
    )
