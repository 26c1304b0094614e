"""Evaluation metrics, independent of how the scores were produced.

The gold-standard expertise metric (Stelmakh et al., "A Gold Standard Dataset for the Reviewer
Assignment Problem"): for every researcher and every pair of papers they rated, a system that
orders the pair against the ratings costs the rating difference, a tie costs half of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

Ratings = Mapping[str, Mapping[str, float]]
"""researcher id → paper id → self-rated expertise."""

Scores = Mapping[str, Mapping[str, float]]
"""researcher id → paper id → the system's score."""


@dataclass(frozen=True, slots=True)
class GoldStandardMetrics:
    """Loss (lower is better; a constant scorer gets 0.5) and the two accuracies.

    Attributes:
        loss: weighted share of mis-ordered pairs, pooled over researchers.
        easy: share of pairs with one rating ≥ 4 and the other ≤ 2 ordered strictly correctly.
        hard: share of pairs with both ratings ≥ 4 (and different) ordered strictly correctly.
        pairs: number of pairs with different ratings that were scored.
    """

    loss: float
    easy: float
    hard: float
    pairs: int


def goldstandard_metrics(ratings: Ratings, scores: Scores) -> GoldStandardMetrics:
    """Compute the gold-standard loss and accuracies.

    Pairs where either paper has no score are left out. Raises ``ValueError`` when no pair is
    left, since a figure over nothing would be meaningless.
    """
    total_cost = 0.0
    total_weight = 0.0
    easy_right = easy_all = hard_right = hard_all = pairs = 0
    for researcher, rated in ratings.items():
        scored = scores.get(researcher, {})
        papers = [p for p in rated if p in scored]
        for p, q in combinations(papers, 2):
            weight = abs(rated[p] - rated[q])
            if weight == 0:
                continue
            pairs += 1
            # orient the pair so that p is the paper the researcher rated higher
            if rated[p] < rated[q]:
                p, q = q, p
            difference = scored[p] - scored[q]
            correct = difference > 0
            if difference < 0:
                total_cost += weight
            elif difference == 0:
                total_cost += weight / 2
            total_weight += weight
            high, low = rated[p], rated[q]
            if high >= 4 and low <= 2:
                easy_all += 1
                easy_right += int(correct)
            if low >= 4:
                hard_all += 1
                hard_right += int(correct)
    if total_weight == 0:
        raise ValueError("no rated pair with different ratings has scores for both papers")
    return GoldStandardMetrics(
        loss=total_cost / total_weight,
        easy=easy_right / easy_all if easy_all else float("nan"),
        hard=hard_right / hard_all if hard_all else float("nan"),
        pairs=pairs,
    )
