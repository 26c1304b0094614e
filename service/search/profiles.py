"""Ranking profiles as a name → scorer table (openreview-matcher's ``SOLVER_MAP``).

Every search runs the fast path first: FAISS candidates, settled by the bound, scored exactly
(:class:`~service.search.engine.SearchEngine`). A :class:`ProfileScorer` says what a ranking
profile does with that: how many candidates per kind it needs, how it re-scores them, and how
it scores given profiles for evaluation. The engine picks its scorer once per call from
:func:`scorers`, never by testing the profile's name.

- ``fast`` (:class:`FastScoring`): the fast path's scores are final;
- ``thorough`` (:class:`ThoroughScoring`): the fast path's best :data:`THOROUGH_SHORTLIST` of
  each kind are re-scored by fusing several signals (:mod:`service.search.thorough`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

from index.vectors.store import IndexSnapshot
from matcher.fusion import RankingProfile
from matcher.model import ProfileKind
from matcher.ranking import ProfileScores, top_profiles

if TYPE_CHECKING:  # imported on first use: the thorough profile loads scikit-learn and bm25s
    from matcher.rerank import Reranker
    from service.search.rerank import LexicalPool
    from service.search.thorough import ThoroughScorer

#: The thorough profile re-scores at most this many of the fast profile's best per kind.
THOROUGH_SHORTLIST = 100
#: A re-ranked profile re-scores at least this many of the fast path's best per kind.
RERANK_SHORTLIST = 50
#: The ranking profiles that use a trained re-ranker when the index version has one; chosen by
#: the rule and the measurements of docs/quality.md (section "Ranking that learns").
RERANKED: frozenset[RankingProfile] = frozenset()

#: Exact scores of given profiles over all their vectors: ``aggregate(snap, query, profiles)``.
Aggregate: TypeAlias = Callable[
    [IndexSnapshot, npt.NDArray[np.float32], npt.NDArray[np.int64]], ProfileScores
]


class ProfileScorer(Protocol):
    """What a ranking profile does after (and instead of) the fast path's final step."""

    #: whether :meth:`score` reads the brief's text (callers must then give one per brief)
    needs_texts: bool

    def shortlist(self, top: int) -> int:
        """How many candidates per kind the fast path must rank for a brief that wants ``top``."""
        ...

    def rescore(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        groups: dict[ProfileKind, ProfileScores],
        top: int,
    ) -> dict[ProfileKind, ProfileScores]:
        """The final ``top`` of each kind, from the fast path's shortlist ``groups``."""
        ...

    def score(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        wanted: npt.NDArray[np.int64],
    ) -> ProfileScores:
        """Scores of (at least) the ``wanted`` profiles for one brief."""
        ...


class FastScoring:
    """The ``fast`` profile: one model, the fast path's exact scores are final.

    Args:
        aggregate: exact scoring of given profiles over all their vectors.
    """

    needs_texts = False

    def __init__(self, aggregate: Aggregate) -> None:
        self._aggregate = aggregate

    def shortlist(self, top: int) -> int:
        """Exactly the ``top`` the brief wants."""
        return top

    def rescore(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        groups: dict[ProfileKind, ProfileScores],
        top: int,
    ) -> dict[ProfileKind, ProfileScores]:
        """The fast path's groups, unchanged."""
        return groups

    def score(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        wanted: npt.NDArray[np.int64],
    ) -> ProfileScores:
        """Exact scores of the wanted profiles (``text`` is not read)."""
        return self._aggregate(snap, query, np.unique(wanted))


class ThoroughScoring:
    """The ``thorough`` profile: the fast path's shortlist re-scored by signal fusion.

    Args:
        scorer: returns the engine's :class:`~service.search.thorough.ThoroughScorer` (built
            on first use).
    """

    needs_texts = True

    def __init__(self, scorer: Callable[[], ThoroughScorer]) -> None:
        self._scorer = scorer

    def shortlist(self, top: int) -> int:
        """At least :data:`THOROUGH_SHORTLIST` per kind, so that fusion can reorder them."""
        return max(THOROUGH_SHORTLIST, top)

    def rescore(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        groups: dict[ProfileKind, ProfileScores],
        top: int,
    ) -> dict[ProfileKind, ProfileScores]:
        """The shortlists of every kind fused together, then the best ``top`` of each kind."""
        if not any(g.profiles.size for g in groups.values()):
            return groups
        shortlist = np.concatenate([g.profiles for g in groups.values()])
        rescored = self._scorer().score(snap, text, query, shortlist)
        kinds = list(ProfileKind)
        rescored_kinds = snap.kind_codes[rescored.profiles]
        result: dict[ProfileKind, ProfileScores] = {}
        for kind in groups:
            mask = rescored_kinds == kinds.index(kind)
            result[kind] = top_profiles(
                ProfileScores(rescored.profiles[mask], rescored.scores[mask]), top
            )
        return result

    def score(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        wanted: npt.NDArray[np.int64],
    ) -> ProfileScores:
        """Fused scores of every profile of the wanted profiles' kinds (the fusion standardises
        over them)."""
        pool = np.flatnonzero(np.isin(snap.kind_codes, snap.kind_codes[wanted])).astype(np.int64)
        return self._scorer().score(snap, text, query, pool)


class LearnedScoring:
    """A profile whose shortlist is re-scored by the index version's trained re-ranker, when it
    has one (otherwise exactly the wrapped profile).

    Args:
        base: the wrapped profile's scorer.
        model: the version's re-ranker, or ``None``.
        lexicon: the version's texts and BM25 index.
    """

    needs_texts = True

    def __init__(
        self,
        base: ProfileScorer,
        model: Callable[[IndexSnapshot], Reranker | None],
        lexicon: Callable[[IndexSnapshot], LexicalPool],
    ) -> None:
        self._base = base
        self._model = model
        self._lexicon = lexicon

    def shortlist(self, top: int) -> int:
        """The wrapped profile's shortlist, and at least :data:`RERANK_SHORTLIST`."""
        return max(RERANK_SHORTLIST, self._base.shortlist(top))

    def _learned(
        self,
        snap: IndexSnapshot,
        model: Reranker,
        text: str,
        query: npt.NDArray[np.float32],
        profiles: npt.NDArray[np.int64],
    ) -> ProfileScores:
        from service.search.rerank import candidate_features

        found = candidate_features(snap, self._lexicon(snap), text, query, profiles)
        return ProfileScores(found.profiles, model.score(found.rows).astype(np.float32))

    def rescore(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        groups: dict[ProfileKind, ProfileScores],
        top: int,
    ) -> dict[ProfileKind, ProfileScores]:
        """Each kind's shortlist re-scored by the model (or the wrapped profile's answer)."""
        model = self._model(snap)
        if model is None:
            return self._base.rescore(snap, text, query, groups, top)
        return {
            kind: top_profiles(self._learned(snap, model, text, query, g.profiles), top)
            if g.profiles.size
            else g
            for kind, g in groups.items()
        }

    def score(
        self,
        snap: IndexSnapshot,
        text: str,
        query: npt.NDArray[np.float32],
        wanted: npt.NDArray[np.int64],
    ) -> ProfileScores:
        """The model's scores of every profile of the wanted profiles' kinds (features compare a
        candidate with the others)."""
        model = self._model(snap)
        if model is None:
            return self._base.score(snap, text, query, wanted)
        pool = np.flatnonzero(np.isin(snap.kind_codes, snap.kind_codes[wanted])).astype(np.int64)
        return self._learned(snap, model, text, query, pool)


def scorers(
    *,
    aggregate: Aggregate,
    thorough: Callable[[], ThoroughScorer],
    reranker: Callable[[IndexSnapshot], Reranker | None] | None = None,
    lexicon: Callable[[IndexSnapshot], LexicalPool] | None = None,
    reranked: frozenset[RankingProfile] = RERANKED,
) -> dict[RankingProfile, ProfileScorer]:
    """The name → scorer table of one engine.

    Args:
        aggregate: the engine's exact scoring of given profiles.
        thorough: the engine's thorough scorer (built on first use).
        reranker: the index version's trained re-ranker, if any (``None``: re-ranking off).
        lexicon: the index version's texts and BM25 index (with ``reranker``).
        reranked: the profiles that use the re-ranker when there is one.
    """
    table: dict[RankingProfile, ProfileScorer] = {
        RankingProfile.FAST: FastScoring(aggregate),
        RankingProfile.THOROUGH: ThoroughScoring(thorough),
    }
    if reranker is not None and lexicon is not None:
        for name in reranked:
            table[name] = LearnedScoring(table[name], reranker, lexicon)
    return table
