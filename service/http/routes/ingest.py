"""Ingest: upload a JSON Lines or CSV file of profiles and organisations."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from matcher.errors import IngestError
from service.http.auth import ADMIN_ONLY, roles_extra
from service.http.deps import Admin, ContainerDep
from service.http.routes.common import API_PREFIX
from service.http.schemas import IngestOut
from service.http.uploads import PROFILE_SUFFIXES, display_name, public_message, save_upload

router = APIRouter(prefix=API_PREFIX, tags=["profiles"])


@router.post("/ingest", response_model=IngestOut, openapi_extra=roles_extra(*ADMIN_ONLY))
async def ingest_upload(
    container: ContainerDep,
    _who: Admin,
    file: Annotated[UploadFile, File(description="A .jsonl or .csv file")],
) -> IngestOut:
    """Upload a JSON Lines or CSV file; bad rows are reported, good rows kept (errors name the
    file as it was sent, never where the server kept it)."""
    name = display_name(file)
    with tempfile.TemporaryDirectory() as scratch:
        path = await save_upload(
            file,
            Path(scratch),
            suffixes=PROFILE_SUFFIXES,
            limit=container.settings.max_upload_bytes,
        )
        try:
            report, sync = container.ingest([path])
        except IngestError as error:
            raise IngestError(public_message(str(error), path, name)) from None
    return IngestOut(
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        organisations=report.organisations,
        rejected=report.rejected,
        errors=[public_message(str(e), path, name) for e in report.errors],
        index_version=sync.version,
    )
