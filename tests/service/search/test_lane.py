"""The "exact match" lane: a profile with one item identical to the brief among many unrelated
ones is shown beside the main list, never in it twice (fake encoder, a hand-built pool)."""

from __future__ import annotations

import json
from pathlib import Path

from matcher.briefs import make_brief
from matcher.model import ProfileKind, Role
from service.container import Container
from tests.service.http.test_api_v1 import client_for

BRIEF = "photonic lattice entanglement quantum sensing"
UNRELATED = [
    "dairy herd nutrition",
    "medieval manuscripts archive",
    "coastal erosion modelling",
    "primary school phonics",
    "tax policy households",
    "bridge steel fatigue",
    "choral music performance",
    "urban bus timetables",
]


def _profile(profile_id: str, items: list[str]) -> dict[str, object]:
    return {
        "record": "profile",
        "id": profile_id,
        "kind": "academic",
        "name": f"Dr {profile_id}",
        "organisation": "org-uni-a",
        "consent": True,
        "evidence": [
            {"id": f"p{i}", "type": "publication", "title": text} for i, text in enumerate(items)
        ],
    }


def _pool(container: Container, tmp_path: Path, data_dir: Path) -> None:
    profiles = [
        # one item identical to the brief, eight unrelated ones: a low mean of its best 3
        _profile("specialist", [BRIEF, *UNRELATED]),
        # three items each sharing most of the brief's words: a high mean, no identical item
        _profile(
            "broad-a", [f"photonic lattice entanglement {w}" for w in ("arrays", "chips", "modes")]
        ),
        _profile(
            "broad-b", [f"quantum sensing lattice {w}" for w in ("noise", "clocks", "gravity")]
        ),
        _profile(
            "broad-c", [f"entanglement quantum photonic {w}" for w in ("links", "memory", "loss")]
        ),
    ]
    path = tmp_path / "pool.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in profiles), encoding="utf-8")
    report, _ = container.ingest([data_dir / "organisations.csv", path])
    assert not report.errors, report.errors


def test_one_identical_item_puts_a_profile_in_the_lane_not_the_main_list(
    container: Container, tmp_path: Path, data_dir: Path
) -> None:
    _pool(container, tmp_path, data_dir)
    result = container.engine.search(make_brief(BRIEF, kinds=["academic"], top=2))
    main = [m.profile_id for m in result.groups[ProfileKind.ACADEMIC]]
    lane = result.lanes[ProfileKind.ACADEMIC]
    assert "specialist" not in main and len(main) == 2
    assert lane[0].profile_id == "specialist" and lane[0].rank == 1
    assert lane[0].evidence[0].similarity > 0.99  # the identical item comes first
    assert not set(main) & {m.profile_id for m in lane}
    # a main list long enough to hold it: it is there once, and the lane is empty
    everyone = container.engine.search(make_brief(BRIEF, kinds=["academic"], top=10))
    assert "specialist" in [m.profile_id for m in everyone.groups[ProfileKind.ACADEMIC]]
    assert everyone.lanes == {}
    with client_for(container, Role.CLINICIAN) as client:
        body = {"text": BRIEF, "kinds": ["academic"], "top": 2}
        answer = client.post("/api/v1/search", json=body).json()
        assert answer["exact_matches"]["academic"][0]["profile_id"] == "specialist"
        assert "specialist" not in [m["profile_id"] for m in answer["results"]["academic"]]
        body["top"] = 10
        assert client.post("/api/v1/search", json=body).json()["exact_matches"] == {}


def test_the_lane_is_the_same_when_the_first_search_finds_few_chunks(
    container: Container, tmp_path: Path, data_dir: Path
) -> None:
    """Main-list profiles with no chunk among the first search's are scored over their vectors."""
    _pool(container, tmp_path, data_dir)
    brief = make_brief(BRIEF, kinds=["academic"], top=2)
    everything = container.engine.search(brief)
    container.engine.candidate_chunks = 1  # only the identical item's chunk
    few = container.engine.search(brief)
    assert [m.profile_id for m in few.groups[ProfileKind.ACADEMIC]] == [
        m.profile_id for m in everything.groups[ProfileKind.ACADEMIC]
    ]
    assert [m.profile_id for m in few.lanes[ProfileKind.ACADEMIC]] == ["specialist"]
