"""Sustainable Development Goal tags: multi-label, each with a confidence, from the similarity of a
text to the goals' own words combined with keyword rules; and how our tags agree with a source's.

How a text is tagged (:func:`tag_sdgs`): its vector is compared with the vector of each goal's
title and of each of its targets (:mod:`matcher.insight.sdg_text`); a goal's similarity is the
best of them. The similarity is mapped linearly from [:data:`SIM_FLOOR`, :data:`SIM_CEIL`] onto
[0, 1], and the goal's keyword rules (regular expressions on word boundaries) add their own
evidence (one hit half, two or more the whole):

    confidence = SIM_WEIGHT · clip((sim − floor) / (ceil − floor), 0, 1) + (1 − SIM_WEIGHT) · kw

A goal whose confidence reaches :data:`TAG_AT` is a tag. Neither signal alone is enough to tag
unless it is strong: a text that merely says "patients" (a keyword of goal 3) with nothing else
of health in it stays untagged, and so does one that is only vaguely near a target's words.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from matcher.insight.sdg_text import GOALS, Goal

#: Similarities at or below this say nothing (unrelated sentences of MiniLM score ~0–0.2).
SIM_FLOOR = 0.2
#: Similarities at or above this are full evidence (a text about a target's own subject).
SIM_CEIL = 0.5
#: The similarity's share of the confidence; the keyword rules have the rest.
SIM_WEIGHT = 0.6
#: A goal is a tag from this confidence.
TAG_AT = 0.5
#: A source's score (OpenAlex: 0–1) at least this counts as the source tagging the goal (the
#: threshold OpenAlex itself uses to list a goal on a work).
SOURCE_TAG_AT = 0.4
K = TypeVar("K", bound=Hashable)

#: Where a tag comes from.
OURS = "ours"


@dataclass(frozen=True, slots=True)
class SdgTag:
    """One goal a text serves: its number (1–17), confidence (0–1) and who said so."""

    goal: int
    confidence: float
    source: str = OURS


def goal_texts(goals: Sequence[Goal] = GOALS) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Every text to embed for the goals (title, then targets) and the goal number of each."""
    texts: list[str] = []
    numbers: list[int] = []
    for g in goals:
        for text in g.texts:
            texts.append(text)
            numbers.append(g.number)
    return texts, np.array(numbers, dtype=np.int64)


def _patterns(goals: Sequence[Goal]) -> list[list[re.Pattern[str]]]:
    return [[re.compile(rf"\b(?:{k})\b", re.IGNORECASE) for k in g.keywords] for g in goals]


def keyword_hits(texts: Sequence[str], goals: Sequence[Goal] = GOALS) -> npt.NDArray[np.int64]:
    """How many of each goal's keyword rules a text matches, shape (texts, goals) (each rule
    on its own, so that overlapping rules such as "domestic violence" and "violence against
    women" both count)."""
    patterns = _patterns(goals)
    hits = np.zeros((len(texts), len(goals)), dtype=np.int64)
    for i, text in enumerate(texts):
        for j, rules in enumerate(patterns):
            hits[i, j] = sum(1 for rule in rules if rule.search(text))
    return hits


def goal_similarities(
    vectors: npt.NDArray[np.float32],
    goal_vectors: npt.NDArray[np.float32],
    goal_numbers: npt.NDArray[np.int64],
    *,
    goal_count: int = len(GOALS),
) -> npt.NDArray[np.float32]:
    """Each text's best similarity to each goal's texts, shape (texts, goals)."""
    similarity = np.atleast_2d(vectors) @ goal_vectors.T
    best = np.full((similarity.shape[0], goal_count), -1.0, dtype=np.float32)
    for g in range(goal_count):
        columns = goal_numbers == g + 1
        if columns.any():
            best[:, g] = similarity[:, columns].max(axis=1)
    return best


def confidences(
    similarities: npt.NDArray[np.float32], hits: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """The confidence of every (text, goal) from its similarity and keyword hits."""
    span = SIM_CEIL - SIM_FLOOR
    sim = np.clip((similarities.astype(np.float64) - SIM_FLOOR) / span, 0.0, 1.0)
    kw = np.minimum(hits, 2).astype(np.float64) / 2.0
    return SIM_WEIGHT * sim + (1.0 - SIM_WEIGHT) * kw


def tag_sdgs(
    vectors: npt.NDArray[np.float32],
    texts: Sequence[str],
    goal_vectors: npt.NDArray[np.float32],
    goal_numbers: npt.NDArray[np.int64],
    *,
    threshold: float = TAG_AT,
    goals: Sequence[Goal] = GOALS,
) -> list[tuple[SdgTag, ...]]:
    """The SDG tags of each text, most confident first.

    Args:
        vectors: the texts' unit vectors, shape (n, d).
        texts: the texts (for the keyword rules).
        goal_vectors: the unit vectors of :func:`goal_texts`' texts, same model.
        goal_numbers: the goal of each of those vectors.
        threshold: the confidence a tag needs.
        goals: the goals (their keyword rules).

    Raises:
        ValueError: not one text per vector.
    """
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    if matrix.shape[0] != len(texts):
        raise ValueError(f"{matrix.shape[0]} vectors but {len(texts)} texts")
    scores = confidences(
        goal_similarities(matrix, goal_vectors, goal_numbers, goal_count=len(goals)),
        keyword_hits(texts, goals),
    )
    found: list[tuple[SdgTag, ...]] = []
    for row in scores:
        order = np.argsort(-row, kind="stable")
        found.append(
            tuple(
                SdgTag(goals[int(g)].number, round(float(row[g]), 3))
                for g in order
                if row[g] >= threshold
            )
        )
    return found


_GOAL_NUMBER = re.compile(r"(\d{1,2})\s*$")


def goal_number(source_id: str) -> int | None:
    """The goal number of a source's goal id (OpenAlex: ``https://metadata.un.org/sdg/3``);
    ``None`` when it names no goal 1–17."""
    found = _GOAL_NUMBER.search(source_id.strip().rstrip("/"))
    if found is None:
        return None
    number = int(found.group(1))
    return number if 1 <= number <= len(GOALS) else None


@dataclass(frozen=True, slots=True)
class Agreement:
    """How our tags agree with a source's, over the items the source scored.

    Attributes:
        items: items compared (the source scored at least one goal of each).
        same_top: share whose most confident goal is the same on both sides.
        overlap: share where the two share at least one goal.
        jaccard: mean Jaccard index of the two sets of goals (both empty counts as 1).
        only_ours: goals we tag and the source does not, summed over the items.
        only_theirs: goals the source tags and we do not.
    """

    items: int
    same_top: float
    overlap: float
    jaccard: float
    only_ours: int
    only_theirs: int


def agreement(
    ours: Mapping[K, Sequence[SdgTag]],
    theirs: Mapping[K, Sequence[SdgTag]],
    *,
    source_threshold: float = SOURCE_TAG_AT,
) -> Agreement:
    """Compare our tags with a source's on the items the source scored.

    Args:
        ours: item key → our tags (most confident first).
        theirs: item key → the source's scores as tags (any order).
        source_threshold: the source's score that counts as its tag.
    """
    keys = [k for k, tags in theirs.items() if tags]
    same = overlap = only_ours = only_theirs = 0
    jaccards: list[float] = []
    for key in keys:
        mine = list(ours.get(key, ()))
        source = sorted(theirs[key], key=lambda t: -t.confidence)
        a = {t.goal for t in mine}
        b = {t.goal for t in source if t.confidence >= source_threshold}
        if mine and mine[0].goal == source[0].goal:
            same += 1
        if a & b:
            overlap += 1
        jaccards.append(len(a & b) / len(a | b) if a | b else 1.0)
        only_ours += len(a - b)
        only_theirs += len(b - a)
    n = len(keys)
    return Agreement(
        items=n,
        same_top=round(same / n, 4) if n else 0.0,
        overlap=round(overlap / n, 4) if n else 0.0,
        jaccard=round(float(np.mean(jaccards)), 4) if n else 0.0,
        only_ours=only_ours,
        only_theirs=only_theirs,
    )


def goals_of(tags: Iterable[SdgTag]) -> frozenset[int]:
    """The goals named by some tags."""
    return frozenset(t.goal for t in tags)
