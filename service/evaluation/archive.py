"""Readers of the gold-standard benchmark's files, shared by both evaluation tasks.

A benchmark directory holds ``evaluations.tsv`` (each researcher's expertise ratings of up to
ten papers) and version folders ``<name>_<n>/``, each with ``submissions.json`` (the rated
papers by id) and ``archives/~<researcher>.jsonl`` (the papers each researcher wrote, one JSON
record a line with ``id`` and ``content.title`` / ``content.abstract``). Everything here reads
those files or turns their records into the product's own data; nothing knows about particular
researchers. Used by :mod:`service.evaluation.goldstandard` (the expertise task) and
:mod:`service.evaluation.authorship` (the authorship task).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matcher.errors import EvaluationDataError
from matcher.model import EvidenceItem, EvidenceType, Profile, ProfileKind
from matcher.text import normalise

__all__ = [
    "ORGANISATION_ID",
    "archive_path",
    "archive_profile",
    "paper_text",
    "read_json_lines",
    "read_ratings",
    "read_submissions",
    "version_dirs",
]

#: The organisation every benchmark researcher's profile belongs to.
ORGANISATION_ID = "goldstandard"


def read_ratings(directory: Path) -> dict[str, dict[str, float]]:
    """``evaluations.tsv`` → researcher → paper → rating.

    Args:
        directory: the benchmark directory.

    Raises:
        EvaluationDataError: missing file or malformed rows.
    """
    path = directory / "evaluations.tsv"
    if not path.is_file():
        raise EvaluationDataError(f"{path}: not found; is {directory} a gold-standard directory?")
    ratings: dict[str, dict[str, float]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            researcher = (row.get("ParticipantID") or "").strip()
            if not researcher:
                raise EvaluationDataError(f"{path}:{number}: ParticipantID: missing")
            rated: dict[str, float] = {}
            for i in range(1, 11):
                paper = (row.get(f"Paper{i}") or "").strip()
                value = (row.get(f"Expertise{i}") or "").strip()
                if not paper or not value:
                    continue
                try:
                    rated[paper] = float(value)
                except ValueError:
                    raise EvaluationDataError(
                        f"{path}:{number}: Expertise{i}: not a number"
                    ) from None
            ratings[researcher] = rated
    return ratings


def version_dirs(directory: Path) -> list[Path]:
    """The benchmark's version folders (those holding ``submissions.json``), in natural order.

    Raises:
        EvaluationDataError: no version folder.
    """
    found = [p for p in directory.iterdir() if p.is_dir() and (p / "submissions.json").is_file()]
    if not found:
        raise EvaluationDataError(f"{directory}: no version folders with submissions.json")

    def key(path: Path) -> tuple[str, int]:
        stem, _, number = path.name.rpartition("_")
        return (stem, int(number)) if number.isdigit() else (path.name, 0)

    return sorted(found, key=key)


def read_submissions(version: Path) -> dict[str, Any]:
    """A version's ``submissions.json``: paper id → paper record.

    Raises:
        EvaluationDataError: the file is missing or not JSON.
    """
    try:
        submissions: dict[str, Any] = json.loads(
            (version / "submissions.json").read_text(encoding="utf-8")
        )
    except (OSError, json.JSONDecodeError) as error:
        raise EvaluationDataError(f"{version / 'submissions.json'}: unreadable: {error}") from None
    return submissions


def archive_path(version: Path, researcher: str) -> Path:
    """Where a version keeps a researcher's archive (it may not exist)."""
    return version / "archives" / f"~{researcher}.jsonl"


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON Lines file (an archive), blank lines skipped.

    Raises:
        EvaluationDataError: a line that is not valid JSON (with its line number).
    """
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise EvaluationDataError(f"{path}:{number}: not valid JSON: {error.msg}") from None
    return records


def paper_text(record: Mapping[str, Any]) -> tuple[str, str]:
    """A paper record's title and abstract, normalised (empty strings when absent)."""
    content = record.get("content") or {}
    title = normalise(str(content.get("title") or ""))
    abstract = normalise(str(content.get("abstract") or ""))
    return title, abstract


def archive_profile(researcher: str, papers: Sequence[Mapping[str, Any]]) -> Profile | None:
    """The academic profile ``gs-<researcher>`` whose evidence is the researcher's papers.

    Papers without a title or abstract, and repeats of a paper id, are left out; a paper
    without an id is named by its position.

    Returns:
        The profile, or ``None`` when no paper has any text.
    """
    items = []
    seen: set[str] = set()
    for position, record in enumerate(papers):
        title, abstract = paper_text(record)
        paper_id = str(record.get("id") or f"paper-{position}")
        if not (title or abstract) or paper_id in seen:
            continue
        seen.add(paper_id)
        items.append(
            EvidenceItem(
                id=paper_id,
                type=EvidenceType.PUBLICATION,
                title=title or abstract[:80],
                text=abstract,
            )
        )
    if not items:
        return None
    return Profile(
        id=f"gs-{researcher}",
        kind=ProfileKind.ACADEMIC,
        name=f"researcher {researcher}",
        organisation_id=ORGANISATION_ID,
        evidence=tuple(items),
    )
