"""The batch page (KE staff): upload a call file, follow the jobs, open their reports."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.batch.jobs import JobNotFinishedError, ReportWithdrawnError
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.deps import ContainerDep, JobId, StaffUser
from service.http.jobs import jobs_of, report_response
from service.http.uploads import CALL_SUFFIXES, display_name, save_upload
from service.web.render import render

router = APIRouter()


def _positive(text: str) -> int | None:
    return int(text) if text.strip().isdigit() and int(text) > 0 else None


@router.get("/batches", response_class=HTMLResponse, openapi_extra=roles_extra(*STAFF_ROLES))
def batches_page(request: Request, who: StaffUser) -> HTMLResponse:
    """Upload a call file and read the reports (KE staff)."""
    return render(request, "batches.html", {"user": who, "jobs": jobs_of(request).all_jobs()})


@router.post("/batches", openapi_extra=roles_extra(*STAFF_ROLES))
async def batches_upload(
    request: Request,
    who: StaffUser,
    container: ContainerDep,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form(max_length=200)] = "",
    capacity: Annotated[str, Form(max_length=10)] = "",
    per_organisation: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Queue a call file from the page."""
    options: dict[str, object] = {
        "capacity": int(capacity) if capacity.strip().isdigit() else None,
        "per_organisation": _positive(per_organisation),
    }
    with tempfile.TemporaryDirectory() as scratch:
        upload = await save_upload(
            file,
            Path(scratch),
            suffixes=CALL_SUFFIXES,
            limit=container.settings.max_upload_bytes,
        )
        jobs_of(request).submit(
            upload, filename=display_name(file), created_by=who.key.name, options=options
        )
    return RedirectResponse("/batches", status_code=303)


@router.get(
    "/batches/{job_id}/report",
    openapi_extra=roles_extra(*STAFF_ROLES),
    response_class=Response,
)
def batch_report_page(
    request: Request,
    job_id: JobId,
    who: StaffUser,
    container: ContainerDep,
    format: Annotated[Literal["csv", "xlsx", "html"], Query()] = "html",
) -> Response:
    """A job's report from the batch page; a page that says why when there is none (410 when
    its reports were withdrawn, 409 while it is not finished), never a JSON answer."""
    try:
        return report_response(request, container, job_id, format, actor=who.key.id)
    except ReportWithdrawnError as error:
        title, status, message = "Report withdrawn", 410, str(error)
    except JobNotFinishedError as error:
        title, status, message = "Report not ready", 409, str(error)
    context = {"title": title, "message": message, "user": who}
    return render(request, "batch_unavailable.html", context, status)
