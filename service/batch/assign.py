"""Step 3 of a batch run: assign partners to briefs under capacities, conflicts and diversity."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.db.catalogue import Catalogue
from matcher.assignment import Assignment, assign, conflict_matrix
from matcher.model import CallBrief, Profile
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
    """

    assignment: Assignment
    conflicts: npt.NDArray[np.bool_]
    profiles: dict[str, Profile]
    seconds: float


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
        alternates=alternates,
    )
    return Allocation(
        assignment=assignment,
        conflicts=conflicts,
        profiles=profiles,
        seconds=time.perf_counter() - started,
    )
