"""The capability-gap page (KE staff): the gap report with its histogram, its tables and links
to its exports; the threshold and an SDG are query parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from matcher.insight.gaps import MEASURE_RANGE, SERVED_AT, Thresholds
from matcher.insight.sdg_text import GOALS
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.deps import ContainerDep, StaffUser
from service.insight.exports import gaps_body, gaps_csv, gaps_html, gaps_xlsx
from service.insight.gaps import cached_gap_report, report_cache
from service.web.render import render

router = APIRouter()

Threshold = Annotated[float, Query(ge=MEASURE_RANGE[0], le=MEASURE_RANGE[1])]
Goal = Annotated[int | None, Query(ge=1, le=17)]


@router.get("/insight/gaps", response_class=HTMLResponse, openapi_extra=roles_extra(*STAFF_ROLES))
def gaps_page(
    request: Request,
    who: StaffUser,
    container: ContainerDep,
    threshold: Threshold = SERVED_AT,
    sdg: Goal = None,
) -> HTMLResponse:
    """The capability-gap report (KE staff)."""
    found = cached_gap_report(
        report_cache(request.app.state),
        container,
        thresholds=Thresholds.served_at(threshold),
        sdg=sdg,
    )
    return render(
        request,
        "insight_gaps.html",
        {
            "user": who,
            # rendered by our own autoescaping template
            "body": Markup(gaps_body(found)),
            "threshold": threshold,
            "sdg": sdg,
            "goals": GOALS,
        },
    )


@router.get(
    "/insight/gaps/export.{fmt}", openapi_extra=roles_extra(*STAFF_ROLES), response_class=Response
)
def gaps_export(
    request: Request,
    who: StaffUser,
    container: ContainerDep,
    fmt: str,
    threshold: Threshold = SERVED_AT,
    sdg: Goal = None,
) -> Response:
    """The report as ``csv``, ``xlsx`` or ``html`` (a download)."""
    kinds = {
        "csv": ("text/csv; charset=utf-8", gaps_csv),
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", gaps_xlsx),
        "html": ("text/html; charset=utf-8", gaps_html),
    }
    if fmt not in kinds:
        return Response(
            "unknown export format; use csv, xlsx or html",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    found = cached_gap_report(
        report_cache(request.app.state),
        container,
        thresholds=Thresholds.served_at(threshold),
        sdg=sdg,
    )
    media, make = kinds[fmt]
    content = make(found)
    return Response(
        content,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="gaps.{fmt}"'},
    )
