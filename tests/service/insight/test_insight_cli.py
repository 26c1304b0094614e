"""``matcher themes``, ``matcher sdgs`` and ``matcher report gaps`` on the small test pool with the
fake encoder: they run, print and write their files (the real model's figures are measured in
tests/integration/test_insight_real.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from service.cli import main
from service.container import Container


@pytest.fixture
def pool(loaded: Container) -> Container:
    loaded.sync()
    return loaded


def test_themes_prints_themes_and_keeps_them(
    pool: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["themes"], container=pool) == 0
    first = capsys.readouterr().out
    assert " themes (index version " in first and "  T01  " in first
    assert main(["themes"], container=pool) == 0
    assert capsys.readouterr().out == first  # current themes are not rebuilt


def test_sdgs_tags_the_pool(pool: Container, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sdgs"], container=pool) == 0
    out = capsys.readouterr().out
    assert "items tagged with at least one SDG" in out and "SDG  3 Good health" in out


def test_report_gaps_writes_its_files(
    pool: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gaps"
    assert main(["report", "gaps", "--out", str(out), "--threshold", "-1.5"], container=pool) == 0
    printed = capsys.readouterr().out
    assert "needs and challenges:" in printed and "served from -1.5 spreads" in printed
    html = (out / "gaps.html").read_text()
    assert re.search(r'<svg[^>]* role="img"', html) and "<desc" in html and "<table" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    ).replace("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "").replace(
        "http://creativecommons.org/ns#", ""
    ).replace("http://purl.org/dc/elements/1.1/", "").replace(
        "http://purl.org/dc/dcmitype/StillImage", ""
    )
    assert (out / "gaps.csv").read_bytes().startswith("\ufeffcoverage,".encode())
    sheets = load_workbook(out / "gaps.xlsx").sheetnames
    assert sheets == ["Needs", "By theme", "By organisation", "Untapped academics"]


def test_report_gaps_rejects_a_bad_threshold(pool: Container, tmp_path: Path) -> None:
    assert (
        main(["report", "gaps", "--out", str(tmp_path), "--threshold", "11"], container=pool) != 0
    )
