"""The search page: the form, and a search run from it (POST, so that briefs stay out of URLs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from matcher.briefs import make_brief
from matcher.calibration import NO_STRONG_MATCH_MESSAGE, no_strong_match
from matcher.errors import MatcherError
from service.container import Container
from service.http.auth import ALL_ROLES, Principal, roles_extra
from service.http.deps import ContainerDep, User
from service.http.ratelimit import rate_limits_of
from service.web.render import render

router = APIRouter()


def search_context(
    container: Container,
    who: Principal,
    text: str,
    kind: str,
    organisation: str,
    region: str,
    unit: str,
) -> dict[str, Any]:
    """The search page's context: the form's choices, and the result of ``text`` if any."""
    organisations = container.catalogue.organisations()
    metas = container.catalogue.profile_metas()
    context: dict[str, Any] = {
        "user": who,
        "text": text,
        "kind": kind,
        "organisation": organisation,
        "region": region,
        "unit": unit,
        "organisations": organisations,
        "regions": sorted({m.region for m in metas if m.region}),
        "units": sorted({m.unit for m in metas if m.unit}),
        "result": None,
        "no_strong_match": None,
        "error": None,
        "shortlisted": {e.profile_id for e in container.accounts.shortlist(who.key.id)},
    }
    if text.strip():
        try:
            brief = make_brief(
                text,
                kinds=[kind] if kind else [],
                organisations=[organisation] if organisation else [],
                regions=[region] if region else [],
                units=[unit] if unit else [],
                top=10,
                max_chars=container.settings.max_brief_chars,
            )
            context["result"] = result = container.engine.search(brief)
            if no_strong_match(result.matches):
                context["no_strong_match"] = NO_STRONG_MATCH_MESSAGE
        except MatcherError as error:
            context["error"] = str(error)
    return context


@router.get("/", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES))
def home(request: Request, who: User, container: ContainerDep) -> HTMLResponse:
    """The search page."""
    return render(request, "search.html", search_context(container, who, "", "", "", "", ""))


@router.post("/", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES))
def search(
    request: Request,
    who: User,
    container: ContainerDep,
    text: Annotated[str, Form(max_length=100_000)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    organisation: Annotated[str, Form(max_length=200)] = "",
    region: Annotated[str, Form(max_length=200)] = "",
    unit: Annotated[str, Form(max_length=300)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """Run a search from the form (POST, so that briefs stay out of URLs and access logs)."""
    limits = rate_limits_of(request)
    if limits is not None and text.strip():
        limits.check_search(request, who.key.id)
    context = search_context(container, who, text, kind, organisation, region, unit)
    status = 422 if context["error"] else 200
    return render(request, "search.html", context, status)
