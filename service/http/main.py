"""The JSON API v1 assembled: every resource's router (each under ``/api/v1``) with the shared
error responses, and the service's own routes (health, readiness, metrics) at the root.

Every route declares the roles that may call it (``x-roles`` in the OpenAPI document); errors
are mapped from exception types to statuses in one table (:mod:`service.http.errors`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.http.routes import (
    audit,
    batches,
    bids,
    feedback,
    ingest,
    insight,
    introductions,
    organisations,
    profiles,
    search,
    service,
    shortlist,
)
from service.http.routes.common import API_PREFIX
from service.http.schemas import ErrorOut

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No valid API key"},
    403: {"model": ErrorOut, "description": "The key's role may not do this"},
    404: {"model": ErrorOut, "description": "Unknown id"},
    409: {"model": ErrorOut, "description": "Conflicting change"},
    413: {"model": ErrorOut, "description": "Request too large"},
    415: {"model": ErrorOut, "description": "The body is not JSON"},
    422: {"model": ErrorOut, "description": "Invalid input"},
    429: {"model": ErrorOut, "description": "Too many requests (see the Retry-After header)"},
    503: {"model": ErrorOut, "description": "No index loaded"},
}

api_router = APIRouter(responses=ERRORS)
api_router.include_router(search.router)
api_router.include_router(profiles.router)
api_router.include_router(organisations.router)
api_router.include_router(ingest.router)
api_router.include_router(introductions.router)
api_router.include_router(shortlist.router)
api_router.include_router(batches.router)
api_router.include_router(audit.router)
api_router.include_router(bids.router)
api_router.include_router(insight.router)
api_router.include_router(feedback.router)

#: Health, readiness and metrics: at the root, public, without the API's error responses.
service_router = service.router


def document_anonymous_search(schema: dict[str, Any], *, anonymous: bool) -> None:
    """Say in an OpenAPI document whether search is open to callers without a key
    (``x-anonymous``: a setting of the app, not of the route)."""
    operation = schema.get("paths", {}).get(API_PREFIX + search.SEARCH_PATH, {}).get("post")
    if operation is not None:
        operation["x-anonymous"] = anonymous
