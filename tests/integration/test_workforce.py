"""With the real model: a clinical team's training need, searched against the educators and
the first 80 of the demo's researchers (their publications and grants on the same topics: falls,
sepsis, COPD, mental health...), has the educators whose courses teach it among its best
partners, explained by the course. (80, not all 323: the whole pool takes minutes to embed on a
loaded 2-core machine.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from matcher.briefs import make_brief
from matcher.model import EvidenceType, ProfileKind
from service.container import Container, build_container
from service.settings import Settings

DEMO = Path(__file__).parents[2] / "data" / "demo"
RESEARCHERS = 80
# the training need → the educator whose course answers it
EXPECTED = {
    "clin-tn-0001": "edu-0001",  # falls prevention training → falls CPD course
    "clin-tn-0002": "edu-0002",  # recognising deterioration → NEWS2 simulation
    "clin-tn-0003": "edu-0003",  # home NIV CPD → respiratory module
    "clin-tn-0004": "edu-0005",  # suicide prevention training → the one-day course
}


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory, real_encoder: Any) -> Iterator[Container]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("workforce"), reload_seconds=0)
    container = build_container(settings, encoder=real_encoder)
    lines = (DEMO / "academics.jsonl").read_text(encoding="utf-8").splitlines()[:RESEARCHERS]
    researchers = tmp_path_factory.mktemp("researchers") / "academics.jsonl"
    researchers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = [DEMO / "organisations.csv", researchers, DEMO / "workforce.jsonl"]
    report, _ = container.ingest(files)
    assert not report.errors, report.errors[:3]
    yield container
    container.close()


def test_training_needs_find_their_educators_with_the_real_model(pool: Container) -> None:
    ranks = {}
    for team_id, educator in EXPECTED.items():
        need = next(
            i
            for i in pool.catalogue.get_profile(team_id).evidence
            if i.type is EvidenceType.TRAINING_NEED
        )
        result = pool.engine.search(make_brief(need.content, kinds=["academic"], top=5))
        found = [m.profile_id for m in result.groups[ProfileKind.ACADEMIC]]
        ranks[team_id] = found.index(educator) + 1 if educator in found else None
        if educator in found:
            match = result.groups[ProfileKind.ACADEMIC][found.index(educator)]
            assert match.evidence[0].type is EvidenceType.COURSE
    # every training need has its educator in its top 5; most at the top
    assert all(rank is not None for rank in ranks.values()), ranks
    assert sum(rank == 1 for rank in ranks.values() if rank) >= 3, ranks
