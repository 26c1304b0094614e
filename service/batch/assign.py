"""Step 3 of a batch run: assign partners to briefs under capacities, conflicts and diversity,
with each row's places split among the kinds it asks for (:mod:`matcher.consortium`'s rules)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.db.catalogue import Catalogue
from matcher.assignment import Assignment, assign, conflict_matrix
from matcher.consortium import (
    KIND_NAMES,
    accepted_kinds,
    place_kinds,
    required_kinds,
    within_kind_ranks,
)
from matcher.model import CallBrief, Profile, ProfileKind
from service.batch.score import Candidates


@dataclass(frozen=True, slots=True)
class Allocation:
    """The assignment and what it was computed from.

    Attributes:
        assignment: partners, alternates and shortfalls per brief (indices into the candidates).
        conflicts: briefs × candidates, ``True`` where a candidate may not serve a brief
            (conflict of interest, or deleted since the index was built).
        profiles: the candidates' profiles by id (deleted ones are absent).
        seconds: how long the solver took.
        places: per brief, its places per kind.
    """

    assignment: Assignment
    conflicts: npt.NDArray[np.bool_]
    profiles: dict[str, Profile]
    seconds: float
    places: list[dict[ProfileKind, int]]


def assign_partners(
    catalogue: Catalogue,
    calls: Sequence[CallBrief],
    candidates: Candidates,
    *,
    capacity: int | None = None,
    per_organisation: int | None = None,
    alternates: int = 3,
) -> Allocation:
    """Assign each brief its partners among its candidates.

    Args:
        catalogue: where the candidates' organisations, co-authors and capacities are read.
        calls: the call's rows, in the order of ``candidates.per_brief``.
        candidates: every brief's scored candidates.
        capacity: a call-level capacity for every profile (overrides profiles' own), if given.
        per_organisation: at most this many partners from one organisation per brief.
        alternates: alternates listed per brief.
    """
    ids = candidates.ids
    profiles = catalogue.get_profiles(ids)
    organisations = [profiles[i].organisation_id if i in profiles else "" for i in ids]
    conflicts = conflict_matrix(
        requester_organisations=[c.requester_organisation for c in calls],
        declared=[set(c.conflicts) for c in calls],
        profile_ids=ids,
        profile_organisations=organisations,
        coauthors=[set(profiles[i].coauthors) if i in profiles else set() for i in ids],
    )
    for index, profile_id in enumerate(ids):
        if profile_id not in profiles:  # deleted since the index was built
            conflicts[:, index] = True
    capacities = [
        (capacity if capacity is not None else profiles[i].capacity) if i in profiles else 0
        for i in ids
    ]
    # a deleted profile is a conflict everywhere; its kind only needs to be one of the kinds
    kinds = [profiles[i].kind if i in profiles else ProfileKind.ACADEMIC for i in ids]
    places = split_places(calls, candidates, kinds=kinds, conflicts=conflicts)
    organisation_codes: dict[str, int] = {}
    started = time.perf_counter()
    assignment = assign(
        candidates.per_brief,
        demands=[c.partners for c in calls],
        capacities=capacities,
        organisations=[
            organisation_codes.setdefault(o, len(organisation_codes)) for o in organisations
        ],
        conflicts=conflicts,
        per_organisation=per_organisation,
        kinds=[KIND_NAMES[k] for k in kinds],
        slots=[{KIND_NAMES[k]: n for k, n in p.items()} for p in places],
        alternates=alternates,
    )
    return Allocation(
        assignment=assignment,
        conflicts=conflicts,
        profiles=profiles,
        seconds=time.perf_counter() - started,
        places=places,
    )


def split_places(
    calls: Sequence[CallBrief],
    candidates: Candidates,
    *,
    kinds: Sequence[ProfileKind],
    conflicts: npt.NDArray[np.bool_],
) -> list[dict[ProfileKind, int]]:
    """Each row's places per kind (:func:`matcher.consortium.place_kinds`), from the ranks of
    its eligible candidates within their kind across the whole call.

    Args:
        calls: the call's rows.
        candidates: every brief's scored candidates.
        kinds: the kind of each candidate index.
        conflicts: briefs × candidates, True where a candidate may not serve a brief.
    """
    pairs = [
        (b, p, s)
        for b, row in enumerate(candidates.per_brief)
        for p, s in row
        if not conflicts[b, p]
    ]
    ranks = within_kind_ranks([s for _, _, s in pairs], [kinds[p] for _, p, _ in pairs])
    strengths: list[dict[ProfileKind, list[float]]] = [{} for _ in calls]
    for (b, p, _s), rank in zip(pairs, ranks, strict=True):
        strengths[b].setdefault(kinds[p], []).append(float(rank))
    return [
        place_kinds(
            call.partners,
            required=required_kinds(call.text, call.kinds),
            accepted=accepted_kinds(call.kinds),
            strengths=strengths[b],
        )
        for b, call in enumerate(calls)
    ]
