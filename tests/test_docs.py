"""Every figure the README quotes in its Quality and Performance sections is in the docs that
record how it was measured (``make docs-check``), and the check can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.docs_check import ROOT, check, contains_number, doc_sections, main, quoted_numbers

README = """# tool

## Quality

Loss **0.2087** (95% CI 0.142–0.305); ours − peer: −0.039.

## Performance

| chunks | p50 / p99 | memory | start |
|---|---|---|---|
| 10,000 | 35.1 / 50 ms | 1.8 GB | 2.7 s |

Indexing 50.7 vs 42.9 docs/s, 23/s at concurrency 8, 1.15× torch.

## Data

Not checked: 9.99 ms.
"""

DOCS = """# Benchmarks

## Scale (`make bench`)

Run 2026-11-23 12:49 UTC at commit `1e77e88`. p50 35.1 ms, p99 50 ms, 1.8 GB, 2.7 s; indexing
50.7 vs 42.9 docs/s; 23 req/s; 1.15×; the 95% interval.

## Quality, no record

Loss 0.2087 [0.142, 0.305]; paired −0.039.
"""


def _write(root: Path, readme: str, docs: str) -> None:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(readme)
    (root / "docs" / "benchmarks.md").write_text(docs)


def test_the_repositorys_readme_quotes_only_numbers_the_docs_hold() -> None:
    findings = check((ROOT / "README.md").read_text(), doc_sections(ROOT))
    assert findings.quoted, "the README's Quality and Performance sections quote figures"
    assert findings.missing == [], [f"{q.number} (README line {q.line})" for q in findings.missing]
    assert main(["--root", str(ROOT)]) == 0


def test_numbers_with_a_unit_or_decimals_are_taken_from_the_two_sections_only() -> None:
    numbers = [q.number for q in quoted_numbers(README)]
    assert numbers == [
        "0.2087", "95", "0.142", "0.305", "-0.039",
        "35.1", "50", "1.8", "2.7", "50.7", "42.9", "23", "1.15",
    ]  # fmt: skip
    assert "9.99" not in numbers and "10,000" not in numbers


def test_a_number_matches_only_as_a_number_of_its_own_with_its_sign() -> None:
    assert contains_number("p50 35.1 ms", "35.1")
    assert not contains_number("p50 35.12 ms", "35.1")
    assert not contains_number("135 ms", "35")
    assert contains_number("(−0.039, +0.1)", "-0.039")
    assert not contains_number("+0.039", "-0.039")
    assert not contains_number("−0.039", "0.039")
    assert contains_number("0.137–0.292", "0.292")


def test_a_missing_number_fails_the_check_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, README, DOCS)
    assert main(["--root", str(tmp_path)]) == 0
    _write(tmp_path, README.replace("2.7 s", "2.9 s"), DOCS)
    assert main(["--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "README.md:11: 2.9 is in none of" in out


def test_a_section_holding_figures_without_command_commit_or_date_is_reported(
    tmp_path: Path,
) -> None:
    _write(tmp_path, README, DOCS)
    findings = check(README, doc_sections(tmp_path))
    assert [(s.title, lacks) for s, lacks in findings.unrecorded] == [
        ("Quality, no record", ["command", "commit", "date"])
    ]
    assert main(["--root", str(tmp_path), "--strict"]) == 1
