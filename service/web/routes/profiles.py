"""A profile's page: its evidence, similar profiles, contact details for KE staff (audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from index.db.audit import AuditAction
from matcher.errors import MatcherError, ProfileNotFoundError
from matcher.model import Role
from service.http.auth import ALL_ROLES, roles_extra
from service.http.deps import ContainerDep, User
from service.web.render import render

router = APIRouter()


@router.get(
    "/profiles/{profile_id}", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES)
)
def profile_page(
    request: Request, profile_id: str, who: User, container: ContainerDep
) -> HTMLResponse:
    """A profile with its evidence (contact details for KE staff)."""
    profile = container.catalogue.get_profile(profile_id)
    if not profile.consent and who.role is not Role.ADMIN:
        raise ProfileNotFoundError(profile_id)
    names = container.engine.organisation_names()
    try:
        similar = container.engine.similar(profile_id, kinds=[profile.kind.value], top=5).matches
    except MatcherError:
        similar = ()
    if who.sees_contacts:
        container.audit.record(
            AuditAction.CONTACT_VIEW, actor=who.key.id, target=profile.id, detail={"via": "web"}
        )
    return render(
        request,
        "profile.html",
        {
            "user": who,
            "profile": profile,
            "organisation": names.get(profile.organisation_id, profile.organisation_id),
            "similar": similar,
            "shortlisted": {e.profile_id for e in container.accounts.shortlist(who.key.id)},
        },
    )
