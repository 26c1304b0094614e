"""Consortia for joint grants: complementary members who together cover a call's facets.

A call is split into facets (its requirements). A consortium's value is its weighted coverage:
for each facet, the best similarity any member has to it, weighted and summed. Coverage is
submodular, so adding the member with the largest marginal gain at each step (greedy) is within
(1 − 1/e) of the best consortium of that size — and, unlike summing member scores, it never
prefers a second expert on a facet that is already covered to a first one on a facet that is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.model import ProfileKind

_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+\s*(?:[-*•]|\d+[.)])?\s*")
MIN_FACET_WORDS = 5


def split_facets(text: str, *, min_words: int = MIN_FACET_WORDS) -> list[str]:
    """Split a call into facets: its sentences, bullet points and semicolon clauses, dropping
    fragments too short to be a requirement."""
    parts = [p.strip(" -*•\t") for p in _SPLIT.split(text) if p and p.strip()]
    facets = [p for p in parts if len(p.split()) >= min_words]
    return facets or ([text.strip()] if text.strip() else [])


@dataclass(frozen=True, slots=True)
class FacetCover:
    """Which member covers a facet best, and how well."""

    facet: int
    member: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Member:
    """A consortium member: a candidate index and its role."""

    candidate: int
    role: str


@dataclass(frozen=True, slots=True)
class Consortium:
    """A proposed team with the facets each member covers."""

    members: tuple[Member, ...]
    covers: tuple[FacetCover, ...]
    coverage: float
    score: float


def coverage(
    similarities: npt.NDArray[np.float64], members: list[int], weights: npt.NDArray[np.float64]
) -> float:
    """Weighted coverage: Σ_f w_f · max over members of max(similarity, 0)."""
    if not members:
        return 0.0
    best = np.clip(similarities[:, members], 0.0, None).max(axis=1)
    return float(weights @ best)


def build_consortia(
    similarities: npt.NDArray[np.float64],
    kinds: list[ProfileKind],
    *,
    eligible: npt.NDArray[np.bool_] | None = None,
    weights: npt.NDArray[np.float64] | None = None,
    need_nhs: bool = True,
    need_sme: bool = True,
    max_members: int = 5,
    consortia: int = 3,
    min_gain: float = 0.01,
) -> list[Consortium]:
    """Propose up to ``consortia`` teams, each with a different lead academic.

    Args:
        similarities: facet × candidate similarity matrix.
        kinds: the kind of each candidate.
        eligible: candidates that may be used (no conflict of interest, capacity left).
        weights: weight per facet (equal when omitted).
        need_nhs: include one clinical team (NHS partner) when any is eligible.
        need_sme: include one SME when any is eligible.
        max_members: the largest team.
        consortia: how many alternative teams to propose.
        min_gain: co-investigators are added only while they raise coverage by at least this.
    """
    facets, candidates = similarities.shape
    if len(kinds) != candidates:
        raise ValueError("kinds must have one entry per candidate")
    allowed = np.ones(candidates, dtype=bool) if eligible is None else eligible.astype(bool)
    w = (
        np.ones(facets) / max(facets, 1)
        if weights is None
        else np.asarray(weights, dtype=np.float64)
    )
    of_kind = {
        k: [c for c in range(candidates) if kinds[c] is k and allowed[c]] for k in ProfileKind
    }
    used_leads: set[int] = set()
    proposals: list[Consortium] = []
    for _ in range(consortia):
        leads = [c for c in of_kind[ProfileKind.ACADEMIC] if c not in used_leads]
        if not leads:
            break
        lead = max(leads, key=lambda c: (coverage(similarities, [c], w), -c))
        used_leads.add(lead)
        team = [lead]
        roles = {lead: "lead academic"}

        def best_gain(pool: list[int], current: list[int]) -> tuple[int | None, float]:
            base = coverage(similarities, current, w)
            best, gain = None, -1.0
            for c in pool:
                if c in current:
                    continue
                value = coverage(similarities, [*current, c], w) - base
                if value > gain:
                    best, gain = c, value
            return best, gain

        for kind, wanted, role in (
            (ProfileKind.CLINICAL_TEAM, need_nhs, "NHS partner"),
            (ProfileKind.SME, need_sme, "SME partner"),
        ):
            if wanted and len(team) < max_members and of_kind[kind]:
                # a required role goes to the candidate of that kind who fits the call best
                fitted = max(of_kind[kind], key=lambda c: (coverage(similarities, [c], w), -c))
                team.append(fitted)
                roles[fitted] = role
        while len(team) < max_members:
            choice, gain = best_gain(of_kind[ProfileKind.ACADEMIC], team)
            if choice is None or gain < min_gain:
                break
            team.append(choice)
            roles[choice] = "co-investigator"
        covers = []
        for f in range(facets):
            member = max(team, key=lambda c: similarities[f, c])
            covers.append(FacetCover(f, member, float(similarities[f, member])))
        proposals.append(
            Consortium(
                members=tuple(Member(c, roles[c]) for c in team),
                covers=tuple(covers),
                coverage=coverage(similarities, team, w),
                score=float(np.mean([similarities[:, c].max() for c in team])),
            )
        )
    return proposals
