"""Step 2 of a batch run: score every brief through the search path and number the candidates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matcher.fusion import RankingProfile
from matcher.model import Brief
from service.search.engine import SearchEngine


@dataclass(frozen=True, slots=True)
class Candidates:
    """Every brief's candidates, as indices into one list of profile ids.

    Attributes:
        ids: the profile ids, each once, in the order first seen.
        per_brief: per brief, (index into ``ids``, score) of each candidate of every kind.
    """

    ids: list[str]
    per_brief: list[list[tuple[int, float]]]


def score_briefs(
    engine: SearchEngine,
    briefs: Sequence[Brief],
    *,
    progress: Callable[[int, int], None] | None = None,
    profile: RankingProfile = RankingProfile.FAST,
) -> Candidates:
    """Score the briefs (in encoding batches) and collect their candidates of every kind.

    Args:
        engine: the search engine.
        briefs: the call's briefs.
        progress: called as ``progress(done, total)`` after each batch of briefs.
        profile: the ranking profile.

    Raises:
        IndexUnavailableError: no usable index.
    """
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(briefs))

    scored = engine.score_many(briefs, progress=tick, profile=profile)
    snap = engine.snapshot()
    index_of: dict[str, int] = {}
    per_brief: list[list[tuple[int, float]]] = []
    for result in scored:
        row = []
        for scores in result.groups.values():
            for p, s in zip(scores.profiles, scores.scores, strict=True):
                profile_id = snap.profiles[int(p)].id
                row.append((index_of.setdefault(profile_id, len(index_of)), float(s)))
        per_brief.append(row)
    return Candidates(ids=list(index_of), per_brief=per_brief)
