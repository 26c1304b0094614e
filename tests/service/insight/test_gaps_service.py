"""The gap report through the search path (fake encoder, small pool): a planted need that an
academic's own work answers is served, a planted need nothing in the pool touches is unserved;
theme ids survive adding one profile; SDG tags are stored and erased with their profile."""

from __future__ import annotations

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


def plant(container: Container) -> None:
    container.upsert_profile(
        Profile(
            id="team-planted",
            kind=ProfileKind.CLINICAL_TEAM,
            name="Planted Ward",
            organisation_id="org-trust-a",
            evidence=(
                EvidenceItem("need-served", EvidenceType.NEED, "Falls detection", SERVED),
                EvidenceItem("need-unserved", EvidenceType.NEED, "Plasma physics", UNSERVED),
            ),
        )
    )


def test_planted_needs_are_served_and_unserved(loaded: Container) -> None:
    plant(loaded)
    report = gap_report(loaded)
    found = {(r.need.profile_id, r.need.item_id): r for r in report.results}
    served = found[("team-planted", "need-served")]
    unserved = found[("team-planted", "need-unserved")]
    assert served.coverage is Coverage.SERVED, served
    assert served.matches[0].profile_id == "acad-falls"
    assert unserved.coverage is Coverage.UNSERVED, unserved
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
