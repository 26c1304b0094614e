"""Helpers for tests that walk the app's routes."""

from __future__ import annotations

from typing import Any


def flatten_routes(routes: list[Any]) -> list[Any]:
    """Routes of included routers too (FastAPI keeps them behind a lazy wrapper)."""
    flat = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        flat.extend(flatten_routes(inner.routes) if inner is not None else [route])
    return flat
