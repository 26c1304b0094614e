"""Call files for batch matching: CSV, JSON Lines or XLSX, one brief a row.

Columns: ``id``, ``text``, ``partners`` (default 3), ``kinds`` (``;``-separated),
``requester_organisation``, ``conflicts`` (``;``-separated profile ids), ``purpose``. Bad rows are
reported as ``file:line: field: reason`` like ingestion errors; valid rows are kept.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from index.ingest.readers import csv_rows, decode_text, has_nul
from matcher.briefs import MAX_BRIEF_CHARS
from matcher.errors import IngestError, InvalidRecordError
from matcher.model import CallBrief, ProfileKind, Purpose
from matcher.text import normalise

MAX_CALL_BYTES = 20 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_CALL_ROWS = 20_000


class CallRecord(BaseModel):
    """One validated row of a call file."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: Annotated[str, Field(min_length=1, max_length=200)]
    text: Annotated[str, Field(min_length=3, max_length=MAX_BRIEF_CHARS)]
    partners: Annotated[int, Field(ge=1, le=50)] = 3
    kinds: list[ProfileKind] = []
    requester_organisation: Annotated[str, Field(max_length=200)] | None = None
    conflicts: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=1_000)] = []
    purpose: Purpose = Purpose.COLLABORATORS

    @field_validator("kinds", "conflicts", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        return value

    @field_validator("requester_organisation", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    @field_validator("partners", "purpose", mode="before")
    @classmethod
    def _blank_is_default(cls, value: Any, info: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return 3 if info.field_name == "partners" else Purpose.COLLABORATORS.value
        return value


@dataclass(slots=True)
class ParsedCall:
    """The valid briefs of a call file and the rows that were rejected."""

    briefs: list[CallBrief] = field(default_factory=list)
    errors: list[InvalidRecordError] = field(default_factory=list)


def _to_brief(record: CallRecord) -> CallBrief:
    return CallBrief(
        id=record.id,
        text=normalise(record.text),
        partners=record.partners,
        kinds=frozenset(record.kinds),
        requester_organisation=record.requester_organisation,
        conflicts=tuple(record.conflicts),
        purpose=record.purpose,
    )


def _add(
    parsed: ParsedCall, source: str, line: int, raw: dict[str, Any], seen: dict[str, int]
) -> None:
    try:
        record = CallRecord.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(p) for p in first["loc"]) or "row"
        parsed.errors.append(InvalidRecordError(source, line, location, first["msg"]))
        return
    if record.id in seen:
        parsed.errors.append(
            InvalidRecordError(source, line, "id", f"duplicate id, first at line {seen[record.id]}")
        )
        return
    seen[record.id] = line
    parsed.briefs.append(_to_brief(record))


def parse_call(path: Path) -> ParsedCall:
    """Read a call file by its extension (``.csv``, ``.jsonl``, ``.xlsx``).

    Raises:
        IngestError: the file cannot be read at all (missing, too large, wrong format, not UTF-8,
            a spreadsheet that unpacks to more than the limit).
    """
    try:
        size = path.stat().st_size
    except OSError as error:
        raise IngestError(f"{path}: cannot read: {error.strerror or error}") from None
    if size > MAX_CALL_BYTES:
        raise IngestError(f"{path}: {size} bytes is over the limit of {MAX_CALL_BYTES} bytes")
    suffix = path.suffix.lower()
    source = str(path)
    if suffix == ".xlsx":
        return _parse_xlsx(path)
    text = decode_text(source, path.read_bytes())
    parsed = ParsedCall()
    seen: dict[str, int] = {}
    if suffix in {".jsonl", ".ndjson", ".json"}:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if "\x00" in line:
                parsed.errors.append(
                    InvalidRecordError(source, number, "line", "contains a NUL byte")
                )
                continue
            try:
                raw = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                parsed.errors.append(InvalidRecordError(source, number, "line", "not valid JSON"))
                continue
            if not isinstance(raw, dict) or has_nul(raw):
                reason = "a value contains a NUL character" if isinstance(raw, dict) else ""
                parsed.errors.append(
                    InvalidRecordError(source, number, "line", reason or "expected a JSON object")
                )
                continue
            _add(parsed, source, number, raw, seen)
    elif suffix == ".csv":
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            return parsed
        except csv.Error as error:
            raise IngestError(f"{path}: unreadable CSV header: {error}") from None
        _check_header(path, header)
        for number, row in csv_rows(source, header, reader, parsed.errors):
            _add(parsed, source, number, row, seen)
    else:
        raise IngestError(f"{path}: unknown format {suffix!r}; use .csv, .jsonl or .xlsx")
    _check_rows(path, parsed)
    return parsed


def _check_header(path: Path, header: list[str]) -> None:
    missing = [c for c in ("id", "text") if c not in header]
    if missing:
        raise IngestError(f"{path}: the header lacks the column(s) {', '.join(missing)}")


def _check_rows(path: Path, parsed: ParsedCall) -> None:
    if len(parsed.briefs) > MAX_CALL_ROWS:
        raise IngestError(f"{path}: {len(parsed.briefs)} briefs; the limit is {MAX_CALL_ROWS}")


def _parse_xlsx(path: Path) -> ParsedCall:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError) as error:
        # a damaged archive can claim an unsupported zip version or impossible offsets
        raise IngestError(f"{path}: not an XLSX workbook: {error}") from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise IngestError(
            f"{path}: unpacks to {unpacked} bytes; the limit is {MAX_XLSX_UNPACKED_BYTES} bytes"
        )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for broken workbooks
        raise IngestError(f"{path}: unreadable workbook: {error}") from None
    try:
        return _read_sheet(path, workbook)
    except IngestError:
        raise
    except Exception as error:  # a read-only workbook is parsed lazily, row by row
        raise IngestError(f"{path}: unreadable workbook: {error}") from None
    finally:
        workbook.close()


def _read_sheet(path: Path, workbook: Any) -> ParsedCall:
    parsed = ParsedCall()
    seen: dict[str, int] = {}
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [str(h or "").strip().lower() for h in next(rows)]
    except StopIteration:
        return parsed
    _check_header(path, header)
    for number, row in enumerate(rows, start=2):
        if number > MAX_CALL_ROWS + 1:
            raise IngestError(f"{path}: more than {MAX_CALL_ROWS} rows")
        cells = ["" if v is None else str(v) for v in row]
        if not any(c.strip() for c in cells):
            continue
        raw = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        _add(parsed, str(path), number, raw, seen)
    return parsed
