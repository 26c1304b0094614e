"""Batch jobs run in the background: submit a call file, poll progress, download the reports."""

from __future__ import annotations

import csv
import json
import logging
import os
import secrets
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypeAlias

from markupsafe import escape

from matcher.errors import ConflictError, MatcherError, NotFoundError

logger = logging.getLogger(__name__)

REPORT_FILES = {"csv": "partners.csv", "xlsx": "partners.xlsx", "html": "report.html"}
#: Beside the reports: the ids of every profile they name (read when a profile is erased).
PROFILES_FILE = "profiles.json"
#: Beside the reports: the consortia as ids and roles (read when a consortium becomes a bid).
CONSORTIA_FILE = "consortia.json"
#: Left in place of reports withdrawn because a profile they named was erased.
WITHDRAWN_FILE = "withdrawn.json"

#: Where a job is: waiting for the worker, matching, finished with reports, failed, or finished
#: but its reports withdrawn (a profile they named was erased).
JobStatus: TypeAlias = Literal["queued", "running", "done", "failed", "withdrawn"]
#: The work of one job: ``work(call file, output folder, progress(done, total), options)``
#: writes the reports into the output folder and returns the job's summary.
JobWork: TypeAlias = Callable[
    [Path, Path, Callable[[int, int], None], dict[str, object]], dict[str, object]
]


class JobNotFoundError(NotFoundError):
    """An unknown batch job id."""


class JobNotFinishedError(ConflictError):
    """The job's reports are not ready (still running, or it failed)."""


class ReportWithdrawnError(JobNotFinishedError):
    """The job finished, but its reports were withdrawn because a profile they named was erased.

    Attributes:
        reason: why, in a sentence that names nobody.
    """

    def __init__(self, job_id: str, reason: str) -> None:
        super().__init__(
            f"the reports of batch job {job_id} were withdrawn because {reason}; run the call again"
        )
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Job:
    """A batch job's state (``error`` says why it failed, or why its reports were withdrawn;
    it never holds a server path, only the upload's own name)."""

    id: str
    filename: str
    created_by: str
    created_at: str
    status: JobStatus = "queued"
    done: int = 0
    total: int = 0
    error: str | None = None
    summary: dict[str, object] = field(default_factory=dict)


class JobRunner:
    """Runs one batch at a time in a worker thread; reports are written under ``root``.

    Args:
        root: the folder that holds one folder per job (its call file and ``out/`` reports).
        run: the work of one job (see :data:`JobWork`).
    """

    def __init__(self, root: Path, run: JobWork) -> None:
        self.root = root
        self._run = run
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch")

    def submit(
        self, upload: Path, *, filename: str, created_by: str, options: dict[str, object]
    ) -> Job:
        """Queue a call file (the upload is moved into the job's folder)."""
        job_id = "job_" + secrets.token_hex(6)
        folder = self.root / job_id
        folder.mkdir(parents=True)
        call = folder / Path(filename).name
        shutil.move(str(upload), call)
        job = Job(
            id=job_id,
            filename=call.name,
            created_by=created_by,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._lock:
            self._jobs[job_id] = job
        self._pool.submit(self._work, job_id, call, options)
        return job

    def _update(self, job_id: str, change: Callable[[Job], Job]) -> None:
        with self._lock:
            self._jobs[job_id] = change(self._jobs[job_id])

    def _work(self, job_id: str, call: Path, options: dict[str, object]) -> None:
        self._update(job_id, lambda job: replace(job, status="running"))
        try:
            summary = self._run(
                call,
                call.parent / "out",
                lambda done, total: self._update(
                    job_id, lambda job: replace(job, done=done, total=total)
                ),
                options,
            )
            self._update(job_id, lambda job: replace(job, status="done", summary=summary))
        except MatcherError as error:
            message = self._public(str(error), call)
            self._update(job_id, lambda job: replace(job, status="failed", error=message))
        except Exception:  # a bug must not kill the worker; the job says it failed
            logger.exception("batch job %s failed", job_id)
            message = "internal error while matching; see the server log"
            self._update(job_id, lambda job: replace(job, status="failed", error=message))

    def _public(self, message: str, call: Path) -> str:
        """A message for the job's users: the call file named by its own name, no folder."""
        message = message.replace(str(call), call.name)
        return message.replace(str(self.root) + os.sep, "").replace(str(self.root), "")

    def _as_seen(self, job: Job) -> Job:
        """A finished job whose reports were withdrawn is shown as withdrawn, with the reason."""
        if job.status != "done":
            return job
        marker = self.root / job.id / "out" / WITHDRAWN_FILE
        if not marker.is_file():
            return job
        try:
            reason = str(json.loads(marker.read_text(encoding="utf-8"))["reason"])
        except (OSError, ValueError, KeyError, TypeError):
            reason = "a profile these reports named was erased"
        return replace(job, status="withdrawn", error=f"reports withdrawn: {reason}")

    def get(self, job_id: str) -> Job:
        """A job by id.

        Raises:
            JobNotFoundError: unknown id.
        """
        with self._lock:
            if job_id not in self._jobs:
                raise JobNotFoundError(f"no batch job with id {job_id!r}")
            job = self._jobs[job_id]
        return self._as_seen(job)

    def all_jobs(self) -> list[Job]:
        """All jobs of this process, newest first."""
        with self._lock:
            jobs = sorted(self._jobs.values(), key=lambda j: j.created_at, reverse=True)
        return [self._as_seen(j) for j in jobs]

    def report(self, job_id: str, kind: str) -> Path:
        """The path of a finished job's report.

        Raises:
            JobNotFoundError: unknown id.
            ReportWithdrawnError: finished, but its reports were withdrawn.
            JobNotFinishedError: not finished (or failed).
        """
        job = self.get(job_id)
        if job.status == "withdrawn":
            raise ReportWithdrawnError(job_id, "a profile they named was erased")
        if job.status != "done":
            raise JobNotFinishedError(
                f"batch job {job_id} is {job.status}; its reports are not ready"
            )
        path = self.root / job_id / "out" / REPORT_FILES[kind]
        if not path.is_file():
            raise ReportWithdrawnError(job_id, "a profile they named was erased")
        return path

    def wait(self, timeout: float = 60.0) -> None:
        """Wait until every queued job has run (for tests and shutdown)."""
        marker = self._pool.submit(lambda: None)
        marker.result(timeout=timeout)

    def close(self) -> None:
        """Stop accepting jobs; running ones finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def record_profiles(out: Path, profile_ids: set[str]) -> None:
    """Write beside a job's reports which profiles they name (read when a profile is erased)."""
    partial = out / f".{PROFILES_FILE}.partial"
    partial.write_text(json.dumps(sorted(profile_ids)), encoding="utf-8")
    os.replace(partial, out / PROFILES_FILE)


def withdraw_reports(root: Path, profile_id: str, *, name: str) -> list[str]:
    """Delete every stored batch report that names a profile (erasure); returns the job ids.

    A job's ``profiles.json`` lists the profiles its reports name; reports written before that
    file existed are searched for the profile's id (CSV) and name (HTML). Withdrawn reports are
    replaced by ``withdrawn.json``, which names nobody.
    """
    withdrawn = []
    for out in sorted(root.glob("job_*/out")):
        listed = out / PROFILES_FILE
        if listed.is_file():
            named = profile_id in json.loads(listed.read_text(encoding="utf-8"))
        else:
            named = _mentions(out, profile_id, name)
        if not named:
            continue
        for report in [*REPORT_FILES.values(), PROFILES_FILE, CONSORTIA_FILE]:
            (out / report).unlink(missing_ok=True)
        for partial in out.glob(".*.partial"):
            partial.unlink(missing_ok=True)
        (out / WITHDRAWN_FILE).write_text(
            json.dumps(
                {
                    "reason": "a profile these reports named was erased",
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            ),
            encoding="utf-8",
        )
        withdrawn.append(out.parent.name)
    return withdrawn


def _mentions(out: Path, profile_id: str, name: str) -> bool:
    table = out / REPORT_FILES["csv"]
    if table.is_file():
        with table.open(newline="", encoding="utf-8-sig") as handle:
            if any(row.get("profile_id") == profile_id for row in csv.DictReader(handle)):
                return True
    page = out / REPORT_FILES["html"]
    return page.is_file() and bool(name) and str(escape(name)) in page.read_text(encoding="utf-8")
