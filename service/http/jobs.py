"""Batch jobs of the app: the work one job does, and the app's job runner (started on first use).

Both the API (``/api/v1/batches``) and the batch page submit to the same runner, and serve a
finished job's report the same way (:func:`report_response`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from index.db.audit import AuditAction
from service.batch.jobs import JobRunner, record_profiles, withdraw_reports
from service.container import Container
from service.http.security import REPORT_CSP

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX, "html": "text/html; charset=utf-8"}


def run_job(container: Container) -> Callable[..., dict[str, object]]:
    """The work of one batch job over ``container``: match, write the reports, summarise."""

    def run(
        call: Path, out: Path, progress: Callable[[int, int], None], options: dict[str, Any]
    ) -> dict[str, object]:
        # imported when a job runs, not when the app starts: the batch run brings the solver
        from service.batch.reports import profile_ids, write_reports
        from service.batch.run import run_batch

        result = run_batch(
            container,
            call,
            capacity=options.get("capacity"),
            per_organisation=options.get("per_organisation"),
            progress=progress,
            source_name=call.name,
        )
        write_reports(result, out)
        named = profile_ids(result)
        record_profiles(out, named)
        # a profile erased while the job ran must not stay named in its reports
        for erased in sorted(
            named - set(container.catalogue.get_profiles(named, with_evidence=False))
        ):
            withdraw_reports(container.settings.batches_dir, erased, name="")
        return {
            "briefs": len(result.outcomes),
            "assigned": sum(len(o.partners) for o in result.outcomes),
            "short": [o.brief.id for o in result.short],
            "rows_rejected": [str(e) for e in result.errors],
            "total_score": result.total_score,
            "timings": result.timings,
        }

    return run


def jobs_of(request: Request) -> JobRunner:
    """The app's batch job runner, started on first use."""
    state = request.app.state
    if state.jobs is None:
        container: Container = state.container
        state.jobs = JobRunner(container.settings.batches_dir, run_job(container))
    jobs: JobRunner = state.jobs
    return jobs


def report_response(
    request: Request, container: Container, job_id: str, format: str, *, actor: str
) -> Response:
    """A finished job's report as a download (audited); shared by the API and the batch page.

    Raises:
        JobNotFoundError: unknown id.
        ReportWithdrawnError: its reports were withdrawn.
        JobNotFinishedError: not finished, or failed.
    """
    path = jobs_of(request).report(job_id, format)
    container.audit.record(
        AuditAction.REPORT_DOWNLOAD,
        actor=actor,
        target=f"batch/{job_id}",
        detail={"format": format},
    )
    headers = (
        # a self-contained page: its own inline style, never a script, sandboxed
        {"content-security-policy": REPORT_CSP}
        if format == "html"
        else {"content-disposition": f'attachment; filename="{path.name}"'}
    )
    return Response(path.read_bytes(), media_type=REPORT_MEDIA[format], headers=headers)
