"""The gap report through the search path (fake encoder, small pool): among typical planted
asks, a planted need that an academic's own work answers is served, a planted need nothing in
the pool touches is unserved (the real model's version on the demo: tests/integration/
test_insight_real.py);
theme ids survive adding one profile; SDG tags are stored and erased with their profile."""

from __future__ import annotations

import numpy as np

from matcher.insight.gaps import Coverage
from matcher.insight.sdg import SdgTag
from matcher.model import EvidenceItem, EvidenceType, Profile, ProfileKind
from service.container import Container
from service.insight.gaps import gap_report
from service.insight.sdgs import tag_pool
from service.insight.themes import build_pool_themes, insight_store

SERVED = (
    "Accelerometer-based detection of falls in older hospital inpatients. We evaluated a "
    "wrist-worn accelerometer that detects falls among older inpatients on acute wards."
)
UNSERVED = "Lattice quantum chromodynamics simulations of quark gluon plasma viscosity"


#: Asks planted beside the two: the served text with a third of its words dropped (seeded), so
#: that the pool has enough asks for a typical best score and a spread (the small test pool
#: has two needs of its own).
TYPICAL_ASKS = 30


def typical_asks() -> tuple[EvidenceItem, ...]:
    rng = np.random.default_rng(0)
    words = SERVED.split()
    return tuple(
        EvidenceItem(
            f"need-typical-{n}",
            EvidenceType.NEED,
            "Falls",
            " ".join(w for w in words if rng.random() > 0.33),
        )
        for n in range(TYPICAL_ASKS)
    )


def plant(container: Container, *, typical: bool = False) -> None:
    container.upsert_profile(
        Profile(
            id="team-planted",
            kind=ProfileKind.CLINICAL_TEAM,
            name="Planted Ward",
            organisation_id="org-trust-a",
            evidence=(
                EvidenceItem("need-served", EvidenceType.NEED, "Falls detection", SERVED),
                EvidenceItem("need-unserved", EvidenceType.NEED, "Plasma physics", UNSERVED),
                *(typical_asks() if typical else ()),
            ),
        )
    )


def test_planted_needs_are_served_and_unserved(loaded: Container) -> None:
    plant(loaded, typical=True)
    report = gap_report(loaded)
    found = {(r.need.profile_id, r.need.item_id): r for r in report.results}
    served = found[("team-planted", "need-served")]
    unserved = found[("team-planted", "need-unserved")]
    assert served.coverage is Coverage.SERVED, served
    assert served.matches[0].profile_id == "acad-falls"
    assert unserved.coverage is Coverage.UNSERVED, unserved
    assert set(report.references) == {"*", "need"}  # 34 needs: their own reference
    assert report.results[0].best <= report.results[-1].best  # least served first
    orgs = {g.key: g for g in report.by_organisation}
    assert orgs["org-trust-a"].askers.get("nhs_trust", 0) >= 2
    assert sum(g.asked for g in report.by_theme) == len(report.results)


def test_theme_ids_survive_adding_one_profile(loaded: Container) -> None:
    loaded.sync()
    first = build_pool_themes(loaded, seed=0)
    plant(loaded)
    second = build_pool_themes(loaded, seed=0)
    before = {(t.id, t.label) for t in first.themes}
    after = {(t.id, t.label) for t in second.themes}
    assert len(before & after) >= len(before) - 1, (before, after)
    members = insight_store(loaded).theme_members(profile_ids=["team-planted"])
    assert any(m.item_id == "" for m in members)  # the new profile has its themes


def test_sdg_tags_are_stored_and_erased_with_the_profile(loaded: Container) -> None:
    plant(loaded)
    built = tag_pool(loaded)
    assert built.items > 0
    store = insight_store(loaded)
    store.save_sdg_tags([("team-planted", "need-served", SdgTag(3, 0.9))])
    assert store.profiles_with_goals([3]) == {"team-planted"}
    loaded.delete("team-planted")
    assert store.sdg_tags(profile_ids=["team-planted"]) == {}


def test_search_keeps_only_profiles_serving_the_asked_sdgs(loaded: Container) -> None:
    """The SDG filter of search (API ``sdgs``): only profiles with an item tagged with one of
    the goals; a goal outside 1–17 is a 422 naming the field."""
    from fastapi.testclient import TestClient

    from matcher.model import Role
    from service.app import create_app

    loaded.sync()
    insight_store(loaded).save_sdg_tags([("acad-falls", "", SdgTag(3, 0.9))])
    _key, secret = loaded.accounts.create_key(name="c", role=Role.CLINICIAN)
    client = TestClient(create_app(loaded), headers={"authorization": f"Bearer {secret}"})
    brief = {"text": "falls detection in older inpatients with wearable sensors"}
    everyone = client.post("/api/v1/search", json=brief).json()
    found = client.post("/api/v1/search", json={**brief, "sdgs": [3]}).json()
    ids = lambda answer: {m["profile_id"] for g in answer["results"].values() for m in g}  # noqa: E731
    assert len(ids(everyone)) > 1
    assert ids(found) == {"acad-falls"}
    assert ids(client.post("/api/v1/search", json={**brief, "sdgs": [13]}).json()) == set()
    bad = client.post("/api/v1/search", json={**brief, "sdgs": [18]})
    assert bad.status_code == 422 and "sdgs" in bad.text
