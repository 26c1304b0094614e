"""Constrained assignment of partners to briefs: encode → solve → decode.

Given the scores of candidate (brief, profile) pairs, choose partners so that every brief gets as
many as it asks for and the total score is as high as possible, subject to each profile's
capacity, conflicts of interest and an optional cap on partners from one organisation per brief.

:func:`encode` turns per-brief candidate lists (or a dense or sparse score matrix) into arrays,
one entry per eligible pair; :func:`solve` chooses pairs; :func:`decode` turns the choice back
into partners per brief, alternates and a diagnosis of every brief that is short.
:func:`assign` does all three.

Why it is exact: the problem is a network flow (source → profile → (brief, organisation) → brief
→ sink, with capacities on the first and last two arcs and one unit on each pair), so its
constraint matrix is totally unimodular and every vertex of its linear relaxation is integral.
It is solved lexicographically, in two stages:

1. the largest number of assigned pairs — an integer maximum flow
   (``scipy.sparse.csgraph.maximum_flow``);
2. the highest total score among assignments of exactly that size — a linear programme solved
   with the HiGHS dual simplex (``scipy.optimize.linprog``), whose basic optimal solution is
   integral because adding the "size ≥ stage-1 optimum" row keeps the matrix totally unimodular
   (its rows are two laminar families: profiles; and (brief, organisation) ⊂ brief ⊂ all).

Filling briefs comes first because a brief without partners fails its funding call, whatever the
scores elsewhere: a pair with a low (even negative) score is assigned when it gives a brief a
partner it would otherwise lack. Callers who want a floor on quality pass NaN for pairs below it.

Infeasibility never raises: when capacities, conflicts or the diversity cap cannot give every
brief its partners, the result is the best partial assignment and each short brief is reported
with the constraint that binds (:class:`Constraint`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Sequence, Set
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import maximum_flow

logger = logging.getLogger(__name__)

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

CandidateLists: TypeAlias = Sequence[Sequence[tuple[int, float]]]
"""Per brief, its candidates as (profile index, score)."""

ScoreInput: TypeAlias = CandidateLists | npt.NDArray[np.floating[Any]] | Any
"""Candidate lists, a dense briefs × profiles matrix (every finite entry is a candidate) or a
``scipy.sparse`` matrix (every stored entry is a candidate)."""

ConflictInput: TypeAlias = Set[tuple[int, int]] | npt.NDArray[np.bool_] | Any | None
"""Forbidden (brief, profile) pairs: a set, a dense boolean matrix or a ``scipy.sparse`` one."""

_INTEGRAL = 1e-6


class Constraint(StrEnum):
    """The constraint that keeps a brief from getting all the partners it asked for."""

    NOT_ENOUGH_CANDIDATES = "not enough eligible candidates"
    """Fewer eligible candidates (finite score, no conflict of interest) than places."""
    DIVERSITY = "diversity cap"
    """Enough candidates, but too many of them from the same organisations."""
    CAPACITY = "capacity"
    """Eligible candidates exist, but have no capacity left (taken by other briefs)."""


NOT_ENOUGH_CANDIDATES = Constraint.NOT_ENOUGH_CANDIDATES
DIVERSITY = Constraint.DIVERSITY
CAPACITY = Constraint.CAPACITY


class Pick(NamedTuple):
    """A partner chosen for a brief (a tuple, so ``for profile, score in ...`` works)."""

    profile: int
    score: float


class Alternate(NamedTuple):
    """An eligible candidate not chosen for a brief, and whether it has capacity left."""

    profile: int
    score: float
    spare: bool


@dataclass(frozen=True, slots=True, eq=False)
class AssignmentProblem:
    """The encoded problem: parallel arrays with one entry per eligible (brief, profile) pair.

    Pairs are sorted by brief, then best score first, then profile index; conflicts of interest,
    non-finite scores and duplicate pairs (the best score is kept) are already removed.

    Attributes:
        demands: partners wanted per brief.
        capacities: new collaborations each profile can take.
        organisations: an organisation code per profile (all 0 without organisations).
        briefs: the brief of each pair.
        profiles: the profile of each pair.
        scores: the score of each pair.
        conflicted: per brief, how many candidates were removed as conflicts of interest.
        per_organisation: at most this many partners from one organisation per brief.
    """

    demands: IntArray
    capacities: IntArray
    organisations: IntArray
    briefs: IntArray
    profiles: IntArray
    scores: FloatArray
    conflicted: IntArray
    per_organisation: int | None = None

    @property
    def size(self) -> int:
        """The number of eligible pairs (variables)."""
        return int(self.briefs.size)

    def rows(self, brief: int) -> slice:
        """The slice of the pair arrays that belongs to ``brief``."""
        start, stop = np.searchsorted(self.briefs, [brief, brief + 1])
        return slice(int(start), int(stop))


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A brief that got fewer partners than it asked for, and why.

    Attributes:
        brief: the brief's index.
        wanted: partners it asked for.
        assigned: partners it got.
        constraint: the main binding constraint (the first of ``constraints``).
        detail: a sentence for the report.
        constraints: every constraint that binds, in the order: not enough eligible candidates,
            diversity cap, capacity.
        eligible: eligible candidates (finite score, no conflict of interest).
        conflicted: candidates removed as conflicts of interest.
        competing: the other briefs holding this brief's eligible candidates that are full.
    """

    brief: int
    wanted: int
    assigned: int
    constraint: Constraint
    detail: str
    constraints: tuple[Constraint, ...] = ()
    eligible: int = 0
    conflicted: int = 0
    competing: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    """The decoded solution.

    Attributes:
        chosen: per brief, the chosen partners, best first.
        alternates: per brief, the next best eligible candidates not chosen, best first, with
            whether each still has capacity left.
        total_score: the sum of the chosen pairs' scores.
        shortfalls: the briefs that are short, in brief order, with the binding constraint.
        optimal: whether the solver proved optimality (False only after a time limit or a
            solver failure, when the stage-1 assignment, largest but not best-scored, is kept).
    """

    chosen: list[list[Pick]]
    alternates: list[list[Alternate]]
    total_score: float
    shortfalls: list[Shortfall] = field(default_factory=list)
    optimal: bool = True

    @property
    def assigned_pairs(self) -> int:
        """How many (brief, profile) pairs were chosen."""
        return sum(len(c) for c in self.chosen)

    @property
    def short_briefs(self) -> list[int]:
        """The indices of the briefs that got fewer partners than they asked for."""
        return [s.brief for s in self.shortfalls]


def conflict_matrix(
    *,
    requester_organisations: Sequence[str | None],
    declared: Sequence[Set[str]],
    profile_ids: Sequence[str],
    profile_organisations: Sequence[str],
    coauthors: Sequence[Set[str]],
) -> BoolArray:
    """Which (brief, profile) pairs are conflicts of interest.

    A pair conflicts when the profile belongs to the requesting organisation, is declared as a
    conflict by the brief, or has co-authored with a declared conflict. Co-authorship is read in
    both directions: ``p`` conflicts with a brief that declares ``d`` when ``d`` is among ``p``'s
    co-authors or ``p`` is among ``d``'s (lists are often one-sided). It is not transitive.

    Args:
        requester_organisations: per brief, the requesting organisation (or None).
        declared: per brief, the declared conflicting profile ids (ids not in the pool still
            count through their co-authors).
        profile_ids: per profile, its id.
        profile_organisations: per profile, its organisation id.
        coauthors: per profile, the ids of its co-authors.

    Returns:
        A briefs × profiles boolean matrix, True for a forbidden pair.

    Raises:
        ValueError: the per-brief or per-profile sequences differ in length.
    """
    briefs, profiles = len(requester_organisations), len(profile_ids)
    if len(declared) != briefs:
        raise ValueError(f"declared has {len(declared)} entries for {briefs} briefs")
    if len(profile_organisations) != profiles or len(coauthors) != profiles:
        raise ValueError("profile_organisations and coauthors need one entry per profile id")
    index = {pid: i for i, pid in enumerate(profile_ids)}
    organisation_codes: dict[str, int] = {}
    codes = np.array(
        [organisation_codes.setdefault(o, len(organisation_codes)) for o in profile_organisations],
        dtype=np.int64,
    )
    # who names d as a co-author, and whom d names: both directions of the relation
    linked: dict[str, set[int]] = {}
    for p, names in enumerate(coauthors):
        for name in names:
            linked.setdefault(name, set()).add(p)
            if name in index:
                linked.setdefault(profile_ids[p], set()).add(index[name])
    result = np.zeros((briefs, profiles), dtype=bool)
    for b in range(briefs):
        requester = requester_organisations[b]
        if requester and requester in organisation_codes:
            result[b] |= codes == organisation_codes[requester]
        for d in declared[b]:
            if d in index:
                result[b, index[d]] = True
            hits = linked.get(d)
            if hits:
                result[b, list(hits)] = True
    return result


def encode(
    scores: ScoreInput,
    *,
    demands: Sequence[int],
    capacities: Sequence[int],
    organisations: Sequence[Hashable] | None = None,
    conflicts: ConflictInput = None,
    per_organisation: int | None = None,
) -> AssignmentProblem:
    """Encode scored candidates into an :class:`AssignmentProblem`.

    Args:
        scores: per brief, its candidates as (profile index, score) — the caller's top-M lists —
            or a briefs × profiles matrix: dense (every finite entry is a candidate; NaN and
            -inf are not) or ``scipy.sparse`` (every stored finite entry is a candidate).
            Higher is better.
        demands: partners wanted per brief (≥ 0).
        capacities: new collaborations each profile can take (≥ 0); its length is the number
            of profiles.
        organisations: an organisation label per profile (any hashable); needed only for
            ``per_organisation``.
        conflicts: forbidden (brief, profile) pairs: a set of pairs or a briefs × profiles
            boolean matrix (dense or sparse), e.g. from :func:`conflict_matrix`.
        per_organisation: at most this many partners from one organisation per brief.

    Raises:
        ValueError: inconsistent lengths or shapes, a profile index out of range, a negative
            demand or capacity, or ``per_organisation`` < 1 or without ``organisations``.
    """
    n_briefs, n_profiles = len(demands), len(capacities)
    demand = _counts(demands, "demands")
    capacity = _counts(capacities, "capacities")
    if per_organisation is not None:
        if per_organisation < 1:
            raise ValueError(f"per_organisation must be None or at least 1, got {per_organisation}")
        if organisations is None:
            raise ValueError("per_organisation needs an organisation label per profile")
    codes = np.zeros(n_profiles, dtype=np.int64)
    if organisations is not None:
        if len(organisations) != n_profiles:
            raise ValueError(
                f"organisations has {len(organisations)} entries for {n_profiles} profiles"
            )
        labels: dict[Hashable, int] = {}
        codes = np.array(
            [labels.setdefault(o, len(labels)) for o in organisations], dtype=np.int64
        ).reshape(n_profiles)
    b, p, s = _pairs(scores, n_briefs, n_profiles)
    keep = np.isfinite(s)
    b, p, s = b[keep], p[keep], s[keep]
    # duplicates: keep each pair once, with its best score
    order = np.lexsort((-s, p, b))
    b, p, s = b[order], p[order], s[order]
    first = np.ones(b.size, dtype=bool)
    first[1:] = (b[1:] != b[:-1]) | (p[1:] != p[:-1])
    b, p, s = b[first], p[first], s[first]
    forbidden = _forbidden(conflicts, b, p, n_briefs, n_profiles)
    conflicted = np.bincount(b[forbidden], minlength=n_briefs).astype(np.int64)
    b, p, s = b[~forbidden], p[~forbidden], s[~forbidden]
    order = np.lexsort((p, -s, b))
    return AssignmentProblem(
        demands=demand,
        capacities=capacity,
        organisations=codes,
        briefs=b[order],
        profiles=p[order],
        scores=s[order],
        conflicted=conflicted,
        per_organisation=per_organisation,
    )


def _counts(values: Sequence[int], name: str) -> IntArray:
    array = np.asarray(values, dtype=np.int64).reshape(len(values))
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must be ≥ 0, got {int(array.min())}")
    return array


def _pairs(
    scores: ScoreInput, n_briefs: int, n_profiles: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Flatten any accepted score input into (brief, profile, score) arrays."""
    if sparse.issparse(scores) or isinstance(scores, np.ndarray):
        matrix: Any = scores
        if matrix.shape != (n_briefs, n_profiles):
            raise ValueError(f"scores has shape {matrix.shape}, expected {(n_briefs, n_profiles)}")
        if sparse.issparse(matrix):
            coo = sparse.coo_array(matrix)
            rows, cols, values = coo.row, coo.col, coo.data
        else:
            rows, cols = np.nonzero(np.isfinite(matrix))
            values = matrix[rows, cols]
        return (
            np.asarray(rows, dtype=np.int64),
            np.asarray(cols, dtype=np.int64),
            np.asarray(values, dtype=np.float64),
        )
    if len(scores) != n_briefs:
        raise ValueError(f"scores has {len(scores)} candidate lists for {n_briefs} briefs")
    lengths = np.fromiter((len(row) for row in scores), dtype=np.int64, count=n_briefs)
    flat = [pair for row in scores for pair in row]
    table = np.asarray(flat, dtype=np.float64).reshape(len(flat), 2)
    profiles = table[:, 0].astype(np.int64)
    if not np.array_equal(profiles, table[:, 0]) or (
        profiles.size and (profiles.min() < 0 or profiles.max() >= n_profiles)
    ):
        raise ValueError(f"profile indices must be integers in [0, {n_profiles})")
    return np.repeat(np.arange(n_briefs, dtype=np.int64), lengths), profiles, table[:, 1]


def _forbidden(
    conflicts: ConflictInput, b: IntArray, p: IntArray, n_briefs: int, n_profiles: int
) -> BoolArray:
    """Per pair, whether it is a conflict of interest."""
    if conflicts is None:
        return np.zeros(b.size, dtype=bool)
    if sparse.issparse(conflicts) or isinstance(conflicts, np.ndarray):
        matrix: Any = conflicts
        if matrix.shape != (n_briefs, n_profiles):
            raise ValueError(
                f"conflicts has shape {matrix.shape}, expected {(n_briefs, n_profiles)}"
            )
        if sparse.issparse(matrix):
            matrix = sparse.csr_array(matrix)
        return np.asarray(matrix[b, p]).reshape(b.size).astype(bool)
    keys = np.array([bb * n_profiles + pp for bb, pp in conflicts], dtype=np.int64)
    return np.isin(b * n_profiles + p, keys)


def solve(problem: AssignmentProblem, *, time_limit: float | None = None) -> tuple[BoolArray, bool]:
    """Solve exactly: the most pairs, then the best total score among assignments of that size.

    Args:
        problem: the encoded problem.
        time_limit: seconds allowed for the score stage (the size stage is a fast max flow).

    Returns:
        Which pairs are chosen (aligned with the problem's arrays) and whether optimality was
        proved. Should the score stage fail or time out, the stage-1 assignment (as many pairs
        as possible, feasible, not best-scored) is returned with ``False``.

    Raises:
        ValueError: a negative ``time_limit``.
    """
    if time_limit is not None and time_limit < 0:
        raise ValueError(f"time_limit must be None or ≥ 0 seconds, got {time_limit}")
    chosen = np.zeros(problem.size, dtype=bool)
    usable = np.flatnonzero(
        (problem.capacities[problem.profiles] > 0) & (problem.demands[problem.briefs] > 0)
    )
    if usable.size == 0:
        return chosen, True
    started = time.perf_counter()
    groups, group_briefs, limits = _groups(problem, usable)
    largest = _most_pairs(problem, usable, groups, group_briefs, limits)
    most = int(largest.sum())
    flow_s = time.perf_counter() - started
    best, optimal = _best_scores(problem, usable, groups, limits, most, time_limit)
    if best is None:
        logger.warning("assignment score stage did not finish; keeping the largest assignment")
        best, optimal = largest, False
    chosen[usable] = best
    logger.debug(
        "assignment: %d pairs, %d chosen, max flow %.3fs, total %.3fs",
        usable.size,
        most,
        flow_s,
        time.perf_counter() - started,
    )
    return chosen, optimal


def _groups(problem: AssignmentProblem, usable: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Per usable pair, its (brief, organisation) group — or its brief without a diversity cap —
    and per group, its brief and its limit."""
    briefs = problem.briefs[usable]
    keys = briefs
    if problem.per_organisation is not None:
        width = int(problem.organisations.max(initial=0)) + 1
        keys = briefs * width + problem.organisations[problem.profiles[usable]]
    _, first, groups = np.unique(keys, return_index=True, return_inverse=True)
    group_briefs = briefs[first]
    limits = problem.demands[group_briefs]
    if problem.per_organisation is not None:
        limits = np.minimum(limits, problem.per_organisation)
    return groups.astype(np.int64).reshape(usable.size), group_briefs, limits


def _most_pairs(
    problem: AssignmentProblem,
    usable: IntArray,
    groups: IntArray,
    group_briefs: IntArray,
    limits: IntArray,
) -> BoolArray:
    """Stage 1: an assignment with the most pairs, as an integer maximum flow."""
    n_profiles, n_briefs, n_groups = problem.capacities.size, problem.demands.size, limits.size
    # nodes: source, profiles, groups, briefs, sink
    profile_node = 1 + problem.profiles[usable]
    group_node = 1 + n_profiles + groups
    brief_node = 1 + n_profiles + n_groups + np.arange(n_briefs)
    sink = 1 + n_profiles + n_groups + n_briefs
    profiles = np.unique(problem.profiles[usable])
    bound = usable.size  # no arc carries more than every pair
    tails = np.concatenate(
        [
            np.zeros(profiles.size, dtype=np.int64),
            profile_node,
            1 + n_profiles + np.arange(n_groups),
            brief_node,
        ]
    )
    heads = np.concatenate(
        [
            1 + profiles,
            group_node,
            brief_node[group_briefs],
            np.full(n_briefs, sink, dtype=np.int64),
        ]
    )
    arcs = np.concatenate(
        [
            np.minimum(problem.capacities[profiles], bound),
            np.ones(usable.size, dtype=np.int64),
            np.minimum(limits, bound),
            np.minimum(problem.demands, bound),
        ]
    ).astype(np.int32)
    graph = sparse.csr_array((arcs, (tails, heads)), shape=(sink + 1, sink + 1))
    flow = sparse.csr_array(maximum_flow(graph, 0, sink).flow)
    return np.asarray(flow[profile_node, group_node]).reshape(usable.size) > 0


def _best_scores(
    problem: AssignmentProblem,
    usable: IntArray,
    groups: IntArray,
    limits: IntArray,
    most: int,
    time_limit: float | None,
) -> tuple[BoolArray | None, bool]:
    """Stage 2: the best total score with at least ``most`` pairs (LP; MILP if ever fractional)."""
    n = usable.size
    columns = np.arange(n)
    blocks = [
        sparse.coo_array(
            (np.ones(n), (problem.briefs[usable], columns)), shape=(problem.demands.size, n)
        ),
        sparse.coo_array(
            (np.ones(n), (problem.profiles[usable], columns)), shape=(problem.capacities.size, n)
        ),
    ]
    upper = [problem.demands.astype(np.float64), problem.capacities.astype(np.float64)]
    if problem.per_organisation is not None:
        blocks.append(sparse.coo_array((np.ones(n), (groups, columns)), shape=(limits.size, n)))
        upper.append(limits.astype(np.float64))
    blocks.append(sparse.coo_array(-np.ones((1, n))))
    upper.append(np.array([-float(most)]))
    matrix = sparse.csr_array(sparse.vstack(blocks))
    bound = np.concatenate(upper)
    scores = problem.scores[usable]
    options: dict[str, Any] = {} if time_limit is None else {"time_limit": time_limit}
    result = linprog(
        -scores, A_ub=matrix, b_ub=bound, bounds=(0, 1), method="highs-ds", options=options
    )
    if result.status != 0 or result.x is None:  # time limit or solver failure
        return None, False
    x = np.asarray(result.x, dtype=np.float64)
    chosen = x > 0.5
    if np.all(np.abs(x - chosen) <= _INTEGRAL) and np.all(matrix @ chosen <= bound + 0.5):
        return chosen, True
    # cannot happen for a basic solution of a totally unimodular system; kept as a safety net
    logger.warning("assignment LP returned a fractional solution; solving as an integer programme")
    exact = milp(
        -scores,
        constraints=[LinearConstraint(matrix, -np.inf, bound)],
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options=options,
    )
    if exact.x is None:
        return None, False
    return np.asarray(exact.x) > 0.5, bool(exact.status == 0)


def decode(
    problem: AssignmentProblem,
    chosen: BoolArray,
    *,
    alternates: int = 3,
    optimal: bool = True,
) -> Assignment:
    """Turn the solver's choice into per-brief partners, alternates and a diagnosis.

    Args:
        problem: the encoded problem.
        chosen: which pairs are chosen, aligned with the problem's arrays.
        alternates: how many alternates to list per brief (the best eligible candidates not
            chosen for it, whether or not they have capacity left).
        optimal: passed through to the result.

    Raises:
        ValueError: ``chosen`` does not match the problem, or ``alternates`` < 0.
    """
    if chosen.shape != (problem.size,):
        raise ValueError(f"chosen has shape {chosen.shape}, expected ({problem.size},)")
    if alternates < 0:
        raise ValueError(f"alternates must be ≥ 0, got {alternates}")
    load = np.bincount(problem.profiles[chosen], minlength=problem.capacities.size)
    spare = problem.capacities - load > 0
    picked: list[list[Pick]] = []
    others: list[list[Alternate]] = []
    shortfalls: list[Shortfall] = []
    held = np.flatnonzero(chosen)
    holders = (problem.profiles[held], problem.briefs[held])
    for b in range(problem.demands.size):
        rows = problem.rows(b)
        profiles, scores, taken = problem.profiles[rows], problem.scores[rows], chosen[rows]
        picks = [
            Pick(int(p), float(s)) for p, s in zip(profiles[taken], scores[taken], strict=True)
        ]
        picked.append(picks)
        rest = np.flatnonzero(~taken)[:alternates]
        others.append(
            [Alternate(int(profiles[i]), float(scores[i]), bool(spare[profiles[i]])) for i in rest]
        )
        if len(picks) < problem.demands[b]:
            shortfalls.append(_diagnose(problem, b, chosen, spare, holders))
    total = float(problem.scores[chosen].sum())
    return Assignment(picked, others, total, shortfalls, optimal)


def _diagnose(
    problem: AssignmentProblem,
    brief: int,
    chosen: BoolArray,
    spare: BoolArray,
    holders: tuple[IntArray, IntArray],
) -> Shortfall:
    """Name the constraints that keep ``brief`` short.

    Alone, a brief can get ``reachable`` partners: its eligible candidates, at most
    ``per_organisation`` from each organisation. Fewer eligible candidates than places means
    not enough candidates; a cap that cuts below both means the diversity cap; getting fewer
    than it could alone means capacity, since capacity is the only thing briefs share.
    """
    rows = problem.rows(brief)
    profiles, taken = problem.profiles[rows], chosen[rows]
    wanted, assigned, eligible = int(problem.demands[brief]), int(taken.sum()), int(profiles.size)
    conflicted = int(problem.conflicted[brief])
    reachable = eligible
    if problem.per_organisation is not None and eligible:
        _, per_org = np.unique(problem.organisations[profiles], return_counts=True)
        reachable = int(np.minimum(per_org, problem.per_organisation).sum())
    binding: list[Constraint] = []
    details: list[str] = []
    if eligible < wanted:
        binding.append(Constraint.NOT_ENOUGH_CANDIDATES)
        text = f"{eligible} eligible candidate(s) for {wanted} place(s)"
        if conflicted:
            text += f"; {conflicted} removed as conflicts of interest"
        details.append(text)
    if reachable < min(eligible, wanted):
        binding.append(Constraint.DIVERSITY)
        details.append(
            f"at most {problem.per_organisation} per organisation leaves {reachable} possible "
            f"partner(s) of {eligible} eligible"
        )
    competing: tuple[int, ...] = ()
    if assigned < min(wanted, reachable):
        binding.append(Constraint.CAPACITY)
        full = profiles[~taken & ~spare[profiles]]
        none_left = int((problem.capacities[full] == 0).sum())
        held_profiles, held_briefs = holders
        others = np.isin(held_profiles, full) & (held_briefs != brief)
        competing = tuple(int(b) for b in np.unique(held_briefs[others]))
        text = f"{full.size} of {eligible} eligible candidate(s) have no capacity left"
        reasons = []
        if competing:
            reasons.append(f"taken by {len(competing)} other brief(s)")
        if none_left:
            reasons.append(f"{none_left} had none to give")
        details.append(text + (f" ({'; '.join(reasons)})" if reasons else ""))
    return Shortfall(
        brief=brief,
        wanted=wanted,
        assigned=assigned,
        constraint=binding[0],
        detail="; ".join(details),
        constraints=tuple(binding),
        eligible=eligible,
        conflicted=conflicted,
        competing=competing,
    )


def assign(
    scores: ScoreInput,
    *,
    demands: Sequence[int],
    capacities: Sequence[int],
    organisations: Sequence[Hashable] | None = None,
    conflicts: ConflictInput = None,
    per_organisation: int | None = None,
    alternates: int = 3,
    time_limit: float | None = None,
) -> Assignment:
    """Encode, solve and decode in one call.

    See :func:`encode` for the problem's arguments, :func:`solve` for ``time_limit`` and
    :func:`decode` for ``alternates``. Never raises for an infeasible call: short briefs are in
    :attr:`Assignment.shortfalls`.

    Raises:
        ValueError: inconsistent arguments (see :func:`encode`).
    """
    problem = encode(
        scores,
        demands=demands,
        capacities=capacities,
        organisations=organisations,
        conflicts=conflicts,
        per_organisation=per_organisation,
    )
    chosen, optimal = solve(problem, time_limit=time_limit)
    return decode(problem, chosen, alternates=alternates, optimal=optimal)
