"""Helpers for tests that walk the app's routes."""

from __future__ import annotations

from typing import Any

from fastapi.routing import iter_route_contexts


def flatten_routes(routes: list[Any]) -> list[Any]:
    """Every route, included routers' too, as FastAPI's route contexts: each has the full path
    (the including routers' prefixes applied), its methods and ``openapi_extra``, and the route
    as declared in ``original_route`` (FastAPI keeps included routes behind a lazy wrapper)."""
    return list(iter_route_contexts(routes))
