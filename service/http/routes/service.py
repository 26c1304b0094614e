"""The service's own routes: health, readiness and metrics (outside the API prefix and public),
and the status of what is served (admins only, under the API prefix)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from matcher.errors import MatcherError
from service.container import Container
from service.http.auth import ADMIN_ONLY, roles_extra
from service.http.deps import Admin, ContainerDep
from service.http.metrics import Metrics
from service.http.routes.common import API_PREFIX
from service.http.schemas import HealthOut, ReadyOut, StatusOut

router = APIRouter(tags=["service"])


def _served(container: Container) -> Literal["ok", "degraded"]:
    return "ok" if container.store.current_manifest() is not None else "degraded"


@router.get("/health", response_model=HealthOut, openapi_extra=roles_extra())
def health(container: ContainerDep) -> HealthOut:
    """Whether the service is up and has an index (``degraded``: none yet). Public, so it
    tells nothing more: counts, versions and problems are at ``GET /api/v1/status``."""
    return HealthOut(status=_served(container))


@router.get(
    API_PREFIX + "/status", response_model=StatusOut, openapi_extra=roles_extra(*ADMIN_ONLY)
)
def status(container: ContainerDep, _who: Admin) -> StatusOut:
    """What is served (admins): model, catalogue version, index manifest, catalogue counts,
    and why the index does not match the catalogue, if it does not."""
    manifest = container.store.current_manifest()
    problem = container.store.problem(container.catalogue, container.encoder)
    return StatusOut(
        status="ok" if manifest is not None else "degraded",
        model_id=container.encoder.model_id,
        catalogue_version=container.catalogue.version,
        index=manifest.to_json() if manifest else None,
        counts=container.catalogue.counts(),
        problem=problem,
    )


@router.get(
    "/ready",
    response_model=ReadyOut,
    openapi_extra=roles_extra(),
    responses={503: {"model": ReadyOut}},
)
def ready(container: ContainerDep) -> Response:
    """Whether an index is loaded and searches can be answered (503 when not)."""
    try:
        snap = container.engine.snapshot()
    except MatcherError as error:
        body = ReadyOut(ready=False, index_version=None, vectors=0, problem=str(error))
        return JSONResponse(status_code=503, content=body.model_dump())
    body = ReadyOut(ready=True, index_version=snap.manifest.version, vectors=snap.size)
    return JSONResponse(content=body.model_dump())


@router.get(
    "/metrics",
    openapi_extra=roles_extra(),
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics_endpoint(request: Request, container: ContainerDep) -> Response:
    """Prometheus metrics: request counts and latencies, index size."""
    metrics: Metrics = request.app.state.metrics
    manifest = container.store.current_manifest()
    if manifest is not None:
        metrics.vectors.set(manifest.vector_count)
        metrics.profiles.set(manifest.profile_count)
        metrics.version.set(manifest.version)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
