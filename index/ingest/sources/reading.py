"""Streaming the JSON of a source file, recognising which source it holds, and small accessors
for decoded JSON.

A file is either JSON Lines (one value per line, the OpenAlex snapshot's form, ``.gz`` too) or
one JSON document (a saved API page, pretty-printed or not). JSON Lines are read line by line,
never whole; a document is read whole up to :data:`MAX_DOCUMENT_BYTES` (API pages are small).
Every problem of one line becomes a :class:`ReadError` and reading goes on with the next line;
a truncated gzip stream ends the file with one error after the lines it did hold.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import orjson

from index.ingest.sources.errors import WrongSourceError
from index.ingest.sources.model import ReadError, Source, SourceRecord
from matcher.errors import IngestError
from matcher.text import normalise

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_NINETEEN_DIGITS = b"0" * 19
_DIGITS_ONLY = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
"""Every ASCII digit as ``0`` and every other byte as a space: a run of 19 digits in a line is
then a plain substring search (a C loop over the bytes, a fifteenth of a regular expression's
time on a snapshot's lines)."""
JSONObject = dict[str, object]


class FieldError(Exception):
    """Raised inside a record parser for one bad field; the reader turns it into a
    :class:`ReadError` of that record (never escapes a reader)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


# ----------------------------------------------------------------------------- streaming


def _open(path: Path) -> BinaryIO:
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
        if magic == b"\x1f\x8b":
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return path.open("rb")
    except OSError as error:
        raise IngestError(f"{path}: cannot read: {error.strerror or error}") from None


def _decode_line(raw: bytes, number: int) -> str:
    text = raw.decode("utf-8")
    return text.removeprefix("\ufeff") if number == 1 else text


def iter_json_values(path: Path) -> Iterator[tuple[int, object] | ReadError]:
    """The JSON values of a file with their line numbers, or a :class:`ReadError` per bad line.

    Raises:
        IngestError: the file cannot be opened at all.
    """
    if not path.is_file():
        raise IngestError(f"{path}: not a file")
    name = str(path)
    with _open(path) as stream:
        number = 0
        first = True
        try:
            for raw in stream:
                number += 1
                try:
                    text = _decode_line(raw, number)
                except UnicodeDecodeError as error:
                    yield ReadError(name, number, "line", f"not UTF-8 (byte {error.start})")
                    continue
                if not text.strip():
                    continue
                if first and _opens_a_document(text):
                    yield from _whole_document(name, number, text, stream)
                    return
                first = False
                yield _parse_line(name, number, text, raw)
        except EOFError:
            yield ReadError(
                name, number + 1, "file", "truncated gzip: the file ends before its end marker"
            )
        except (gzip.BadGzipFile, zlib.error) as error:
            yield ReadError(name, number + 1, "file", f"corrupt gzip data: {error}")


def _opens_a_document(text: str) -> bool:
    """Whether a first line is the start of a multi-line JSON document rather than a JSON
    Lines record: it must fail to parse only because it ends too soon."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return False
    try:
        json.loads(stripped)
    except json.JSONDecodeError as error:
        return error.pos >= len(stripped)
    except RecursionError:
        return False
    return False


def _parse_line(name: str, number: int, text: str, raw: bytes) -> tuple[int, object] | ReadError:
    # orjson parses a snapshot's lines several times faster; what it refuses (NaN, infinite
    # numbers, lone surrogates, deep nesting, bad JSON) goes to the standard library, whose
    # values and messages the readers have always given, and so does a line with a run of 19
    # digits (orjson reads an integer beyond 64 bits as a float; the standard library exactly)
    # (on the line's bytes; ``text`` is them decoded, a first line's byte-order mark removed)
    if _NINETEEN_DIGITS not in raw.translate(_DIGITS_ONLY):
        try:
            return number, orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        return number, json.loads(text)
    except json.JSONDecodeError as error:
        return ReadError(name, number, "line", f"not valid JSON: {error.msg}")
    except RecursionError:
        return ReadError(name, number, "line", "JSON nested too deeply")


def _whole_document(
    name: str, start: int, head: str, stream: BinaryIO
) -> Iterator[tuple[int, object] | ReadError]:
    rest = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(rest) > MAX_DOCUMENT_BYTES:
        yield ReadError(
            name, start, "file", f"a JSON document over {MAX_DOCUMENT_BYTES} bytes; use JSON Lines"
        )
        return
    try:
        text = head + rest.decode("utf-8")
    except UnicodeDecodeError as error:
        yield ReadError(name, start, "file", f"not UTF-8 (byte {error.start + len(head)})")
        return
    try:
        yield start, json.loads(text)
    except json.JSONDecodeError as error:
        yield ReadError(name, start + error.lineno - 1, "line", f"not valid JSON: {error.msg}")
    except RecursionError:
        yield ReadError(name, start, "line", "JSON nested too deeply")


# ----------------------------------------------------------------------------- sniffing

_OPENALEX_URL = re.compile(r"^(?:https://openalex\.org/)?[WA]\d+$")
_GTR_PAGE_KEYS = ("project", "person", "organisation")


def sniff(value: object) -> Source | None:
    """Which source a decoded JSON value (a record or a page of records) comes from, or
    ``None`` when it looks like none of them."""
    if not isinstance(value, dict):
        return None
    if (
        "orcid-identifier" in value
        or "orcid-profile" in value
        or ("activities-summary" in value and "person" in value)
    ):
        return Source.ORCID
    if isinstance(value.get("results"), list) and isinstance(value.get("meta"), dict):
        return Source.OPENALEX
    if isinstance(value.get("items"), list) and ("count" in value or "pageInformation" in value):
        return Source.PURE
    if any(isinstance(value.get(key), list) for key in _GTR_PAGE_KEYS) and (
        "totalPages" in value or "page" in value
    ):
        return Source.GTR
    record_id = value.get("id")
    if isinstance(record_id, str) and _OPENALEX_URL.match(record_id):
        return Source.OPENALEX
    links = value.get("links")
    href = value.get("href")
    if isinstance(links, dict) and isinstance(href, str) and "/gtr/api/" in href:
        return Source.GTR
    if "uuid" in value and ("pureId" in value or "systemName" in value):
        return Source.PURE
    return None


def sniff_file(path: Path) -> Source | None:
    """The source of the first recognisable value of a file, or ``None``.

    Raises:
        IngestError: the file cannot be opened.
    """
    for item in iter_json_values(path):
        if isinstance(item, ReadError):
            continue
        found = sniff(item[1])
        if found is not None:
            return found
    return None


def checked_values(path: Path, expected: Source) -> Iterator[tuple[int, object] | ReadError]:
    """The JSON values of a file meant for ``expected``'s reader.

    Values before the first recognisable one pass through (the reader reports them); the first
    recognisable value decides: another source's refuses the whole file.

    Raises:
        WrongSourceError: the file holds another source's records.
        IngestError: the file cannot be opened.
    """
    decided = False
    for item in iter_json_values(path):
        if not decided and not isinstance(item, ReadError):
            found = sniff(item[1])
            if found is not None and found is not expected:
                raise WrongSourceError(str(path), found=found.value, expected=expected.value)
            decided = found is not None
        yield item


Parser = Callable[[object, str, int, str], Iterator["SourceRecord | ReadError"]]


def read_file(
    path: Path, expected: Source, parse: Parser, *, retrieved_at: str | None = None
) -> Iterator[SourceRecord | ReadError]:
    """Stream one file through a source's value parser (the body of every ``read_*``).

    Raises:
        WrongSourceError: the file holds another source's records.
        IngestError: the file cannot be opened.
    """
    stamp = retrieved_at if retrieved_at is not None else file_stamp(path)
    name = str(path)
    for item in checked_values(path, expected):
        if isinstance(item, ReadError):
            yield item
            continue
        line, value = item
        if has_nul(value):
            yield ReadError(name, line, "record", "a value contains a NUL character")
            continue
        yield from parse(value, name, line, stamp)


def guarded(
    file: str, line: int, prefix: str, build: Callable[[], list[SourceRecord | ReadError]]
) -> list[SourceRecord | ReadError]:
    """What ``build`` returns, or one ReadError if it fails on a field (``prefix`` names the
    record's place in a page, e.g. ``results[3].``)."""
    try:
        return build()
    except FieldError as error:
        return [ReadError(file, line, prefix + error.field, error.reason)]


def page_items(value: JSONObject, key: str) -> list[object]:
    """The records of a page's ``key`` list."""
    return arr(value.get(key))


# ----------------------------------------------------------------------------- accessors


def obj(value: object) -> JSONObject:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def arr(value: object) -> list[object]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def text(value: object) -> str:
    """A normalised string (NFC, one space), or ``""`` for anything that is not a string."""
    return normalise(value) if isinstance(value, str) else ""


def dig(value: object, *keys: str) -> object:
    """``value[k1][k2]...``, or ``None`` where a step is missing or not an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def required_text(record: JSONObject, key: str, *, label: str | None = None) -> str:
    """A required non-empty string field.

    Raises:
        FieldError: the field is missing, empty or not a string.
    """
    value = record.get(key)
    if value is None:
        raise FieldError(label or key, "missing")
    if not isinstance(value, str):
        raise FieldError(label or key, f"expected a string, got {type(value).__name__}")
    result = normalise(value)
    if not result:
        raise FieldError(label or key, "empty")
    return result


def year_of(value: object) -> int | None:
    """A plausible year (1800–2200) from an int, a numeric string or an ISO date, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and re.match(r"^\d{4}", value.strip()):
        year = int(value.strip()[:4])
    else:
        return None
    return year if 1800 <= year <= 2200 else None


def iso_from_millis(value: object) -> str:
    """An ISO 8601 UTC stamp from epoch milliseconds (ORCID, GtR), or ``""``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""


def file_stamp(path: Path) -> str:
    """When a file was last written, as ISO 8601 UTC: a saved file's retrieval time."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return ""
    return datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def has_nul(value: object) -> bool:
    """Whether a decoded JSON value holds a NUL character anywhere (no real text has one and
    the catalogue cannot store one)."""
    try:
        # serialised in C, a NUL in any key or string is written as \u0000: without that the
        # value has none (with it, it may be an escaped backslash before "u0000": walk it)
        if b"\\u0000" not in orjson.dumps(value):
            return False
    except TypeError:
        pass  # an int beyond 64 bits (the standard library read it): walk the value
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
