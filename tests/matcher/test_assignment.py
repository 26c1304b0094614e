"""Exact constrained assignment: tiny hand-built instances, random ones against brute force and
larger seeded ones against an independent integer programme."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from matcher.assignment import (
    Alternate,
    Assignment,
    Constraint,
    Pick,
    assign,
    conflict_matrix,
    decode,
    encode,
    solve,
)

Lists = list[list[tuple[int, float]]]


def test_capacity_and_demand_are_met_with_the_best_total() -> None:
    scores = [[(0, 0.9), (1, 0.5)], [(0, 0.8), (1, 0.7)]]
    result = assign(scores, demands=[1, 1], capacities=[1, 1])
    assert result.chosen == [[Pick(0, 0.9)], [Pick(1, 0.7)]]
    assert result.total_score == pytest.approx(1.6)
    assert result.shortfalls == [] and result.optimal


def test_filling_every_brief_comes_before_a_higher_score() -> None:
    # profile 0 is best for both; giving it to brief 0 would leave brief 1 with nobody
    scores = [[(0, 0.9), (1, 0.6)], [(0, 0.8)]]
    result = assign(scores, demands=[1, 1], capacities=[1, 1])
    assert result.chosen == [[(1, 0.6)], [(0, 0.8)]]


def test_a_negative_score_still_fills_a_place() -> None:
    result = assign([[(0, -0.2)]], demands=[1], capacities=[1])
    assert result.chosen == [[(0, -0.2)]] and result.total_score == pytest.approx(-0.2)


def test_conflicts_are_never_assigned_and_explain_shortfalls() -> None:
    scores = [[(0, 0.9), (1, 0.5)]]
    result = assign(scores, demands=[2], capacities=[1, 1], conflicts={(0, 0)})
    assert result.chosen == [[(1, 0.5)]]
    assert result.alternates == [[]]  # a conflict is not an alternate either
    short = result.shortfalls[0]
    assert short.constraint == Constraint.NOT_ENOUGH_CANDIDATES
    assert short.constraints == (Constraint.NOT_ENOUGH_CANDIDATES,)
    assert (short.eligible, short.conflicted) == (1, 1)
    assert "1 removed as conflicts of interest" in short.detail


def test_conflicts_as_set_dense_or_sparse_matrix_agree() -> None:
    scores = [[(0, 0.9), (1, 0.8), (2, 0.1)], [(0, 0.7), (2, 0.6)]]
    pairs = {(0, 0), (1, 2)}
    dense = np.zeros((2, 3), dtype=bool)
    dense[0, 0] = dense[1, 2] = True
    results = [
        assign(scores, demands=[2, 1], capacities=[1, 1, 1], conflicts=c)
        for c in (pairs, dense, sparse.csr_array(dense))
    ]
    assert all(r.chosen == [[(1, 0.8), (2, 0.1)], [(0, 0.7)]] for r in results)


def test_capacity_taken_by_another_brief_is_diagnosed_with_the_competitor() -> None:
    # both briefs want profile 0 (capacity 1); brief 0 gains more from it
    scores = [[(0, 0.9)], [(0, 0.5)], [(1, 0.4)]]
    result = assign(scores, demands=[1, 1, 1], capacities=[1, 1])
    assert result.chosen == [[(0, 0.9)], [], [(1, 0.4)]]
    (short,) = result.shortfalls
    assert (short.brief, short.wanted, short.assigned) == (1, 1, 0)
    assert short.constraint == Constraint.CAPACITY and short.competing == (0,)
    assert "taken by 1 other brief(s)" in short.detail
    assert result.alternates[1] == [Alternate(0, 0.5, spare=False)]


def test_infeasible_call_gives_a_partial_assignment_naming_short_briefs() -> None:
    # three briefs want two partners each; two profiles of capacity 2 can fill only two briefs
    scores = [[(0, 0.9), (1, 0.8)], [(0, 0.7), (1, 0.6)], [(0, 0.5), (1, 0.4)]]
    result = assign(scores, demands=[2, 2, 2], capacities=[2, 2])
    assert result.assigned_pairs == 4 and result.optimal
    assert result.short_briefs == [2]
    short = result.shortfalls[0]
    assert short.constraint == Constraint.CAPACITY and short.assigned == 0
    assert short.competing == (0, 1)
    assert result.alternates[2] == [(0, 0.5, False), (1, 0.4, False)]


def test_a_brief_can_be_short_for_several_reasons_at_once() -> None:
    # brief 1 wants 3 but has 2 eligible candidates, and one of them is taken by brief 0
    scores = [[(0, 0.9)], [(0, 0.3), (1, 0.2)]]
    result = assign(scores, demands=[1, 3], capacities=[1, 1])
    (short,) = result.shortfalls
    assert short.constraints == (Constraint.NOT_ENOUGH_CANDIDATES, Constraint.CAPACITY)
    assert short.constraint == Constraint.NOT_ENOUGH_CANDIDATES


def test_zero_capacity_is_a_capacity_shortfall() -> None:
    result = assign([[(0, 0.9), (1, 0.8)]], demands=[2], capacities=[0, 1])
    (short,) = result.shortfalls
    assert short.constraint == Constraint.CAPACITY and short.competing == ()
    assert "1 had none to give" in short.detail


def test_diversity_cap_limits_partners_from_one_organisation() -> None:
    scores = [[(0, 0.9), (1, 0.8), (2, 0.1)]]
    result = assign(
        scores,
        demands=[2],
        capacities=[1, 1, 1],
        organisations=["uni-a", "uni-a", "uni-b"],
        per_organisation=1,
    )
    assert result.chosen == [[(0, 0.9), (2, 0.1)]] and result.alternates == [[(1, 0.8, True)]]
    capped = assign(
        [[(0, 0.9), (1, 0.8)]],
        demands=[2],
        capacities=[1, 1],
        organisations=["uni-a", "uni-a"],
        per_organisation=1,
    )
    (short,) = capped.shortfalls
    assert short.constraint == Constraint.DIVERSITY and short.assigned == 1
    assert "at most 1 per organisation leaves 1 possible partner(s)" in short.detail


def test_alternates_are_the_next_best_eligible_candidates() -> None:
    scores = [[(3, 0.2), (0, 0.9), (1, 0.8), (2, 0.7), (4, 0.6)], [(1, 0.95)]]
    result = assign(scores, demands=[1, 1], capacities=[1] * 5, conflicts={(0, 2)}, alternates=2)
    assert result.chosen[0] == [(0, 0.9)]
    # profile 1 went to brief 1 (no spare capacity); profile 2 is a conflict; ranked by score
    assert result.alternates[0] == [(1, 0.8, False), (4, 0.6, True)]
    assert assign(scores, demands=[1, 1], capacities=[1] * 5, alternates=0).alternates == [[], []]


def test_dense_sparse_and_list_scores_agree_and_duplicates_keep_the_best() -> None:
    dense = np.array([[0.9, np.nan, 0.4], [-np.inf, 0.7, 0.8]])
    lists: Lists = [[(0, 0.9), (2, 0.4), (2, 0.1)], [(1, 0.7), (2, 0.8)]]
    coo = sparse.coo_array(([0.9, 0.4, 0.7, 0.8], ([0, 0, 1, 1], [0, 2, 1, 2])), shape=(2, 3))
    results = [assign(s, demands=[2, 1], capacities=[1, 1, 1]).chosen for s in (dense, lists, coo)]
    # the only way to place three partners; the duplicate (2, 0.1) is dropped for (2, 0.4)
    expected = [[(0, 0.9), (2, 0.4)], [(1, 0.7)]]
    assert results == [expected, expected, expected]


def test_encode_solve_decode_are_separate_steps() -> None:
    problem = encode([[(1, 0.5), (0, 0.9)]], demands=[1], capacities=[1, 1])
    assert problem.profiles.tolist() == [0, 1] and problem.scores.tolist() == [0.9, 0.5]
    chosen, optimal = solve(problem)
    assert chosen.tolist() == [True, False] and optimal
    result: Assignment = decode(problem, chosen, alternates=1)
    assert result.chosen == [[(0, 0.9)]] and result.alternates == [[(1, 0.5, True)]]


def test_a_time_limit_keeps_the_largest_feasible_assignment_unproved() -> None:
    rng = np.random.default_rng(0)
    scores: Lists = [
        [(int(p), float(rng.random())) for p in rng.choice(300, 30, replace=False)]
        for _ in range(100)
    ]
    limited = assign(scores, demands=[3] * 100, capacities=[1] * 300, time_limit=0.0)
    exact = assign(scores, demands=[3] * 100, capacities=[1] * 300)
    assert exact.optimal and not limited.optimal
    assert limited.assigned_pairs == exact.assigned_pairs == 300
    assert limited.total_score <= exact.total_score
    chosen = [(b, p) for b, row in enumerate(limited.chosen) for p, _ in row]
    assert feasible(chosen, [3] * 100, [1] * 300, ["o"] * 300, None)


def test_kind_slots_are_filled_whatever_the_raw_scores_of_each_kind() -> None:
    # academics score higher than any SME; the brief asks for one of each
    scores = [[(0, 0.9), (1, 0.8), (2, 0.3)]]
    kinds = ["academic", "academic", "SME"]
    result = assign(
        scores,
        demands=[2],
        capacities=[1, 1, 1],
        kinds=kinds,
        slots=[{"academic": 1, "SME": 1}],
    )
    assert result.chosen == [[(0, 0.9), (2, 0.3)]] and result.shortfalls == []
    unconstrained = assign(scores, demands=[2], capacities=[1, 1, 1])
    assert unconstrained.chosen == [[(0, 0.9), (1, 0.8)]]


def test_a_kind_that_cannot_be_filled_is_named_in_the_diagnosis() -> None:
    # both briefs want an SME; the one SME (capacity 1) goes where it scores best
    scores = [[(0, 0.9), (2, 0.5)], [(1, 0.8), (2, 0.3)]]
    kinds = ["academic", "academic", "SME"]
    slots = [{"academic": 1, "SME": 1}, {"academic": 1, "SME": 1}]
    result = assign(scores, demands=[2, 2], capacities=[1, 1, 1], kinds=kinds, slots=slots)
    assert result.chosen == [[(0, 0.9), (2, 0.5)], [(1, 0.8)]]
    (short,) = result.shortfalls
    assert short.brief == 1 and short.kinds == ("SME",)
    assert short.constraint == Constraint.CAPACITY
    assert "no eligible SME left: all 1 SMEs at capacity or conflicted" in short.detail
    # an SME that is a conflict of interest is not eligible at all
    conflicted = assign(
        [[(0, 0.9), (2, 0.5)]],
        demands=[2],
        capacities=[1, 1, 1],
        kinds=kinds,
        slots=[{"academic": 1, "SME": 1}],
        conflicts={(0, 2)},
    )
    (short,) = conflicted.shortfalls
    assert short.kinds == ("SME",) and short.constraint == Constraint.NOT_ENOUGH_CANDIDATES
    assert "no eligible SME: 0 for 1 place(s); 1 removed as conflicts of interest" in short.detail


def test_alternates_name_the_next_best_of_each_kind_in_turn() -> None:
    scores = [[(0, 0.9), (1, 0.8), (2, 0.7), (3, 0.3), (4, 0.2)]]
    kinds = ["academic", "academic", "academic", "SME", "SME"]
    result = assign(
        scores,
        demands=[2],
        capacities=[1] * 5,
        kinds=kinds,
        slots=[{"academic": 1, "SME": 1}],
        alternates=2,
    )
    assert result.chosen == [[(0, 0.9), (3, 0.3)]]
    assert result.alternates == [[(1, 0.8, True), (4, 0.2, True)]]


def test_capacity_left_after_the_assignment_is_reported_per_profile() -> None:
    result = assign([[(0, 0.9)], [(0, 0.8), (1, 0.5)]], demands=[1, 1], capacities=[1, 2])
    assert result.chosen == [[(0, 0.9)], [(1, 0.5)]]
    assert result.remaining == (0, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kinds": ["a", "b"], "slots": [{"a": 2}]}, "slots of brief 0 add up to 2"),
        ({"kinds": ["a", "b"]}, "kinds and slots go together"),
        ({"kinds": ["a"], "slots": [{"a": 1}]}, "kinds has 1 entries for 2 profiles"),
        ({"kinds": ["a", "b"], "slots": [{"a": -1, "b": 2}]}, "slots must be ≥ 0"),
        ({"kinds": ["a", "b"], "slots": [None, None]}, "2 slot entries for 1 briefs"),
    ],
)
def test_kind_slot_misuse_is_a_value_error(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"scores": [[(0, 0.5)]], "demands": [1], "capacities": [1, 1]}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        assign(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": [[(5, 0.1)]]}, "profile indices"),
        ({"scores": [[(0.5, 0.1)]]}, "profile indices"),
        ({"demands": [-1]}, "demands must be ≥ 0"),
        ({"capacities": [-1, 1]}, "capacities must be ≥ 0"),
        ({"per_organisation": 1}, "needs an organisation label"),
        ({"per_organisation": 0, "organisations": ["a", "b"]}, "at least 1"),
        ({"organisations": ["a"]}, "1 entries for 2 profiles"),
        ({"scores": np.zeros((2, 2))}, "shape"),
        ({"conflicts": np.zeros((1, 3), dtype=bool)}, "shape"),
        ({"scores": [[], []]}, "2 candidate lists for 1 briefs"),
        ({"time_limit": -1.0}, "time_limit"),
    ],
)
def test_programmer_misuse_is_a_value_error(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"scores": [[(0, 0.5)]], "demands": [1], "capacities": [1, 1]}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        assign(**arguments)  # type: ignore[arg-type]


def test_conflict_matrix_covers_organisation_declared_and_coauthors() -> None:
    matrix = conflict_matrix(
        requester_organisations=["uni-a", None, None],
        declared=[set(), {"p2"}, {"outsider"}],
        profile_ids=["p0", "p1", "p2", "p3"],
        profile_organisations=["uni-a", "uni-b", "uni-b", "uni-c"],
        # p1 lists p2 as co-author, p2 lists nobody: the relation is read both ways;
        # p3 co-authored with someone outside the pool who is declared by brief 2
        coauthors=[set(), {"p2"}, set(), {"outsider"}],
    )
    assert matrix.tolist() == [
        [True, False, False, False],
        [False, True, True, False],
        [False, False, False, True],
    ]


def test_conflict_matrix_is_not_transitive() -> None:
    matrix = conflict_matrix(
        requester_organisations=[None],
        declared=[{"p0"}],
        profile_ids=["p0", "p1", "p2"],
        profile_organisations=["a", "b", "c"],
        coauthors=[{"p1"}, {"p0", "p2"}, {"p1"}],
    )
    assert matrix.tolist() == [[True, True, False]]


def reference_optimum(
    scores: Lists,
    demands: list[int],
    capacities: list[int],
    organisations: list[int],
    conflicts: set[tuple[int, int]],
    cap: int | None,
    kinds: list[str] | None = None,
    slots: list[dict[str, int]] | None = None,
) -> tuple[int, float]:
    """Most pairs, then best score, with one integer programme per stage (an independent
    formulation: dense rows, no max flow, no LP)."""
    pairs = [
        (b, p, s)
        for b, row in enumerate(scores)
        for p, s in row
        if (b, p) not in conflicts and math.isfinite(s)
    ]
    n = len(pairs)
    rows: list[list[int]] = []
    upper: list[float] = []
    for b, d in enumerate(demands):
        rows.append([int(pb == b) for pb, _, _ in pairs])
        upper.append(d)
    for p, c in enumerate(capacities):
        rows.append([int(pp == p) for _, pp, _ in pairs])
        upper.append(c)
    if cap is not None:
        for b in range(len(demands)):
            for o in set(organisations):
                rows.append([int(pb == b and organisations[pp] == o) for pb, pp, _ in pairs])
                upper.append(cap)
    if kinds is not None and slots is not None:
        for b, wanted in enumerate(slots):
            for k in set(kinds):
                rows.append([int(pb == b and kinds[pp] == k) for pb, pp, _ in pairs])
                upper.append(wanted.get(k, 0))
    limits = LinearConstraint(np.array(rows, dtype=float), -np.inf, np.array(upper))
    box, integral = Bounds(0, 1), np.ones(n)
    first = milp(-np.ones(n), constraints=[limits], integrality=integral, bounds=box)
    most = round(-first.fun)
    size = LinearConstraint(np.ones((1, n)), most, np.inf)
    values = np.array([s for _, _, s in pairs])
    second = milp(-values, constraints=[limits, size], integrality=integral, bounds=box)
    return most, float(-second.fun)


@pytest.mark.parametrize("seed", range(4))
def test_seeded_instances_match_an_independent_integer_programme(seed: int) -> None:
    rng = np.random.default_rng(seed)
    briefs, profiles, per_brief = 25, 40, 8
    scores: Lists = [
        [(int(p), round(float(rng.random()), 4)) for p in rng.choice(profiles, per_brief, False)]
        for _ in range(briefs)
    ]
    demands = rng.integers(0, 4, briefs).tolist()
    capacities = rng.integers(0, 3, profiles).tolist()
    organisations = rng.integers(0, 5, profiles).tolist()
    conflicts = {
        (int(b), int(p))
        for b, p in zip(*np.nonzero(rng.random((briefs, profiles)) < 0.1), strict=True)
    }
    cap = [None, 1, 2, None][seed]
    result = assign(
        scores,
        demands=demands,
        capacities=capacities,
        organisations=organisations,
        conflicts=conflicts,
        per_organisation=cap,
    )
    most, best = reference_optimum(scores, demands, capacities, organisations, conflicts, cap)
    assert result.assigned_pairs == most
    assert result.total_score == pytest.approx(best, abs=1e-6)
    assert result.optimal


def brute_force(
    scores: Lists,
    demands: list[int],
    capacities: list[int],
    organisations: list[str],
    conflicts: set[tuple[int, int]],
    cap: int | None,
    kinds: list[str] | None = None,
    slots: list[dict[str, int]] | None = None,
) -> tuple[int, float]:
    pairs = {
        (b, p): s
        for b, row in enumerate(scores)
        for p, s in row
        if (b, p) not in conflicts and math.isfinite(s)
    }
    best = (0, 0.0)
    for size in range(len(pairs) + 1):
        for chosen in combinations(sorted(pairs), size):
            pick = [(b, p) for b, p in chosen]
            if feasible(pick, demands, capacities, organisations, cap, kinds, slots):
                best = max(best, (size, round(sum(pairs[c] for c in chosen), 9)))
    return best


def feasible(
    chosen: list[tuple[int, int]],
    demands: list[int],
    capacities: list[int],
    organisations: list[str],
    cap: int | None,
    kinds: list[str] | None = None,
    slots: list[dict[str, int]] | None = None,
) -> bool:
    if kinds is not None and slots is not None:
        per_kind: dict[tuple[int, str], int] = {}
        for b, p in chosen:
            per_kind[(b, kinds[p])] = per_kind.get((b, kinds[p]), 0) + 1
        if any(n > slots[b].get(k, 0) for (b, k), n in per_kind.items()):
            return False
    per_brief = [0] * len(demands)
    per_profile = [0] * len(capacities)
    per_org: dict[tuple[int, str], int] = {}
    for b, p in chosen:
        per_brief[b] += 1
        per_profile[p] += 1
        per_org[(b, organisations[p])] = per_org.get((b, organisations[p]), 0) + 1
    return (
        len(set(chosen)) == len(chosen)
        and all(n <= d for n, d in zip(per_brief, demands, strict=True))
        and all(n <= c for n, c in zip(per_profile, capacities, strict=True))
        and (cap is None or all(n <= cap for n in per_org.values()))
    )


Instance = tuple[Lists, list[int], list[int], list[str], set[tuple[int, int]], int | None]


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    briefs = draw(st.integers(1, 3))
    profiles = draw(st.integers(1, 4))
    score = st.one_of(
        st.floats(-1, 1).map(lambda x: round(x, 3)),
        st.sampled_from([math.nan, -math.inf]),  # ineligible pairs
    )
    scores = [
        [(p, draw(score)) for p in draw(st.lists(st.integers(0, profiles - 1), unique=True))]
        for _ in range(briefs)
    ]
    demands = draw(st.lists(st.integers(0, 3), min_size=briefs, max_size=briefs))
    capacities = draw(st.lists(st.integers(0, 2), min_size=profiles, max_size=profiles))
    organisations = draw(st.lists(st.sampled_from("ab"), min_size=profiles, max_size=profiles))
    conflicts = draw(
        st.sets(st.tuples(st.integers(0, briefs - 1), st.integers(0, profiles - 1)), max_size=4)
    )
    cap = draw(st.one_of(st.none(), st.integers(1, 2)))
    return scores, demands, capacities, organisations, conflicts, cap


@settings(max_examples=200, deadline=None)
@given(instances())
def test_random_instances_match_brute_force_and_break_no_constraint(instance: Instance) -> None:
    scores, demands, capacities, organisations, conflicts, cap = instance
    result = assign(
        scores,
        demands=demands,
        capacities=capacities,
        organisations=organisations,
        conflicts=conflicts,
        per_organisation=cap,
    )
    chosen = [(b, p) for b, row in enumerate(result.chosen) for p, _ in row]
    assert feasible(chosen, demands, capacities, organisations, cap)
    assert not set(chosen) & conflicts
    size, score = brute_force(scores, demands, capacities, organisations, conflicts, cap)
    assert result.assigned_pairs == size
    assert math.isclose(result.total_score, score, abs_tol=1e-6)
    # every short brief, and only those, is diagnosed; alternates are eligible and not chosen
    assert result.short_briefs == [b for b, d in enumerate(demands) if len(result.chosen[b]) < d]
    for short in result.shortfalls:
        assert short.constraint == short.constraints[0]
        enough = short.eligible >= short.wanted
        assert (Constraint.NOT_ENOUGH_CANDIDATES in short.constraints) != enough
    for b, alternates in enumerate(result.alternates):
        assert len(alternates) <= 3
        assert not {a.profile for a in alternates} & {p.profile for p in result.chosen[b]}
        assert not {(b, a.profile) for a in alternates} & conflicts
        assert [a.score for a in alternates] == sorted((a.score for a in alternates), reverse=True)


KindInstance = tuple[Instance, list[str], list[dict[str, int]]]


@st.composite
def kind_instances(draw: st.DrawFn) -> KindInstance:
    """An instance whose profiles have kinds ("x", "y") and whose briefs have slots per kind;
    organisations and kinds are drawn independently, so an organisation may hold both kinds
    (the per-organisation cap then crosses the kind slots)."""
    scores, demands, capacities, organisations, conflicts, cap = draw(instances())
    kinds = draw(
        st.lists(st.sampled_from("xy"), min_size=len(capacities), max_size=len(capacities))
    )
    slots = []
    for demand in demands:
        x = draw(st.integers(0, demand))
        slots.append({"x": x, "y": demand - x})
    return (scores, demands, capacities, organisations, conflicts, cap), kinds, slots


@settings(max_examples=200, deadline=None)
@given(kind_instances())
def test_random_kind_slots_match_brute_force_and_name_the_short_kinds(
    instance: KindInstance,
) -> None:
    (scores, demands, capacities, organisations, conflicts, cap), kinds, slots = instance
    result = assign(
        scores,
        demands=demands,
        capacities=capacities,
        organisations=organisations,
        conflicts=conflicts,
        per_organisation=cap,
        kinds=kinds,
        slots=slots,
    )
    chosen = [(b, p) for b, row in enumerate(result.chosen) for p, _ in row]
    assert feasible(chosen, demands, capacities, organisations, cap, kinds, slots)
    assert not set(chosen) & conflicts
    size, score = brute_force(
        scores, demands, capacities, organisations, conflicts, cap, kinds, slots
    )
    assert result.assigned_pairs == size
    assert math.isclose(result.total_score, score, abs_tol=1e-6)
    for short in result.shortfalls:
        got = {k: sum(kinds[p] == k for p, _ in result.chosen[short.brief]) for k in "xy"}
        assert set(short.kinds) == {k for k in "xy" if got[k] < slots[short.brief][k]}


@pytest.mark.parametrize("seed", range(3))
def test_seeded_kind_slots_match_an_independent_integer_programme(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    briefs, profiles, per_brief = 20, 40, 10
    scores: Lists = [
        [(int(p), round(float(rng.random()), 4)) for p in rng.choice(profiles, per_brief, False)]
        for _ in range(briefs)
    ]
    demands = rng.integers(0, 4, briefs).tolist()
    capacities = rng.integers(0, 3, profiles).tolist()
    kinds = [str(k) for k in rng.choice(["a", "c", "s"], profiles)]
    # seed 0: an organisation holds one kind (nested caps); others: organisations mix kinds
    organisations = (
        [f"{k}{i % 3}" for i, k in enumerate(kinds)]
        if seed == 0
        else rng.integers(0, 5, profiles).tolist()
    )
    slots = []
    for demand in demands:
        split = rng.multinomial(demand, [0.5, 0.25, 0.25])
        slots.append(dict(zip("acs", (int(n) for n in split), strict=True)))
    cap = [1, 1, None][seed]
    result = assign(
        scores,
        demands=demands,
        capacities=capacities,
        organisations=organisations,
        per_organisation=cap,
        kinds=kinds,
        slots=slots,
    )
    most, best = reference_optimum(
        scores, demands, capacities, organisations, set(), cap, kinds, slots
    )
    assert result.assigned_pairs == most
    assert result.total_score == pytest.approx(best, abs=1e-6)
    assert result.optimal
