"""``matcher search --json`` with the real model finds the three-source person of the fixtures
(tests/data/sources) after importing them, with provenance from all three sources."""

from __future__ import annotations

import json
from typing import Any

import pytest

import service.cli.common as cli_common
from service.container import build_container
from service.settings import Settings
from tests.service.cli.test_import import AISHA, import_all, run

pytestmark = pytest.mark.model


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch, real_encoder: Any) -> None:
    """The real model instead of the CLI tests' fake encoder (this fixture overrides theirs)."""
    monkeypatch.setattr(
        cli_common,
        "build_container",
        lambda settings: build_container(settings, encoder=real_encoder),
    )


def test_search_finds_the_three_source_person_with_provenance(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings.model_copy(update={"import_consent": "listed"})  # the office's decision
    import_all(settings)
    capsys.readouterr()
    brief = "recalibrating early warning scores for sepsis in NHS emergency departments"
    assert run(settings, "search", brief, "--kind", "academic", "--json") == 0
    answer = json.loads(capsys.readouterr().out)
    # the pool is four academics; her co-authors, whose few items are the sepsis works
    # themselves, may rank above her (a profile scores as the mean of its best 3 items)
    found = [m["profile_id"] for m in answer["results"]["academic"]]
    assert AISHA in found, found
    first = answer["results"]["academic"][found.index(AISHA)]
    provenance = [p for e in first["evidence"] for p in e["provenance"]]
    assert {p["source"] for p in provenance} == {"openalex", "orcid", "gtr"}
    assert all(p["source_id"] and p["retrieved_at"].startswith("20") for p in provenance)
    by_doi = next(e for e in first["evidence"] if e["item_id"] == "doi:10.5555/nhr.2024.001")
    assert {p["doi"] for p in by_doi["provenance"]} == {"10.5555/nhr.2024.001"}
    assert any(p["url"].startswith("https://openalex.org/W") for p in by_doi["provenance"])
