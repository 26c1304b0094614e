"""Match strength: a score's place among the best scores that generic briefs get, per kind.

Raw scores are not comparable across kinds (an academic's many abstracts score near 0.7 for a
brief that gives a clinical team's short needs 0.45) and say nothing on their own about whether
a match is real: "What is the capital of France?" still has a best match. So at index build
time a fixed set of generic briefs (:data:`GENERIC_BRIEFS`: off-topic questions and on-topic
but vague requests, none taken from the pool) is scored against every kind, and each kind keeps
the distribution of its *best* scores (:class:`KindDistribution`, stored as quantiles with the
index version). A match's **strength** is its score's percentile in its kind's distribution:
0.97 means the match beats the best match of 97% of generic briefs.

Labels (:func:`label`), with these thresholds on the strength:

========================  =====================================================================
``strong``                ≥ :data:`STRONG_AT`: beats the best match of (almost) every generic
                          brief, even the vague on-topic ones
``good``                  ≥ :data:`GOOD_AT`
``weak``                  ≥ :data:`WEAK_AT`: better than what most generic briefs find
``no_match``              below: no better than what a brief about nothing in particular finds
========================  =====================================================================

When no match of a search reaches :data:`WEAK_AT`, the search says "no strong match in the
pool" (:func:`no_strong_match`). (The capability-gap report does not use the strength: any
specific need beats generic briefs; see :mod:`matcher.insight.gaps`.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from matcher.model import Match, ProfileKind

#: A strength at least this is ``strong``.
STRONG_AT = 0.98
#: A strength at least this is ``good``.
GOOD_AT = 0.9
#: A strength at least this is ``weak``; below it a match is no real match. The threshold of
#: "no strong match in the pool".
WEAK_AT = 0.6
#: Quantiles stored per kind (evenly spaced probabilities from 0 to 1).
QUANTILE_COUNT = 101
#: The message shown when no match reaches :data:`WEAK_AT`.
NO_STRONG_MATCH_MESSAGE = (
    "No strong match in the pool: no profile matches this brief better than profiles match "
    "generic briefs. Try describing the problem, the method or the patients more specifically."
)

#: Generic briefs the pool is calibrated with: off-topic questions, everyday requests, and
#: health or research requests too vague to name a topic. Never texts of the pool itself.
GENERIC_BRIEFS: tuple[str, ...] = (
    "What is the capital of France?",
    "How do I bake sourdough bread at home?",
    "Best football team in the premier league this season",
    "Recommend a good novel to read on holiday",
    "How tall is Mount Everest?",
    "What time does the train to Edinburgh leave?",
    "Tips for learning to play the guitar",
    "Who won the world cup in 1966?",
    "Convert 100 dollars to pounds",
    "How do I fix a leaking kitchen tap?",
    "The history of the Roman empire",
    "Weather forecast for the weekend",
    "Planning a wedding on a budget",
    "How to grow tomatoes in a greenhouse",
    "Cheap flights to Spain in August",
    "What is the meaning of life?",
    "Write a poem about the sea",
    "How does a car engine work?",
    "Renovating a Victorian terraced house",
    "Translate hello into Japanese",
    "The rules of cricket explained",
    "Where can I buy a second-hand bicycle?",
    "Jazz musicians of the 1950s",
    "How to train a puppy to sit",
    "Knitting patterns for beginners",
    "Quarterly tax return for a sole trader",
    "Organising the office Christmas party",
    "Improve my chess opening repertoire",
    "Volcanoes and plate tectonics for schoolchildren",
    "Choosing paint colours for a living room",
    "We want a partner for a project.",
    "Looking for help with a small project over a few weeks.",
    "We need an academic partner for a grant application.",
    "Our company is looking for collaborators.",
    "We would like to work with a university.",
    "Can anyone help us with research?",
    "Partners wanted for an innovation project.",
    "A small company needs advice.",
    "We have a few hours a week to give to a project.",
    "We want to test our product with a partner.",
    "Looking for expertise to support a funding bid.",
    "We need an evaluation partner.",
    "Help us improve our service.",
    "We are interested in collaboration opportunities.",
    "Seeking partners for a feasibility study.",
    "We want to improve patient care.",
    "We need help with healthcare research.",
    "Looking for a clinical partner to work with.",
    "We would like to improve outcomes for patients in our hospital.",
    "A research project in health and social care.",
    "We want to use data to make things better for patients.",
    "New technology for the NHS.",
    "Digital innovation in health services.",
    "We need an NHS partner for a study.",
    "Improving quality and safety in hospitals.",
    "Better care for people with long-term conditions.",
    "Reducing pressure on hospital services this winter.",
    "Using artificial intelligence in healthcare.",
    "A partner to help us evaluate a new intervention.",
    "We are looking for an SME to work with on a health project.",
    "Support for staff and patients.",
    "Research into health inequalities.",
    "We want to understand what works.",
    "An evaluation of a new service model.",
    "Public health research partners wanted.",
    "Help with a clinical trial.",
    "We need funding and partners for our idea.",
    "Community-based care and support.",
    "Training and education for health professionals.",
    "Medical devices and diagnostics.",
    "Improving access to services.",
    "We want to reduce costs and improve efficiency.",
    "Wellbeing and quality of life.",
    "A partnership between industry, academia and the NHS.",
    "Looking for people with expertise in health.",
    "Mixed methods research with patients and the public.",
    "Implementation of research findings in practice.",
    "Prevention and early intervention.",
    "Patient and public involvement in research.",
    "A pilot study with a small budget.",
)


def briefs_fingerprint(briefs: Sequence[str] = GENERIC_BRIEFS) -> str:
    """A short hash of the generic briefs (a stored calibration of other briefs is stale)."""
    digest = hashlib.sha256("\n".join(briefs).encode()).hexdigest()
    return digest[:16]


class StrengthLabel(StrEnum):
    """How strong a match is, from its strength (see the module's table)."""

    STRONG = "strong"
    GOOD = "good"
    WEAK = "weak"
    NO_MATCH = "no_match"

    @property
    def text(self) -> str:
        """The label for people."""
        return "no real match" if self is StrengthLabel.NO_MATCH else self.value


def label(strength: float | None) -> StrengthLabel | None:
    """The label of a strength (``None`` when the kind is not calibrated)."""
    if strength is None:
        return None
    if strength >= STRONG_AT:
        return StrengthLabel.STRONG
    if strength >= GOOD_AT:
        return StrengthLabel.GOOD
    if strength >= WEAK_AT:
        return StrengthLabel.WEAK
    return StrengthLabel.NO_MATCH


def is_real_match(strength: float | None) -> bool:
    """Whether a strength reaches :data:`WEAK_AT` (an uncalibrated one counts as real: without
    a calibration nothing can be said against it)."""
    return strength is None or strength >= WEAK_AT


def no_strong_match(matches: Iterable[Match]) -> bool:
    """Whether no match reaches :data:`WEAK_AT` (also true when there is no match at all)."""
    return not any(is_real_match(m.strength) for m in matches)


@dataclass(frozen=True, slots=True)
class KindDistribution:
    """The distribution of one kind's best scores over the generic briefs.

    Attributes:
        quantiles: the scores at evenly spaced probabilities 0, 1/(n−1), …, 1 (ascending).
    """

    quantiles: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.quantiles) < 2:
            raise ValueError("a distribution needs at least two quantiles")
        if any(b < a for a, b in zip(self.quantiles, self.quantiles[1:], strict=False)):
            raise ValueError("quantiles must be ascending")

    @classmethod
    def of(cls, scores: Sequence[float], *, count: int = QUANTILE_COUNT) -> KindDistribution:
        """The quantiles of observed best scores.

        Raises:
            ValueError: no scores, or ``count`` below 2.
        """
        if len(scores) == 0:
            raise ValueError("cannot calibrate from no scores")
        if count < 2:
            raise ValueError(f"count must be at least 2, got {count}")
        values = np.quantile(np.asarray(scores, dtype=np.float64), np.linspace(0, 1, count))
        return cls(tuple(float(v) for v in np.maximum.accumulate(values)))

    def percentile(self, score: float) -> float:
        """The fraction of the distribution at or below ``score``, in [0, 1].

        Linear between quantiles; 0 below the lowest, 1 at or above the highest; a score equal
        to a run of equal quantiles gets the middle of the run.
        """
        q = np.asarray(self.quantiles)
        step = 1.0 / (q.size - 1)
        if score < q[0]:
            return 0.0
        if score >= q[-1]:
            return 1.0
        low = int(np.searchsorted(q, score, side="left"))
        high = int(np.searchsorted(q, score, side="right"))
        if high > low:  # equal to quantiles low … high−1
            return (low + high - 1) / 2 * step
        below, above = q[low - 1], q[low]
        return float((low - 1 + (score - below) / (above - below)) * step)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Per kind, the distribution of best scores of the generic briefs, for one aggregation.

    Attributes:
        aggregation: the aggregation the scores were computed with (``top_k_mean:3``); scores
            of another aggregation are not comparable.
        briefs: :func:`briefs_fingerprint` of the generic briefs used.
        kinds: the distribution of each kind that has profiles.
    """

    aggregation: str
    briefs: str
    kinds: Mapping[ProfileKind, KindDistribution]

    def strength(self, kind: ProfileKind, score: float) -> float | None:
        """The strength of a score of ``kind`` (``None`` when the kind is not calibrated)."""
        distribution = self.kinds.get(kind)
        return None if distribution is None else round(distribution.percentile(score), 4)

    def fits(self, aggregation: str, briefs: str | None = None) -> bool:
        """Whether this calibration is for ``aggregation`` and the current generic briefs."""
        return self.aggregation == aggregation and self.briefs == (
            briefs if briefs is not None else briefs_fingerprint()
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (what the manifest stores)."""
        return {
            "aggregation": self.aggregation,
            "briefs": self.briefs,
            "kinds": {kind.value: list(d.quantiles) for kind, d in self.kinds.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibration:
        """Read :meth:`to_json`'s dict.

        Raises:
            ValueError: a malformed dict.
        """
        try:
            return cls(
                aggregation=str(data["aggregation"]),
                briefs=str(data["briefs"]),
                kinds={
                    ProfileKind(kind): KindDistribution(tuple(float(v) for v in values))
                    for kind, values in data["kinds"].items()
                },
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"malformed calibration: {error}") from error


def calibrate(
    best_scores: Mapping[ProfileKind, Sequence[float]],
    *,
    aggregation: str,
    briefs: str | None = None,
    count: int = QUANTILE_COUNT,
) -> Calibration:
    """A calibration from each kind's best score for every generic brief.

    Args:
        best_scores: per kind, the best profile score of that kind for each generic brief (a
            kind with no scores is left uncalibrated).
        aggregation: the aggregation the scores were computed with.
        briefs: the fingerprint of the briefs (default: that of :data:`GENERIC_BRIEFS`).
        count: quantiles kept per kind.
    """
    return Calibration(
        aggregation=aggregation,
        briefs=briefs if briefs is not None else briefs_fingerprint(),
        kinds={
            kind: KindDistribution.of(scores, count=count)
            for kind, scores in best_scores.items()
            if len(scores)
        },
    )
