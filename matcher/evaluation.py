"""Evaluation metrics, independent of how the scores were produced.

The gold-standard expertise metric (Stelmakh et al., "A Gold Standard Dataset for the Reviewer
Assignment Problem"): for every researcher and every pair of papers they rated, a system that
orders the pair against the ratings costs the rating difference, a tie costs half of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

from matcher.text import normalise

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


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate with a bootstrap confidence interval."""

    value: float
    low: float
    high: float


def researcher_costs(ratings: Ratings, scores: Scores) -> dict[str, tuple[float, float]]:
    """Per researcher, the (cost, weight) the loss pools; researchers without pairs are left out."""
    result: dict[str, tuple[float, float]] = {}
    for researcher in ratings:
        if researcher not in scores:
            continue
        try:
            metrics = goldstandard_metrics({researcher: ratings[researcher]}, scores)
        except ValueError:
            continue
        weight = sum(
            abs(ratings[researcher][p] - ratings[researcher][q])
            for p, q in combinations([p for p in ratings[researcher] if p in scores[researcher]], 2)
        )
        result[researcher] = (metrics.loss * weight, weight)
    return result


def bootstrap_loss(
    costs_by_version: list[dict[str, tuple[float, float]]],
    *,
    other: list[dict[str, tuple[float, float]]] | None = None,
    samples: int = 2_000,
    seed: int = 0,
    level: float = 0.95,
) -> Interval:
    """Bootstrap over researchers of the version-averaged pooled loss.

    With ``other`` (the same researchers under a second configuration) the interval is of the
    paired difference ``loss(costs) - loss(other)``, resampling the same researchers for both.
    """
    researchers = sorted(set.intersection(*(set(v) for v in costs_by_version)))
    if other is not None:
        researchers = [r for r in researchers if all(r in v for v in other)]
    if not researchers:
        raise ValueError("no researcher is scored in every version")

    def loss(table: list[dict[str, tuple[float, float]]], chosen: list[int]) -> float:
        per_version = []
        for version in table:
            cost = sum(version[researchers[i]][0] for i in chosen)
            weight = sum(version[researchers[i]][1] for i in chosen)
            per_version.append(cost / weight if weight else 0.5)
        return sum(per_version) / len(per_version)

    def statistic(chosen: list[int]) -> float:
        value = loss(costs_by_version, chosen)
        return value - loss(other, chosen) if other is not None else value

    everyone = list(range(len(researchers)))
    point = statistic(everyone)
    rng = np.random.default_rng(seed)
    values = sorted(
        statistic(rng.integers(0, len(researchers), len(researchers)).tolist())
        for _ in range(samples)
    )
    tail = (1 - level) / 2
    return Interval(
        value=point,
        low=values[int(tail * (samples - 1))],
        high=values[int((1 - tail) * (samples - 1))],
    )


# ---------------------------------------------------------------------- authorship
@dataclass(frozen=True, slots=True)
class AuthorshipMetrics:
    """How well a held-out paper finds its author among all researchers.

    Attributes:
        hits_at_1: share of held-out papers whose author is ranked first.
        hits_at_10: share whose author is among the first ten.
        mrr: mean reciprocal rank of the author.
        queries: number of held-out papers.
    """

    hits_at_1: float
    hits_at_10: float
    mrr: float
    queries: int


def author_rank(scores: Mapping[str, float], authors: Collection[str]) -> int:
    """The 1-based rank of the best-scored author among all scored researchers.

    Ties count against the author (every other researcher with an equal score is ranked above),
    so a constant scorer is ranked last, never first.

    Raises:
        ValueError: no author is among the scored researchers.
    """
    scored = [scores[a] for a in authors if a in scores]
    if not scored:
        raise ValueError("none of the authors has a score")
    best = max(scored)
    others = [s for r, s in scores.items() if r not in authors]
    return 1 + sum(1 for s in others if s >= best)


def authorship_metrics(ranks: Mapping[str, int]) -> AuthorshipMetrics:
    """hits@1, hits@10 and MRR over held-out papers (query id → rank of its author).

    Raises:
        ValueError: no ranks, or a rank below 1.
    """
    if not ranks:
        raise ValueError("no held-out paper was ranked")
    values = np.array(list(ranks.values()), dtype=np.float64)
    if (values < 1).any():
        raise ValueError("ranks start at 1")
    return AuthorshipMetrics(
        hits_at_1=float(np.mean(values <= 1)),
        hits_at_10=float(np.mean(values <= 10)),
        mrr=float(np.mean(1.0 / values)),
        queries=int(values.size),
    )


def bootstrap_authorship(
    ranks: Mapping[str, int],
    *,
    other: Mapping[str, int] | None = None,
    samples: int = 2_000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Interval]:
    """Bootstrap intervals over held-out papers (one per researcher) of hits@1, hits@10 and MRR.

    With ``other`` (the same papers under a second configuration) the intervals are of the paired
    differences ``metric(ranks) − metric(other)``.
    """
    keys = sorted(ranks)
    if other is not None:
        keys = [k for k in keys if k in other]
    if not keys:
        raise ValueError("no held-out paper to resample")
    own = np.array([ranks[k] for k in keys], dtype=np.float64)
    theirs = np.array([other[k] for k in keys], dtype=np.float64) if other is not None else None

    def figures(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # columns: hits@1, hits@10, MRR, one row per resample
        return np.stack([(values <= 1).mean(-1), (values <= 10).mean(-1), (1 / values).mean(-1)])

    rng = np.random.default_rng(seed)
    chosen = rng.integers(0, len(keys), size=(samples, len(keys)))
    point = figures(own[None, :])[:, 0]
    boot = figures(own[chosen])
    if theirs is not None:
        point = point - figures(theirs[None, :])[:, 0]
        boot = boot - figures(theirs[chosen])
    tail = (1 - level) / 2
    result = {}
    for row, name in enumerate(("hits_at_1", "hits_at_10", "mrr")):
        low, high = np.quantile(boot[row], [tail, 1 - tail])
        result[name] = Interval(value=float(point[row]), low=float(low), high=float(high))
    return result


#: Two abstracts whose word 3-shingles overlap at least this much (Jaccard) are versions of one
#: paper. The benchmark's second versions differ by a renamed system, a dash or an accent and
#: overlap 0.9–0.96; the closest two different papers of its archives overlap below 0.8.
NEAR_DUPLICATE_OVERLAP = 0.8

_WORD = re.compile(r"[0-9a-z]+")


def _fold(text: str) -> str:
    return normalise(text).casefold()


def _shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    # accents and punctuation differ between versions of one paper ("Poincaré", "--" vs "—")
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = _WORD.findall(bare.casefold())
    return frozenset(tuple(words[i : i + size]) for i in range(max(len(words) - size + 1, 1)))


def same_paper(
    first: tuple[str, str],
    second: tuple[str, str],
    *,
    overlap: float = NEAR_DUPLICATE_OVERLAP,
) -> bool:
    """Whether two (title, abstract) pairs are the same paper, perhaps in two versions.

    The same paper when the normalised, case-folded titles are equal, or the abstracts are, or
    the abstracts' word 3-shingles overlap (Jaccard, accents and punctuation ignored) at least
    ``overlap``. Empty fields never match.

    Raises:
        ValueError: ``overlap`` outside (0, 1].
    """
    if not 0 < overlap <= 1:
        raise ValueError(f"overlap must be in (0, 1], got {overlap}")
    (title_a, abstract_a), (title_b, abstract_b) = first, second
    if _fold(title_a) and _fold(title_a) == _fold(title_b):
        return True
    if not (_fold(abstract_a) and _fold(abstract_b)):
        return False
    if _fold(abstract_a) == _fold(abstract_b):
        return True
    a, b = _shingles(abstract_a), _shingles(abstract_b)
    return len(a & b) >= overlap * len(a | b)
