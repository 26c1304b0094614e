"""Workforce development (issue 19 item 5): ``course`` and ``training_need`` items are ingested,
matched and explained like the other evidence types; a training need's best partners include
the educators whose courses teach it (fake encoder here; the real model in
tests/integration/test_workforce.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest.readers import parse_jsonl
from matcher.briefs import make_brief
from matcher.model import EvidenceType, ProfileKind
from service.container import Container
from service.insight.demo import seed_demo_history

DEMO = Path(__file__).parents[3] / "data" / "demo"
FILES = [DEMO / "organisations.csv", DEMO / "workforce.jsonl"]


@pytest.fixture
def workforce(container: Container) -> Container:
    report, _ = container.ingest(FILES)
    assert not report.errors, report.errors[:3]
    return container


def test_courses_and_training_needs_are_ingested_and_stored(workforce: Container) -> None:
    educator = workforce.catalogue.get_profile("edu-0001")
    assert {i.type for i in educator.evidence} >= {EvidenceType.COURSE}
    team = workforce.catalogue.get_profile("clin-tn-0002")
    assert team.kind is ProfileKind.CLINICAL_TEAM
    assert [i.type for i in team.evidence if i.type is not EvidenceType.SUMMARY] == [
        EvidenceType.TRAINING_NEED
    ]


def test_a_training_need_finds_the_educator_whose_course_teaches_it(
    workforce: Container,
) -> None:
    team = workforce.catalogue.get_profile("clin-tn-0001")
    need = next(i for i in team.evidence if i.type is EvidenceType.TRAINING_NEED)
    brief = make_brief(need.content, kinds=["academic"], top=3)
    result = workforce.engine.search(brief)
    best = result.groups[ProfileKind.ACADEMIC]
    assert best and best[0].profile_id == "edu-0001"
    assert best[0].evidence[0].type is EvidenceType.COURSE  # explained by the course
    assert "falls" in best[0].shared_terms or any("falls" in t for t in best[0].shared_terms)


def test_the_file_format_refuses_an_unknown_type() -> None:
    line = (
        '{"record": "profile", "id": "x1", "kind": "academic", "name": "X", '
        '"organisation": "org-northmoor-uni", '
        '"evidence": [{"id": "e1", "type": "%s", "title": "T"}]}\n'
    )
    assert parse_jsonl("ok.jsonl", line % "course").profiles
    errors = parse_jsonl("bad.jsonl", line % "lecture").errors
    assert errors and "training_need" in str(errors[0]) and "course" in str(errors[0])


def test_the_demo_history_uses_training_needs_as_briefs_too(workforce: Container) -> None:
    from datetime import UTC, datetime

    seeded = seed_demo_history(workforce, end=datetime.now(UTC))
    assert seeded.introductions > 0
    briefs = {i.brief for i in workforce.introductions.find(limit=10**6)}
    titles = {
        i.title
        for p in workforce.catalogue.iter_profiles()
        for i in p.evidence
        if i.type in (EvidenceType.TRAINING_NEED, EvidenceType.NEED, EvidenceType.CHALLENGE)
    }
    assert briefs <= titles
