"""Feedback: a user's "relevant / not relevant" on one result of a search (issue 18 item 3).

The label is kept with the brief's vector and the profile's re-ranker features, never the
brief's text (:mod:`service.search.feedback` says where the vector comes from); ``matcher
learn`` uses the labels once there are enough of them.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from matcher.briefs import make_brief
from matcher.errors import ProfileNotFoundError
from service.http.auth import ALL_ROLES, roles_extra
from service.http.deps import AnyRole, ContainerDep
from service.http.routes.common import API_PREFIX, listed
from service.search.feedback import SearchNotFoundError, record_label

router = APIRouter(prefix=API_PREFIX, tags=["feedback"])


class FeedbackIn(BaseModel):
    """One label: the search (by its ``search_id``, or the brief's ``text`` again), the profile,
    and whether it is relevant."""

    model_config = ConfigDict(extra="forbid")

    search_id: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="the search_id of a POST /api/v1/search answer (kept for an hour)"
    )
    text: Annotated[str, Field(min_length=1, max_length=100_000)] | None = Field(
        None, description="the brief's text, when the search_id has expired (not kept)"
    )
    profile_id: Annotated[str, Field(min_length=1, max_length=200)]
    relevant: StrictBool

    @model_validator(mode="after")
    def one_brief(self) -> Self:
        """Exactly one of ``search_id`` and ``text``."""
        if (self.search_id is None) == (self.text is None):
            raise ValueError("give either search_id (from the search's answer) or text, not both")
        return self


class FeedbackOut(BaseModel):
    """The label recorded."""

    profile_id: str
    relevant: bool
    source: Literal["card", "introduction", "bid"]
    index_version: int
    message: str


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    status_code=201,
    openapi_extra=roles_extra(*ALL_ROLES),
)
def give_feedback(body: FeedbackIn, container: ContainerDep, who: AnyRole) -> FeedbackOut:
    """Say whether a result of a search is relevant; a second label of the same result replaces
    the first."""
    if not listed(container, body.profile_id):
        raise ProfileNotFoundError(body.profile_id)
    if body.search_id is not None:
        found = container.recent_searches.get(body.search_id, who.key.id)
        if found is None:
            raise SearchNotFoundError()
        text, vector = found.text, found.vector
    else:
        text = make_brief(body.text or "", max_chars=container.settings.max_brief_chars).text
        vector = None
    label = record_label(
        container.engine,
        container.feedback,
        profile_id=body.profile_id,
        relevant=body.relevant,
        text=text,
        vector=vector,
        given_by=who.key.id,
        role=who.role.value,
    )
    return FeedbackOut(
        profile_id=label.profile_id,
        relevant=label.relevant,
        source=label.source,
        index_version=label.index_version,
        message=f"recorded: {'relevant' if label.relevant else 'not relevant'}",
    )
