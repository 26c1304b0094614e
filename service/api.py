"""The JSON API, built by :func:`create_app` around a container."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.briefs import make_brief
from matcher.errors import MatcherError, ProfileNotFoundError
from service.container import Container, build_container
from service.errors import status_for
from service.schemas import (
    ErrorOut,
    HealthOut,
    ProfilePublic,
    SearchRequest,
    SearchResponse,
)
from service.settings import Settings

logger = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown id"},
    422: {"model": ErrorOut, "description": "Invalid input"},
    503: {"model": ErrorOut, "description": "No index loaded"},
}


def get_container(request: Request) -> Container:
    """The container kept on the app."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def create_app(container: Container | None = None, *, settings: Settings | None = None) -> FastAPI:
    """Build the app. Tests inject a container; ``matcher serve`` builds one from settings.

    When the app builds its own container it also repairs the index at start-up (a stale or
    missing index is brought up to the catalogue before the first request).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "container", None) is None:
            built = build_container(settings or Settings())
            report = built.sync()
            logger.info(report.summary())
            app.state.container = built
        yield

    app = FastAPI(
        title="ke-matcher",
        version="1",
        summary="Find academic, NHS and industry partners for a brief.",
        lifespan=lifespan,
    )
    app.state.container = container

    @app.exception_handler(MatcherError)
    async def matcher_error(_request: Request, error: MatcherError) -> JSONResponse:
        field = getattr(error, "field", None)
        body = ErrorOut(error=type(error).__name__, message=str(error), field=field)
        return JSONResponse(status_code=status_for(error), content=body.model_dump())

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
        location = [str(p) for p in first.get("loc", ()) if p not in ("body", "path", "query")]
        field = ".".join(location) or "body"
        message = f"{field}: {first.get('msg', 'invalid')}"
        body = ErrorOut(error="ValidationError", message=message, field=field).model_dump()
        body["detail"] = jsonable_encoder(problems, exclude={"input", "ctx", "url"})
        return JSONResponse(status_code=422, content=body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        body = ErrorOut(error="HTTPError", message=str(error.detail))
        return JSONResponse(status_code=error.status_code, content=body.model_dump())

    @app.post("/api/v1/search", response_model=SearchResponse, responses=ERRORS, tags=["search"])
    def search(request: SearchRequest, container: ContainerDep) -> SearchResponse:
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
            requester_organisation=request.requester_organisation,
            top=request.top,
            max_chars=container.settings.max_brief_chars,
        )
        result = container.engine.search(brief)
        version = container.engine.snapshot().manifest.version
        return SearchResponse.of(
            result, index_version=version, took_ms=(time.perf_counter() - started) * 1000
        )

    @app.get(
        "/api/v1/profiles/{profile_id}",
        response_model=ProfilePublic,
        responses=ERRORS,
        tags=["profiles"],
    )
    def get_profile(
        profile_id: Annotated[str, Path(min_length=1, max_length=200)], container: ContainerDep
    ) -> ProfilePublic:
        """A profile's public fields and evidence."""
        profile = container.catalogue.get_profile(profile_id)
        if not profile.consent:  # not listed: indistinguishable from unknown
            raise ProfileNotFoundError(profile_id)
        names = {o.id: o.name for o in container.catalogue.organisations()}
        return ProfilePublic.of(profile, names.get(profile.organisation_id, ""))

    @app.get("/health", response_model=HealthOut, tags=["service"])
    def health(container: ContainerDep) -> HealthOut:
        """What is served: model, index manifest, catalogue counts."""
        manifest = container.store.current_manifest()
        problem = container.store.problem(container.catalogue, container.encoder)
        return HealthOut(
            status="ok" if manifest is not None else "degraded",
            model_id=container.encoder.model_id,
            catalogue_version=container.catalogue.version,
            index=manifest.to_json() if manifest else None,
            counts=container.catalogue.counts(),
            problem=problem,
        )

    return app
