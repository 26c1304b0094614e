from __future__ import annotations

import numpy as np

from matcher.consortium import build_consortia, coverage, split_facets
from matcher.model import ProfileKind

A, C, S = ProfileKind.ACADEMIC, ProfileKind.CLINICAL_TEAM, ProfileKind.SME


def test_split_facets_keeps_requirements_and_drops_fragments() -> None:
    text = (
        "Call for partners. The lead must work on machine learning for sepsis. "
        "An NHS partner must run an emergency department; an SME must bring a wearable patch.\n"
        "- Health economics of admissions is essential"
    )
    assert split_facets(text) == [
        "The lead must work on machine learning for sepsis.",
        "An NHS partner must run an emergency department;",
        "an SME must bring a wearable patch.",
        "Health economics of admissions is essential",
    ]


def test_consortium_covers_distinct_facets_rather_than_one_facet_three_times() -> None:
    # facets: 0 machine learning, 1 clinical trials, 2 health economics
    # candidates 0-2 are three top experts in facet 0; 3, 4, 5 each cover one facet
    similarities = np.array(
        [
            [0.95, 0.94, 0.93, 0.10, 0.10, 0.10],
            [0.10, 0.10, 0.10, 0.70, 0.10, 0.10],
            [0.10, 0.10, 0.10, 0.10, 0.70, 0.10],
        ]
    )
    kinds = [A, A, A, A, A, A]
    team = build_consortia(
        similarities, kinds, need_nhs=False, need_sme=False, max_members=3, consortia=1
    )[0]
    members = {m.candidate for m in team.members}
    assert members == {0, 3, 4}
    assert {c.facet: c.member for c in team.covers} == {0: 0, 1: 3, 2: 4}
    summed_best = [0, 1, 2]  # what "sum of scores" would pick
    assert team.coverage > coverage(similarities, summed_best, np.ones(3) / 3)


def test_roles_conflicts_and_alternative_leads() -> None:
    similarities = np.array([[0.9, 0.8, 0.2, 0.3, 0.1], [0.1, 0.2, 0.8, 0.1, 0.7]])
    kinds = [A, A, C, S, C]
    eligible = np.array([True, True, True, True, False])  # candidate 4 is conflicted
    teams = build_consortia(similarities, kinds, eligible=eligible, max_members=3, consortia=2)
    assert [t.members[0].role for t in teams] == ["lead academic", "lead academic"]
    assert teams[0].members[0].candidate != teams[1].members[0].candidate
    roles = {m.role: m.candidate for m in teams[0].members}
    assert roles["NHS partner"] == 2 and roles["SME partner"] == 3
    assert all(m.candidate != 4 for t in teams for m in t.members)
