"""Batch matching for funding calls: score every brief through the search path, assign partners
under capacities, conflicts and diversity, propose consortia, and write the reports."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.ingest.calls import parse_call
from matcher.assignment import Assignment, Shortfall, assign, conflict_matrix
from matcher.briefs import make_brief
from matcher.consortium import Consortium, build_consortia, split_facets
from matcher.errors import InvalidRecordError, MatcherError
from matcher.fusion import RankingProfile
from matcher.model import Brief, CallBrief, Profile, ProfileKind, Purpose
from service.container import Container

logger = logging.getLogger(__name__)

CANDIDATES_PER_KIND = 30


@dataclass(frozen=True, slots=True)
class Partner:
    """A profile proposed for a brief."""

    profile_id: str
    name: str
    kind: str
    organisation: str
    unit: str
    score: float
    spare_capacity: bool = True


@dataclass(frozen=True, slots=True)
class ConsortiumView:
    """A consortium with names: members (role, partner) and which member covers each facet."""

    members: list[tuple[str, Partner]]
    covers: list[tuple[str, str, float]]
    coverage: float


@dataclass(slots=True)
class BriefOutcome:
    """What batch matching proposes for one brief."""

    brief: CallBrief
    partners: list[Partner] = field(default_factory=list)
    alternates: list[Partner] = field(default_factory=list)
    shortfall: Shortfall | None = None
    consortia: list[ConsortiumView] = field(default_factory=list)


@dataclass(slots=True)
class BatchResult:
    """The whole call's result."""

    source: str
    outcomes: list[BriefOutcome]
    errors: list[InvalidRecordError]
    total_score: float
    optimal: bool
    timings: dict[str, float]
    settings: dict[str, object]

    @property
    def short(self) -> list[BriefOutcome]:
        """Briefs that got fewer partners than they asked for."""
        return [o for o in self.outcomes if o.shortfall is not None]


def run_batch(
    container: Container,
    path: Path,
    *,
    capacity: int | None = None,
    per_organisation: int | None = None,
    alternates: int = 3,
    consortia: int = 2,
    progress: Callable[[int, int], None] | None = None,
    profile: RankingProfile = RankingProfile.FAST,
) -> BatchResult:
    """Match every brief of a call file.

    Args:
        container: the wired service.
        path: a call file (CSV, JSON Lines or XLSX).
        capacity: a call-level capacity for every profile (overrides profiles' own), if given.
        per_organisation: at most this many partners from one organisation per brief.
        alternates: alternates listed per brief.
        consortia: consortia proposed per ``grant_partners`` / ``funding_call`` brief.
        progress: called as ``progress(done, total)`` while briefs are scored.
        profile: the ranking profile (``thorough`` fuses several signals; seconds per brief).

    Raises:
        IngestError: the call file cannot be read at all.
    """
    started = time.perf_counter()
    parsed = parse_call(path)
    errors = list(parsed.errors)
    calls: list[CallBrief] = []
    briefs: list[Brief] = []
    for number, call in enumerate(parsed.briefs, start=1):
        try:
            briefs.append(
                make_brief(
                    call.text,
                    purpose=call.purpose.value,
                    kinds=[k.value for k in call.kinds],
                    requester_organisation=call.requester_organisation,
                    top=max(CANDIDATES_PER_KIND, call.partners * 5),
                    max_chars=container.settings.max_brief_chars,
                )
            )
            calls.append(call)
        except MatcherError as error:
            errors.append(InvalidRecordError(str(path), number, "text", str(error)))
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(briefs))

    scored = container.engine.score_many(briefs, progress=tick, profile=profile)
    scoring_s = time.perf_counter() - started
    snap = container.engine.snapshot()

    # candidates per brief, as indices into one profile list
    index_of: dict[str, int] = {}
    per_brief: list[list[tuple[int, float]]] = []
    for result in scored:
        row = []
        for scores in result.groups.values():
            for p, s in zip(scores.profiles, scores.scores, strict=True):
                profile_id = snap.profiles[int(p)].id
                row.append((index_of.setdefault(profile_id, len(index_of)), float(s)))
        per_brief.append(row)
    ids = list(index_of)
    profiles = container.catalogue.get_profiles(ids)
    missing = [i for i in ids if i not in profiles]  # deleted since the index was built
    organisations = [profiles[i].organisation_id if i in profiles else "" for i in ids]
    organisation_codes: dict[str, int] = {}
    conflicts = conflict_matrix(
        requester_organisations=[c.requester_organisation for c in calls],
        declared=[set(c.conflicts) for c in calls],
        profile_ids=ids,
        profile_organisations=organisations,
        coauthors=[set(profiles[i].coauthors) if i in profiles else set() for i in ids],
    )
    for m in missing:
        conflicts[:, index_of[m]] = True
    capacities = [
        (capacity if capacity is not None else profiles[i].capacity) if i in profiles else 0
        for i in ids
    ]
    solve_started = time.perf_counter()
    assignment: Assignment = assign(
        per_brief,
        demands=[c.partners for c in calls],
        capacities=capacities,
        organisations=[
            organisation_codes.setdefault(o, len(organisation_codes)) for o in organisations
        ],
        conflicts=conflicts,
        per_organisation=per_organisation,
        alternates=alternates,
    )
    solve_s = time.perf_counter() - solve_started
    names = container.engine.organisation_names()

    def partner(index: int, score: float, spare: bool = True) -> Partner:
        profile = profiles[ids[index]]
        return Partner(
            profile_id=profile.id,
            name=profile.name,
            kind=profile.kind.value,
            organisation=names.get(profile.organisation_id, profile.organisation_id),
            unit=profile.unit,
            score=round(score, 4),
            spare_capacity=spare,
        )

    outcomes = []
    for b, call in enumerate(calls):
        outcome = BriefOutcome(
            brief=call,
            partners=[partner(p, s) for p, s in assignment.chosen[b]],
            alternates=[partner(p, s, spare) for p, s, spare in assignment.alternates[b]],
            shortfall=next((s for s in assignment.shortfalls if s.brief == b), None),
        )
        if call.purpose in (Purpose.GRANT_PARTNERS, Purpose.FUNDING_CALL):
            eligible = ~conflicts[b]
            outcome.consortia = _consortia(
                container, call, per_brief[b], ids, profiles, eligible, partner, consortia
            )
        outcomes.append(outcome)
    return BatchResult(
        source=path.name,
        outcomes=outcomes,
        errors=sorted(errors, key=lambda e: e.line),
        total_score=round(assignment.total_score, 4),
        optimal=assignment.optimal,
        timings={
            "scoring_s": round(scoring_s, 3),
            "assignment_s": round(solve_s, 3),
            "total_s": round(time.perf_counter() - started, 3),
        },
        settings={
            "capacity": capacity,
            "per_organisation": per_organisation,
            "alternates": alternates,
        },
    )


def _consortia(
    container: Container,
    call: CallBrief,
    candidates: list[tuple[int, float]],
    ids: list[str],
    profiles: dict[str, Profile],
    eligible: np.ndarray,
    partner: Callable[[int, float], Partner],
    count: int,
) -> list[ConsortiumView]:
    """Consortia for one call: facet similarities through the same scoring path as search."""
    facets = split_facets(call.text)
    pool = [p for p, _ in candidates if ids[p] in profiles and eligible[p]]
    if not facets or not pool:
        return []
    queries = container.engine.encode_briefs(facets)
    similarities = container.engine.score_profiles(queries, [ids[p] for p in pool]).astype(
        np.float64
    )
    kinds = [profiles[ids[p]].kind for p in pool]
    text = call.text.lower()
    proposals: list[Consortium] = build_consortia(
        np.nan_to_num(similarities, nan=0.0),
        kinds,
        need_nhs=(
            "nhs" in text
            or "clinical" in text
            or ProfileKind.CLINICAL_TEAM in call.kinds
            or not call.kinds
        ),
        need_sme=(
            "sme" in text
            or "industry" in text
            or "company" in text
            or ProfileKind.SME in call.kinds
        ),
        max_members=max(3, call.partners + 1),
        consortia=count,
    )
    views = []
    for proposal in proposals:
        members = [
            (m.role, partner(pool[m.candidate], float(similarities[:, m.candidate].max())))
            for m in proposal.members
        ]
        covers = [
            (facets[c.facet], profiles[ids[pool[c.member]]].name, round(c.similarity, 3))
            for c in proposal.covers
        ]
        views.append(
            ConsortiumView(members=members, covers=covers, coverage=round(proposal.coverage, 4))
        )
    return views
