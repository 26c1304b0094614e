"""Exact constrained assignment: tiny hand-built instances, and random ones against brute force."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.assignment import (
    CAPACITY,
    DIVERSITY,
    NOT_ENOUGH_CANDIDATES,
    Assignment,
    assign,
    conflict_matrix,
)


def test_capacity_and_demand_are_met_with_the_best_total() -> None:
    scores = [[(0, 0.9), (1, 0.5)], [(0, 0.8), (1, 0.7)]]
    result = assign(scores, demands=[1, 1], capacities=[1, 1], organisations=[0, 1])
    assert result.chosen == [[(0, 0.9)], [(1, 0.7)]]
    assert result.total_score == 0.9 + 0.7 and result.shortfalls == []


def test_filling_every_brief_comes_before_a_higher_score() -> None:
    # profile 0 is best for both; giving it to brief 0 would leave brief 1 with nobody
    scores = [[(0, 0.9), (1, 0.6)], [(0, 0.8)]]
    result = assign(scores, demands=[1, 1], capacities=[1, 1], organisations=[0, 1])
    assert result.chosen == [[(1, 0.6)], [(0, 0.8)]]


def test_conflicts_are_never_assigned_and_explain_shortfalls() -> None:
    scores = [[(0, 0.9), (1, 0.5)]]
    result = assign(
        scores, demands=[2], capacities=[1, 1], organisations=[0, 1], conflicts={(0, 0)}
    )
    assert result.chosen == [[(1, 0.5)]]
    short = result.shortfalls[0]
    assert short.constraint == NOT_ENOUGH_CANDIDATES and "1 removed as conflicts" in short.detail


def test_infeasible_call_gives_a_partial_assignment_naming_capacity() -> None:
    # three briefs want two partners each; two profiles of capacity 2 can fill only two briefs
    scores = [[(0, 0.9), (1, 0.8)], [(0, 0.7), (1, 0.6)], [(0, 0.5), (1, 0.4)]]
    result = assign(scores, demands=[2, 2, 2], capacities=[2, 2], organisations=[0, 1])
    assert result.assigned_pairs == 4
    assert [s.constraint for s in result.shortfalls] == [CAPACITY]
    assert result.shortfalls[0].brief == 2 and result.shortfalls[0].assigned == 0
    assert result.alternates[2] == [(0, 0.5, False), (1, 0.4, False)]


def test_diversity_cap_limits_partners_from_one_organisation() -> None:
    scores = [[(0, 0.9), (1, 0.8), (2, 0.1)]]
    result = assign(
        scores, demands=[2], capacities=[1, 1, 1], organisations=[7, 7, 8], per_organisation=1
    )
    assert result.chosen == [[(0, 0.9), (2, 0.1)]]
    capped = assign(
        [[(0, 0.9), (1, 0.8)]],
        demands=[2],
        capacities=[1, 1],
        organisations=[7, 7],
        per_organisation=1,
    )
    assert capped.shortfalls[0].constraint == DIVERSITY


def test_conflict_matrix_covers_organisation_declared_and_coauthors() -> None:
    matrix = conflict_matrix(
        requester_organisations=["uni-a", None],
        declared=[set(), {"p2"}],
        profile_ids=["p0", "p1", "p2", "p3"],
        profile_organisations=["uni-a", "uni-b", "uni-b", "uni-c"],
        coauthors=[set(), set(), {"p3"}, {"p2"}],
    )
    assert matrix.tolist() == [[True, False, False, False], [False, False, True, True]]


def brute_force(
    scores: list[list[tuple[int, float]]],
    demands: list[int],
    capacities: list[int],
    organisations: list[int],
    conflicts: set[tuple[int, int]],
    cap: int | None,
) -> tuple[int, float]:
    pairs = [(b, p, s) for b, row in enumerate(scores) for p, s in row if (b, p) not in conflicts]
    best = (0, 0.0)
    for size in range(len(pairs) + 1):
        for chosen in combinations(pairs, size):
            if not feasible(chosen, demands, capacities, organisations, cap):
                continue
            value = (size, round(sum(s for _, _, s in chosen), 9))
            best = max(best, value)
    return best


def feasible(
    chosen: tuple[tuple[int, int, float], ...],
    demands: list[int],
    capacities: list[int],
    organisations: list[int],
    cap: int | None,
) -> bool:
    per_brief = [0] * len(demands)
    per_profile = [0] * len(capacities)
    per_org: dict[tuple[int, int], int] = {}
    for b, p, _ in chosen:
        per_brief[b] += 1
        per_profile[p] += 1
        per_org[(b, organisations[p])] = per_org.get((b, organisations[p]), 0) + 1
    return (
        all(n <= d for n, d in zip(per_brief, demands, strict=True))
        and all(n <= c for n, c in zip(per_profile, capacities, strict=True))
        and (cap is None or all(n <= cap for n in per_org.values()))
    )


@st.composite
def instances(
    draw: st.DrawFn,
) -> tuple[
    list[list[tuple[int, float]]], list[int], list[int], list[int], set[tuple[int, int]], int | None
]:
    briefs = draw(st.integers(1, 3))
    profiles = draw(st.integers(1, 4))
    scores = []
    for _ in range(briefs):
        chosen = draw(st.lists(st.integers(0, profiles - 1), unique=True, max_size=profiles))
        scores.append([(p, draw(st.floats(-1, 1).map(lambda x: round(x, 3)))) for p in chosen])
    demands = [draw(st.integers(0, 3)) for _ in range(briefs)]
    capacities = [draw(st.integers(0, 2)) for _ in range(profiles)]
    organisations = [draw(st.integers(0, 1)) for _ in range(profiles)]
    conflicts = {
        (b, p)
        for b in range(briefs)
        for p in range(profiles)
        if draw(st.booleans()) and draw(st.booleans())
    }
    cap = draw(st.one_of(st.none(), st.integers(1, 2)))
    return scores, demands, capacities, organisations, conflicts, cap


@settings(max_examples=150, deadline=None)
@given(instances())
def test_random_instances_match_brute_force(
    instance: tuple[
        list[list[tuple[int, float]]],
        list[int],
        list[int],
        list[int],
        set[tuple[int, int]],
        int | None,
    ],
) -> None:
    scores, demands, capacities, organisations, conflicts, cap = instance
    result: Assignment = assign(
        scores,
        demands=demands,
        capacities=capacities,
        organisations=organisations,
        conflicts=conflicts,
        per_organisation=cap,
    )
    chosen = tuple((b, p, s) for b, row in enumerate(result.chosen) for p, s in row)
    assert feasible(chosen, demands, capacities, organisations, cap)
    assert not {(b, p) for b, p, _ in chosen} & conflicts
    size, score = brute_force(scores, demands, capacities, organisations, conflicts, cap)
    assert result.assigned_pairs == size
    assert np.isclose(result.total_score, score, atol=1e-6)
