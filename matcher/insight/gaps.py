"""Capability gaps: which clinical needs and SME challenges the pool's academics serve, weakly
serve or do not serve, summarised per theme and per organisation, and the academics whose
expertise nothing asks for.

A need's *measure* (:func:`gap_measures`) is how far its best academic score lies from the
**typical best score of the pool's asks of its type**, in robust standard deviations: ``(best −
median) / (1.4826 · MAD)`` over the best scores of every need (or every challenge, or every
training need) of the pool, the pool's own distribution, so that it adapts to another model or
pool. Most asks of a pool are answered by somebody; an ask whose best academic is an outlier
below them is a gap. The thresholds, in those units:

===============  ==========================================================================
``served``       measure ≥ the served threshold (default :data:`SERVED_AT`, −2: no further
                 below the typical best than the normal spread of best scores goes)
``weak``         measure ≥ the weak threshold (default :data:`WEAK_AT`, −3: the usual line of
                 an outlier; a normal sample has 0.13% of its values below it)
``unserved``     below: an outlier among the pool's asks, nobody answers it as well as the
                 pool answers its asks
===============  ==========================================================================

The rule is relative by design: it says which asks the pool serves badly compared with how it
serves the rest, and stays meaningful while fewer than half of the asks are gaps (the median and
the MAD resist that much contamination). A type with fewer than :data:`MIN_REFERENCE` asks is
measured against all asks together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

#: The default served threshold (robust standard deviations from the typical best score).
SERVED_AT = -2.0
#: The default weakly-served threshold.
WEAK_AT = -3.0
#: The thresholds' allowed range.
MEASURE_RANGE = (-10.0, 10.0)
#: Asks of a type needed for the type to be its own reference (below: all asks together).
MIN_REFERENCE = 30
#: The smallest spread of a reference, in score units (a pool whose best scores are all equal
#: would otherwise divide by zero).
MIN_SPREAD = 0.01
#: The MAD's factor to a normal standard deviation.
MAD_TO_SD = 1.4826
#: Academics named per group ("nearest academics").
NEAREST_PER_GROUP = 5


@dataclass(frozen=True, slots=True)
class Reference:
    """The typical best score of a type of ask and its spread (median and 1.4826 · MAD)."""

    centre: float
    spread: float
    asks: int

    def measure(self, score: float) -> float:
        """A score's distance from the typical best, in spreads."""
        return (score - self.centre) / self.spread


#: The key of the reference of all asks together.
ALL_ASKS = "*"


def reference_of(scores: Sequence[float] | npt.NDArray[np.float64]) -> Reference:
    """The median and robust spread of best scores (at least :data:`MIN_SPREAD`)."""
    values = np.asarray(scores, dtype=np.float64)
    if values.size == 0:
        return Reference(0.0, 1.0, 0)
    centre = float(np.median(values))
    spread = MAD_TO_SD * float(np.median(np.abs(values - centre)))
    return Reference(centre, max(spread, MIN_SPREAD), int(values.size))


def references(
    best_scores: Sequence[float], types: Sequence[str], *, min_asks: int = MIN_REFERENCE
) -> dict[str, Reference]:
    """The reference of each type with at least ``min_asks`` asks, and :data:`ALL_ASKS`."""
    if len(best_scores) != len(types):
        raise ValueError(f"{len(best_scores)} scores but {len(types)} types")
    scores = np.asarray(best_scores, dtype=np.float64)
    kinds = np.asarray(types, dtype=object)
    found = {ALL_ASKS: reference_of(scores)}
    for kind in sorted(set(types)):
        chosen = scores[kinds == kind]
        if chosen.size >= min_asks:
            found[kind] = reference_of(chosen)
    return found


def reference_for(found: Mapping[str, Reference], type_: str) -> Reference:
    """The reference an ask of ``type_`` is measured against."""
    return found.get(type_, found[ALL_ASKS])


def gap_measures(
    best_scores: Sequence[float], types: Sequence[str], *, min_asks: int = MIN_REFERENCE
) -> list[float]:
    """Each ask's measure: its best score against its type's reference (:func:`references`)."""
    found = references(best_scores, types, min_asks=min_asks)
    return [
        reference_for(found, t).measure(float(s)) for s, t in zip(best_scores, types, strict=True)
    ]


class Coverage(StrEnum):
    """How well a need is served."""

    SERVED = "served"
    WEAK = "weak"
    UNSERVED = "unserved"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The served and weakly-served thresholds on the measure's scale.

    Raises:
        ValueError: ``weak`` above ``served``, or either outside :data:`MEASURE_RANGE`.
    """

    served: float = SERVED_AT
    weak: float = WEAK_AT

    def __post_init__(self) -> None:
        low, high = MEASURE_RANGE
        if not (low <= self.weak <= high and low <= self.served <= high):
            raise ValueError(
                f"thresholds must be in [{low:g}, {high:g}], got {self.served}, {self.weak}"
            )
        if self.weak > self.served:
            raise ValueError(f"the weak threshold {self.weak} is above served {self.served}")

    @classmethod
    def served_at(cls, served: float) -> Thresholds:
        """Thresholds with ``served`` given; the weak one is :data:`WEAK_AT` or ``served`` when
        that is lower."""
        return cls(served=served, weak=min(WEAK_AT, served))

    def coverage(self, measure: float) -> Coverage:
        """Served, weak or unserved."""
        if measure >= self.served:
            return Coverage.SERVED
        if measure >= self.weak:
            return Coverage.WEAK
        return Coverage.UNSERVED


@dataclass(frozen=True, slots=True)
class Need:
    """A need, challenge or training need of the pool, as the gap report sees it.

    Attributes:
        item_id: the evidence item's id.
        profile_id: the clinical team or SME that asks.
        profile_name: its name.
        kind: the asking profile's kind (``clinical_team``, ``sme``).
        type: the item's type (``need``, ``challenge``, ``training_need``).
        title: the item's title.
        organisation_id: the asking organisation.
        organisation_name: its name.
        organisation_type: ``nhs_trust``, ``hscp``, ``sme``...
        themes: the item's themes, nearest first.
        sdgs: the goals it is tagged with.
    """

    item_id: str
    profile_id: str
    profile_name: str
    kind: str
    type: str
    title: str
    organisation_id: str
    organisation_name: str
    organisation_type: str
    themes: tuple[str, ...] = ()
    sdgs: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Candidate:
    """An academic matched to a need: its score, the gap measure of the score
    (:func:`gap_measures`) and its calibrated strength (``None`` when not calibrated)."""

    profile_id: str
    name: str
    organisation_name: str
    score: float
    measure: float
    strength: float | None = None


@dataclass(frozen=True, slots=True)
class NeedResult:
    """A need with its best academic matches (best first) and its coverage."""

    need: Need
    matches: tuple[Candidate, ...]
    coverage: Coverage

    @property
    def best(self) -> float:
        """The best match's measure (the lowest measure, ``MEASURE_RANGE[0]``, with no match)."""
        return self.matches[0].measure if self.matches else MEASURE_RANGE[0]


def assess(need: Need, matches: Sequence[Candidate], thresholds: Thresholds) -> NeedResult:
    """A need's coverage from its matches (best first); a need with none is unserved."""
    best = matches[0].measure if matches else MEASURE_RANGE[0]
    return NeedResult(need=need, matches=tuple(matches), coverage=thresholds.coverage(best))


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """The needs of one theme or organisation.

    Attributes:
        key: the theme id or organisation id.
        label: the theme's label or the organisation's name.
        asked: needs in the group.
        served / weak / unserved: needs by coverage.
        median_best: the median of the needs' best measure.
        askers: organisation type → needs asked (who asks: trusts, HSCPs, SMEs).
        nearest: the academics that best match the group's needs (id, name, needs they are
            the best match of), most needs first.
    """

    key: str
    label: str
    asked: int
    served: int
    weak: int
    unserved: int
    median_best: float
    askers: dict[str, int] = field(default_factory=dict)
    nearest: tuple[tuple[str, str, int], ...] = ()

    @property
    def served_share(self) -> float:
        """The share of the group's needs that are served."""
        return self.served / self.asked if self.asked else 0.0


def summarise(
    results: Sequence[NeedResult],
    group_of: Callable[[NeedResult], Iterable[tuple[str, str]]],
    *,
    nearest: int = NEAREST_PER_GROUP,
) -> list[GroupSummary]:
    """Summaries of the needs by group, most unserved first (then most asked).

    Args:
        results: assessed needs.
        group_of: the (key, label) groups a need belongs to (a need may be in several).
        nearest: academics named per group.
    """
    members: dict[str, list[NeedResult]] = {}
    labels: dict[str, str] = {}
    for result in results:
        for key, label in group_of(result):
            members.setdefault(key, []).append(result)
            labels.setdefault(key, label)
    summaries = []
    for key, group in members.items():
        counts = Counter(r.coverage for r in group)
        best = Counter((r.matches[0].profile_id, r.matches[0].name) for r in group if r.matches)
        summaries.append(
            GroupSummary(
                key=key,
                label=labels[key],
                asked=len(group),
                served=counts[Coverage.SERVED],
                weak=counts[Coverage.WEAK],
                unserved=counts[Coverage.UNSERVED],
                median_best=round(float(np.median([r.best for r in group])), 4),
                askers=dict(Counter(r.need.organisation_type for r in group).most_common()),
                nearest=tuple(
                    (pid, name, n)
                    for (pid, name), n in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[
                        :nearest
                    ]
                ),
            )
        )
    summaries.sort(key=lambda s: (-s.unserved, -s.asked, s.key))
    return summaries


def by_theme(result: NeedResult) -> list[tuple[str, str]]:
    """A need's group for :func:`summarise` per theme: its nearest theme (label filled in by
    the caller's mapping; the id alone here)."""
    return (
        [(result.need.themes[0], result.need.themes[0])]
        if result.need.themes
        else [("", "(no theme)")]
    )


def by_organisation(result: NeedResult) -> list[tuple[str, str]]:
    """A need's group for :func:`summarise` per asking organisation."""
    need = result.need
    return [(need.organisation_id, need.organisation_name or need.organisation_id)]


@dataclass(frozen=True, slots=True)
class Untapped:
    """An academic whose expertise no need or challenge asks for: the best measure any need
    gives them stays below the served threshold."""

    profile_id: str
    name: str
    organisation_name: str
    best: float
    themes: tuple[str, ...] = ()


def untapped(
    academics: Sequence[tuple[str, str, str]],
    best_measures: npt.NDArray[np.float64],
    thresholds: Thresholds,
    *,
    themes: Sequence[tuple[str, ...]] = (),
) -> list[Untapped]:
    """The academics (id, name, organisation name) whose best measure over every need
    (``best_measures[i]``) is below the served threshold, least asked-for first."""
    if len(academics) != best_measures.shape[0]:
        raise ValueError(f"{len(academics)} academics but {best_measures.shape[0]} measures")
    found = [
        Untapped(pid, name, org, round(float(best_measures[i]), 4), themes[i] if themes else ())
        for i, (pid, name, org) in enumerate(academics)
        if best_measures[i] < thresholds.served
    ]
    found.sort(key=lambda u: (u.best, u.profile_id))
    return found


def coverage_counts(results: Iterable[NeedResult]) -> dict[Coverage, int]:
    """How many needs are served, weak and unserved."""
    counts = Counter(r.coverage for r in results)
    return {c: counts[c] for c in Coverage}
