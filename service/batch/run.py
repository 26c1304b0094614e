"""Batch matching for funding calls: the coordinator of parse → score → assign → consortia.

Each step is its own module (:mod:`service.batch.parse`, :mod:`service.batch.score`,
:mod:`service.batch.assign`, :mod:`service.batch.consortia`); :func:`run_batch` only sequences
them and puts their outputs together into a :class:`BatchResult`, which
:mod:`service.batch.reports` writes out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from matcher.consortium import wants_consortia
from matcher.errors import InvalidRecordError
from matcher.fusion import RankingProfile
from matcher.model import Brief, CallBrief
from service.batch.assign import Allocation, assign_partners
from service.batch.consortia import propose_consortia
from service.batch.parse import CANDIDATES_PER_KIND, parse_briefs
from service.batch.result import BatchResult, BriefOutcome, ConsortiumView, Partner
from service.batch.score import Candidates, score_briefs
from service.container import Container

#: Scores a call's briefs: ``scorer(briefs, profile, progress)``.
BriefScorer = Callable[
    [Sequence[Brief], RankingProfile, Callable[[int, int], None] | None], Candidates
]

__all__ = [
    "CANDIDATES_PER_KIND",
    "BatchResult",
    "BriefOutcome",
    "ConsortiumView",
    "Partner",
    "run_batch",
]


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
    source_name: str | None = None,
    scorer: BriefScorer | None = None,
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
        source_name: how row errors name the call file (default: ``path`` as given); a server
            passes the upload's own name so that no server path reaches a user.
        scorer: scores the briefs instead of :func:`score_briefs` on this process (``matcher
            batch --ray`` passes the actors', :mod:`service.scale.ray_batch`).

    Raises:
        IngestError: the call file cannot be read at all.
    """
    started = time.perf_counter()
    parsed = parse_briefs(path, max_chars=container.settings.max_brief_chars)
    if scorer is None:
        candidates = score_briefs(
            container.engine, parsed.briefs, progress=progress, profile=profile
        )
    else:
        candidates = scorer(parsed.briefs, profile, progress)
    scoring_s = time.perf_counter() - started
    allocation = assign_partners(
        container.catalogue,
        parsed.calls,
        candidates,
        capacity=capacity,
        per_organisation=per_organisation,
        alternates=alternates,
    )
    outcomes = _outcomes(container, parsed.calls, candidates, allocation, consortia=consortia)
    return BatchResult(
        source=path.name,
        outcomes=outcomes,
        errors=sorted((_renamed(e, source_name) for e in parsed.errors), key=lambda e: e.line),
        total_score=round(allocation.assignment.total_score, 4),
        optimal=allocation.assignment.optimal,
        timings={
            "scoring_s": round(scoring_s, 3),
            "assignment_s": round(allocation.seconds, 3),
            "total_s": round(time.perf_counter() - started, 3),
        },
        settings={
            "capacity": capacity,
            "per_organisation": per_organisation,
            "alternates": alternates,
        },
    )


def _renamed(error: InvalidRecordError, source: str | None) -> InvalidRecordError:
    """The row error with its file named ``source`` (unchanged when None)."""
    if source is None:
        return error
    return InvalidRecordError(source, error.line, error.field, error.reason)


def _outcomes(
    container: Container,
    calls: list[CallBrief],
    candidates: Candidates,
    allocation: Allocation,
    *,
    consortia: int,
) -> list[BriefOutcome]:
    """Each brief's partners, alternates and shortfall by name, and its consortia if it wants
    them."""
    names = container.engine.organisation_names()
    ids, profiles, assignment = candidates.ids, allocation.profiles, allocation.assignment

    def partner(index: int, score: float, spare: bool | None = None) -> Partner:
        # without a stated answer: whether the profile has capacity left after this call
        left = assignment.remaining[index] > 0 if spare is None else spare
        return Partner.of(
            profiles[ids[index]], score, organisation_names=names, spare_capacity=left
        )

    outcomes = []
    for b, call in enumerate(calls):
        outcome = BriefOutcome(
            brief=call,
            partners=[partner(p, s) for p, s in assignment.chosen[b]],
            alternates=[partner(p, s, spare) for p, s, spare in assignment.alternates[b]],
            shortfall=next((s for s in assignment.shortfalls if s.brief == b), None),
        )
        if wants_consortia(call.purpose):
            outcome.consortia = propose_consortia(
                container.engine,
                call,
                candidates.per_brief[b],
                ids=ids,
                profiles=profiles,
                eligible=~allocation.conflicts[b],
                partner=partner,
                count=consortia,
            )
        outcomes.append(outcome)
    return outcomes
