"""Partnership insight for KE staff: the capability-gap report, the themes, and the themes and
SDGs of a brief (never stored)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from matcher.insight.gaps import MEASURE_RANGE, SERVED_AT, GroupSummary, Thresholds
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.deps import ContainerDep, Staff
from service.http.routes.common import API_PREFIX
from service.insight.gaps import cached_gap_report, report_cache
from service.insight.sdgs import sdgs_of_texts
from service.insight.themes import current_themes, themes_of_texts

router = APIRouter(prefix=API_PREFIX, tags=["insight"])


class GroupOut(BaseModel):
    """The needs of one theme or organisation."""

    key: str
    label: str
    asked: int
    served: int
    weak: int
    unserved: int
    median_best: float
    askers: dict[str, int]
    nearest: list[str] = Field(description="profile ids of the nearest academics")


class NeedOut(BaseModel):
    """One need with its coverage and best academics."""

    item_id: str
    profile_id: str
    type: str
    title: str
    organisation_id: str
    coverage: str
    best_measure: float = Field(
        description="the best score in spreads from the typical best of the ask's type"
    )
    best_score: float | None
    best_strength: float | None = Field(description="the best match's calibrated strength")
    themes: list[str]
    sdgs: list[int]
    academics: list[str]


class GapsOut(BaseModel):
    """The capability-gap report."""

    index_version: int
    served_threshold: float
    weak_threshold: float
    sdg: int | None
    counts: dict[str, int]
    served_share: float
    needs: list[NeedOut]
    by_theme: list[GroupOut]
    by_organisation: list[GroupOut]
    untapped: list[str] = Field(description="profile ids of untapped academics")


class ThemeOut(BaseModel):
    """A theme of the pool."""

    id: str
    label: str
    terms: list[str]
    size: int


class DescribeIn(BaseModel):
    """A brief to describe."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=3, max_length=20_000)


class DescribeOut(BaseModel):
    """A brief's nearest themes and its SDG tags (confidence 0–1)."""

    themes: list[dict[str, str | float]]
    sdgs: list[dict[str, int | float]]


@router.get("/insight/gaps", response_model=GapsOut, openapi_extra=roles_extra(*STAFF_ROLES))
def gaps(
    request: Request,
    who: Staff,
    container: ContainerDep,
    threshold: Annotated[float, Query(ge=MEASURE_RANGE[0], le=MEASURE_RANGE[1])] = SERVED_AT,
    sdg: Annotated[int | None, Query(ge=1, le=17)] = None,
) -> GapsOut:
    """The capability-gap report (KE staff): ``threshold`` is the gap measure from which a need
    is served (its best academic score in spreads from the typical best score of its type, see
    docs/insight.md); ``sdg`` keeps only the needs tagged with that goal."""
    found = cached_gap_report(
        report_cache(request.app.state),
        container,
        thresholds=Thresholds.served_at(threshold),
        sdg=sdg,
    )

    def group(g: GroupSummary) -> GroupOut:
        return GroupOut(
            key=g.key,
            label=g.label,
            asked=g.asked,
            served=g.served,
            weak=g.weak,
            unserved=g.unserved,
            median_best=g.median_best,
            askers=g.askers,
            nearest=[pid for pid, _, _ in g.nearest],
        )

    return GapsOut(
        index_version=found.index_version,
        served_threshold=found.thresholds.served,
        weak_threshold=found.thresholds.weak,
        sdg=found.sdg,
        counts={c.value: n for c, n in found.counts.items()},
        served_share=round(found.served_share, 4),
        needs=[
            NeedOut(
                item_id=r.need.item_id,
                profile_id=r.need.profile_id,
                type=r.need.type,
                title=r.need.title,
                organisation_id=r.need.organisation_id,
                coverage=r.coverage.value,
                best_measure=round(r.best, 4),
                best_score=r.matches[0].score if r.matches else None,
                best_strength=r.matches[0].strength if r.matches else None,
                themes=list(r.need.themes),
                sdgs=sorted(r.need.sdgs),
                academics=[m.profile_id for m in r.matches],
            )
            for r in found.results
        ],
        by_theme=[group(g) for g in found.by_theme],
        by_organisation=[group(g) for g in found.by_organisation],
        untapped=[u.profile_id for u in found.untapped],
    )


@router.get(
    "/insight/themes", response_model=list[ThemeOut], openapi_extra=roles_extra(*STAFF_ROLES)
)
def themes(who: Staff, container: ContainerDep) -> list[ThemeOut]:
    """The pool's themes (built from the current index when missing or stale)."""
    stored = current_themes(container)
    if stored is None:
        return []
    return [
        ThemeOut(id=t.id, label=t.label, terms=list(t.terms), size=t.size) for t in stored.themes
    ]


@router.post(
    "/insight/describe", response_model=DescribeOut, openapi_extra=roles_extra(*STAFF_ROLES)
)
def describe(body: DescribeIn, who: Staff, container: ContainerDep) -> DescribeOut:
    """A brief's nearest themes and SDG tags (the brief is not stored)."""
    current_themes(container)
    found = themes_of_texts(container, [body.text])[0]
    tags = sdgs_of_texts(container, [body.text])[0]
    return DescribeOut(
        themes=[{"id": t.theme_id, "similarity": t.similarity} for t in found],
        sdgs=[{"goal": t.goal, "confidence": t.confidence} for t in tags],
    )
