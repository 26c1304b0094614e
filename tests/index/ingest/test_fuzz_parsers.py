"""Property-based fuzzing of every file parser: profile files (JSON Lines, CSV) and call files
(CSV, JSON Lines, XLSX).

Whatever the bytes, a parser answers with row errors or refuses the file with an
:class:`IngestError` that says why (encoding, size limit, not a workbook); it never raises
anything else, never hangs, and never drops a valid row that shares the file with bad ones.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from index.ingest.calls import MAX_XLSX_UNPACKED_BYTES, parse_call
from index.ingest.readers import parse_file
from index.ingest.records import MAX_FIELD_CHARS
from matcher.errors import IngestError, MatcherError

FUZZ = settings(
    max_examples=25,
    deadline=5_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

IDS = st.from_regex(r"[a-z][a-z0-9\-]{2,12}", fullmatch=True)
WORDS = st.text(alphabet="abcdefghij klmnopqrstuvwxyzé", min_size=3, max_size=80).filter(
    lambda s: len(s.strip()) >= 3
)


def profile_line(profile_id: str, text: str) -> dict[str, object]:
    return {
        "record": "profile",
        "id": profile_id,
        "kind": "academic",
        "name": "Dr " + profile_id,
        "organisation": "org-a",
        "summary": text,
        "evidence": [{"id": "p1", "type": "publication", "title": text, "text": text}],
    }


def deep_json(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


# Hostile lines of a JSON Lines file: each must become a row error, never an exception.
HOSTILE_JSON_LINES = st.one_of(
    st.text(max_size=200).map(lambda s: s.replace("\n", " ").replace("\r", " ")),
    st.sampled_from(["[1, 2]", "null", '"text"', "{", '{"record": "nonsense"}', "\ufeff{}"]),
    st.integers(min_value=50, max_value=200_000).map(deep_json),
    st.integers(min_value=1, max_value=5).map(
        lambda n: json.dumps(profile_line("huge", "x" * (MAX_FIELD_CHARS * n + 1)))
    ),
    st.just(json.dumps(profile_line("nul", "a\x00b"))[:-1] + ', "contact": "x\\u0000y"}'),
    st.just('{"record": "profile", "id": "bad\\u0000id", "kind": "academic"}'),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1").replace("\n", " ").replace("\r", " ")),
)


def _refused_or_parsed(call: object) -> object:
    """Run a parser; anything but a result or a MatcherError with a message fails the test."""
    try:
        return call()  # type: ignore[operator]
    except MatcherError as error:
        assert str(error).strip(), "a refusal must say why"
        return None


@FUZZ
@given(
    valid=st.lists(st.tuples(IDS, WORDS), min_size=1, max_size=5, unique_by=lambda t: t[0]),
    hostile=st.lists(HOSTILE_JSON_LINES, min_size=1, max_size=5),
    data=st.data(),
)
def test_profile_jsonl_keeps_valid_rows_among_hostile_ones(
    tmp_path: Path, valid: list[tuple[str, str]], hostile: list[str], data: st.DataObject
) -> None:
    lines = [json.dumps(profile_line(pid, text)) for pid, text in valid]
    for line in hostile:
        lines.insert(data.draw(st.integers(0, len(lines))), line)
    path = tmp_path / "profiles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    parsed = _refused_or_parsed(lambda: parse_file(path))
    assert parsed is not None, "row-level problems must not refuse the whole file"
    assert {p.id for _, p in parsed.profiles} >= {pid for pid, _ in valid}  # type: ignore[attr-defined]
    for error in parsed.errors:  # type: ignore[attr-defined]
        assert error.line >= 1 and error.reason
    for _, profile in parsed.profiles:  # type: ignore[attr-defined]
        assert "\x00" not in profile.contact + profile.summary + profile.id


CSV_HEADER = ["profile_id", "kind", "name", "organisation", "summary", "evidence_id", "title"]
HOSTILE_CSV_ROWS = st.one_of(
    st.lists(st.text(max_size=30), max_size=12),  # ragged
    st.just(["p-huge", "academic", "Dr H", "org-a", "x" * 200_000, "e1", "t"]),  # over csv's limit
    st.just(["p-formula", "academic", '=HYPERLINK("http://x")', "org-a", "+1", "e1", "@SUM(A1)"]),
    st.just(["p\x00nul", "academic", "Dr N", "org-a", "a\x00b", "e1", "title"]),
    st.just(['p-quote"', "academic", 'Dr "Q', "org-a", "s", "e1", "t"]),
)


@FUZZ
@given(
    valid=st.lists(st.tuples(IDS, WORDS), min_size=1, max_size=5, unique_by=lambda t: t[0]),
    hostile=st.lists(HOSTILE_CSV_ROWS, min_size=1, max_size=5),
    data=st.data(),
)
def test_profile_csv_keeps_valid_rows_among_hostile_ones(
    tmp_path: Path, valid: list[tuple[str, str]], hostile: list[list[str]], data: st.DataObject
) -> None:
    rows = [[f"v-{pid}", "academic", "Dr V", "org-a", text, "e1", text] for pid, text in valid]
    for row in hostile:
        rows.insert(data.draw(st.integers(0, len(rows))), row)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    path = tmp_path / "profiles.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
    parsed = _refused_or_parsed(lambda: parse_file(path))
    assert parsed is not None
    assert {p.id for _, p in parsed.profiles} >= {f"v-{pid}" for pid, _ in valid}  # type: ignore[attr-defined]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@FUZZ
@given(raw=st.binary(max_size=2_000))
def test_arbitrary_bytes_are_parsed_or_refused(tmp_path: Path, suffix: str, raw: bytes) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(raw)
    _refused_or_parsed(lambda: parse_file(path))
    call = tmp_path / f"call{suffix}"
    call.write_bytes(raw)
    _refused_or_parsed(lambda: parse_call(call))


GOOD_JSONL = json.dumps(profile_line("acad-ok", "Falls prévention"), ensure_ascii=False) + "\n"
GOOD_CSV = "id,text\nC1,Falls prévention in older adults\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "refusal"),
    [
        ("utf-8", b"\xef\xbb\xbf", None),  # a UTF-8 BOM is fine
        ("utf-8", b"", None),
        ("latin-1", b"", "not UTF-8"),
        ("utf-16-le", b"\xff\xfe", "UTF-16"),
        ("utf-16-be", b"\xfe\xff", "UTF-16"),
        ("utf-16-le", b"", "UTF-16"),  # no BOM: NUL bytes everywhere
        ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32"),
    ],
)
def test_wrong_encodings_are_refused_clearly(
    tmp_path: Path, encoding: str, prefix: bytes, refusal: str | None
) -> None:
    for name, text, parse in (
        ("profiles.jsonl", GOOD_JSONL, parse_file),
        ("call.csv", GOOD_CSV, parse_call),
    ):
        path = tmp_path / name
        path.write_bytes(prefix + text.encode(encoding))
        if refusal is None:
            parsed = parse(path)
            assert not parsed.errors
            assert len(getattr(parsed, "profiles", None) or getattr(parsed, "briefs", [])) == 1
        else:
            with pytest.raises(IngestError, match=refusal):
                parse(path)


# ----------------------------------------------------------------------------- call files
HOSTILE_CALL_ROWS = st.one_of(
    st.lists(st.text(max_size=20), max_size=10),
    st.just(["H1", "x" * 200_000]),
    st.just(["H2", "=cmd|' /C calc'!A0", "=1+1"]),
    st.just(["H\x003", "text with a NUL \x00 byte"]),
)


@FUZZ
@given(
    valid=st.lists(st.tuples(IDS, WORDS), min_size=1, max_size=5, unique_by=lambda t: t[0]),
    hostile=st.lists(HOSTILE_CALL_ROWS, min_size=1, max_size=5),
    data=st.data(),
)
def test_call_csv_and_jsonl_keep_valid_rows(
    tmp_path: Path, valid: list[tuple[str, str]], hostile: list[list[str]], data: st.DataObject
) -> None:
    rows = [[f"v-{cid}", text] for cid, text in valid]
    for row in hostile:
        rows.insert(data.draw(st.integers(0, len(rows))), row)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "text"])
    writer.writerows(rows)
    csv_path = tmp_path / "call.csv"
    csv_path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
    jsonl_path = tmp_path / "call.jsonl"
    jsonl_lines = [
        json.dumps({"id": r[0], "text": r[1]}) if len(r) >= 2 else json.dumps(r) for r in rows
    ]
    jsonl_lines.insert(data.draw(st.integers(0, len(jsonl_lines))), deep_json(100_000))
    jsonl_path.write_text("\n".join(jsonl_lines) + "\n", encoding="utf-8", errors="surrogatepass")
    for path in (csv_path, jsonl_path):
        parsed = _refused_or_parsed(lambda p=path: parse_call(p))
        assert parsed is not None
        assert {b.id for b in parsed.briefs} >= {f"v-{cid}" for cid, _ in valid}  # type: ignore[attr-defined]


def workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


VALID_XLSX = workbook_bytes(
    [
        ["id", "text", "partners"],
        ["X1", "remote monitoring of COPD at home", 2],
        ["X2", '=HYPERLINK("http://evil.example", "click")', 1],  # a formula cell
        ["X3", "wearable sensors for falls", "=1+1"],
        ["X4", "x" * 70_000, 1],
    ]
)


def test_xlsx_formula_cells_read_as_their_value_and_valid_rows_stay(tmp_path: Path) -> None:
    # a formula cell is read as the value the spreadsheet shows (its cached result); a formula
    # never calculated reads as blank: a blank text is a row error, a blank partners the default
    path = tmp_path / "call.xlsx"
    path.write_bytes(VALID_XLSX)
    parsed = parse_call(path)
    assert [b.id for b in parsed.briefs] == ["X1", "X3"]
    assert parsed.briefs[1].partners == 3
    assert [(e.line, e.field) for e in parsed.errors] == [(3, "text"), (5, "text")]
    assert all("=" not in b.text for b in parsed.briefs)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(VALID_XLSX) - 1))
def test_truncated_xlsx_is_refused(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "call.xlsx"
    path.write_bytes(VALID_XLSX[:cut])
    with pytest.raises(IngestError):
        parse_call(path)


@FUZZ
@given(
    position=st.integers(min_value=0, max_value=len(VALID_XLSX) - 1),
    junk=st.binary(min_size=1, max_size=64),
)
def test_corrupted_xlsx_is_parsed_or_refused(tmp_path: Path, position: int, junk: bytes) -> None:
    path = tmp_path / "call.xlsx"
    path.write_bytes(VALID_XLSX[:position] + junk + VALID_XLSX[position + len(junk) :])
    _refused_or_parsed(lambda: parse_call(path))


@FUZZ
@given(raw=st.binary(max_size=4_000))
def test_non_zip_xlsx_is_refused(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "call.xlsx"
    path.write_bytes(raw)
    with pytest.raises(IngestError, match="not an XLSX workbook"):
        parse_call(path)


def _members(xlsx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes], *, padded: str = "", padding: int = 0) -> bytes:
    """A zip of ``members``; ``padded`` gets ``padding`` spaces appended, written in pieces so
    that the bomb never sits in memory unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if name != padded:
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as handle:
                handle.write(content)
                piece = b" " * (1 << 20)
                for _ in range(padding // len(piece)):
                    handle.write(piece)
    return buffer.getvalue()


def test_xlsx_zip_bomb_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    sheet = "xl/worksheets/sheet1.xml"
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_zip(_members(VALID_XLSX), padded=sheet, padding=MAX_XLSX_UNPACKED_BYTES))
    assert path.stat().st_size < 1_000_000  # small on disk, huge unpacked
    with pytest.raises(IngestError, match="unpacks to"):
        parse_call(path)


def _lie_about_sizes(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``member`` in its local and central headers."""
    out = bytearray(data)
    name = member.encode()
    local = out.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", out, local + 26)[0]
        if bytes(out[local + 30 : local + 30 + name_length]) == name:
            struct.pack_into("<I", out, local + 22, size)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + name_length]) == name:
            struct.pack_into("<I", out, central + 24, size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_xlsx_zip_bomb_that_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    sheet = "xl/worksheets/sheet1.xml"
    bomb = _lie_about_sizes(
        _zip(_members(VALID_XLSX), padded=sheet, padding=MAX_XLSX_UNPACKED_BYTES), sheet, 1_000
    )
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(IngestError):
        parse_call(path)


@FUZZ
@given(
    xml=st.binary(max_size=300)
    | st.just(
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'><!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'><!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'><!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>]><x>&g;</x>"
    )
)
def test_xlsx_with_a_broken_sheet_is_refused(tmp_path: Path, xml: bytes) -> None:
    members = _members(VALID_XLSX)
    members["xl/worksheets/sheet1.xml"] = xml
    path = tmp_path / "broken.xlsx"
    path.write_bytes(_zip(members))
    _refused_or_parsed(lambda: parse_call(path))
