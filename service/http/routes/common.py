"""Small helpers shared by several API routes."""

from __future__ import annotations

from service.container import Container
from service.http.schemas import WriteResult


def listed(container: Container, profile_id: str) -> bool:
    """Whether a profile exists and consents to be listed (unlisted ones look unknown)."""
    found = container.catalogue.get_profiles([profile_id])
    return profile_id in found and found[profile_id].consent


def write_result(record_id: str, status: str, index_version: int) -> WriteResult:
    """The answer to a write (``status`` is validated against :class:`WriteResult`'s values)."""
    return WriteResult.model_validate(
        {"id": record_id, "status": status, "index_version": index_version}
    )
