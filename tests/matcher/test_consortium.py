"""Consortia: facets from a call, complementary members by weighted coverage, roles, alternatives;
random instances against brute force."""

from __future__ import annotations

import math
from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.consortium import (
    Consortium,
    MemberRole,
    accepted_kinds,
    build_consortia,
    coverage,
    needs_nhs_partner,
    needs_sme_partner,
    place_kinds,
    required_kinds,
    split_facets,
    team_size,
    wants_consortia,
    within_kind_ranks,
)
from matcher.model import ProfileKind, Purpose

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


def test_split_facets_handles_bullets_wrapped_lines_abbreviations_and_lead_ins() -> None:
    text = """Funding call

    Applicants must bring the following expertise:
    1. Wearable sensors for detecting falls in
       older inpatients on acute wards
    2) Qualitative methods, e.g. interviews with ward staff and carers
    • An SME able to manufacture a certified bed-exit sensor pad
    a) Health economics of admissions is essential
    - Health economics of admissions is essential
    """
    assert split_facets(text) == [
        "Wearable sensors for detecting falls in older inpatients on acute wards",
        "Qualitative methods, e.g. interviews with ward staff and carers",
        "An SME able to manufacture a certified bed-exit sensor pad",
        "Health economics of admissions is essential",
    ]


def test_split_facets_of_a_short_text_is_the_text() -> None:
    assert split_facets("  falls   prevention ") == ["falls prevention"]
    assert split_facets("   ") == []


def test_consortium_covers_distinct_facets_rather_than_one_facet_three_times() -> None:
    # facets: 0 machine learning, 1 clinical trials, 2 health economics
    # candidates 0-2 are three top experts in facet 0; 3, 4 each cover one other facet
    similarities = np.array(
        [
            [0.95, 0.94, 0.93, 0.10, 0.10, 0.10],
            [0.10, 0.10, 0.10, 0.70, 0.10, 0.10],
            [0.10, 0.10, 0.10, 0.10, 0.70, 0.10],
        ]
    )
    team = build_consortia(
        similarities, [A] * 6, need_nhs=False, need_sme=False, max_members=3, consortia=1
    )[0]
    assert [(m.candidate, m.role) for m in team.members] == [
        (0, MemberRole.LEAD),
        (3, MemberRole.CO_INVESTIGATOR),
        (4, MemberRole.CO_INVESTIGATOR),
    ]
    assert {c.facet: (c.member, c.similarity) for c in team.covers} == {
        0: (0, 0.95),
        1: (3, 0.70),
        2: (4, 0.70),
    }
    assert [m.facets for m in team.members] == [(0,), (1,), (2,)]
    summed_best = [0, 1, 2]  # what "the three highest scores" would pick
    assert team.coverage == pytest.approx((0.95 + 0.7 + 0.7) / 3)
    assert team.coverage > coverage(similarities, summed_best, np.ones(3) / 3)


def test_nhs_partner_and_sme_are_included_and_chosen_to_complement() -> None:
    # facets: 0 sensors, 1 elderly care ward, 2 device manufacture
    similarities = np.array(
        [
            # acad0 acad1 clin2 clin3 sme4  sme5
            [0.90, 0.85, 0.80, 0.10, 0.70, 0.10],
            [0.10, 0.10, 0.20, 0.60, 0.10, 0.10],
            [0.10, 0.10, 0.10, 0.10, 0.20, 0.65],
        ]
    )
    kinds = [A, A, C, C, S, S]
    team = build_consortia(similarities, kinds, max_members=4, consortia=1)[0]
    roles = {m.role: m.candidate for m in team.members}
    # clinical team 2 and SME 4 fit the call best on their own, but only on the facet the lead
    # already covers; 3 and 5 cover what is missing
    assert roles == {
        MemberRole.LEAD: 0,
        MemberRole.NHS_PARTNER: 3,
        MemberRole.SME_PARTNER: 5,
    }
    assert team.missing_roles == ()
    assert [m.role for m in team.members] == [
        MemberRole.LEAD,
        MemberRole.NHS_PARTNER,
        MemberRole.SME_PARTNER,
    ]


def test_roles_conflicts_and_alternative_leads() -> None:
    similarities = np.array([[0.9, 0.8, 0.2, 0.3, 0.1], [0.1, 0.2, 0.8, 0.1, 0.7]])
    kinds = [A, A, C, S, C]
    eligible = np.array([True, True, True, True, False])  # candidate 4 is conflicted
    teams = build_consortia(similarities, kinds, eligible=eligible, max_members=3, consortia=2)
    assert [t.lead.role for t in teams] == ["lead academic", "lead academic"]
    assert [t.lead.candidate for t in teams] == [0, 1]
    # the first lead is left out of the alternative altogether
    assert all(m.candidate != 0 for m in teams[1].members)
    roles = {m.role: m.candidate for m in teams[0].members}
    assert roles["NHS partner"] == 2 and roles["SME partner"] == 3
    assert all(m.candidate != 4 for t in teams for m in t.members)
    assert teams[0].coverage >= teams[1].coverage


def test_a_role_nobody_can_fill_is_reported_and_its_place_goes_to_a_co_investigator() -> None:
    similarities = np.array([[0.9, 0.1, 0.1], [0.1, 0.8, 0.6]])
    kinds = [A, A, C]
    eligible = np.array([True, True, False])
    (team,) = build_consortia(similarities, kinds, eligible=eligible, max_members=3, consortia=1)
    assert team.missing_roles == (MemberRole.NHS_PARTNER, MemberRole.SME_PARTNER)
    assert [(m.candidate, m.role) for m in team.members] == [
        (0, MemberRole.LEAD),
        (1, MemberRole.CO_INVESTIGATOR),
    ]


def test_co_investigators_join_only_while_they_add_coverage() -> None:
    similarities = np.array([[0.9, 0.85, 0.8], [0.1, 0.1, 0.1]])
    (team,) = build_consortia(
        similarities, [A, A, A], need_nhs=False, need_sme=False, max_members=5, consortia=1
    )
    assert [m.candidate for m in team.members] == [0]
    assert team.members[0].gain == pytest.approx(team.coverage)


def test_facet_weights_steer_the_team() -> None:
    similarities = np.array([[0.9, 0.1, 0.8], [0.1, 0.6, 0.1], [0.1, 0.1, 0.5]])
    kinds = [A, A, A]
    plain = build_consortia(
        similarities, kinds, need_nhs=False, need_sme=False, max_members=2, consortia=1
    )[0]
    weighted = build_consortia(
        similarities,
        kinds,
        weights=[3.0, 1.0, 0.1],
        need_nhs=False,
        need_sme=False,
        max_members=2,
        consortia=1,
    )[0]
    # equal weights: 2 is the broader lead (0.8 and 0.5), and 1 adds facet 1
    assert [m.candidate for m in plain.members] == [2, 1]
    # facet 2 barely counts: 0, the best on the heavy facet 0, leads
    assert [m.candidate for m in weighted.members] == [0, 1]


def test_leads_differ_and_identical_teams_are_not_proposed_twice() -> None:
    similarities = np.array([[0.9, 0.8, 0.7, 0.6]])
    teams = build_consortia(
        similarities, [A] * 4, need_nhs=False, need_sme=False, max_members=3, consortia=4
    )
    assert [t.lead.candidate for t in teams] == [0, 1, 2, 3]
    assert len({frozenset(m.candidate for m in t.members) for t in teams}) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kinds": [A]}, "1 entries for 2 candidates"),
        ({"kinds": [A, "robot"]}, "expected one of academic, clinical_team, sme"),
        ({"eligible": np.array([True])}, "eligible has shape"),
        ({"weights": [1.0]}, "1 entries for 2 facets"),
        ({"weights": [-1.0, 1.0]}, "non-negative"),
        ({"weights": [0.0, 0.0]}, "not all zero"),
        ({"max_members": 2}, "at least 3"),
        ({"leads": 0}, "leads"),
    ],
)
def test_programmer_misuse_is_a_value_error(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"similarities": np.ones((2, 2)), "kinds": [A, C]}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        build_consortia(**arguments)  # type: ignore[arg-type]


Instance = tuple[np.ndarray, list[ProfileKind], bool, bool, int]


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    facets = draw(st.integers(1, 4))
    kinds = draw(st.lists(st.sampled_from([A, A, C, S]), min_size=1, max_size=7))
    values = draw(
        st.lists(
            st.floats(-0.2, 1.0).map(lambda x: round(x, 2)),
            min_size=facets * len(kinds),
            max_size=facets * len(kinds),
        )
    )
    need_nhs, need_sme = draw(st.booleans()), draw(st.booleans())
    size = draw(st.integers(1 + need_nhs + need_sme, 4))
    return np.array(values).reshape(facets, len(kinds)), kinds, need_nhs, need_sme, size


def best_possible(
    similarities: np.ndarray, kinds: list[ProfileKind], need_nhs: bool, need_sme: bool, size: int
) -> float:
    """The best coverage of any team: one lead academic, one partner of each kind asked for
    (when there is one), co-investigators for the remaining places."""
    weights = np.ones(similarities.shape[0]) / similarities.shape[0]
    academics = [c for c, k in enumerate(kinds) if k is A]
    partners = [
        [c for c, k in enumerate(kinds) if k is kind] or [None]
        for kind, wanted in ((C, need_nhs), (S, need_sme))
        if wanted
    ]
    best = 0.0
    for lead in academics:
        for chosen in product(*partners):
            fixed = [lead, *(c for c in chosen if c is not None)]
            others = [c for c in academics if c != lead]
            for k in range(size - len(fixed) + 1):
                for extra in combinations(others, k):
                    best = max(best, coverage(similarities, [*fixed, *extra], weights))
    return best


@settings(max_examples=150, deadline=None)
@given(instances())
def test_random_teams_are_valid_and_within_the_greedy_bound(instance: Instance) -> None:
    similarities, kinds, need_nhs, need_sme, size = instance
    teams = build_consortia(
        similarities,
        kinds,
        need_nhs=need_nhs,
        need_sme=need_sme,
        max_members=size,
        consortia=2,
        min_gain=0.0,
        leads=None,
    )
    if A not in kinds:
        assert teams == []
        return
    for team in teams:
        check_team(team, kinds, need_nhs, need_sme, size)
    if len(teams) == 2:
        assert teams[0].lead.candidate not in {m.candidate for m in teams[1].members}
    optimum = best_possible(similarities, kinds, need_nhs, need_sme, size)
    # greedy over role places (a partition matroid) keeps at least half the optimum; with
    # co-investigators only (a cardinality constraint) at least 1 - 1/e of it
    bound = 0.5 if need_nhs or need_sme else 1 - 1 / math.e
    assert teams[0].coverage >= bound * optimum - 1e-9


def check_team(
    team: Consortium, kinds: list[ProfileKind], need_nhs: bool, need_sme: bool, size: int
) -> None:
    members = [m.candidate for m in team.members]
    roles = [m.role for m in team.members]
    assert len(set(members)) == len(members) <= size
    assert roles[0] == MemberRole.LEAD and roles.count(MemberRole.LEAD) == 1
    expected = {
        MemberRole.LEAD: A,
        MemberRole.CO_INVESTIGATOR: A,
        MemberRole.NHS_PARTNER: C,
        MemberRole.SME_PARTNER: S,
    }
    assert all(kinds[m.candidate] is expected[MemberRole(m.role)] for m in team.members)
    for role, wanted, kind in (
        (MemberRole.NHS_PARTNER, need_nhs, C),
        (MemberRole.SME_PARTNER, need_sme, S),
    ):
        assert roles.count(role) == (1 if wanted and kind in kinds else 0)
        assert (role in team.missing_roles) == (wanted and kind not in kinds)
    assert sorted(f for m in team.members for f in m.facets) == list(range(len(team.covers)))
    assert all(c.member in members for c in team.covers)


def test_only_grant_partner_and_funding_call_briefs_get_consortia() -> None:
    assert wants_consortia(Purpose.GRANT_PARTNERS)
    assert wants_consortia(Purpose.FUNDING_CALL)
    assert not wants_consortia(Purpose.COLLABORATORS)


@pytest.mark.parametrize(
    ("text", "kinds", "expected"),
    [
        ("A partner from the NHS is essential", {A}, True),
        ("Clinical validation in a ward", {A}, True),
        ("Machine learning for sepsis", {C}, True),
        ("Machine learning for sepsis", set(), True),  # every kind accepted
        ("Machine learning for sepsis", {A, S}, False),
        ("Preclinical toxicology in cell lines", {A, S}, False),  # a word inside a word
        ("Two NHS trusts and their clinicians", {A, S}, True),
    ],
)
def test_an_nhs_partner_is_asked_for_by_words_or_kinds(
    text: str, kinds: set[ProfileKind], expected: bool
) -> None:
    assert needs_nhs_partner(text, kinds) is expected


@pytest.mark.parametrize(
    ("text", "kinds", "expected"),
    [
        ("An SME must bring a wearable patch", {A}, True),
        ("Industry co-funding is expected", {A}, True),
        ("A company will manufacture the device", {A}, True),
        ("Machine learning for sepsis", {S}, True),
        ("Machine learning for sepsis", set(), False),  # unlike the NHS partner
        ("Machine learning for sepsis", {A, C}, False),
        ("Health technology assessment of a screening test", {A, C}, False),  # "sme" inside
        ("Led by SMEs in the region", {A, C}, True),
        ("Two companies will co-fund it", {A, C}, True),
    ],
)
def test_an_sme_partner_is_asked_for_by_words_or_kinds(
    text: str, kinds: set[ProfileKind], expected: bool
) -> None:
    assert needs_sme_partner(text, kinds) is expected


def test_team_size_leaves_room_for_a_lead_and_never_drops_below_three() -> None:
    assert [team_size(n) for n in (0, 1, 2, 3, 5)] == [3, 3, 3, 4, 6]


@pytest.mark.parametrize(
    ("text", "kinds", "required", "accepted"),
    [
        ("Falls sensors", {A, C, S}, (A, C, S), (A, C, S)),
        ("Clinical validation with an SME", {A}, (A,), (A,)),  # the column decides
        ("Falls sensors", {S, A}, (A, S), (A, S)),
        ("Falls sensors", set(), (A,), (A, C, S)),  # blank: an academic, then any kind
        ("An NHS partner and an SME are needed", set(), (A, C, S), (A, C, S)),
        ("Researchers, and a company with a product", set(), (A, S), (A, C, S)),
    ],
)
def test_the_kinds_a_row_requires_come_from_its_kinds_column_else_its_words(
    text: str,
    kinds: set[ProfileKind],
    required: tuple[ProfileKind, ...],
    accepted: tuple[ProfileKind, ...],
) -> None:
    assert required_kinds(text, kinds) == required
    assert accepted_kinds(kinds) == accepted


def test_within_kind_ranks_compare_each_score_only_with_its_own_kind() -> None:
    # academics score 0.6-0.8, clinical teams 0.3-0.5: the best of each kind ranks 1.0
    scores = [0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    kinds = [A, A, A, C, C, C]
    assert within_kind_ranks(scores, kinds).tolist() == pytest.approx(
        [1.0, 2 / 3, 1 / 3, 1.0, 2 / 3, 1 / 3]
    )
    assert within_kind_ranks([], []).tolist() == []


def test_places_give_each_required_kind_one_then_the_rest_by_within_kind_rank() -> None:
    strengths = {A: [0.9, 0.5, 0.2], C: [0.95, 0.8], S: [0.4]}
    places = place_kinds(4, required=(A, C, S), accepted=(A, C, S), strengths=strengths)
    # one each; the fourth place goes to the kind whose next candidate ranks highest (C: 0.8)
    assert places == {A: 1, C: 2, S: 1}
    # an accepted kind that is not required competes for the places beyond one each
    assert place_kinds(2, required=(A,), accepted=(A, C, S), strengths=strengths) == {A: 1, C: 1}
    # candidates run out: the places left go to the required kinds in turn (to be diagnosed)
    places = place_kinds(5, required=(A, S), accepted=(A, S), strengths=strengths)
    assert places == {A: 4, S: 1}
    assert place_kinds(4, required=(A, S), accepted=(A, S), strengths={}) == {A: 2, S: 2}
    # fewer places than required kinds: the kinds whose best candidate ranks highest
    assert place_kinds(2, required=(A, C, S), accepted=(A, C, S), strengths=strengths) == {
        C: 1,
        A: 1,
    }
