"""Uploaded files: which types each upload route takes, and streaming one to disk under a limit."""

from __future__ import annotations

from pathlib import Path

from fastapi import UploadFile

from matcher.errors import InvalidRecordError, PayloadTooLargeError

PROFILE_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv"})
CALL_SUFFIXES = PROFILE_SUFFIXES | {".xlsx"}
#: The API routes that take a file: their bodies may be up to ``max_upload_bytes`` and are
#: multipart forms, not JSON.
UPLOAD_PATHS = frozenset({"/api/v1/ingest", "/api/v1/batches"})


async def save_upload(
    file: UploadFile, directory: Path, *, suffixes: frozenset[str], limit: int
) -> Path:
    """Stream an upload to ``directory`` under its own (base) name, refusing other file types
    and anything over ``limit`` bytes.

    Raises:
        InvalidRecordError: a file type not in ``suffixes``.
        PayloadTooLargeError: over the limit.
    """
    name = Path(file.filename or "upload.csv").name
    if Path(name).suffix.lower() not in suffixes:
        allowed = ", ".join(sorted(suffixes))
        raise InvalidRecordError(name, 0, "file", f"use one of these file types: {allowed}")
    path = directory / name
    size = 0
    with path.open("wb") as out:
        while chunk := await file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLargeError(f"the upload is over the limit of {limit} bytes")
            out.write(chunk)
    return path
