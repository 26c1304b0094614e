"""The consortia of a batch run in machine-readable form (``consortia.json`` beside the reports),
so that one can become a bid later (``POST /api/v1/bids`` with a job, a brief and a consortium).

The file holds ids, roles and the brief's conflict settings, no names or contacts: names are read
from the catalogue when a bid is made, so an erased profile is never revived from it (and the file
is withdrawn with the reports: :func:`service.batch.jobs.withdraw_reports`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from service.batch.jobs import CONSORTIA_FILE, JobNotFinishedError, JobNotFoundError
from service.batch.result import BatchResult

_JOB_ID = re.compile(r"^job_[0-9a-f]+$")


def consortia_data(result: BatchResult) -> list[dict[str, Any]]:
    """Per brief that got consortia: its id, text, conflict settings, alternates and consortia
    (members as role and profile id, numbered from 1 as in the reports)."""
    briefs = []
    for outcome in result.outcomes:
        if not outcome.consortia:
            continue
        brief = outcome.brief
        briefs.append(
            {
                "brief_id": brief.id,
                "text": brief.text,
                "purpose": brief.purpose.value,
                "requester_organisation": brief.requester_organisation,
                "conflicts": list(brief.conflicts),
                "alternates": [p.profile_id for p in outcome.alternates],
                "consortia": [
                    {
                        "number": n,
                        "coverage": view.coverage,
                        "members": [
                            {"role": role, "profile_id": p.profile_id} for role, p in view.members
                        ],
                    }
                    for n, view in enumerate(outcome.consortia, start=1)
                ],
            }
        )
    return briefs


def write_consortia(result: BatchResult, path: Path) -> None:
    """Write :func:`consortia_data` as JSON to ``path``."""
    path.write_text(json.dumps(consortia_data(result), indent=1), encoding="utf-8")


def read_consortia(root: Path, job_id: str) -> list[dict[str, Any]]:
    """The stored consortia of a job under the batch folder ``root``.

    Raises:
        JobNotFoundError: no such job folder.
        JobNotFinishedError: the job has no consortia file (still running, failed, from before
            the file existed, or withdrawn after an erasure).
    """
    folder = root / job_id
    if not _JOB_ID.match(job_id) or not folder.is_dir():
        raise JobNotFoundError(f"no batch job with id {job_id!r}")
    path = folder / "out" / CONSORTIA_FILE
    if not path.is_file():
        raise JobNotFinishedError(
            f"batch job {job_id} has no stored consortia (not finished, or its reports were "
            "withdrawn); run the call again"
        )
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


__all__ = ["consortia_data", "read_consortia", "write_consortia"]
