"""Ranking as pure functions over arrays: chunk similarities → item scores → profile scores.

The search path hands in the similarities of a brief to a set of chunks and the arrays that say
which evidence item and which profile each chunk belongs to; these functions never see FAISS or
the catalogue. An item's similarity is the best of its chunks (an abstract split only because it
overflowed the model's window is still one text); a profile's score aggregates its items.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.model import Aggregation

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

DEFAULT_TOP_K = 3


@dataclass(frozen=True, slots=True)
class AggregationConfig:
    """How item similarities become a profile score.

    Attributes:
        method: ``max`` (best item), ``mean`` (all items) or ``top_k_mean`` (mean of the best k).
        k: how many items ``top_k_mean`` averages; a profile with fewer items averages what it has.
    """

    method: Aggregation = Aggregation.TOP_K_MEAN
    k: int = DEFAULT_TOP_K

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")

    @property
    def key(self) -> str:
        """A short name of the aggregation (``max``, ``mean``, ``top_k_mean:3``): scores of
        different keys are not comparable (a calibration is kept per key)."""
        if self.method is Aggregation.TOP_K_MEAN:
            return f"{self.method.value}:{self.k}"
        return self.method.value


@dataclass(frozen=True, slots=True)
class ItemScores:
    """The best similarity of each item, items in ascending order."""

    items: IntArray
    scores: FloatArray


@dataclass(frozen=True, slots=True)
class ProfileScores:
    """One score per profile, profiles in ascending order."""

    profiles: IntArray
    scores: FloatArray


def score_items(similarities: FloatArray, chunk_items: IntArray) -> ItemScores:
    """Reduce chunk similarities to one score per item: the maximum over its chunks.

    Args:
        similarities: similarity of the brief to each chunk, shape (m,).
        chunk_items: the item index of each chunk, shape (m,).
    """
    if similarities.shape != chunk_items.shape:
        raise ValueError("similarities and chunk_items must have the same shape")
    if similarities.size == 0:
        return ItemScores(np.empty(0, np.int64), np.empty(0, np.float32))
    order = np.lexsort((-similarities, chunk_items))
    items = chunk_items[order]
    sims = similarities[order]
    first = np.ones(items.size, dtype=bool)
    first[1:] = items[1:] != items[:-1]
    return ItemScores(items[first].astype(np.int64), sims[first].astype(np.float32))


def score_profiles(
    item_scores: ItemScores, item_profiles: IntArray, config: AggregationConfig
) -> ProfileScores:
    """Aggregate item scores into one score per profile.

    Args:
        item_scores: scores of the items that were scored.
        item_profiles: the profile index of every item (indexed by item index).
        config: the aggregation to apply.
    """
    if item_scores.items.size == 0:
        return ProfileScores(np.empty(0, np.int64), np.empty(0, np.float32))
    profiles_of = item_profiles[item_scores.items]
    order = np.lexsort((-item_scores.scores, profiles_of))
    profiles = profiles_of[order]
    sims = item_scores.scores[order].astype(np.float64)
    starts = np.flatnonzero(np.r_[True, profiles[1:] != profiles[:-1]])
    counts = np.diff(np.r_[starts, profiles.size])
    if config.method is Aggregation.MAX:
        scores = sims[starts]
    elif config.method is Aggregation.MEAN:
        scores = np.add.reduceat(sims, starts) / counts
    else:
        group = np.repeat(np.arange(starts.size), counts)
        position = np.arange(profiles.size) - np.repeat(starts, counts)
        keep = position < config.k
        sums = np.bincount(group[keep], weights=sims[keep], minlength=starts.size)
        scores = sums / np.minimum(counts, config.k)
    return ProfileScores(profiles[starts].astype(np.int64), scores.astype(np.float32))


@dataclass(frozen=True, slots=True)
class BoundedScores:
    """Profile scores from part of their items: exact where the unseen items cannot change
    them, otherwise an upper bound.

    Attributes:
        profiles: profile indices, ascending.
        scores: the exact score where ``exact``, else the highest score the profile can have.
        exact: whether the score is final.
    """

    profiles: IntArray
    scores: FloatArray
    exact: npt.NDArray[np.bool_]


def bounded_profile_scores(
    item_scores: ItemScores,
    item_profiles: IntArray,
    item_counts: IntArray,
    config: AggregationConfig,
    bound: float,
) -> BoundedScores:
    """Aggregate the items that were seen when every unseen item scores at most ``bound``.

    This is the case for the items of a nearest-neighbour search: an item none of whose chunks
    was retrieved is no closer than the last chunk retrieved. ``max`` is then exact for every
    profile seen; ``top_k_mean`` is exact once a profile's best min(k, its items) were seen,
    ``mean`` once all its items were; otherwise the unseen places are filled with ``bound``,
    which gives an upper bound. Exact scores equal :func:`score_profiles` over all items.

    Args:
        item_scores: scores of the items seen.
        item_profiles: the profile index of every item (indexed by item index).
        item_counts: the number of items of every profile (indexed by profile index).
        config: the aggregation.
        bound: no unseen item scores more than this.
    """
    seen = score_profiles(item_scores, item_profiles, config)
    if seen.profiles.size == 0:
        return BoundedScores(seen.profiles, seen.scores, np.empty(0, dtype=bool))
    found = np.bincount(item_profiles[item_scores.items], minlength=item_counts.size)[seen.profiles]
    total = item_counts[seen.profiles]
    if config.method is Aggregation.MAX:
        return BoundedScores(seen.profiles, seen.scores, np.ones(seen.profiles.size, dtype=bool))
    wanted = total if config.method is Aggregation.MEAN else np.minimum(total, config.k)
    used = np.minimum(found, wanted)
    exact = used >= wanted
    # seen.scores is the mean of the ``used`` best seen items; the missing places score ≤ bound
    scores = seen.scores.copy()
    open_ = ~exact
    scores[open_] = (
        (seen.scores[open_].astype(np.float64) * used[open_] + (wanted - used)[open_] * bound)
        / wanted[open_]
    ).astype(np.float32)
    return BoundedScores(seen.profiles, scores, exact)


def best_per_group(scores: ProfileScores, profile_groups: IntArray, groups: int) -> FloatArray:
    """The best score in each group of profiles (``-inf`` for a group with no scored profile).

    Args:
        scores: profile scores.
        profile_groups: the group of every profile (indexed by profile index), e.g. its kind.
        groups: how many groups there are.
    """
    best = np.full(groups, -np.inf, dtype=np.float32)
    if scores.profiles.size:
        np.maximum.at(best, profile_groups[scores.profiles], scores.scores)
    return best


def top_profiles(scores: ProfileScores, n: int) -> ProfileScores:
    """The n best profiles, best first; ties broken by profile index for a stable order."""
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    order = np.lexsort((scores.profiles, -scores.scores))[:n]
    return ProfileScores(scores.profiles[order], scores.scores[order])


@dataclass(frozen=True, slots=True)
class BestItems:
    """The best items of each profile: parallel arrays ordered by profile, then best item first."""

    profiles: IntArray
    items: IntArray
    scores: FloatArray


def best_items(item_scores: ItemScores, item_profiles: IntArray, n: int) -> BestItems:
    """The ``n`` best-scored items of every profile that has scored items (ties: lower item).

    Args:
        item_scores: scores of the items that were scored.
        item_profiles: the profile index of every item (indexed by item index).
        n: at most this many items per profile.
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    profiles_of = item_profiles[item_scores.items]
    order = np.lexsort((item_scores.items, -item_scores.scores, profiles_of))
    profiles = profiles_of[order]
    starts = np.flatnonzero(np.r_[True, profiles[1:] != profiles[:-1]][: profiles.size])
    counts = np.diff(np.r_[starts, profiles.size]).astype(np.int64)
    position = np.arange(profiles.size) - np.repeat(starts, counts)
    keep = order[position < n]
    return BestItems(
        profiles_of[keep].astype(np.int64),
        item_scores.items[keep].astype(np.int64),
        item_scores.scores[keep].astype(np.float32),
    )


#: At most this many profiles per kind in the "exact match" lane of an answer.
LANE_SIZE = 3


def exact_match_lane(
    main: IntArray, best: ProfileScores, *, size: int = LANE_SIZE
) -> ProfileScores:
    """The "exact match" lane of one kind: profiles left out of the main list that have one
    evidence item as close to the brief as the main list's typical best item.

    The main list is ordered by an aggregate (the mean of a profile's closest items, or a
    fusion), which buries a profile with one very close item among many unrelated ones. Such a
    profile qualifies when it is not in ``main`` and its best item's similarity is at least the
    median of the best-item similarities of the profiles in ``main`` (its closest item would sit
    in the upper half of the main list's closest items). The rule reads only the answer's own
    scores: no threshold fitted to a pool or a benchmark. An empty main list has no lane.

    Args:
        main: the profiles of the main list (its top k).
        best: the best-item similarity of every candidate profile, those of ``main`` included
            (the ``max`` aggregation); a profile of ``main`` missing from it is ignored.
        size: at most this many profiles in the lane.

    Returns:
        The lane's profiles with their best-item similarity, closest first (ties: lower
        profile index), at most ``size``.
    """
    if size < 0:
        raise ValueError(f"size must be non-negative, got {size}")
    shown = np.isin(best.profiles, main)
    if not shown.any():
        return ProfileScores(np.empty(0, np.int64), np.empty(0, np.float32))
    threshold = np.median(best.scores[shown].astype(np.float64))
    qualifies = ~shown & (best.scores.astype(np.float64) >= threshold)
    return top_profiles(ProfileScores(best.profiles[qualifies], best.scores[qualifies]), size)
