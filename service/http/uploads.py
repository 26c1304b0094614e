"""Uploaded files: which types each upload route takes, and streaming one to disk under a limit.

An upload is written under a name the server makes (``upload-<random><suffix>``), never under
the name the client sent: any name works, however long or odd. The client's name is kept only
to be shown (:func:`display_name`: its base name, cut to :data:`MAX_DISPLAY_BYTES`).
"""

from __future__ import annotations

import secrets
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from fastapi import UploadFile

from matcher.errors import InvalidRecordError, PayloadTooLargeError

PROFILE_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv"})
CALL_SUFFIXES = PROFILE_SUFFIXES | {".xlsx"}
#: The API routes that take a file: their bodies may be up to ``max_upload_bytes`` and are
#: multipart forms, not JSON.
UPLOAD_PATHS = frozenset({"/api/v1/ingest", "/api/v1/batches"})
#: The longest name shown for an upload, in UTF-8 bytes (well inside any file system's 255).
MAX_DISPLAY_BYTES = 120


def display_name(file: UploadFile, *, default: str = "upload.csv") -> str:
    """The name an upload is shown under: the base name the client sent (either kind of
    slash), without control characters, cut to :data:`MAX_DISPLAY_BYTES` with its suffix kept.
    It is also safe as a file name, though uploads are not stored under it."""
    sent = PureWindowsPath(PurePosixPath(file.filename or "").name).name
    name = "".join(c for c in sent if unicodedata.category(c)[0] != "C").strip() or default
    if name in {".", ".."}:
        name = default
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    while len((stem + suffix).encode()) > MAX_DISPLAY_BYTES:
        stem = stem[:-1]
    return stem + suffix


async def save_upload(
    file: UploadFile, directory: Path, *, suffixes: frozenset[str], limit: int
) -> Path:
    """Stream an upload to ``directory`` under a generated name (``upload-<random><suffix>``),
    refusing other file types and anything over ``limit`` bytes.

    Raises:
        InvalidRecordError: a file type not in ``suffixes``.
        PayloadTooLargeError: over the limit.
    """
    name = display_name(file)
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        allowed = ", ".join(sorted(suffixes))
        raise InvalidRecordError(name, 0, "file", f"use one of these file types: {allowed}")
    path = directory / f"upload-{secrets.token_hex(8)}{suffix}"
    size = 0
    with path.open("wb") as out:
        while chunk := await file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLargeError(f"the upload is over the limit of {limit} bytes")
            out.write(chunk)
    return path


def public_message(message: str, path: Path, name: str) -> str:
    """``message`` with the server's path of an upload replaced by the name it is shown under."""
    return message.replace(str(path), name)
