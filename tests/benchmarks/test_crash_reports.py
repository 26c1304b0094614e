"""The crash test's check of a batch's reports knows every report a batch writes."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

from benchmarks.crash_test import check_reports


def _reports(out: Path, briefs: int) -> None:
    out.mkdir()
    rows = "".join(f"b{i},p{i}\n" for i in range(briefs))
    (out / "partners.csv").write_text("brief_id,profile_id\n" + rows, encoding="utf-8")
    book = Workbook()
    book.save(out / "partners.xlsx")
    (out / "report.html").write_text("<html><body>report</body></html>\n", encoding="utf-8")
    (out / "consortia.json").write_text(json.dumps({"consortia": []}), encoding="utf-8")


def test_a_finished_batch_with_its_four_reports_is_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _reports(out, briefs=3)
    (out / ".partners.csv.partial").write_text("half", encoding="utf-8")  # hidden: ignored
    assert check_reports(out, finished=True, briefs=3) == []


def test_a_missing_or_stray_report_file_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _reports(out, briefs=3)
    (out / "consortia.json").unlink()
    assert check_reports(out, finished=True, briefs=3) != []
    (out / "consortia.json").write_text('{"consortia": [', encoding="utf-8")  # truncated
    assert any("consortia.json" in p for p in check_reports(out, finished=False, briefs=3))
    (out / "consortia.json").write_text("{}", encoding="utf-8")
    (out / "stray.tmp").write_text("x", encoding="utf-8")
    assert check_reports(out, finished=True, briefs=3) == [
        "temporary report files left: ['stray.tmp']"
    ]
