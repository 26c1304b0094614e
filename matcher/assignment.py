"""Constrained assignment of partners to briefs: encode → solve → decode.

Given the scores of candidate (brief, profile) pairs, choose partners so that every brief gets as
many as it asks for and the total score is as high as possible, subject to each profile's
capacity, conflicts of interest, an optional cap on partners from one organisation per brief and,
when profiles have kinds, the places each brief gives to each kind (its *slots*: e.g. one
academic, one clinical team, one SME). Slots matter because scores of different kinds are not
comparable: without them the kind that scores highest would take every place.

:func:`encode` turns per-brief candidate lists (or a dense or sparse score matrix) into arrays,
one entry per eligible pair; :func:`solve` chooses pairs; :func:`decode` turns the choice back
into partners per brief, alternates and a diagnosis of every brief that is short.
:func:`assign` does all three.

Why it is exact: the problem is a network flow (source → profile → (brief, kind, organisation)
→ (brief, kind) → brief → sink, with capacities on every arc but the pairs', which carry one unit
each), so its constraint matrix is totally unimodular and every vertex of its linear relaxation
is integral. It is solved lexicographically, in two stages:

1. the largest number of assigned pairs — an integer maximum flow
   (``scipy.sparse.csgraph.maximum_flow``);
2. the highest total score among assignments of exactly that size — a linear programme solved
   with the HiGHS dual simplex (``scipy.optimize.linprog``), whose basic optimal solution is
   integral because adding the "size ≥ stage-1 optimum" row keeps the matrix totally unimodular
   (its rows are two laminar families: profiles; and (brief, organisation) ⊂ (brief, kind) ⊂
   brief ⊂ all).

The nesting needs each organisation's candidates for a brief to be of one kind (a university's
academics, a trust's clinical teams). When a per-organisation cap meets an organisation with
candidates of several kinds, the two families cross and the matrix may not be totally
unimodular: both stages are then solved as integer programmes (HiGHS branch and bound), still
exactly.

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
from collections.abc import Hashable, Mapping, Sequence, Set
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

SlotInput: TypeAlias = Sequence[Mapping[Hashable, int] | None]
"""Per brief, its places per kind (a kind it does not name gets none), or None for a brief that
takes any kind."""

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
        kinds: a kind code per profile (all 0 without kinds).
        kind_labels: the label of each kind code; empty when the problem has no kinds.
        slots: briefs × kinds, the places each brief gives each kind (one column, the demand,
            without kinds).
        conflicted_kinds: briefs × kinds, the conflicts of interest removed per kind.
    """

    demands: IntArray
    capacities: IntArray
    organisations: IntArray
    briefs: IntArray
    profiles: IntArray
    scores: FloatArray
    conflicted: IntArray
    per_organisation: int | None = None
    kinds: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    kind_labels: tuple[Hashable, ...] = ()
    slots: IntArray = field(default_factory=lambda: np.zeros((0, 1), dtype=np.int64))
    conflicted_kinds: IntArray = field(default_factory=lambda: np.zeros((0, 1), dtype=np.int64))

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
        kinds: the kinds whose places are not all filled (by label; empty without kinds).
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
    kinds: tuple[Hashable, ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    """The decoded solution.

    Attributes:
        chosen: per brief, the chosen partners, best first.
        alternates: per brief, the next best eligible candidates not chosen, with whether each
            still has capacity left: best first, or with kinds, the best of each kind the brief
            has places for in turn.
        total_score: the sum of the chosen pairs' scores.
        shortfalls: the briefs that are short, in brief order, with the binding constraint.
        optimal: whether the solver proved optimality (False only after a time limit or a
            solver failure, when the stage-1 assignment, largest but not best-scored, is kept).
        remaining: per profile, the capacity it has left after this assignment.
    """

    chosen: list[list[Pick]]
    alternates: list[list[Alternate]]
    total_score: float
    shortfalls: list[Shortfall] = field(default_factory=list)
    optimal: bool = True
    remaining: tuple[int, ...] = ()

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
    kinds: Sequence[Hashable] | None = None,
    slots: SlotInput | None = None,
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
        kinds: a kind label per profile (any hashable: "academic", "SME"); given with ``slots``.
        slots: per brief, its places per kind label, adding up to its demand (a kind it does
            not name gets no place; a label no profile has is a kind without candidates), or
            None for a brief that takes any kind.

    Raises:
        ValueError: inconsistent lengths or shapes, a profile index out of range, a negative
            demand, capacity or slot, slots that do not add up to the demand, ``kinds``
            without ``slots`` (or the reverse), or ``per_organisation`` < 1 or without
            ``organisations``.
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
    kind_codes, labels_of_kinds, slot_matrix = _kind_slots(kinds, slots, demand, n_profiles)
    conflicted_kinds = np.zeros(slot_matrix.shape, dtype=np.int64)
    np.add.at(conflicted_kinds, (b[forbidden], kind_codes[p[forbidden]]), 1)
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
        kinds=kind_codes,
        kind_labels=labels_of_kinds,
        slots=slot_matrix,
        conflicted_kinds=conflicted_kinds,
    )


def _kind_slots(
    kinds: Sequence[Hashable] | None, slots: SlotInput | None, demand: IntArray, n_profiles: int
) -> tuple[IntArray, tuple[Hashable, ...], IntArray]:
    """Kind codes per profile, the labels of the codes and the briefs × kinds slot matrix."""
    if (kinds is None) != (slots is None):
        raise ValueError("kinds and slots go together: give both or neither")
    if kinds is None or slots is None:
        return np.zeros(n_profiles, dtype=np.int64), (), demand.reshape(demand.size, 1).copy()
    if len(kinds) != n_profiles:
        raise ValueError(f"kinds has {len(kinds)} entries for {n_profiles} profiles")
    if len(slots) != demand.size:
        raise ValueError(f"slots has {len(slots)} slot entries for {demand.size} briefs")
    labels: dict[Hashable, int] = {}
    codes = np.array([labels.setdefault(k, len(labels)) for k in kinds], dtype=np.int64)
    for wanted in slots:  # a kind asked for that no candidate has still gets its column
        for label in wanted or {}:
            labels.setdefault(label, len(labels))
    matrix = np.zeros((demand.size, len(labels)), dtype=np.int64)
    for brief, wanted in enumerate(slots):
        if wanted is None:
            matrix[brief] = demand[brief]
            continue
        for label, places in wanted.items():
            if places < 0:
                raise ValueError(f"slots must be ≥ 0, got {places} for {label!r} in brief {brief}")
            matrix[brief, labels[label]] = places
        if matrix[brief].sum() != demand[brief]:
            raise ValueError(
                f"the slots of brief {brief} add up to {int(matrix[brief].sum())}, "
                f"but it wants {int(demand[brief])}"
            )
    return codes.reshape(n_profiles), tuple(labels), matrix


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
        time_limit: seconds allowed for the score stage (the size stage is a fast max flow, or
            an integer programme when the per-organisation cap crosses the kind slots).

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
        (problem.capacities[problem.profiles] > 0)
        & (problem.demands[problem.briefs] > 0)
        & (problem.slots[problem.briefs, problem.kinds[problem.profiles]] > 0)
    )
    if usable.size == 0:
        return chosen, True
    started = time.perf_counter()
    families = _families(problem, usable)
    matrix, bound = _constraint_rows(problem, families)
    if families.nested:
        largest = _most_pairs(problem, families)
    else:
        found, _ = _optimise(-np.ones(usable.size), matrix, bound, None)
        largest = np.zeros(usable.size, dtype=bool) if found is None else found
    most = int(largest.sum())
    flow_s = time.perf_counter() - started
    # the size row: at least ``most`` pairs
    sized = sparse.csr_array(sparse.vstack([matrix, sparse.coo_array(-np.ones((1, usable.size)))]))
    best, optimal = _optimise(
        -problem.scores[usable], sized, np.append(bound, -float(most)), time_limit
    )
    if best is None:
        logger.warning("assignment score stage did not finish; keeping the largest assignment")
        best, optimal = largest, False
    chosen[usable] = best
    logger.debug(
        "assignment: %d pairs, %d chosen, size stage %.3fs, total %.3fs",
        usable.size,
        most,
        flow_s,
        time.perf_counter() - started,
    )
    return chosen, optimal


@dataclass(frozen=True, slots=True)
class _Families:
    """The usable pairs and the groups that limit them besides profiles and briefs.

    Attributes:
        usable: indices of the usable pairs in the problem's arrays.
        kind_groups: per usable pair, its (brief, kind) group.
        kind_briefs: per (brief, kind) group, its brief.
        kind_limits: per (brief, kind) group, its places.
        org_groups: per usable pair, its (brief, organisation) group (None without a cap).
        org_parents: per (brief, organisation) group, the (brief, kind) group of its first pair.
        org_limits: per (brief, organisation) group, its limit.
        nested: whether every (brief, organisation) group lies within one (brief, kind) group.
    """

    usable: IntArray
    kind_groups: IntArray
    kind_briefs: IntArray
    kind_limits: IntArray
    org_groups: IntArray | None
    org_parents: IntArray
    org_limits: IntArray
    nested: bool


def _families(problem: AssignmentProblem, usable: IntArray) -> _Families:
    """Group the usable pairs by (brief, kind) and, under a cap, by (brief, organisation)."""
    briefs = problem.briefs[usable]
    kinds = problem.kinds[problem.profiles[usable]]
    _, first, kind_groups = np.unique(
        briefs * problem.slots.shape[1] + kinds, return_index=True, return_inverse=True
    )
    kind_groups = kind_groups.astype(np.int64).reshape(usable.size)
    kind_briefs = briefs[first]
    kind_limits = problem.slots[kind_briefs, kinds[first]]
    empty = np.zeros(0, dtype=np.int64)
    if problem.per_organisation is None:
        return _Families(usable, kind_groups, kind_briefs, kind_limits, None, empty, empty, True)
    width = int(problem.organisations.max(initial=0)) + 1
    keys = briefs * width + problem.organisations[problem.profiles[usable]]
    _, first, org_groups = np.unique(keys, return_index=True, return_inverse=True)
    org_groups = org_groups.astype(np.int64).reshape(usable.size)
    org_limits = np.minimum(problem.demands[briefs[first]], problem.per_organisation)
    nested = np.unique(org_groups * kind_limits.size + kind_groups).size == first.size
    return _Families(
        usable, kind_groups, kind_briefs, kind_limits, org_groups, kind_groups[first],
        org_limits, bool(nested),
    )  # fmt: skip


def _constraint_rows(
    problem: AssignmentProblem, families: _Families
) -> tuple[sparse.csr_array, FloatArray]:
    """The rows "≤ limit" over the usable pairs: briefs, profiles, (brief, kind) places (with
    kinds) and (brief, organisation) caps (with a cap)."""
    usable = families.usable
    n = usable.size
    columns = np.arange(n)

    def block(rows: IntArray, height: int) -> sparse.coo_array:
        return sparse.coo_array((np.ones(n), (rows, columns)), shape=(height, n))

    blocks = [
        block(problem.briefs[usable], problem.demands.size),
        block(problem.profiles[usable], problem.capacities.size),
    ]
    upper = [problem.demands.astype(np.float64), problem.capacities.astype(np.float64)]
    if problem.kind_labels:
        blocks.append(block(families.kind_groups, families.kind_limits.size))
        upper.append(families.kind_limits.astype(np.float64))
    if families.org_groups is not None:
        blocks.append(block(families.org_groups, families.org_limits.size))
        upper.append(families.org_limits.astype(np.float64))
    return sparse.csr_array(sparse.vstack(blocks)), np.concatenate(upper)


def _most_pairs(problem: AssignmentProblem, families: _Families) -> BoolArray:
    """Stage 1: an assignment with the most pairs, as an integer maximum flow through
    profile → finest group → (brief, kind) → brief."""
    usable = families.usable
    n_profiles, n_briefs = problem.capacities.size, problem.demands.size
    n_kinds = families.kind_limits.size
    if families.org_groups is None:  # the finest groups are the (brief, kind) groups
        finest, parents, limits = families.kind_groups, np.arange(n_kinds), families.kind_limits
    else:
        finest, parents = families.org_groups, families.org_parents
        limits = np.minimum(families.org_limits, families.kind_limits[parents])
    n_finest = limits.size
    # nodes: source, profiles, finest groups, (brief, kind) groups, briefs, sink
    finest_base = 1 + n_profiles
    kind_base = finest_base + n_finest
    brief_base = kind_base + n_kinds
    sink = brief_base + n_briefs
    profile_node = 1 + problem.profiles[usable]
    group_node = finest_base + finest
    profiles = np.unique(problem.profiles[usable])
    bound = usable.size  # no arc carries more than every pair
    tails = np.concatenate(
        [
            np.zeros(profiles.size, dtype=np.int64),
            profile_node,
            finest_base + np.arange(n_finest),
            kind_base + np.arange(n_kinds),
            brief_base + np.arange(n_briefs),
        ]
    )
    heads = np.concatenate(
        [
            1 + profiles,
            group_node,
            kind_base + parents,
            brief_base + families.kind_briefs,
            np.full(n_briefs, sink, dtype=np.int64),
        ]
    )
    arcs = np.concatenate(
        [
            np.minimum(problem.capacities[profiles], bound),
            np.ones(usable.size, dtype=np.int64),
            np.minimum(limits, bound),
            np.minimum(families.kind_limits, bound),
            np.minimum(problem.demands, bound),
        ]
    ).astype(np.int32)
    graph = sparse.csr_array((arcs, (tails, heads)), shape=(sink + 1, sink + 1))
    flow = sparse.csr_array(maximum_flow(graph, 0, sink).flow)
    return np.asarray(flow[profile_node, group_node]).reshape(usable.size) > 0


def _optimise(
    objective: FloatArray,
    matrix: sparse.csr_array,
    bound: FloatArray,
    time_limit: float | None,
) -> tuple[BoolArray | None, bool]:
    """Minimise ``objective · x`` over 0/1 ``x`` with ``matrix @ x ≤ bound``: the LP (integral
    when the rows are totally unimodular), else the integer programme."""
    n = objective.size
    options: dict[str, Any] = {} if time_limit is None else {"time_limit": time_limit}
    result = linprog(
        objective, A_ub=matrix, b_ub=bound, bounds=(0, 1), method="highs-ds", options=options
    )
    if result.status != 0 or result.x is None:  # time limit or solver failure
        return None, False
    x = np.asarray(result.x, dtype=np.float64)
    chosen = x > 0.5
    if np.all(np.abs(x - chosen) <= _INTEGRAL) and np.all(matrix @ chosen <= bound + 0.5):
        return chosen, True
    # happens only when a cap crosses the kind slots (the rows are then not totally unimodular)
    logger.debug("assignment LP is fractional; solving as an integer programme")
    exact = milp(
        objective,
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
            chosen for it, whether or not they have capacity left; with kinds, the best of each
            kind the brief has places for in turn, so that each kind has a stand-in).
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
        rest = _alternates(problem, b, taken, alternates)
        others.append(
            [Alternate(int(profiles[i]), float(scores[i]), bool(spare[profiles[i]])) for i in rest]
        )
        if len(picks) < problem.demands[b]:
            if _kind_constrained(problem, b):
                shortfalls.append(_diagnose_kinds(problem, b, chosen, spare, holders))
            else:
                shortfalls.append(_diagnose(problem, b, chosen, spare, holders))
    total = float(problem.scores[chosen].sum())
    remaining = tuple(int(r) for r in problem.capacities - load)
    return Assignment(picked, others, total, shortfalls, optimal, remaining)


def _kind_constrained(problem: AssignmentProblem, brief: int) -> bool:
    """Whether a brief's places are split among kinds (not a brief that takes any kind)."""
    return bool(problem.kind_labels) and int(problem.slots[brief].sum()) == int(
        problem.demands[brief]
    )


def _alternates(problem: AssignmentProblem, brief: int, taken: BoolArray, count: int) -> IntArray:
    """Rows (within the brief's slice) of its alternates: the best not chosen; with kinds, the
    best of each kind it has places for in turn (first of each kind, then second, ...)."""
    rest = np.flatnonzero(~taken)
    if not _kind_constrained(problem, brief):
        return rest[:count]
    kinds = problem.kinds[problem.profiles[problem.rows(brief)]][rest]
    wanted = np.flatnonzero(problem.slots[brief] > 0)
    # the position of each alternate within its kind: rows are best first within the brief
    turn = np.zeros(rest.size, dtype=np.int64)
    for k in wanted:
        mine = kinds == k
        turn[mine] = np.arange(int(mine.sum()))
    keep = np.isin(kinds, wanted)
    order = np.lexsort((kinds[keep], turn[keep]))
    return rest[keep][order][:count]


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


def _label(problem: AssignmentProblem, kind: int) -> str:
    return str(problem.kind_labels[kind])


def _diagnose_kinds(
    problem: AssignmentProblem,
    brief: int,
    chosen: BoolArray,
    spare: BoolArray,
    holders: tuple[IntArray, IntArray],
) -> Shortfall:
    """Name the kinds whose places ``brief`` could not fill, and for each the constraint that
    binds (the same three as :func:`_diagnose`, counted within the kind)."""
    rows = problem.rows(brief)
    profiles, taken = problem.profiles[rows], chosen[rows]
    kinds = problem.kinds[profiles]
    found: set[Constraint] = set()
    details: list[str] = []
    short: list[Hashable] = []
    competing: set[int] = set()
    for k in np.flatnonzero(problem.slots[brief] > 0):
        mine = kinds == k
        wanted, assigned = int(problem.slots[brief, k]), int(taken[mine].sum())
        if assigned >= wanted:
            continue
        short.append(problem.kind_labels[k])
        binding, text, others = _kind_shortfall(problem, brief, int(k), mine, taken, spare, holders)
        found.update(binding)
        details.append(text)
        competing.update(others)
    ordered = [c for c in Constraint if c in found] or [
        Constraint.DIVERSITY if problem.per_organisation is not None else Constraint.CAPACITY
    ]
    return Shortfall(
        brief=brief,
        wanted=int(problem.demands[brief]),
        assigned=int(taken.sum()),
        constraint=ordered[0],
        detail="; ".join(details),
        constraints=tuple(ordered),
        eligible=int(profiles.size),
        conflicted=int(problem.conflicted[brief]),
        competing=tuple(sorted(competing)),
        kinds=tuple(short),
    )


def _kind_shortfall(
    problem: AssignmentProblem,
    brief: int,
    kind: int,
    mine: BoolArray,
    taken: BoolArray,
    spare: BoolArray,
    holders: tuple[IntArray, IntArray],
) -> tuple[list[Constraint], str, set[int]]:
    """Why one kind of a brief is short: the binding constraints, a sentence, the competitors."""
    label = _label(problem, kind)
    profiles = problem.profiles[problem.rows(brief)][mine]
    wanted, assigned = int(problem.slots[brief, kind]), int(taken[mine].sum())
    eligible, conflicted = int(profiles.size), int(problem.conflicted_kinds[brief, kind])
    binding: list[Constraint] = []
    parts: list[str] = []
    if eligible < wanted:
        binding.append(Constraint.NOT_ENOUGH_CANDIDATES)
        parts.append(
            f"no eligible {label}: 0 for {wanted} place(s)"
            if eligible == 0
            else f"{eligible} eligible {label}(s) for {wanted} {label} place(s)"
        )
        if conflicted:
            parts[-1] += f"; {conflicted} removed as conflicts of interest"
    reachable = eligible
    if problem.per_organisation is not None and eligible:
        _, per_org = np.unique(problem.organisations[profiles], return_counts=True)
        reachable = int(np.minimum(per_org, problem.per_organisation).sum())
    if reachable < min(eligible, wanted):
        binding.append(Constraint.DIVERSITY)
        parts.append(
            f"at most {problem.per_organisation} per organisation leaves {reachable} possible "
            f"{label}(s) of {eligible} eligible"
        )
    others: set[int] = set()
    if assigned < min(wanted, reachable):
        full = profiles[~taken[mine] & ~spare[profiles]]
        held_profiles, held_briefs = holders
        holding = np.isin(held_profiles, full) & (held_briefs != brief)
        others = {int(b) for b in np.unique(held_briefs[holding])}
        if full.size:
            binding.append(Constraint.CAPACITY)
        if full.size == eligible - assigned:
            parts.append(
                f"no eligible {label} left: all {eligible + conflicted} {label}s at capacity "
                f"or conflicted" + (f" (taken by {len(others)} other brief(s))" if others else "")
            )
        else:
            parts.append(f"{full.size} of {eligible} eligible {label}s have no capacity left")
    return binding, "; ".join(parts), others


def assign(
    scores: ScoreInput,
    *,
    demands: Sequence[int],
    capacities: Sequence[int],
    organisations: Sequence[Hashable] | None = None,
    conflicts: ConflictInput = None,
    per_organisation: int | None = None,
    kinds: Sequence[Hashable] | None = None,
    slots: SlotInput | None = None,
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
        kinds=kinds,
        slots=slots,
    )
    chosen, optimal = solve(problem, time_limit=time_limit)
    return decode(problem, chosen, alternates=alternates, optimal=optimal)
