"""Explanations (evidence chosen, snippets, shared terms) are those of the engine before the
explanation work of issue 17 was precomputed: the golden file was written by that engine
(commit ffccdfa) over tests/data with the fake encoder, for a fixed set of briefs.

Set ``KE_MATCHER_WRITE_EXPLAIN_GOLDEN=1`` to write the file again (only when a change of the
explanations is intended, and say why in the commit).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from benchmarks.briefs import generated_briefs
from matcher.briefs import make_brief
from matcher.model import SearchResult
from service.container import Container

GOLDEN = Path(__file__).parents[1] / "data" / "explain_golden.json"
WRITTEN_BRIEFS = [
    "wearable sensors detect falls in older inpatients",
    "hip fractures after falls in older inpatients",
    "We are a small company and want an NHS partner to test our oncology triage tool.",
    "remote monitoring of COPD at home. Patients, carers and nurses; a pilot in two wards!",
    "retinal imaging with deep learning? Screening for diabetic eye disease in primary care",
    "the the and of",
    "",
]


def briefs() -> list[str]:
    return [b for b in WRITTEN_BRIEFS if b] + generated_briefs(40)


def explained(result: SearchResult) -> dict[str, Any]:
    return {
        kind.value: [
            {
                "profile": m.profile_id,
                "score": m.score,
                "terms": list(m.shared_terms),
                "evidence": [[e.item_id, e.similarity, e.snippet, e.pinned] for e in m.evidence],
                "strength": m.strength,
            }
            for m in matches
        ]
        for kind, matches in result.groups.items()
    }


def test_explanations_equal_the_golden_ones(loaded: Container) -> None:
    found = [explained(loaded.engine.search(make_brief(text, top=20))) for text in briefs()]
    if os.environ.get("KE_MATCHER_WRITE_EXPLAIN_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert len(golden) == len(found)
    for text, want, got in zip(briefs(), golden, found, strict=True):
        assert got == want, text


def test_an_evidence_match_with_another_snippet_keeps_every_field() -> None:
    """The engine copies evidence field by field (cheaper than ``dataclasses.replace``): a
    field added to EvidenceMatch must be added there too."""
    from dataclasses import fields

    from matcher.model import EvidenceMatch, EvidenceType
    from service.search.engine import _with_snippet

    evidence = EvidenceMatch(
        item_id="i", type=EvidenceType.PUBLICATION, title="t", similarity=0.5, snippet="s",
        year=2020, provenance=(), pinned=True,
    )  # fmt: skip
    copied = _with_snippet(evidence, "other")
    for field in fields(EvidenceMatch):
        if field.name != "snippet":
            assert getattr(copied, field.name) == getattr(evidence, field.name), field.name
    assert copied.snippet == "other"
    assert [f.name for f in fields(EvidenceMatch)] == [
        "item_id", "type", "title", "similarity", "snippet", "year", "provenance", "pinned"
    ]  # fmt: skip
