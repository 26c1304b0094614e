"""Readers of ingestion files: bytes → UTF-8 text → rows of JSON Lines or CSV, each row
validated as a record (:mod:`index.ingest.records`) and collected with the errors found.

A bad row is reported as ``file:line: field: reason`` and skipped; the rest of the file is kept.
See ``docs/data-format.md`` for the formats.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from index.ingest.records import (
    EvidenceRecord,
    OrganisationRecord,
    ProfileRecord,
    to_organisation,
    to_profile,
)
from matcher.errors import IngestError, InvalidRecordError
from matcher.model import Organisation, Profile

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(slots=True)
class ParsedFile:
    """The valid records of one file and the errors found in it."""

    organisations: list[tuple[int, Organisation]] = field(default_factory=list)
    profiles: list[tuple[int, Profile]] = field(default_factory=list)
    errors: list[InvalidRecordError] = field(default_factory=list)


def read_text(path: Path) -> str:
    """The text of an input file (see :func:`decode_text`).

    Raises:
        IngestError: missing, not a file, over :data:`MAX_FILE_BYTES`, or not UTF-8 text.
    """
    try:
        size = path.stat().st_size
    except OSError as error:
        raise IngestError(f"{path}: cannot read: {error.strerror or error}") from None
    if not path.is_file():
        raise IngestError(f"{path}: not a file")
    if size > MAX_FILE_BYTES:
        raise IngestError(f"{path}: {size} bytes is over the limit of {MAX_FILE_BYTES} bytes")
    return decode_text(str(path), path.read_bytes())


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def decode_text(source: str, data: bytes) -> str:
    """The text of an input file, which must be UTF-8 (a BOM is allowed).

    UTF-16/32 and binary files are refused whole; a NUL byte in otherwise readable text is left
    for the row parsers to report on its line.

    Raises:
        IngestError: the bytes are not UTF-8 text.
    """
    for bom, name in _WIDE_BOMS:  # UTF-32 first: its little-endian BOM starts like UTF-16's
        if data.startswith(bom):
            raise IngestError(f"{source}: {name} text; save the file as UTF-8")
    head = data[:4096]
    if head.count(0) * 8 > len(head):
        raise IngestError(
            f"{source}: mostly NUL bytes (UTF-16 or a binary file?); save the file as UTF-8"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(f"{source}: not UTF-8 text (byte {error.start})") from None


def record_errors(source: str, line: int, error: ValidationError) -> list[InvalidRecordError]:
    """Every problem pydantic found in one record, each as ``source:line: field: reason`` (a
    row with a bad kind and an empty name gets both, not only the first)."""
    found = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "record"
        message = problem["msg"].removeprefix("Value error, ")
        found.append(InvalidRecordError(source, line, location, message))
    return found


def require_rows(source: str, text: str, rows: int) -> None:
    """Refuse a file that holds no rows at all (an empty file, blank lines, a header alone): it
    is almost always the wrong file or a failed export, not a request to load nothing.

    Raises:
        IngestError: no rows.
    """
    if not text.strip():
        raise IngestError(f"{source}: the file is empty")
    if rows == 0:
        raise IngestError(f"{source}: no rows (only a header or blank lines)")


def parse_jsonl(source: str, text: str) -> ParsedFile:
    """Parse JSON Lines: one organisation or profile per line (``record`` names which).

    Raises:
        IngestError: the file holds no rows.
    """
    require_rows(source, text, sum(1 for line in text.splitlines() if line.strip()))
    parsed = ParsedFile()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "\x00" in line:
            parsed.errors.append(InvalidRecordError(source, number, "line", "contains a NUL byte"))
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            parsed.errors.append(
                InvalidRecordError(source, number, "line", f"not valid JSON: {error.msg}")
            )
            continue
        except RecursionError:
            parsed.errors.append(
                InvalidRecordError(source, number, "line", "JSON nested too deeply")
            )
            continue
        if not isinstance(raw, dict):
            parsed.errors.append(
                InvalidRecordError(source, number, "line", "expected a JSON object")
            )
            continue
        if has_nul(raw):
            parsed.errors.append(
                InvalidRecordError(source, number, "line", "a value contains a NUL character")
            )
            continue
        _parse_record(source, number, raw, parsed)
    return parsed


def has_nul(value: object) -> bool:
    """Whether a decoded JSON value holds a NUL character in any string (the catalogue's text
    columns cannot store one on PostgreSQL, and no real text has one)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _parse_record(source: str, number: int, raw: dict[str, Any], parsed: ParsedFile) -> None:
    kind = raw.get("record") or (
        "profile" if "kind" in raw else "organisation" if "type" in raw else None
    )
    try:
        if kind == "organisation":
            parsed.organisations.append(
                (number, to_organisation(OrganisationRecord.model_validate(raw)))
            )
        elif kind == "profile":
            parsed.profiles.append((number, to_profile(ProfileRecord.model_validate(raw))))
        else:
            parsed.errors.append(
                InvalidRecordError(source, number, "record", "must be 'organisation' or 'profile'")
            )
    except ValidationError as error:
        parsed.errors.extend(record_errors(source, number, error))


PROFILE_COLUMNS = (
    "profile_id", "kind", "name", "organisation", "unit", "region", "summary", "keywords",
    "capacity", "contact", "consent",
)  # fmt: skip
EVIDENCE_COLUMNS = (
    "evidence_id", "evidence_type", "title", "text", "year", "specialty", "sector", "funder",
    "readiness_level",
)  # fmt: skip
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def parse_csv(source: str, text: str) -> ParsedFile:
    """Parse CSV: an organisations table (``id,name,type,region``) or profiles in long form (one
    row per evidence item, profile columns repeated; see ``docs/data-format.md``).

    Raises:
        IngestError: no rows, or a header that is unreadable or names neither table.
    """
    require_rows(source, text, 1)
    parsed = ParsedFile()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as error:
        raise IngestError(f"{source}: unreadable CSV header: {error}") from None
    rows = csv_rows(source, header, reader, parsed.errors, text=text)
    if "profile_id" in header:
        _parse_profile_rows(source, header, rows, parsed)
    elif {"id", "name", "type"} <= set(header):
        for number, row in rows:
            try:
                record = OrganisationRecord.model_validate(row)
            except ValidationError as error:
                parsed.errors.extend(record_errors(source, number, error))
                continue
            parsed.organisations.append((number, to_organisation(record)))
    else:
        raise IngestError(
            f"{source}: unrecognised CSV header; expected 'profile_id,...' (profiles) or "
            "'id,name,type,region' (organisations)"
        )
    if not (parsed.organisations or parsed.profiles or parsed.errors):
        require_rows(source, text, 0)
    return parsed


def unclosed_quote_line(text: str) -> int | None:
    """The line on which a CSV row with an unclosed quote starts, or ``None`` when every quote
    is closed. (Python's lenient reader takes everything after such a quote as one cell and
    reports nothing; its strict reader says "unexpected end of data", without a line.)"""
    if '"' not in text:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                return start
        start = reader.line_num + 1


def csv_rows(
    source: str,
    header: list[str],
    reader: Iterable[list[str]],
    errors: list[InvalidRecordError],
    *,
    text: str | None = None,
) -> Iterable[tuple[int, dict[str, str]]]:
    """The data rows of a CSV file as (line number, column → cell), blank rows skipped; rows that
    cannot be read or have the wrong number of cells are reported in ``errors``.

    A row's number is the line of the file it starts on when ``reader`` is a :func:`csv.reader`
    (a quoted cell may span lines), else its count after the header. With the file's ``text``,
    a quote left open is reported as such, with the line it starts on.
    """
    unclosed = unclosed_quote_line(text) if text is not None else None
    number = 1
    iterator = iter(reader)
    while True:
        start = getattr(reader, "line_num", number) + 1
        try:
            row = next(iterator)
        except StopIteration:
            return
        except csv.Error as error:
            number = start
            errors.append(InvalidRecordError(source, number, "row", f"unreadable CSV: {error}"))
            continue
        number = start
        if number == unclosed:
            reason = f"unclosed quote starting at line {number} (the rest of the file was read as one cell)"
            errors.append(InvalidRecordError(source, number, "row", reason))
            return
        if not any(cell.strip() for cell in row):
            continue
        if any("\x00" in cell for cell in row):
            errors.append(InvalidRecordError(source, number, "row", "contains a NUL byte"))
            continue
        if len(row) != len(header):
            errors.append(
                InvalidRecordError(
                    source, number, "row", f"has {len(row)} cells; the header has {len(header)}"
                )
            )
            continue
        yield number, dict(zip(header, row, strict=True))


def _parse_profile_rows(
    source: str, header: list[str], rows: Iterable[tuple[int, dict[str, str]]], parsed: ParsedFile
) -> None:
    missing = [c for c in ("profile_id", "kind", "name", "organisation") if c not in header]
    if missing:
        raise IngestError(f"{source}: CSV header lacks the column(s) {', '.join(missing)}")
    groups: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, row in rows:
        profile_id = row["profile_id"].strip()
        if not profile_id:  # found by the fuzz test: a blank id used to raise KeyError (a 500)
            parsed.errors.append(InvalidRecordError(source, number, "profile_id", "is required"))
            continue
        if profile_id not in groups:
            profile: dict[str, Any] = {
                c: row[c] for c in PROFILE_COLUMNS if c in row and row[c].strip()
            }
            profile["id"] = profile.pop("profile_id")
            if "keywords" in profile:
                profile["keywords"] = [k for k in profile["keywords"].split(";") if k.strip()]
            if "coauthors" in row and row["coauthors"].strip():
                profile["coauthors"] = [c.strip() for c in row["coauthors"].split(";") if c.strip()]
            if "consent" in profile:
                value = profile["consent"].strip().lower()
                if value not in _TRUE | _FALSE:
                    parsed.errors.append(
                        InvalidRecordError(source, number, "consent", "must be true or false")
                    )
                    continue
                profile["consent"] = value in _TRUE
            profile["evidence"] = []
            groups[profile_id] = (number, profile)
        first_line, profile = groups[profile_id]
        if not row.get("evidence_id", "").strip():
            continue
        item = {c: row[c] for c in EVIDENCE_COLUMNS if c in row and row[c].strip()}
        item["id"] = item.pop("evidence_id")
        item["type"] = item.pop("evidence_type", "")
        try:
            EvidenceRecord.model_validate(item)
        except ValidationError as error:
            parsed.errors.extend(record_errors(source, number, error))
            continue
        profile["evidence"].append(item)
    for first_line, profile in groups.values():
        try:
            parsed.profiles.append((first_line, to_profile(ProfileRecord.model_validate(profile))))
        except ValidationError as error:
            parsed.errors.extend(record_errors(source, first_line, error))


def parse_file(path: Path) -> ParsedFile:
    """Parse one input file by its extension (``.jsonl``/``.json``/``.ndjson`` or ``.csv``).

    Raises:
        IngestError: the file cannot be read or has an unknown format.
    """
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return parse_jsonl(str(path), text)
    if suffix == ".csv":
        return parse_csv(str(path), text)
    raise IngestError(f"{path}: unknown format {suffix!r}; use .jsonl or .csv")
