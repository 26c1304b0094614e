"""A profile's page: its evidence with where each item comes from, similar profiles, contact
details for KE staff (audited), and KE staff's curation of the evidence (hide, pin)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from index.db.audit import AuditAction
from matcher.errors import MatcherError, ProfileNotFoundError
from matcher.model import EvidenceItem, Profile, Role
from service.http.auth import ALL_ROLES, STAFF_ROLES, Principal, roles_extra
from service.http.deps import ContainerDep, ProfileId, StaffUser, User
from service.web.render import back, render

router = APIRouter()

# how people name the research bases ("OpenAlex W…, retrieved 2026-…")
SOURCE_LABELS = {"openalex": "OpenAlex", "orcid": "ORCID", "gtr": "UKRI GtR", "pure": "Pure"}


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One provenance line of an item: its words and a link (``""``: none) to the record."""

    text: str
    href: str = ""


def _link(url: str) -> str:
    # a source's URL is data: only http(s) becomes a link (never javascript: or data:)
    return url if url.startswith(("https://", "http://")) else ""


def source_lines(item: EvidenceItem) -> list[SourceLine]:
    """Where an item comes from: a line per source record, then its DOI as a link."""
    lines = []
    for p in item.provenance:
        day = p.retrieved_at[:10]
        text = f"{SOURCE_LABELS.get(p.source, p.source)} {p.source_id}"
        lines.append(SourceLine(text + (f", retrieved {day}" if day else ""), _link(p.url)))
    if item.doi:
        lines.append(SourceLine(f"doi:{item.doi}", "https://doi.org/" + quote(item.doi, safe="/")))
    return lines


def _visible(profile: Profile, who: Principal) -> Profile:
    if not profile.consent and who.role is not Role.ADMIN:
        raise ProfileNotFoundError(profile.id)  # not listed: indistinguishable from unknown
    return profile


@router.get(
    "/profiles/{profile_id}", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES)
)
def profile_page(
    request: Request, profile_id: str, who: User, container: ContainerDep
) -> HTMLResponse:
    """A profile with its evidence (contact details and curation for KE staff)."""
    profile = _visible(container.catalogue.get_profile(profile_id), who)
    names = container.engine.organisation_names()
    try:
        similar = container.engine.similar(profile_id, kinds=[profile.kind.value], top=5).matches
    except MatcherError:
        similar = ()
    if who.sees_contacts:
        container.audit.record(
            AuditAction.CONTACT_VIEW, actor=who.key.id, target=profile.id, detail={"via": "web"}
        )
    choices = container.sources.curation_of([profile.id]).get(profile.id, {})
    return render(
        request,
        "profile.html",
        {
            "user": who,
            "profile": profile,
            "organisation": names.get(profile.organisation_id, profile.organisation_id),
            "similar": similar,
            "shortlisted": {e.profile_id for e in container.accounts.shortlist(who.key.id)},
            "sources": {e.id: source_lines(e) for e in profile.evidence},
            "curates": who.role in STAFF_ROLES,
            "hidden": sorted(k for k, state in choices.items() if state == "hidden"),
        },
    )


@router.post("/profiles/{profile_id}/evidence/curation", openapi_extra=roles_extra(*STAFF_ROLES))
def curate_item(
    request: Request,
    profile_id: ProfileId,
    who: StaffUser,
    container: ContainerDep,
    item_key: Annotated[str, Form(min_length=1, max_length=300)],
    state: Annotated[Literal["hidden", "pinned", "none"], Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Hide, pin or release one evidence item (KE staff and admins; audited)."""
    _visible(container.catalogue.get_profile(profile_id), who)
    container.curate(profile_id, item_key, None if state == "none" else state, actor=who.key.id)
    return back(request, f"/profiles/{quote(profile_id, safe='')}")
