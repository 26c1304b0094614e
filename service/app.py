"""The app factory: :func:`create_app` puts the JSON API (:mod:`service.http.main`) and the web
pages (:mod:`service.web.main`) around one container, with the middleware and error handlers
they share. This is the only module that imports both.

Errors are answered from their type (:func:`service.http.errors.status_for`): as JSON for the
API, as a page for the pages; a page that needs a session sends the browser to ``/login``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import LoginRequiredError, MatcherError, RateLimitedError
from service.container import Container, build_container
from service.http.errors import status_for
from service.http.main import api_router, document_anonymous_search, service_router
from service.http.metrics import Metrics
from service.http.ratelimit import RateLimits
from service.http.schemas import ErrorOut
from service.http.security import install_security_headers, without_server_paths
from service.http.uploads import UPLOAD_PATHS
from service.settings import Settings
from service.web.main import include_pages
from service.web.render import is_page, page_error

logger = logging.getLogger(__name__)


class MatcherApp(FastAPI):
    """FastAPI, with the one fact of the OpenAPI document that comes from the settings rather
    than from a route: whether search is open to anonymous callers (``x-anonymous``)."""

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document (built once, as FastAPI does), with ``x-anonymous`` on search."""
        schema = super().openapi()
        settings: Settings = self.state.settings
        document_anonymous_search(schema, anonymous=settings.anonymous_search)
        return schema


def create_app(container: Container | None = None, *, settings: Settings | None = None) -> FastAPI:
    """Build the app. Tests inject a container; ``matcher serve`` builds one from settings.

    When the app builds its own container it also repairs the index at start-up (a stale or
    missing index is brought up to the catalogue before the first request).
    """
    settings = container.settings if container is not None else (settings or Settings())
    app = MatcherApp(
        title="ke-matcher",
        version="1",
        summary="Find academic, NHS and industry partners for a brief.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.container = container
    app.state.jobs = None
    app.state.rate_limits = RateLimits(settings)
    app.state.metrics = Metrics()
    app.middleware("http")(limit_and_measure)
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(service_router)
    include_pages(app)
    install_security_headers(app)
    return app


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the container from the app's settings unless one was injected; at the end, stop
    the batch job runner if it was started."""
    if getattr(app.state, "container", None) is None:
        built = build_container(app.state.settings)
        report = built.sync()
        logger.info(report.summary())
        app.state.container = built
    yield
    if app.state.jobs is not None:
        app.state.jobs.close()


async def limit_and_measure(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Refuse a body over its limit (413) or an API body that is not JSON (415) before any
    route reads it; count and time every request by its route."""
    started = time.perf_counter()
    settings: Settings = request.app.state.settings
    path = request.url.path
    length = request.headers.get("content-length")
    limit = settings.max_upload_bytes if path in UPLOAD_PATHS else settings.max_body_bytes
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    needs_json = (
        request.method in {"POST", "PUT", "PATCH"}
        and path.startswith("/api/")
        and path not in UPLOAD_PATHS
    )
    if length is not None and (not length.isdigit() or int(length) > limit):
        response: Response = _error_json(
            413, "PayloadTooLargeError", f"the request body is over the limit of {limit} bytes"
        )
    elif needs_json and content_type != "application/json":
        response = _error_json(
            415,
            "UnsupportedMediaType",
            "send the body as JSON with 'Content-Type: application/json'",
        )
    else:
        response = await call_next(request)
    metrics: Metrics = request.app.state.metrics
    route = getattr(request.scope.get("route"), "path", "unmatched")
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    metrics.latency.labels(request.method, route).observe(time.perf_counter() - started)
    return response


def _error_json(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse(
        status_code=status, content=ErrorOut(error=error, message=message).model_dump()
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer errors from their type: the matcher's, sign-in, validation and HTTP errors."""
    app.exception_handler(MatcherError)(matcher_error)
    app.exception_handler(LoginRequiredError)(login_required)
    app.exception_handler(RequestValidationError)(validation_error)
    app.exception_handler(StarletteHTTPException)(http_error)


async def matcher_error(request: Request, error: MatcherError) -> Response:
    """Any :class:`MatcherError`, with the status of its family (JSON, or a page for pages)."""
    status = status_for(error)
    headers = {"www-authenticate": "Bearer"} if status == 401 else {}
    if isinstance(error, RateLimitedError):
        headers["retry-after"] = str(error.retry_after)
    settings: Settings = request.app.state.settings
    message = without_server_paths(str(error), [settings.data_dir])
    if is_page(request):
        page = page_error(request, status, message)
        page.headers.update(headers)
        return page
    body = ErrorOut(
        error=type(error).__name__, message=message, field=getattr(error, "field", None)
    )
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


async def login_required(_request: Request, _error: LoginRequiredError) -> Response:
    """A page that needs a session, opened without one: to the sign-in page."""
    return RedirectResponse("/login", status_code=303)


async def validation_error(request: Request, error: RequestValidationError) -> Response:
    """A request that does not match its route's parameters: 422 naming the first field."""
    problems = error.errors()
    first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
    location = [str(p) for p in first.get("loc", ()) if p not in ("body", "path", "query")]
    field = ".".join(location) or "body"
    message = f"{field}: {first.get('msg', 'invalid')}"
    if first.get("type") == "json_invalid":
        field = "body"
        context = first.get("ctx")
        reason = (
            context.get("error", "decode error") if isinstance(context, dict) else "decode error"
        )
        message = f"body: not valid JSON ({reason})"
    if is_page(request):
        return page_error(request, 422, message)
    body = ErrorOut(error="ValidationError", message=message, field=field).model_dump()
    body["detail"] = jsonable_encoder(problems, exclude={"input", "ctx", "url"})
    return JSONResponse(status_code=422, content=body)


async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    """Starlette's own errors (an unknown path, a wrong method): a page for a page's 404."""
    if is_page(request) and error.status_code == 404:
        return page_error(request, 404, "There is no page here.")
    body = ErrorOut(error="HTTPError", message=str(error.detail))
    return JSONResponse(
        status_code=error.status_code,
        content=body.model_dump(),
        headers=getattr(error, "headers", None),
    )
