"""Check that every figure the README quotes comes from the docs that record how it was measured.

``python -m benchmarks.docs_check`` (``make docs-check``) reads the README's *Quality* and
*Performance* sections, takes every number quoted with decimals or with a unit (``0.209``,
``35 / 50 ms``, ``0.4 GB``, ``2.7 s``, ``50.7 vs 42.9 docs/s``, ``23/s``, ``1.15×``, ``95%``;
numbers joined by ``/``, ``vs``, ``to`` or a dash share the unit after the last one), and looks
for each in ``docs/quality.md``, ``docs/benchmarks.md`` and ``docs/reliability.md`` as a number of
its own (``35`` is not found in ``35.2`` nor in ``135``; a negative number, written with a minus
sign, is found only as a negative number, and an unsigned one only as a non-negative one). It
exits 1 and lists the numbers the docs lack. Being literal, it can be fooled by a number that
happens to appear elsewhere in the docs; it cannot be fooled into failing.

It also names the docs sections (a heading of level 1 or 2 and what follows it) that the README's
figures are found in but that do not record a command (``make …``, ``python -m …`` or
``matcher …``), a commit (7–40 hex digits) and a date (YYYY-MM-DD): a heuristic, reported, and
failing the run only with ``--strict``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README_SECTIONS = ("Quality", "Performance")
DOCS = ("docs/quality.md", "docs/benchmarks.md", "docs/reliability.md")

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT = r"(?:searches/s|docs/s|req/s|/s|ms|GB|MB|GiB|s|×|%)"
_JOIN = r"\s*(?:/|vs\.?|to|–|-)\s*[-−]?"
#: a number, maybe others joined to it, then a unit (the unit must end a word)
_WITH_UNIT = re.compile(rf"(?<![\w.]){_NUMBER}(?:{_JOIN}{_NUMBER})*\s?{_UNIT}(?![A-Za-z])")
_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.]*\d)")
_ANY_NUMBER = re.compile(_NUMBER)
_COMMAND = re.compile(r"\bmake [a-z]|\bpython -m [a-z]|(?:^|[`/])\s*matcher [a-z]", re.M)
_COMMIT = re.compile(
    r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}(?![0-9A-Za-z])"
)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@dataclass(frozen=True, slots=True)
class Quoted:
    """A number the README quotes.

    Attributes:
        number: the number as written, ``-`` in front when it is negative.
        line: the README line it is on (1-based).
        text: that line, stripped.
    """

    number: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class DocSection:
    """A section of a docs file: its heading and text.

    Attributes:
        path: the file, relative to the repository.
        title: the heading (without the ``#``).
        text: the section's text, heading included.
    """

    path: str
    title: str
    text: str

    @property
    def missing_records(self) -> list[str]:
        """Which of command, commit and date the section does not record."""
        checks = {"command": _COMMAND, "commit": _COMMIT, "date": _DATE}
        return [name for name, pattern in checks.items() if not pattern.search(self.text)]


@dataclass(frozen=True, slots=True)
class Findings:
    """What :func:`check` found.

    Attributes:
        quoted: every number quoted in the README's sections.
        missing: the quoted numbers no docs file contains.
        unrecorded: sections holding quoted numbers that lack a command, a commit or a date,
            with what they lack (only when no recorded section holds the same number).
    """

    quoted: list[Quoted]
    missing: list[Quoted]
    unrecorded: list[tuple[DocSection, list[str]]]


def sections_of(text: str, titles: Iterable[str]) -> list[tuple[int, str]]:
    """The lines (number, text) of the level-2 sections of ``text`` named ``titles``."""
    wanted = set(titles)
    found: list[tuple[int, str]] = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        heading = re.match(r"(#{1,2}) (.*)", line)
        if heading:
            inside = heading.group(2).strip() in wanted
            continue
        if inside:
            found.append((number, line))
    return found


def quoted_numbers(readme: str, titles: Iterable[str] = README_SECTIONS) -> list[Quoted]:
    """Every number with decimals or a unit in the README's sections ``titles``."""
    quoted: list[Quoted] = []
    for number, line in sections_of(readme, titles):
        spans: dict[int, str] = {}
        for match in _WITH_UNIT.finditer(line):
            for found in _ANY_NUMBER.finditer(match.group(0)):
                spans[match.start() + found.start()] = found.group(0)
        for found in _DECIMAL.finditer(line):
            spans[found.start()] = found.group(0)
        seen: dict[str, None] = {}
        for start in sorted(spans):
            seen.setdefault(("-" if _negative(line, start) else "") + spans[start], None)
        quoted.extend(Quoted(n, number, line.strip()) for n in seen)
    return quoted


def _negative(text: str, start: int) -> bool:
    """Whether the number at ``start`` has a minus sign: ``−`` or a ``-`` after a space,
    bracket or the start of the text (not a range's dash, not ``2e-5``)."""
    if start >= 1 and text[start - 1] == "−":
        return True
    return start >= 1 and text[start - 1] == "-" and (start == 1 or text[start - 2] in " ([")


def contains_number(text: str, number: str) -> bool:
    """Whether ``number`` is in ``text`` as a number of its own, with the same sign."""
    negative = number.startswith("-")
    digits = number.lstrip("-")
    for match in re.finditer(rf"(?<![\d.,]){re.escape(digits)}(?![\d]|[.,]\d)", text):
        if _negative(text, match.start()) == negative:
            return True
    return False


def doc_sections(root: Path, paths: Iterable[str] = DOCS) -> list[DocSection]:
    """The sections (level 1 and 2 headings) of the docs files that exist under ``root``."""
    sections: list[DocSection] = []
    for relative in paths:
        path = root / relative
        if not path.is_file():
            continue
        title, lines = "(top)", []
        for line in path.read_text(encoding="utf-8").splitlines():
            heading = re.match(r"#{1,2} (.*)", line)
            if heading:
                if lines:
                    sections.append(DocSection(relative, title, "\n".join(lines)))
                title, lines = heading.group(1).strip(), []
            lines.append(line)
        if lines:
            sections.append(DocSection(relative, title, "\n".join(lines)))
    return sections


def check(readme: str, sections: Sequence[DocSection]) -> Findings:
    """Find the README's quoted numbers that ``sections`` lack, and the sections holding them
    that record no command, commit or date."""
    quoted = quoted_numbers(readme)
    missing: list[Quoted] = []
    unrecorded: dict[tuple[str, str], tuple[DocSection, list[str]]] = {}
    for item in quoted:
        holders = [s for s in sections if contains_number(s.text, item.number)]
        if not holders:
            missing.append(item)
        elif all(s.missing_records for s in holders):
            for section in holders:
                unrecorded[(section.path, section.title)] = (section, section.missing_records)
    return Findings(quoted, missing, list(unrecorded.values()))


def main(argv: Sequence[str] | None = None) -> int:
    """Check the README against the docs; print what is missing; exit 1 when a number is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="The repository.")
    parser.add_argument("--readme", default="README.md")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="Also fail when a section holding README figures records no command, commit or date.",
    )
    args = parser.parse_args(argv)
    readme = (args.root / args.readme).read_text(encoding="utf-8")
    findings = check(readme, doc_sections(args.root))
    for item in findings.missing:
        print(
            f"{args.readme}:{item.line}: {item.number} is in none of {', '.join(DOCS)}: "
            f"{item.text[:100]}"
        )
    for section, lacks in findings.unrecorded:
        print(
            f"{section.path}: section {section.title!r} holds README figures but records no "
            f"{', '.join(lacks)}"
        )
    print(
        f"{len(findings.quoted)} numbers quoted in {args.readme}'s "
        f"{' and '.join(README_SECTIONS)} sections; {len(findings.missing)} missing from the docs; "
        f"{len(findings.unrecorded)} docs sections without a command, commit or date"
    )
    failed = bool(findings.missing) or (args.strict and bool(findings.unrecorded))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
