"""Constrained assignment of partners to briefs: encode → solve → decode.

Given the scores of candidate (brief, profile) pairs, choose partners so that every brief gets as
many as it asks for and the total score is as high as possible, subject to each profile's
capacity, conflicts of interest and an optional cap on partners from one organisation per brief.

The problem is a network flow (source → profile → (brief, organisation) → brief → sink), so its
linear programme has integral optima; it is solved exactly with HiGHS (``scipy.optimize.milp``)
in two stages: first the largest number of assigned pairs, then the highest total score among
assignments of that size. Filling briefs comes first because a brief without partners fails its
funding call, whatever the scores elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NOT_ENOUGH_CANDIDATES = "not enough eligible candidates"
CAPACITY = "capacity"
DIVERSITY = "diversity cap"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored (brief, profile) pair, by index."""

    brief: int
    profile: int
    score: float


@dataclass(frozen=True, slots=True)
class AssignmentProblem:
    """The encoded problem: only eligible pairs are variables; conflicts are kept for diagnosis.

    Attributes:
        demands: partners wanted per brief.
        capacities: new collaborations each profile can take.
        organisations: an organisation code per profile (for the diversity cap).
        pairs: eligible candidate pairs (conflicts removed).
        conflicted: per brief, how many candidates were removed as conflicts of interest.
        per_organisation: at most this many partners from one organisation per brief.
    """

    demands: IntArray
    capacities: IntArray
    organisations: IntArray
    pairs: tuple[Candidate, ...]
    conflicted: IntArray
    per_organisation: int | None = None


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A brief that got fewer partners than it asked for, and the constraint that binds."""

    brief: int
    wanted: int
    assigned: int
    constraint: str
    detail: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """The decoded solution.

    Attributes:
        chosen: per brief, the chosen (profile, score) pairs, best first.
        alternates: per brief, the next best eligible candidates not chosen, best first, with
            whether each still has capacity left.
        total_score: the sum of the chosen pairs' scores.
        shortfalls: the briefs that are short, with the binding constraint.
        optimal: whether the solver proved optimality.
    """

    chosen: list[list[tuple[int, float]]]
    alternates: list[list[tuple[int, float, bool]]]
    total_score: float
    shortfalls: list[Shortfall] = field(default_factory=list)
    optimal: bool = True

    @property
    def assigned_pairs(self) -> int:
        """How many (brief, profile) pairs were chosen."""
        return sum(len(c) for c in self.chosen)


def conflict_matrix(
    *,
    requester_organisations: list[str | None],
    declared: list[set[str]],
    profile_ids: list[str],
    profile_organisations: list[str],
    coauthors: list[set[str]],
) -> npt.NDArray[np.bool_]:
    """Which (brief, profile) pairs are conflicts of interest.

    A pair conflicts when the profile belongs to the requesting organisation, is declared as a
    conflict by the brief, or has published with a declared conflict (co-authorship).

    Args:
        requester_organisations: per brief, the requesting organisation (or None).
        declared: per brief, the declared conflicting profile ids.
        profile_ids: per profile, its id.
        profile_organisations: per profile, its organisation id.
        coauthors: per profile, the ids of its co-authors.
    """
    briefs, profiles = len(requester_organisations), len(profile_ids)
    result = np.zeros((briefs, profiles), dtype=bool)
    organisations = np.array(profile_organisations, dtype=object)
    for b in range(briefs):
        if requester_organisations[b]:
            result[b] |= organisations == requester_organisations[b]
        if declared[b]:
            for p in range(profiles):
                if profile_ids[p] in declared[b] or coauthors[p] & declared[b]:
                    result[b, p] = True
    return result


def encode(
    scores: list[list[tuple[int, float]]],
    *,
    demands: list[int],
    capacities: list[int],
    organisations: list[int],
    conflicts: set[tuple[int, int]] | npt.NDArray[np.bool_] | None = None,
    per_organisation: int | None = None,
) -> AssignmentProblem:
    """Encode per-brief candidate lists into an :class:`AssignmentProblem`.

    Args:
        scores: per brief, its candidates as (profile index, score); NaN scores are ineligible.
        demands: partners wanted per brief.
        capacities: capacity per profile.
        organisations: organisation code per profile.
        conflicts: forbidden (brief, profile) pairs, as a set or a boolean matrix.
        per_organisation: optional cap on partners from one organisation per brief.
    """
    if len(scores) != len(demands):
        raise ValueError("scores and demands must have one entry per brief")
    if per_organisation is not None and per_organisation < 1:
        raise ValueError(f"per_organisation must be at least 1, got {per_organisation}")
    pairs: list[Candidate] = []
    conflicted = np.zeros(len(demands), dtype=np.int64)
    for b, candidates in enumerate(scores):
        seen: set[int] = set()
        for p, s in candidates:
            if p in seen or not np.isfinite(s):
                continue
            seen.add(p)
            forbidden = (
                (b, p) in conflicts
                if isinstance(conflicts, set)
                else bool(conflicts[b, p])
                if conflicts is not None
                else False
            )
            if forbidden:
                conflicted[b] += 1
                continue
            pairs.append(Candidate(b, int(p), float(s)))
    return AssignmentProblem(
        demands=np.asarray(demands, dtype=np.int64),
        capacities=np.asarray(capacities, dtype=np.int64),
        organisations=np.asarray(organisations, dtype=np.int64),
        pairs=tuple(pairs),
        conflicted=conflicted,
        per_organisation=per_organisation,
    )


def _constraints(problem: AssignmentProblem) -> tuple[csr_matrix, FloatArray]:
    """Rows A and upper bounds u of A x ≤ u: demands, capacities and diversity caps."""
    n = len(problem.pairs)
    columns = np.arange(n)
    briefs = np.array([c.brief for c in problem.pairs], dtype=np.int64)
    profiles = np.array([c.profile for c in problem.pairs], dtype=np.int64)
    blocks = [
        coo_matrix((np.ones(n), (briefs, columns)), shape=(len(problem.demands), n)),
        coo_matrix((np.ones(n), (profiles, columns)), shape=(len(problem.capacities), n)),
    ]
    bounds = [problem.demands.astype(np.float64), problem.capacities.astype(np.float64)]
    if problem.per_organisation is not None and n:
        groups: dict[tuple[int, int], int] = {}
        rows = np.array(
            [
                groups.setdefault((int(b), int(problem.organisations[p])), len(groups))
                for b, p in zip(briefs, profiles, strict=True)
            ],
            dtype=np.int64,
        )
        blocks.append(coo_matrix((np.ones(n), (rows, columns)), shape=(len(groups), n)))
        bounds.append(np.full(len(groups), float(problem.per_organisation)))
    return csr_matrix(vstack(blocks)), np.concatenate(bounds)


def solve(problem: AssignmentProblem) -> tuple[npt.NDArray[np.bool_], bool]:
    """Solve exactly; returns which pairs are chosen and whether optimality was proved."""
    n = len(problem.pairs)
    if n == 0:
        return np.zeros(0, dtype=bool), True
    matrix, upper = _constraints(problem)
    limits = LinearConstraint(matrix, -np.inf, upper)
    integral = np.ones(n)
    box = Bounds(0, 1)
    # Stage 1: as many pairs as the constraints allow.
    first = milp(-np.ones(n), constraints=[limits], integrality=integral, bounds=box)
    if first.x is None:
        return np.zeros(n, dtype=bool), False
    most = round(-first.fun)
    # Stage 2: the best total score among assignments of that size.
    scores = np.array([c.score for c in problem.pairs], dtype=np.float64)
    size = LinearConstraint(np.ones((1, n)), most, np.inf)
    second = milp(-scores, constraints=[limits, size], integrality=integral, bounds=box)
    chosen = (second.x if second.x is not None else first.x) > 0.5
    return chosen, bool(first.success and second.success)


def decode(
    problem: AssignmentProblem,
    chosen: npt.NDArray[np.bool_],
    *,
    alternates: int = 3,
    optimal: bool = True,
) -> Assignment:
    """Turn the solver's choice into per-brief partners, alternates and a diagnosis."""
    briefs = len(problem.demands)
    picked: list[list[tuple[int, float]]] = [[] for _ in range(briefs)]
    eligible: list[list[Candidate]] = [[] for _ in range(briefs)]
    load = np.zeros(len(problem.capacities), dtype=np.int64)
    for candidate, take in zip(problem.pairs, chosen, strict=True):
        eligible[candidate.brief].append(candidate)
        if take:
            picked[candidate.brief].append((candidate.profile, candidate.score))
            load[candidate.profile] += 1
    spare = problem.capacities - load
    result_alternates: list[list[tuple[int, float, bool]]] = []
    shortfalls: list[Shortfall] = []
    for b in range(briefs):
        picked[b].sort(key=lambda item: -item[1])
        taken = {p for p, _ in picked[b]}
        others = sorted((c for c in eligible[b] if c.profile not in taken), key=lambda c: -c.score)
        result_alternates.append(
            [(c.profile, c.score, bool(spare[c.profile] > 0)) for c in others[:alternates]]
        )
        wanted = int(problem.demands[b])
        if len(picked[b]) < wanted:
            shortfalls.append(_diagnose(problem, b, eligible[b], len(picked[b])))
    total = float(sum(s for brief in picked for _, s in brief))
    return Assignment(picked, result_alternates, total, shortfalls, optimal)


def _diagnose(
    problem: AssignmentProblem, brief: int, eligible: list[Candidate], assigned: int
) -> Shortfall:
    wanted = int(problem.demands[brief])
    usable = [c for c in eligible if problem.capacities[c.profile] > 0]
    if len(usable) < wanted:
        removed = int(problem.conflicted[brief])
        detail = f"{len(usable)} eligible candidate(s) for {wanted} place(s)"
        if removed:
            detail += f"; {removed} removed as conflicts of interest"
        return Shortfall(brief, wanted, assigned, NOT_ENOUGH_CANDIDATES, detail)
    if problem.per_organisation is not None:
        per_org: dict[int, int] = defaultdict(int)
        for c in usable:
            per_org[int(problem.organisations[c.profile])] += 1
        reachable = sum(min(count, problem.per_organisation) for count in per_org.values())
        if reachable < wanted:
            return Shortfall(
                brief,
                wanted,
                assigned,
                DIVERSITY,
                f"at most {problem.per_organisation} per organisation leaves {reachable} possible partner(s)",
            )
    return Shortfall(
        brief,
        wanted,
        assigned,
        CAPACITY,
        f"{len(usable)} eligible candidate(s), but their capacity is taken by other briefs",
    )


def assign(
    scores: list[list[tuple[int, float]]],
    *,
    demands: list[int],
    capacities: list[int],
    organisations: list[int],
    conflicts: set[tuple[int, int]] | npt.NDArray[np.bool_] | None = None,
    per_organisation: int | None = None,
    alternates: int = 3,
) -> Assignment:
    """Encode, solve and decode in one call (see :func:`encode` for the arguments)."""
    problem = encode(
        scores,
        demands=demands,
        capacities=capacities,
        organisations=organisations,
        conflicts=conflicts,
        per_organisation=per_organisation,
    )
    chosen, optimal = solve(problem)
    return decode(problem, chosen, alternates=alternates, optimal=optimal)
