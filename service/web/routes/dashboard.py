"""The partnership dashboard page (KE staff and admins; 403 for clinicians) and its download
as one self-contained HTML file (:mod:`service.insight.dashboard`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from index.db.audit import AuditAction
from service.container import Container
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.deps import ContainerDep, StaffUser
from service.insight.dashboard import Dashboard, build_dashboard
from service.insight.gaps import report_cache
from service.insight.inputs import dashboard_inputs
from service.insight.report import FILE_NAME, dashboard_html
from service.web.render import render

router = APIRouter()
STAFF = roles_extra(*STAFF_ROLES)


def _dashboard(request: Request, container: Container) -> Dashboard:
    """The dashboard with the pool's themes, coverage and SDG tags (the gap-report cache shared
    with the capability-gap page)."""
    return build_dashboard(
        container, dashboard_inputs(container, cache=report_cache(request.app.state))
    )


@router.get("/insight/partnership", response_class=HTMLResponse, openapi_extra=STAFF)
def partnership(request: Request, who: StaffUser, container: ContainerDep) -> HTMLResponse:
    """The dashboard: the introductions funnel over time, searches served, bids."""
    return render(
        request,
        "insight_dashboard.html",
        {"user": who, "dashboard": _dashboard(request, container)},
    )


@router.get("/insight/partnership/report.html", openapi_extra=STAFF)
def partnership_file(request: Request, who: StaffUser, container: ContainerDep) -> Response:
    """The dashboard as one HTML file to keep or send (audited as a report download)."""
    body = dashboard_html(_dashboard(request, container))
    container.audit.record(
        AuditAction.REPORT_DOWNLOAD, actor=who.key.id, target="insight/partnership", detail={}
    )
    return Response(
        body,
        media_type="text/html; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{FILE_NAME}"'},
    )
