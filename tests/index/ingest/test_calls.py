"""Call files in all three formats, with row errors reported like ingestion errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from index.ingest.calls import MAX_XLSX_UNPACKED_BYTES, parse_call
from matcher.errors import IngestError
from matcher.model import ProfileKind, Purpose


def test_csv_call_with_defaults_and_row_errors() -> None:
    parsed = parse_call(Path(__file__).parents[2] / "data" / "call.csv")
    assert [b.id for b in parsed.briefs] == ["C1", "C2", "C3"]
    c2 = parsed.briefs[1]
    assert c2.kinds == frozenset({ProfileKind.ACADEMIC}) and c2.conflicts == ("acad-retina",)
    assert parsed.briefs[2].purpose is Purpose.FUNDING_CALL and parsed.briefs[0].partners == 2
    assert [(e.line, e.field) for e in parsed.errors] == [(5, "text"), (6, "kinds.0")]


def test_jsonl_and_xlsx_calls(tmp_path: Path) -> None:
    jsonl = tmp_path / "call.jsonl"
    jsonl.write_text(
        '{"id": "J1", "text": "falls in hospital", "kinds": ["sme"], "partners": 1}\n'
        '{"id": "J1", "text": "duplicate id"}\n'
        "[1, 2]\n"
    )
    parsed = parse_call(jsonl)
    assert [b.id for b in parsed.briefs] == ["J1"]
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "id"), (3, "line")]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "text", "partners", "purpose"])
    sheet.append(["X1", "remote monitoring of COPD at home", 2, "grant_partners"])
    sheet.append(["X2", "", 2, None])
    sheet.append([None, None, None, None])
    sheet.append(["X3", "sepsis alerts", "many", None])
    path = tmp_path / "call.xlsx"
    workbook.save(path)
    parsed = parse_call(path)
    assert [(b.id, b.partners, b.purpose) for b in parsed.briefs] == [
        ("X1", 2, Purpose.GRANT_PARTNERS)
    ]
    assert [(e.line, e.field) for e in parsed.errors] == [(3, "text"), (5, "partners")]


def test_unreadable_calls_are_refused_whole(tmp_path: Path) -> None:
    fake = tmp_path / "call.xlsx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(IngestError, match="not an XLSX workbook"):
        parse_call(fake)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/huge.xml", b"0" * (MAX_XLSX_UNPACKED_BYTES + 1))
    with pytest.raises(IngestError, match="unpacks to"):
        parse_call(bomb)
    with pytest.raises(IngestError, match="lacks the column"):
        (tmp_path / "x.csv").write_text("name,text\na,b\n")
        parse_call(tmp_path / "x.csv")
    with pytest.raises(IngestError, match="unknown format"):
        (tmp_path / "x.txt").write_text("id,text\n")
        parse_call(tmp_path / "x.txt")
