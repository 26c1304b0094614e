"""Search: rank profiles for a brief, or find profiles like a given one."""

from __future__ import annotations

import time

from fastapi import APIRouter

from matcher.briefs import check_organisations, make_brief
from matcher.errors import ProfileNotFoundError
from matcher.fusion import RankingProfile
from service.http.auth import ALL_ROLES, roles_extra
from service.http.deps import ContainerDep, LimitedAnyRole, LimitedSearcher
from service.http.routes.common import API_PREFIX, listed
from service.http.schemas import SearchRequest, SearchResponse, SimilarRequest
from service.insight.searches import counted_search

router = APIRouter(prefix=API_PREFIX, tags=["search"])

#: The search route's path under the API prefix; its OpenAPI entry also says whether anonymous
#: callers may use it (``x-anonymous``), which only the app's settings know.
SEARCH_PATH = "/search"


@router.post(SEARCH_PATH, response_model=SearchResponse, openapi_extra=roles_extra(*ALL_ROLES))
def search(request: SearchRequest, container: ContainerDep, who: LimitedSearcher) -> SearchResponse:
    """Rank academics, clinical teams and SMEs for a brief, with the evidence for each."""
    started = time.perf_counter()
    brief = make_brief(
        request.text,
        purpose=request.purpose,
        kinds=request.kinds,
        organisations=request.organisations,
        regions=request.regions,
        units=request.units,
        exclude_profiles=request.exclude_profiles,
        exclude_organisations=request.exclude_organisations,
        since=request.since,
        sdgs=request.sdgs,
        requester_organisation=request.requester_organisation,
        top=request.top,
        max_chars=container.settings.max_brief_chars,
    )
    check_organisations(brief, container.engine.organisation_names())
    query = container.engine.encode_brief(brief.text)
    # counted per theme for the dashboard's searches served (a count only)
    result = counted_search(container, brief, profile=RankingProfile(request.profile), query=query)
    version = container.engine.snapshot().manifest.version
    # kept briefly in memory for its feedback (service.search.feedback); not for anonymous callers
    remembered = (
        None if who is None else container.recent_searches.remember(who.key.id, brief.text, query)
    )
    return SearchResponse.of(
        result,
        index_version=version,
        took_ms=(time.perf_counter() - started) * 1000,
        search_id=remembered,
    )


@router.post(
    "/search/similar", response_model=SearchResponse, openapi_extra=roles_extra(*ALL_ROLES)
)
def similar(
    request: SimilarRequest, container: ContainerDep, _who: LimitedAnyRole
) -> SearchResponse:
    """Profiles similar to a given profile (for example other academics like this one)."""
    started = time.perf_counter()
    if not listed(container, request.profile_id):
        raise ProfileNotFoundError(request.profile_id)
    result = container.engine.similar(request.profile_id, kinds=request.kinds, top=request.top)
    version = container.engine.snapshot().manifest.version
    return SearchResponse.of(
        result, index_version=version, took_ms=(time.perf_counter() - started) * 1000
    )
