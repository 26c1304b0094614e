"""Small helpers shared by several API routes."""

from __future__ import annotations

from service.container import Container

#: Every resource's router is built under this prefix. It is part of each route's own path (not
#: added when the routers are included) so that a request's matched route — the label of its
#: metrics — carries it.
API_PREFIX = "/api/v1"


def listed(container: Container, profile_id: str) -> bool:
    """Whether a profile exists and consents to be listed (unlisted ones look unknown)."""
    return container.is_listed(profile_id)
