"""Batch jobs: submit a call file, follow the job, download its reports (KE staff)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from service.batch.jobs import REPORT_FILES, Job
from service.http.auth import STAFF_ROLES, roles_extra
from service.http.deps import ContainerDep, JobId, Staff
from service.http.jobs import XLSX, jobs_of, report_response
from service.http.routes.common import API_PREFIX
from service.http.schemas import JobOut
from service.http.uploads import CALL_SUFFIXES, display_name, save_upload

router = APIRouter(prefix=API_PREFIX, tags=["batches"])


def job_out(job: Job) -> JobOut:
    """The API view of a job, with links to its reports once it is done."""
    reports = (
        {kind: f"/api/v1/batches/{job.id}/report?format={kind}" for kind in REPORT_FILES}
        if job.status == "done"
        else {}
    )
    # validated: a job's status is one of JobOut's four
    return JobOut.model_validate(
        {
            "id": job.id,
            "filename": job.filename,
            "status": job.status,
            "done": job.done,
            "total": job.total,
            "created_by": job.created_by,
            "created_at": job.created_at,
            "error": job.error,
            "summary": job.summary,
            "reports": reports,
        }
    )


@router.post(
    "/batches", response_model=JobOut, status_code=202, openapi_extra=roles_extra(*STAFF_ROLES)
)
async def submit_batch(
    request: Request,
    container: ContainerDep,
    who: Staff,
    file: Annotated[UploadFile, File(description="A call file: .csv, .jsonl or .xlsx")],
    capacity: Annotated[int | None, Form(ge=0, le=1000)] = None,
    per_organisation: Annotated[int | None, Form(ge=1, le=100)] = None,
) -> JobOut:
    """Match a whole call in the background; poll the job, then download its reports."""
    with tempfile.TemporaryDirectory() as scratch:
        upload = await save_upload(
            file,
            Path(scratch),
            suffixes=CALL_SUFFIXES,
            limit=container.settings.max_upload_bytes,
        )
        job = jobs_of(request).submit(
            upload,
            filename=display_name(file),
            created_by=who.key.name,
            options={"capacity": capacity, "per_organisation": per_organisation},
        )
    return job_out(job)


@router.get("/batches", response_model=list[JobOut], openapi_extra=roles_extra(*STAFF_ROLES))
def list_batches(request: Request, _who: Staff) -> list[JobOut]:
    """Batch jobs of this server, newest first."""
    jobs = jobs_of(request)
    return [job_out(j) for j in jobs.all_jobs()]


@router.get("/batches/{job_id}", response_model=JobOut, openapi_extra=roles_extra(*STAFF_ROLES))
def get_batch(request: Request, job_id: JobId, _who: Staff) -> JobOut:
    """A batch job's state and progress."""
    jobs = jobs_of(request)
    return job_out(jobs.get(job_id))


@router.get(
    "/batches/{job_id}/report",
    openapi_extra=roles_extra(*STAFF_ROLES),
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "text/html": {}, XLSX: {}}}},
)
def batch_report(
    request: Request,
    job_id: JobId,
    who: Staff,
    container: ContainerDep,
    format: Annotated[Literal["csv", "xlsx", "html"], Query()] = "html",
) -> Response:
    """A finished job's report: HTML (default), CSV or XLSX (409 while it is not ready, or
    when it was withdrawn because a profile it named was erased)."""
    return report_response(request, container, job_id, format, actor=who.key.id)
