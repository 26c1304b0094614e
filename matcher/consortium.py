"""Consortia for joint grants: complementary members who together cover a call's facets.

A call is split into facets (its requirements, :func:`split_facets`). A consortium's value is its
weighted coverage (:func:`coverage`): for each facet, the best similarity any member has to it,
weighted and summed. Unlike summing member scores, coverage never prefers a second expert on a
facet that is already covered to a first one on a facet that is not.

How a team is built (:func:`build_consortia`): a lead academic, then — one member at a time —
the eligible candidate with the largest marginal gain in coverage among the open places: one
NHS partner (a clinical team) and one SME partner when the call asks for them, and academic
co-investigators while each still adds at least ``min_gain``. A swap pass then replaces any
non-lead member by a candidate of the same kind while that raises coverage.

Guarantee: coverage is monotone submodular. With the lead fixed, the places form a partition
matroid, where greedy is within 1/2 of the best team with that lead, and within (1 − 1/e) when
only co-investigators are chosen (no partner roles); the swap pass can only improve on greedy.
Each candidate lead among the best-fitting academics is completed this way and the team that
covers the call best is proposed, so the bound holds against the best team led by any of them.

Alternatives: the k-th consortium is led by a different academic, and the leads of earlier
consortia are left out of it altogether (an alternative to turn to if someone declines);
consortia with the same members as an earlier one are skipped.

What a call asks for (:func:`wants_consortia`, :func:`needs_nhs_partner`,
:func:`needs_sme_partner`, :func:`team_size`): the rules batch matching applies to one row of a
call file before :func:`build_consortia` is asked for teams.

How a row's partners are split among kinds (:func:`required_kinds`, :func:`accepted_kinds`,
:func:`within_kind_ranks`, :func:`place_kinds`): the places per kind that the assignment then
fills exactly. Scores of different kinds are not comparable (an academic's evidence is long and
scores higher than a clinical team's for the same brief), so the split never compares raw scores
across kinds: it compares each candidate's rank within its own kind.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from matcher.model import ProfileKind, Purpose

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

MIN_FACET_WORDS = 5
_GAIN_EPSILON = 1e-12
_SWAP_ROUNDS = 20

_BULLET = re.compile(r"^\s*(?:[-–—*•▪●◦‣]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|dr|prof|fig|al)\.$", re.IGNORECASE
)


class MemberRole(StrEnum):
    """The role a member plays in a consortium."""

    LEAD = "lead academic"
    CO_INVESTIGATOR = "co-investigator"
    NHS_PARTNER = "NHS partner"
    SME_PARTNER = "SME partner"


_KIND_OF = {
    MemberRole.LEAD: ProfileKind.ACADEMIC,
    MemberRole.CO_INVESTIGATOR: ProfileKind.ACADEMIC,
    MemberRole.NHS_PARTNER: ProfileKind.CLINICAL_TEAM,
    MemberRole.SME_PARTNER: ProfileKind.SME,
}
_ORDER = tuple(MemberRole)

#: Purposes whose briefs get consortia proposed besides their partners.
CONSORTIUM_PURPOSES = frozenset({Purpose.GRANT_PARTNERS, Purpose.FUNDING_CALL})
#: Words in a call's text that ask for an NHS partner (whole words, any case, plurals too).
NHS_WORDS = ("nhs", "clinical", "clinician")
#: Words in a call's text that ask for an SME partner (whole words, any case, plurals too).
SME_WORDS = ("sme", "industry", "industrial", "company", "companies", "business")


def mentions(text: str, words: Sequence[str]) -> bool:
    """Whether ``text`` contains one of ``words`` as a whole word (any case, an ``s`` plural
    too): "an SME partner" and "SMEs" mention ``sme``; "assessment" and "preclinical" do not.

    Args:
        text: the text to look in.
        words: lower-case words.
    """
    pattern = r"\b(?:" + "|".join(re.escape(w) for w in words) + r")s?\b"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


#: The smallest team proposed, whatever the number of partners a brief wants.
MIN_TEAM_SIZE = 3


def wants_consortia(purpose: Purpose) -> bool:
    """Whether a brief of this purpose gets consortia (grant partners and funding calls do).

    Args:
        purpose: the brief's purpose.
    """
    return purpose in CONSORTIUM_PURPOSES


def needs_nhs_partner(text: str, kinds: Collection[ProfileKind]) -> bool:
    """Whether a call asks for an NHS partner (a clinical team) in its consortia.

    It does when its text mentions one of :data:`NHS_WORDS` (:func:`mentions`), when
    it accepts clinical teams, or when it accepts every kind (``kinds`` empty).

    Args:
        text: the call's text.
        kinds: the kinds of partner the call accepts (empty: all kinds).
    """
    return mentions(text, NHS_WORDS) or ProfileKind.CLINICAL_TEAM in kinds or not kinds


def needs_sme_partner(text: str, kinds: Collection[ProfileKind]) -> bool:
    """Whether a call asks for an SME partner in its consortia.

    It does when its text mentions one of :data:`SME_WORDS` (:func:`mentions`) or when the
    call accepts SMEs by name; unlike the NHS
    partner, a call that accepts every kind does not ask for an SME on that account.

    Args:
        text: the call's text.
        kinds: the kinds of partner the call accepts (empty: all kinds).
    """
    return mentions(text, SME_WORDS) or ProfileKind.SME in kinds


def team_size(partners: int) -> int:
    """The largest consortium proposed for a brief that wants ``partners`` partners: room for
    them and a lead, and never fewer than :data:`MIN_TEAM_SIZE` members.

    Args:
        partners: how many partners the brief wants.
    """
    return max(MIN_TEAM_SIZE, partners + 1)


#: How a kind is named in a sentence ("no eligible SME left").
KIND_NAMES = {
    ProfileKind.ACADEMIC: "academic",
    ProfileKind.CLINICAL_TEAM: "clinical team",
    ProfileKind.SME: "SME",
}


def accepted_kinds(kinds: Collection[ProfileKind]) -> tuple[ProfileKind, ...]:
    """The kinds a call row accepts as partners: its ``kinds`` column, or every kind when blank.

    Args:
        kinds: the row's kinds (empty: all kinds).
    """
    return tuple(k for k in ProfileKind if k in kinds or not kinds)


def required_kinds(text: str, kinds: Collection[ProfileKind]) -> tuple[ProfileKind, ...]:
    """The kinds a call row must have among its partners, at least one of each.

    A row that names its kinds requires every kind it names (and only those). A blank row
    requires an academic, and a clinical team or an SME when its text asks for one (the words
    of :func:`needs_nhs_partner` and :func:`needs_sme_partner`).

    Args:
        text: the row's text.
        kinds: the row's kinds (empty: all kinds).
    """
    if kinds:
        return accepted_kinds(kinds)
    wanted = {ProfileKind.ACADEMIC}
    if mentions(text, NHS_WORDS):
        wanted.add(ProfileKind.CLINICAL_TEAM)
    if mentions(text, SME_WORDS):
        wanted.add(ProfileKind.SME)
    return tuple(k for k in ProfileKind if k in wanted)


def within_kind_ranks(scores: Sequence[float], kinds: Sequence[Hashable]) -> FloatArray:
    """Each score's rank within the scores of its own kind: the fraction of that kind's scores
    at or below it (1.0 for the kind's best). Comparable across kinds where raw scores are not.

    Args:
        scores: the scores (e.g. every eligible (brief, candidate) pair of a call).
        kinds: the kind of each score.

    Raises:
        ValueError: ``scores`` and ``kinds`` differ in length.
    """
    values = np.asarray(scores, dtype=np.float64).reshape(len(scores))
    if len(kinds) != values.size:
        raise ValueError(f"kinds has {len(kinds)} entries for {values.size} scores")
    ranks = np.zeros(values.size, dtype=np.float64)
    labels = np.array([str(k) for k in kinds], dtype=object)
    for kind in set(labels.tolist()):
        mine = np.flatnonzero(labels == kind)
        ordered = np.sort(values[mine])
        ranks[mine] = np.searchsorted(ordered, values[mine], side="right") / mine.size
    return ranks


def place_kinds(
    partners: int,
    *,
    required: Sequence[ProfileKind],
    accepted: Sequence[ProfileKind],
    strengths: Mapping[ProfileKind, Sequence[float]],
) -> dict[ProfileKind, int]:
    """Split a row's places among kinds: one for each required kind, the rest to the best.

    1. Each required kind gets one place; when there are fewer places than required kinds,
       the kinds whose best candidate has the highest within-kind rank get them.
    2. Each further place goes to the accepted kind whose next candidate (the best one not yet
       given a place) has the highest within-kind rank (ties: academic, clinical team, SME).
    3. When no accepted kind has a candidate left, the places left go to the required kinds in
       turn, so that the assignment reports them short.

    Args:
        partners: the row's partners.
        required: the kinds it must have (:func:`required_kinds`).
        accepted: the kinds it accepts (:func:`accepted_kinds`).
        strengths: per kind, the within-kind ranks (:func:`within_kind_ranks`) of the row's
            eligible candidates of that kind; a kind absent has none.

    Returns:
        Places per kind (kinds with none left out), adding up to ``partners``.
    """
    ranked = {k: sorted(strengths.get(k, ()), reverse=True) for k in ProfileKind}
    order = tuple(ProfileKind)

    def next_best(kind: ProfileKind, taken: int) -> float:
        return ranked[kind][taken] if taken < len(ranked[kind]) else -1.0

    first = sorted(required, key=lambda k: (-next_best(k, 0), order.index(k)))[:partners]
    places = {k: 1 for k in first}
    turn = 0
    for _ in range(partners - len(first)):
        options = [k for k in accepted if next_best(k, places.get(k, 0)) >= 0]
        if options:
            kind = min(options, key=lambda k: (-next_best(k, places.get(k, 0)), order.index(k)))
        else:
            kind = required[turn % len(required)] if required else accepted[0]
            turn += 1
        places[kind] = places.get(kind, 0) + 1
    return places


def split_facets(text: str, *, min_words: int = MIN_FACET_WORDS) -> list[str]:
    """Split a funding call into facets: its sentences, bullet points and semicolon clauses.

    Hard-wrapped lines are joined back into their sentence; bullets (``-``, ``•``, ``1.``,
    ``a)``) start a new facet; a sentence ends at ``.``, ``!``, ``?`` or ``;`` but not after a
    common abbreviation (``e.g.``, ``Dr.``). Fragments shorter than ``min_words`` words
    (headings, "Call for partners.") and lead-ins that end with a colon ("Applicants must
    provide:") are dropped, as are repeats. A text with no fragment long enough is one facet.

    Args:
        text: the call's text.
        min_words: the fewest words a facet may have.

    Returns:
        The facets, in the order they appear.
    """
    blocks: list[str] = []
    joinable = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            joinable = False
            continue
        bullet = _BULLET.match(line)
        if bullet:
            line = line[bullet.end() :].strip()
        if joinable and not bullet and blocks:
            blocks[-1] = f"{blocks[-1]} {line}"
        else:
            blocks.append(line)
        joinable = not line.endswith((".", "!", "?", ";", ":"))
    facets: list[str] = []
    seen: set[str] = set()
    for block in blocks:
        for part in _sentences(block):
            key = " ".join(part.lower().split())
            if part.endswith(":") or len(part.split()) < min_words or key in seen:
                continue
            seen.add(key)
            facets.append(part)
    stripped = " ".join(text.split())
    return facets or ([stripped] if stripped else [])


def _sentences(block: str) -> list[str]:
    """A block's sentences and semicolon clauses, not split after an abbreviation."""
    parts: list[str] = []
    for piece in _SENTENCE_END.split(block):
        if parts and _ABBREVIATION.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True, slots=True)
class FacetCover:
    """Which member covers a facet best, and how well.

    Attributes:
        facet: the facet's index.
        member: the candidate index of the member with the highest similarity to it.
        similarity: that similarity.
    """

    facet: int
    member: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Member:
    """A consortium member.

    Attributes:
        candidate: the candidate's index (a column of the similarity matrix).
        role: the member's role, a :class:`MemberRole` (typed ``str`` so that callers may
            collect roles as plain strings).
        facets: the facets this member covers best.
        gain: the coverage the consortium would lose without this member.
    """

    candidate: int
    role: str
    facets: tuple[int, ...] = ()
    gain: float = 0.0


@dataclass(frozen=True, slots=True)
class Consortium:
    """A proposed team with the facets each member covers.

    Attributes:
        members: lead first, then co-investigators, NHS partner and SME partner.
        covers: per facet, the member who covers it best.
        coverage: weighted coverage, Σ_f w_f · max over members of max(similarity, 0), with the
            weights normalised to sum to 1 (so 1.0 is every facet matched perfectly).
        score: the members' mean individual strength (each member's best facet similarity).
        missing_roles: roles the call asked for that no eligible candidate could fill.
    """

    members: tuple[Member, ...]
    covers: tuple[FacetCover, ...]
    coverage: float
    score: float
    missing_roles: tuple[MemberRole, ...] = ()

    @property
    def lead(self) -> Member:
        """The lead academic."""
        return self.members[0]


def coverage(similarities: FloatArray, members: Sequence[int], weights: FloatArray) -> float:
    """Weighted coverage: Σ_f w_f · max over members of max(similarity, 0).

    Args:
        similarities: facet × candidate similarity matrix (NaN counts as no similarity).
        members: candidate indices.
        weights: weight per facet, used as given.
    """
    if not len(members):
        return 0.0
    best = np.nan_to_num(similarities[:, list(members)], nan=0.0).clip(0.0, None).max(axis=1)
    return float(np.asarray(weights, dtype=np.float64) @ best)


@dataclass(frozen=True, slots=True)
class _Builder:
    """The state shared by every team built for one call."""

    gains: FloatArray  # facets × candidates, NaN → 0, clipped at 0
    weights: FloatArray  # normalised
    pools: dict[ProfileKind, list[int]]
    min_gain: float

    def value(self, best: FloatArray) -> float:
        return float(self.weights @ best)

    def best_addition(
        self, pool: Sequence[int], team: Sequence[int], best: FloatArray, fit: FloatArray
    ) -> tuple[int, float] | None:
        """The candidate of ``pool`` not in ``team`` with the largest gain (then fit)."""
        options = np.array([c for c in pool if c not in team], dtype=np.int64)
        if options.size == 0:
            return None
        gains = self.weights @ (np.maximum(self.gains[:, options], best[:, None]) - best[:, None])
        order = np.lexsort((options, -fit[options], -gains))
        return int(options[order[0]]), float(gains[order[0]])

    def complete(
        self, lead: int, roles: Sequence[MemberRole], places: int, fit: FloatArray
    ) -> list[tuple[int, MemberRole]]:
        """A team for ``lead``: greedy marginal gain over the open places, then swaps."""
        team: list[tuple[int, MemberRole]] = [(lead, MemberRole.LEAD)]
        open_roles = [r for r in roles if self.pools[_KIND_OF[r]]]
        co_places = places - 1 - len(open_roles)
        while True:
            members = [c for c, _ in team]
            best = self.gains[:, members].max(axis=1)
            choice: tuple[float, float, int, MemberRole] | None = None
            for role in [*open_roles, MemberRole.CO_INVESTIGATOR]:
                if role is MemberRole.CO_INVESTIGATOR and co_places <= 0:
                    continue
                found = self.best_addition(self.pools[_KIND_OF[role]], members, best, fit)
                if found is None:
                    continue
                candidate, gain = found
                # a required role is filled whatever its gain; a co-investigator must add value
                if role is MemberRole.CO_INVESTIGATOR and (
                    gain < self.min_gain or gain <= _GAIN_EPSILON
                ):
                    continue
                option = (gain, float(fit[candidate]), -candidate, role)
                if choice is None or option[:3] > choice[:3]:
                    choice = option
            if choice is None:
                break
            team.append((-choice[2], choice[3]))
            if choice[3] is MemberRole.CO_INVESTIGATOR:
                co_places -= 1
            else:
                open_roles.remove(choice[3])
        return self.improve(team, fit)

    def improve(
        self, team: list[tuple[int, MemberRole]], fit: FloatArray
    ) -> list[tuple[int, MemberRole]]:
        """Swap non-lead members for candidates of the same kind while coverage rises; then
        drop co-investigators who no longer add ``min_gain``."""
        for _ in range(_SWAP_ROUNDS):
            improved = False
            for i in range(1, len(team)):
                members = [c for c, _ in team]
                rest = self.gains[:, members[:i] + members[i + 1 :]].max(axis=1)
                current = self.value(np.maximum(rest, self.gains[:, members[i]]))
                found = self.best_addition(self.pools[_KIND_OF[team[i][1]]], members, rest, fit)
                if found is None:
                    continue
                candidate, gain = found
                if self.value(rest) + gain > current + _GAIN_EPSILON:
                    team[i] = (candidate, team[i][1])
                    improved = True
            if not improved:
                break
        while True:
            members = [c for c, _ in team]
            losses = [
                (self.loss(members, i), i)
                for i in range(1, len(team))
                if team[i][1] is MemberRole.CO_INVESTIGATOR
            ]
            weakest = min(losses, default=None)
            if weakest is None or (weakest[0] >= self.min_gain and weakest[0] > _GAIN_EPSILON):
                return team
            del team[weakest[1]]

    def loss(self, members: Sequence[int], i: int) -> float:
        """The coverage lost by removing the ``i``-th member."""
        full = self.value(self.gains[:, list(members)].max(axis=1))
        rest = list(members[:i]) + list(members[i + 1 :])
        return full - (self.value(self.gains[:, rest].max(axis=1)) if rest else 0.0)


def build_consortia(
    similarities: FloatArray,
    kinds: Sequence[ProfileKind | str],
    *,
    eligible: BoolArray | None = None,
    weights: FloatArray | Sequence[float] | None = None,
    need_nhs: bool = True,
    need_sme: bool = True,
    max_members: int = 5,
    consortia: int = 3,
    min_gain: float = 0.01,
    leads: int | None = 5,
) -> list[Consortium]:
    """Propose up to ``consortia`` complementary teams for one call, best first.

    Args:
        similarities: facet × candidate similarity matrix (NaN: no similarity).
        kinds: the kind of each candidate (academic, clinical_team, sme).
        eligible: candidates that may be used (no conflict of interest, capacity left).
        weights: a non-negative weight per facet (equal when omitted); normalised to sum 1.
        need_nhs: include one clinical team as NHS partner (if any is eligible).
        need_sme: include one SME partner (if any is eligible).
        max_members: the largest team, lead and partners included.
        consortia: how many alternative teams to propose.
        min_gain: a co-investigator joins only if it raises coverage by at least this.
        leads: how many of the best-fitting remaining academics are tried as lead for each
            consortium (None: all of them).

    Returns:
        Up to ``consortia`` teams with different leads; fewer when academics run out.

    Raises:
        ValueError: shapes that do not match, an unknown kind, negative or all-zero weights, or
            ``max_members`` too small for a lead and the partner roles asked for.
    """
    matrix = np.asarray(similarities, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"similarities must be facets × candidates, got shape {matrix.shape}")
    facets, candidates = matrix.shape
    if len(kinds) != candidates:
        raise ValueError(f"kinds has {len(kinds)} entries for {candidates} candidates")
    try:
        kind_of = [ProfileKind(k) for k in kinds]
    except ValueError as error:
        options = ", ".join(k.value for k in ProfileKind)
        raise ValueError(f"unknown candidate kind ({error}); expected one of {options}") from None
    allowed = np.ones(candidates, dtype=bool) if eligible is None else np.asarray(eligible, bool)
    if allowed.shape != (candidates,):
        raise ValueError(f"eligible has shape {allowed.shape}, expected ({candidates},)")
    w = _weights(weights, facets)
    roles = [
        role
        for role, wanted in ((MemberRole.NHS_PARTNER, need_nhs), (MemberRole.SME_PARTNER, need_sme))
        if wanted
    ]
    if max_members < 1 + len(roles):
        raise ValueError(
            f"max_members must be at least {1 + len(roles)} for a lead and {len(roles)} partner(s)"
        )
    if leads is not None and leads < 1:
        raise ValueError(f"leads must be None or at least 1, got {leads}")
    if facets == 0 or consortia <= 0:
        return []
    gains = np.nan_to_num(matrix, nan=0.0, posinf=0.0, neginf=0.0).clip(0.0, None)
    fit = w @ gains
    pools = {
        kind: [c for c in range(candidates) if kind_of[c] is kind and allowed[c]]
        for kind in ProfileKind
    }
    missing = tuple(r for r in roles if not pools[_KIND_OF[r]])
    proposals: list[Consortium] = []
    seen: set[frozenset[int]] = set()
    excluded: set[int] = set()
    while len(proposals) < consortia:
        builder = _Builder(
            gains=gains,
            weights=w,
            pools={k: [c for c in pool if c not in excluded] for k, pool in pools.items()},
            min_gain=min_gain,
        )
        ranked = sorted(builder.pools[ProfileKind.ACADEMIC], key=lambda c: (-fit[c], c))
        best: tuple[tuple[float, float, int], list[tuple[int, MemberRole]]] | None = None
        for lead in ranked[:leads]:
            team = builder.complete(lead, roles, max_members, fit)
            if frozenset(c for c, _ in team) in seen:
                continue
            value = coverage(gains, [c for c, _ in team], w)
            key = (value, float(fit[lead]), -lead)
            if best is None or key > best[0]:
                best = (key, team)
        if best is None:
            break
        team = best[1]
        proposals.append(_describe(matrix, builder, team, w, missing))
        seen.add(frozenset(c for c, _ in team))
        excluded.add(team[0][0])
    return proposals


def _weights(weights: FloatArray | Sequence[float] | None, facets: int) -> FloatArray:
    if weights is None:
        return np.full(facets, 1.0 / max(facets, 1))
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (facets,):
        raise ValueError(f"weights has {w.size} entries for {facets} facets")
    if facets and (not np.all(np.isfinite(w)) or w.min() < 0 or w.sum() <= 0):
        raise ValueError("weights must be finite, non-negative and not all zero")
    return w / w.sum() if facets else w


def _describe(
    similarities: FloatArray,
    builder: _Builder,
    team: list[tuple[int, MemberRole]],
    weights: FloatArray,
    missing: tuple[MemberRole, ...],
) -> Consortium:
    """Order the team by role and report who covers what."""
    members = [c for c, _ in team]
    losses = {c: builder.loss(members, i) for i, c in enumerate(members)}
    ordered = sorted(team, key=lambda m: (_ORDER.index(m[1]), -losses[m[0]], m[0]))
    order = [c for c, _ in ordered]
    raw = np.nan_to_num(similarities[:, order], nan=-np.inf)
    winners = raw.argmax(axis=1)  # ties go to the member listed first (the lead)
    covers = tuple(
        FacetCover(f, order[int(winners[f])], float(similarities[f, order[int(winners[f])]]))
        for f in range(similarities.shape[0])
    )
    strength = np.nan_to_num(similarities[:, order], nan=0.0).max(axis=0)
    return Consortium(
        members=tuple(
            Member(
                candidate=c,
                role=role,
                facets=tuple(int(f) for f in np.flatnonzero(winners == i)),
                gain=losses[c],
            )
            for i, (c, role) in enumerate(ordered)
        ),
        covers=covers,
        coverage=coverage(similarities, order, weights),
        score=float(strength.mean()),
        missing_roles=missing,
    )
