"""The search path: brief → encoder → FAISS candidates → filters, exact scores → explanation.

Single searches, batch matching (:mod:`service.batch`), consortium facets and the evaluation
harnesses (:mod:`service.evaluation`) all go through :class:`SearchEngine`, so there is one
implementation of ranking.

How a brief is scored (:meth:`SearchEngine.score`): the index (exact inner product up to
``exact_max_vectors``, above it IVF with 8-bit codes whose answers are re-scored from a float16
copy of the vectors; see :mod:`index.vectors.store`) returns the nearest chunks with their
similarities; their profiles are the candidates. A candidate whose found chunks settle its
score (the aggregation's bound) is scored from them; one that could still reach the top is
re-scored exactly over all its vectors; one that cannot is left out. Once the ``top``-th score
beats the best any unfound profile could have (the last found chunk's similarity), the ranking
is final; until then the kind is searched on its own with more chunks, and at worst all its
profiles are scored. The ranking profile (:mod:`service.search.profiles`) then says whether
these scores are final (``fast``) or a shortlist to re-score by fusion (``thorough``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from index.db.catalogue import Catalogue
from index.encoders.base import Encoder
from index.vectors.snapshot import Nearest
from index.vectors.store import IndexSnapshot, IndexStore
from index.vectors.sync import brief_vectors, measure_calibration
from matcher.briefs import make_brief
from matcher.calibration import Calibration, label
from matcher.errors import IndexUnavailableError, ProfileNotFoundError
from matcher.explain import TermStatistics, analyse_item, shared_terms_of, snippet_of
from matcher.fusion import RankingProfile
from matcher.model import (
    Aggregation,
    Brief,
    EvidenceMatch,
    Filters,
    Match,
    Profile,
    ProfileKind,
    SearchResult,
)
from matcher.ranking import (
    AggregationConfig,
    ProfileScores,
    best_items,
    bounded_profile_scores,
    exact_match_lane,
    score_items,
    score_profiles,
    top_profiles,
)
from service.search.microbatch import BatchStats, MicroBatcher
from service.search.profiles import RERANKED, THOROUGH_SHORTLIST, ProfileScorer, scorers

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from service.search.rerank import LexicalPool
    from service.search.thorough import ThoroughScorer

__all__ = ["EVIDENCE_PER_MATCH", "THOROUGH_SHORTLIST", "ScoredBrief", "SearchEngine"]

#: The sharded search step (:mod:`service.scale.shards`): called as ``shards(snap, brief, query,
#: top, aggregation)``, the fast path's ``top`` best of each wanted kind over ``snap`` (before the
#: ranking profile's re-scoring), or ``None`` to score locally.
ShardedScoring = Callable[
    [IndexSnapshot, Brief, npt.NDArray[np.float32], int, AggregationConfig], "ScoredBrief | None"
]

#: Evidence items shown per match (the profile's best, by similarity to the brief).
EVIDENCE_PER_MATCH = 3
#: The best item of a profile: the aggregation the "exact match" lane compares.
BEST_ITEM = AggregationConfig(Aggregation.MAX)
#: The pool's document frequencies (for shared terms) are counted over at most this many of
#: an index version's chunks, a seeded sample: enough for the frequent words that matter.
TERM_SAMPLE = 20_000


def _bound(similarities: npt.NDArray[np.float32], k: int) -> float | None:
    """The best score a profile with no retrieved chunk can have: the last retrieved chunk's
    similarity, or ``None`` when fewer than ``k`` came back (every row was seen)."""
    return float(similarities[-1]) if similarities.size >= k and similarities.size else None


def _with_snippet(evidence: EvidenceMatch, snippet: str) -> EvidenceMatch:
    """``evidence`` with another snippet (what ``dataclasses.replace`` does, at a fifth of its
    cost: an explanation makes 180 of them; tests/matcher/test_explain_golden.py compares)."""
    return EvidenceMatch(
        item_id=evidence.item_id,
        type=evidence.type,
        title=evidence.title,
        similarity=evidence.similarity,
        snippet=snippet,
        year=evidence.year,
        provenance=evidence.provenance,
        pinned=evidence.pinned,
    )


def _conflicts(brief: Brief, profile: Profile) -> tuple[str, ...]:
    """The conflicts of interest a match is flagged with (its organisation is the requester's)."""
    if brief.requester_organisation and profile.organisation_id == brief.requester_organisation:
        return ("same organisation as the requester",)
    return ()


@dataclass(frozen=True, slots=True)
class ScoredBrief:
    """Profile scores for one brief before explanation (the common core of every search).

    Attributes:
        groups: per wanted kind, its best profiles (snapshot indices) and scores, best first.
        considered: how many candidate profiles were scored on the way.
    """

    groups: dict[ProfileKind, ProfileScores]
    considered: int


class SearchEngine:
    """Ranks profiles for briefs against the current index version.

    Args:
        catalogue: source of profile details and evidence for explanations (and of item texts
            for the thorough profile).
        store: the index versions on disk; a newer version is picked up automatically.
        encoder: embeds briefs (must be the model that built the index).
        aggregation: how item similarities become profile scores.
        candidate_chunks: nearest chunks fetched first from the index; the candidates they name
            are scored exactly, and more are fetched per kind only while the bound is not
            settled.
        reload_seconds: at most how often the store is checked for a newer version.
        rerank: whether the profiles in ``reranked`` use the index version's trained re-ranker
            when it has one (``matcher learn``; the setting ``reranker``).
        reranked: the profiles that do (default :data:`~service.search.profiles.RERANKED`).
    """

    def __init__(
        self,
        catalogue: Catalogue,
        store: IndexStore,
        encoder: Encoder,
        *,
        aggregation: AggregationConfig | None = None,
        candidate_chunks: int = 2_000,
        reload_seconds: float = 2.0,
        rerank: bool = True,
        reranked: frozenset[RankingProfile] | None = None,
        goal_profiles: Callable[[frozenset[int]], set[str]] | None = None,
        micro_batch: int = 16,
        micro_batch_wait: float = 0.0,
    ) -> None:
        self.catalogue = catalogue
        self.store = store
        self.encoder = encoder
        self.aggregation = aggregation or AggregationConfig()
        self.candidate_chunks = candidate_chunks
        self.reload_seconds = reload_seconds
        #: profiles with an item tagged with one of the goals (the SDG filter; None: no tags)
        self.goal_profiles = goal_profiles
        #: the sharded search step when ``matcher serve --shards`` runs (None: this process)
        self.shards: ShardedScoring | None = None
        self._snapshot: IndexSnapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._names: tuple[int, dict[str, str]] | None = None
        self._thorough: ThoroughScorer | None = None
        self._calibration: tuple[IndexSnapshot, Calibration] | None = None
        self._terms: tuple[IndexSnapshot, TermStatistics] | None = None
        # through a lambda, so that the scorers see an ``_aggregate`` replaced on the instance
        from service.search.rerank import RerankerCache

        self._rerankers = RerankerCache()
        # concurrent searches share one encoder call and one first index search
        # (service.search.microbatch); micro_batch 1 runs each alone
        self._encode_one: MicroBatcher[str, npt.NDArray[np.float32]] = MicroBatcher(
            lambda texts: list(self.encoder.encode(texts)),
            max_batch=micro_batch,
            max_wait=micro_batch_wait,
        )
        self._nearest_one: MicroBatcher[tuple[IndexSnapshot, npt.NDArray[np.float32]], Nearest] = (
            MicroBatcher(self._nearest_batch, max_batch=micro_batch, max_wait=micro_batch_wait)
        )
        self._scorers: dict[RankingProfile, ProfileScorer] = scorers(
            aggregate=lambda snap, query, profiles: self._aggregate(snap, query, profiles),
            thorough=self.thorough_scorer,
            reranker=self._rerankers.model if rerank else None,
            lexicon=lambda snap: self._rerankers.lexicon(snap, self.catalogue),
            reranked=RERANKED if reranked is None else reranked,
        )

    # ------------------------------------------------------------------ index versions
    def snapshot(self) -> IndexSnapshot:
        """The loaded index, reloaded when a newer version has been swapped in.

        Raises:
            IndexUnavailableError: no index has been built, or the current one was built with
                another model than this engine's encoder.
        """
        now = time.monotonic()
        current = self._snapshot
        if current is not None and now - self._checked_at < self.reload_seconds:
            return current
        with self._lock:
            self._checked_at = now
            directory = self.store.current_dir()
            if self._snapshot is None or directory != self._snapshot.path:
                loaded = self.store.load()
                if loaded.manifest.model_id != self.encoder.model_id:
                    # e.g. 'matcher adapt' ran in another process: briefs encoded by this
                    # process's model would be compared with another model's vectors.
                    raise IndexUnavailableError(
                        f"index version {loaded.manifest.version} was built with model "
                        f"{loaded.manifest.model_id}, but this process encodes with "
                        f"{self.encoder.model_id}; restart it"
                    )
                self._snapshot = loaded
                logger.info("serving index version %s", loaded.manifest.version)
            return self._snapshot

    def reload(self) -> IndexSnapshot:
        """Load the current version now, whatever the reload interval."""
        self._checked_at = 0.0
        return self.snapshot()

    def calibration(self, snap: IndexSnapshot | None = None) -> Calibration:
        """The calibration of match strengths of a version (the current one by default).

        Read from its manifest when it holds one of this engine's aggregation; otherwise (a
        version built before calibrations were kept, or another aggregation) measured now,
        once per loaded version, and kept in memory; the next sync stores it.
        """
        snap = snap or self.snapshot()
        cached = self._calibration
        if cached is not None and cached[0] is snap:
            return cached[1]
        found: Calibration | None = None
        if snap.manifest.calibration is not None:
            try:
                found = Calibration.from_json(snap.manifest.calibration)
            except ValueError as error:
                logger.warning("index version %s: %s", snap.manifest.version, error)
        if found is None or not found.fits(self.aggregation.key):
            logger.info(
                "index version %s has no calibration of %s; measuring it",
                snap.manifest.version,
                self.aggregation.key,
            )
            found = measure_calibration(
                snap.vectors,
                snap.row_items,
                snap.item_profiles,
                snap.kind_codes,
                brief_vectors(self.encoder, snap),
                self.aggregation,
            )
        self._calibration = (snap, found)
        return found

    def term_statistics(self, snap: IndexSnapshot | None = None) -> TermStatistics:
        """Document frequencies of words over a version's chunks (at most :data:`TERM_SAMPLE`
        of them, a sample seeded by the version), counted once per loaded version."""
        snap = snap or self.snapshot()
        cached = self._terms
        if cached is not None and cached[0] is snap:
            return cached[1]
        ids = snap.row_ids
        if ids.size > TERM_SAMPLE:
            rng = np.random.default_rng(snap.manifest.version)
            ids = np.sort(rng.choice(ids, TERM_SAMPLE, replace=False))
        texts = self.catalogue.chunk_texts([int(i) for i in ids])
        found = TermStatistics.of(texts.values())
        self._terms = (snap, found)
        return found

    # ------------------------------------------------------------------ scoring
    def encode_briefs(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed brief texts (one batch), query side of the model, L2-normalised."""
        return self.encoder.encode(list(texts))

    def encode_brief(self, text: str) -> npt.NDArray[np.float32]:
        """Embed one brief; concurrent callers share one encoder call (micro-batching)."""
        return self._encode_one(text)

    def nearest_one(
        self, query: npt.NDArray[np.float32], snap: IndexSnapshot | None = None
    ) -> Nearest:
        """The first search of one brief's vector (:attr:`candidate_chunks` nearest rows) in
        ``snap`` (the current version by default); concurrent callers share one index call."""
        return self._nearest_one((snap or self.snapshot(), query))

    def _nearest_batch(
        self, items: list[tuple[IndexSnapshot, npt.NDArray[np.float32]]]
    ) -> list[Nearest]:
        """One :meth:`IndexSnapshot.nearest` call per snapshot among ``items``, in order."""
        found: list[Nearest | None] = [None] * len(items)
        by_snap: dict[int, list[int]] = {}
        for i, (snap, _) in enumerate(items):
            by_snap.setdefault(id(snap), []).append(i)
        for positions in by_snap.values():
            snap = items[positions[0]][0]
            queries = np.stack([items[i][1] for i in positions])
            answers = snap.nearest(queries, min(self.candidate_chunks, snap.size))
            for i, answer in zip(positions, answers, strict=True):
                found[i] = answer
        return [n for n in found if n is not None]

    @property
    def batching(self) -> dict[str, BatchStats]:
        """What micro-batching has done so far, per step (``encode``, ``nearest``)."""
        return {"encode": self._encode_one.stats, "nearest": self._nearest_one.stats}

    def thorough_scorer(self) -> ThoroughScorer:
        """The scorer of the ``thorough`` profile (built on first use; see
        :mod:`service.search.thorough`)."""
        if self._thorough is None:
            from service.search.thorough import ThoroughScorer

            self._thorough = ThoroughScorer(self.catalogue, self.encoder)
        return self._thorough

    def score(
        self,
        brief: Brief,
        query: npt.NDArray[np.float32] | None = None,
        *,
        profile: RankingProfile = RankingProfile.FAST,
        nearest: Nearest | None = None,
    ) -> ScoredBrief:
        """Scores of the best profiles of each wanted kind for one brief, without explanations.

        The index's nearest chunks name the candidate profiles, which are then scored exactly
        (from their found chunks where those settle the score, else over all their vectors).
        A profile none of whose chunks was retrieved scores at most the similarity of the last
        chunk retrieved (every aggregation is at most its best item), so once the ``top``-th
        candidate beats that bound the ranking is final; until then the kind is searched on its
        own with four times as many chunks, and at worst all its profiles are scored. Over an
        exact index the result is therefore exactly that of scoring every profile.

        The ranking profile's scorer (:mod:`service.search.profiles`) sets how many candidates
        per kind are ranked and re-scores them: ``thorough`` fuses several signals over the
        fast path's best of each kind (:class:`~service.search.thorough.ThoroughScorer`).

        Args:
            brief: the brief (its filters, exclusions and ``top``).
            query: the brief's vector, when already encoded.
            profile: the ranking profile.
            nearest: the query's nearest rows, when already searched (with others, in one
                call: :meth:`IndexSnapshot.nearest`); its snapshot is the one scored.

        Raises:
            IndexUnavailableError: no usable index.
        """
        snap = self.snapshot() if nearest is None else nearest.snap
        if query is None:
            query = self.encode_briefs([brief.text])[0]
        if self.shards is not None and nearest is None:
            scoring = self._scorers[profile]
            merged = self.shards(snap, brief, query, scoring.shortlist(brief.top), self.aggregation)
            if merged is not None:
                final = scoring.rescore(snap, brief.text, query, merged.groups, brief.top)
                return ScoredBrief(groups=final, considered=merged.considered)
        first_k = min(self.candidate_chunks, snap.size)
        if nearest is None:
            nearest = snap.nearest(query[None, :], first_k)[0]
        scorer = self._scorers[profile]
        top = scorer.shortlist(brief.top)
        allowed = self._allowed_for(snap, brief.filters)
        kinds = sorted(brief.filters.kinds) if brief.filters.kinds else list(ProfileKind)
        rows, sims = nearest.first(first_k)
        groups: dict[ProfileKind, ProfileScores] = {}
        considered = 0
        for kind in kinds:
            code = list(ProfileKind).index(kind)
            of_kind = snap.kind_codes[snap.row_profiles[rows]] == code
            found = (rows[of_kind], sims[of_kind], _bound(sims, first_k))
            groups[kind], scored = self._score_kind(
                nearest, code, found, first_k=first_k, allowed=allowed, top=top
            )
            considered += scored
        groups = scorer.rescore(snap, brief.text, query, groups, brief.top)
        return ScoredBrief(groups=groups, considered=considered)

    def _score_kind(
        self,
        nearest: Nearest,
        code: int,
        found: tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], float | None],
        *,
        first_k: int,
        allowed: npt.NDArray[np.bool_],
        top: int,
    ) -> tuple[ProfileScores, int]:
        """The ``top`` best profiles of one kind (``code``) and how many were scored.

        ``found`` is the kind's rows among the first search's, their similarities and the bound
        on every other row; while the bound is not settled the kind is searched on its own with
        four times as many chunks, and at worst every profile of the kind that is allowed is
        scored.
        """
        snap, query = nearest.snap, nearest.query
        kind_rows, kind_sims, bound = found
        k = first_k
        while True:
            scores = self._aggregate_found(snap, query, kind_rows, kind_sims, allowed, top, bound)
            best = top_profiles(scores, top)
            if bound is None or (best.scores.size == top and best.scores[-1] > bound):
                break
            if k >= snap.size:  # the bound never settled: score all the kind allows
                every = np.flatnonzero(allowed & (snap.kind_codes == code)).astype(np.int64)
                scores = self._aggregate(snap, query, every)
                best = top_profiles(scores, top)
                break
            k = min(k * 4, snap.size)
            kind_rows, kind_sims = nearest.of_kind(k, code)
            bound = _bound(kind_sims, k)
        return best, int(scores.profiles.size)

    def score_many(
        self,
        briefs: Sequence[Brief],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
        profile: RankingProfile = RankingProfile.FAST,
    ) -> list[ScoredBrief]:
        """Score many briefs through the same path as :meth:`score`, encoding them in batches.

        Args:
            briefs: the briefs (each with its own filters and ``top``).
            batch_size: briefs encoded per forward pass.
            progress: called with the number of briefs done after each batch.
            profile: the ranking profile (``fast`` or ``thorough``).
        """
        scored: list[ScoredBrief] = []
        for start in range(0, len(briefs), batch_size):
            part = briefs[start : start + batch_size]
            queries = self.encode_briefs([b.text for b in part])
            snap = self.snapshot()
            # one index call for the whole batch (one matrix product over an exact index)
            found = snap.nearest(queries, min(self.candidate_chunks, snap.size))
            scored.extend(
                self.score(b, q, profile=profile, nearest=n)
                for b, q, n in zip(part, queries, found, strict=True)
            )
            if progress is not None:
                progress(len(part))
        return scored

    def score_profiles(
        self,
        queries: npt.NDArray[np.float32],
        profile_ids: Sequence[str],
        *,
        profile: RankingProfile = RankingProfile.FAST,
        texts: Sequence[str] = (),
    ) -> npt.NDArray[np.float32]:
        """Exact scores of given profiles for given encoded briefs, shape (briefs, profiles).

        No candidate search: each given profile is scored over all its vectors. With
        ``profile=thorough`` the briefs' ``texts`` are needed too, and each brief is scored
        against every profile of the wanted profiles' kinds (the fusion standardises over them).

        Raises:
            ProfileNotFoundError: a profile id is not in the index.
            ValueError: ``thorough`` without one text per brief.
        """
        snap = self.snapshot()
        indices = []
        for profile_id in profile_ids:
            if profile_id not in snap.profile_index:
                raise ProfileNotFoundError(profile_id)
            indices.append(snap.profile_index[profile_id])
        wanted = np.array(indices, dtype=np.int64)
        result = np.full((queries.shape[0], wanted.size), np.nan, dtype=np.float32)
        position = {int(p): i for i, p in enumerate(wanted)}
        scorer = self._scorers[profile]
        if scorer.needs_texts and len(texts) != queries.shape[0]:
            raise ValueError(f"the {profile.value} profile needs one text per brief")
        for b in range(queries.shape[0]):
            text = texts[b] if b < len(texts) else ""
            scores = scorer.score(snap, text, queries[b], wanted)
            for p, s in zip(scores.profiles, scores.scores, strict=True):
                if int(p) in position:
                    result[b, position[int(p)]] = s
        return result

    def _aggregate_found(
        self,
        snap: IndexSnapshot,
        query: npt.NDArray[np.float32],
        rows: npt.NDArray[np.int64],
        sims: npt.NDArray[np.float32],
        allowed: npt.NDArray[np.bool_],
        top: int,
        bound: float | None,
    ) -> ProfileScores:
        """Scores of the allowed profiles that own ``rows``, good enough to rank the ``top`` best.

        ``rows`` are a search's nearest rows with their exact similarities ``sims``; every
        other row scores at most ``bound`` (``None``: there is no other row). A profile whose
        score the found rows settle is scored from them; one whose upper bound could still
        reach the ``top``-th settled score is scored over all its vectors; the rest cannot
        reach the top and are left out. The scores returned equal full scoring."""
        keep = allowed[snap.row_profiles[rows]]
        rows, sims = rows[keep], sims[keep]
        if rows.size == 0:
            return ProfileScores(np.empty(0, np.int64), np.empty(0, np.float32))
        items = score_items(sims, snap.row_items[rows])
        bounded = bounded_profile_scores(
            items,
            snap.item_profiles,
            snap.item_counts,
            self.aggregation,
            -np.inf if bound is None else bound,
        )
        settled = bounded.scores[bounded.exact]
        threshold = np.partition(settled, -top)[-top] if top and settled.size >= top else -np.inf
        # float32 rounding of the bound must never drop a profile that could tie
        rescore = ~bounded.exact & (bounded.scores >= threshold - 1e-5)
        scores = bounded.scores.copy()
        if rescore.any():
            full = self._aggregate(snap, query, bounded.profiles[rescore])
            scores[np.searchsorted(bounded.profiles, full.profiles)] = full.scores
        keep = bounded.exact | rescore
        return ProfileScores(bounded.profiles[keep], scores[keep])

    def _aggregate(
        self, snap: IndexSnapshot, query: npt.NDArray[np.float32], profiles: npt.NDArray[np.int64]
    ) -> ProfileScores:
        """Exact scores of ``profiles`` over all their vectors (the fast profile's scoring)."""
        rows = snap.rows_for_profiles(profiles)
        similarities = snap.similarities(query, rows)
        items = score_items(similarities, snap.row_items[rows])
        return score_profiles(items, snap.item_profiles, self.aggregation)

    def _allowed_for(self, snap: IndexSnapshot, filters: Filters) -> npt.NDArray[np.bool_]:
        """Profiles a brief may return, with the filters on evidence (``since``, ``sdgs``)."""
        allowed = self._allowed(snap, filters)
        if filters.since is not None:
            allowed &= self._recent(snap, filters.since)
        if filters.sdgs:
            allowed &= self._serving(snap, filters.sdgs)
        return allowed

    def exact_matches(
        self, brief: Brief, nearest: Nearest, groups: dict[ProfileKind, ProfileScores]
    ) -> dict[ProfileKind, ProfileScores]:
        """The "exact match" lane of each kind (:func:`matcher.ranking.exact_match_lane`) for
        the main lists ``groups`` (each kind's top k, as :meth:`score` returns them).

        The candidates are the allowed profiles among the query's first
        ``candidate_chunks`` nearest chunks, scored by their best item (exact for every
        profile with a chunk there: an item's similarity is its best chunk's); a main-list
        profile with no chunk there is scored over all its vectors. A kind whose lane is empty
        is absent.
        """
        snap = nearest.snap
        rows, sims = nearest.first(min(self.candidate_chunks, snap.size))
        keep = self._allowed_for(snap, brief.filters)[snap.row_profiles[rows]]
        items = score_items(sims[keep], snap.row_items[rows[keep]])
        found = score_profiles(items, snap.item_profiles, BEST_ITEM)
        lanes: dict[ProfileKind, ProfileScores] = {}
        for kind, main in groups.items():
            if not main.profiles.size:
                continue
            of_kind = snap.kind_codes[found.profiles] == list(ProfileKind).index(kind)
            best = ProfileScores(found.profiles[of_kind], found.scores[of_kind])
            missing = np.setdiff1d(main.profiles, best.profiles, assume_unique=True)
            if missing.size:  # found by the kind's own, longer search only
                rest = snap.rows_for_profiles(missing)
                extra = score_profiles(
                    score_items(snap.similarities(nearest.query, rest), snap.row_items[rest]),
                    snap.item_profiles,
                    BEST_ITEM,
                )
                best = ProfileScores(
                    np.concatenate([best.profiles, extra.profiles]),
                    np.concatenate([best.scores, extra.scores]),
                )
            lane = exact_match_lane(main.profiles, best)
            if lane.profiles.size:
                lanes[kind] = lane
        return lanes

    @staticmethod
    def _allowed(snap: IndexSnapshot, filters: Filters) -> npt.NDArray[np.bool_]:
        """Profiles a brief may return: consented, inside the filters, not excluded."""
        allowed = snap.consent.copy()
        for values, codes in (
            (filters.organisations, snap.field_codes["organisation_id"]),
            (filters.regions, snap.field_codes["region"]),
            (filters.units, snap.field_codes["unit"]),
        ):
            if values:
                allowed &= np.isin(codes.array, codes.lookup(values))
        if filters.exclude_organisations:
            codes = snap.field_codes["organisation_id"]
            allowed &= ~np.isin(codes.array, codes.lookup(filters.exclude_organisations))
        for profile_id in filters.exclude_profiles:
            if profile_id in snap.profile_index:
                allowed[snap.profile_index[profile_id]] = False
        return allowed

    def _serving(self, snap: IndexSnapshot, goals: frozenset[int]) -> npt.NDArray[np.bool_]:
        """Profiles with an item tagged with one of ``goals`` (none when nothing is tagged)."""
        serving = np.zeros(len(snap.profiles), dtype=bool)
        found = self.goal_profiles(goals) if self.goal_profiles is not None else set()
        for profile_id in found:
            if profile_id in snap.profile_index:
                serving[snap.profile_index[profile_id]] = True
        return serving

    def lexicon(self, snap: IndexSnapshot) -> LexicalPool:
        """The index version's item texts, years and BM25 index (the re-ranker's and the
        feedback labels'; built once per version)."""
        return self._rerankers.lexicon(snap, self.catalogue)

    def _recent(self, snap: IndexSnapshot, since: int) -> npt.NDArray[np.bool_]:
        """Profiles with at least one evidence item from ``since`` or later (an item without a
        year does not count)."""
        years = self._rerankers.lexicon(snap, self.catalogue).years
        recent = np.zeros(len(snap.profiles), dtype=bool)
        recent[snap.item_profiles[np.flatnonzero(years >= since)]] = True
        return recent

    def organisation_names(self) -> dict[str, str]:
        """Organisation names, cached per catalogue version (they are shown on every match)."""
        version = self.catalogue.version
        if self._names is None or self._names[0] != version:
            self._names = (version, {o.id: o.name for o in self.catalogue.organisations()})
        return self._names[1]

    # ------------------------------------------------------------------ the whole path
    def search(
        self,
        brief: Brief,
        *,
        profile: RankingProfile = RankingProfile.FAST,
        query: npt.NDArray[np.float32] | None = None,
    ) -> SearchResult:
        """Rank and explain the best profiles of each wanted kind for ``brief`` (``query``: its
        vector, when already encoded), with the "exact match" lane of each kind
        (:meth:`exact_matches`) beside them.

        Raises:
            IndexUnavailableError: no usable index.
        """
        snap = self.snapshot()
        if query is None:
            query = self.encode_brief(brief.text)
        if self.shards is not None:
            # the shards search the index; the lane needs this process's own nearest chunks,
            # which a sharded front does not search (no lane there)
            scored = self.score(brief, query, profile=profile)
            return self.explain(brief, query, scored, snap)
        nearest = self.nearest_one(query, snap)
        scored = self.score(brief, query, profile=profile, nearest=nearest)
        lanes = self.exact_matches(brief, nearest, scored.groups)
        return self.explain(brief, query, scored, snap, lanes=lanes)

    def similar(self, profile_id: str, *, kinds: Sequence[str] = (), top: int = 10) -> SearchResult:
        """Profiles closest to a given profile (its vectors' centroid is the query).

        Raises:
            ProfileNotFoundError: no such profile in the index.
        """
        snap = self.snapshot()
        if profile_id not in snap.profile_index:
            raise ProfileNotFoundError(profile_id)
        rows = snap.rows_for_profiles(np.array([snap.profile_index[profile_id]], dtype=np.int64))
        profile = self.catalogue.get_profile(profile_id)
        text = " ".join([profile.summary, *(e.title for e in profile.evidence)])[:5_000]
        if rows.size:
            centroid = np.asarray(snap.vectors[rows], dtype=np.float32).mean(axis=0)
            query = (centroid / max(float(np.linalg.norm(centroid)), 1e-12)).astype(np.float32)
        else:  # a profile with no text at all: its name is all there is to go on
            query = self.encode_briefs([text or profile.name])[0]
        brief = make_brief(
            text or profile.name, kinds=kinds, top=top, exclude_profiles=[profile_id]
        )
        return self.explain(brief, query, self.score(brief, query), snap)

    def explain(
        self,
        brief: Brief,
        query: npt.NDArray[np.float32],
        scored: ScoredBrief,
        snap: IndexSnapshot | None = None,
        *,
        lanes: dict[ProfileKind, ProfileScores] | None = None,
    ) -> SearchResult:
        """Turn scores into matches with evidence, snippets and shared terms.

        Only the returned profiles are read from the catalogue: their own fields and their best
        evidence items (chosen from the index's vectors), never their whole evidence. A profile
        deleted since the index was built is left out; one of the requester's organisation is
        flagged as a conflict. The ``lanes`` (:meth:`exact_matches`) are explained the same
        way, kept in their order (closest item first), each match's score its embedding score.
        """
        snap = snap or self.snapshot()
        lanes = lanes or {}
        returned = [
            int(p) for part in (scored.groups, lanes) for kind in part for p in part[kind].profiles
        ]
        ids = [snap.profiles[p].id for p in returned]
        profiles = self.catalogue.get_profiles(ids, with_evidence=False)
        evidence, embedding_scores = self._evidence(snap, query, returned, ids)
        calibration = self.calibration(snap)
        order = list(dict.fromkeys(i for i in ids if i in profiles))
        # the texts' own analysis is made once per text (analyse_item); here only the brief's
        # terms are looked up in it
        analysed = {i: [analyse_item(e.title, e.snippet) for e in evidence[i]] for i in order}
        pool = self.term_statistics(snap)
        documents = [[a.terms for a in analysed[i]] for i in order]
        terms = dict(zip(order, shared_terms_of(brief.text, documents, pool=pool), strict=True))
        organisation_names = self.organisation_names()

        def matches_of(
            kind: ProfileKind, scores: ProfileScores, *, lane: bool
        ) -> tuple[Match, ...]:
            matches: list[Match] = []
            for p, score in zip(scores.profiles, scores.scores, strict=True):
                profile = profiles.get(snap.profiles[int(p)].id)
                if profile is None:  # deleted since the index was built
                    continue
                found_terms = terms.get(profile.id, [])
                # from the embedding score: a fused (thorough) score is on another scale
                embedding = embedding_scores.get(int(p), float(score))
                strength = calibration.strength(kind, embedding)
                strength_label = label(strength)
                matches.append(
                    Match(
                        profile_id=profile.id,
                        kind=profile.kind,
                        name=profile.name,
                        organisation_id=profile.organisation_id,
                        organisation_name=organisation_names.get(profile.organisation_id, ""),
                        unit=profile.unit,
                        region=profile.region,
                        score=round(float(embedding if lane else score), 6),
                        rank=len(matches) + 1,
                        evidence=tuple(
                            _with_snippet(e, snippet_of(a.snippet, found_terms))
                            for e, a in zip(evidence[profile.id], analysed[profile.id], strict=True)
                        ),
                        shared_terms=tuple(found_terms),
                        conflicts=_conflicts(brief, profile),
                        strength=strength,
                        strength_label=strength_label.value if strength_label else "",
                    )
                )
            return tuple(matches)

        groups = {kind: matches_of(kind, g, lane=False) for kind, g in scored.groups.items()}
        found_lanes = {kind: matches_of(kind, g, lane=True) for kind, g in lanes.items()}
        return SearchResult(
            brief=brief,
            groups=groups,
            candidates_considered=scored.considered,
            lanes={kind: found for kind, found in found_lanes.items() if found},
        )

    def _evidence(
        self,
        snap: IndexSnapshot,
        query: npt.NDArray[np.float32],
        returned: list[int],
        ids: list[str],
    ) -> tuple[dict[str, list[EvidenceMatch]], dict[int, float]]:
        """The best evidence items of each returned profile (snapshot index ``returned[i]``, id
        ``ids[i]``), read from the catalogue, with their similarity (the snippet is the item's
        whole text until :meth:`explain` cuts it around the shared terms); and each returned
        profile's embedding score (the fast profile's, by snapshot index).

        An item KE staff pinned is always among them, first, whatever its similarity (that of
        its best chunk, 0 when the index has none of it)."""
        best, scores, totals = self._best_items(snap, query, np.array(returned, dtype=np.int64))
        items = self.catalogue.evidence_items(
            [snap.item_ids[item] for chosen in best.values() for item, _ in chosen], ids
        )
        pinned = self.catalogue.profile_store.pinned_items(ids)
        evidence: dict[str, list[EvidenceMatch]] = {}
        for p in returned:
            profile_id = snap.profiles[p].id
            chosen = [
                (found, similarity)
                for item, similarity in best.get(p, [])
                if (found := items.get((profile_id, snap.item_ids[item]))) is not None
            ]
            first = [(e, scores.get((p, e.id), 0.0)) for e in pinned.get(profile_id, [])]
            first.sort(key=lambda pair: -pair[1])
            shown = {e.id for e, _ in first}
            evidence[profile_id] = [
                EvidenceMatch(
                    item_id=found.id,
                    type=found.type,
                    title=found.title,
                    similarity=round(similarity, 6),
                    snippet=found.text or found.title,
                    year=found.year,
                    provenance=found.provenance,
                    pinned=found.pinned,
                )
                for found, similarity in [*first, *(c for c in chosen if c[0].id not in shown)]
            ]
        return evidence, totals

    def _best_items(
        self, snap: IndexSnapshot, query: npt.NDArray[np.float32], profiles: npt.NDArray[np.int64]
    ) -> tuple[dict[int, list[tuple[int, float]]], dict[tuple[int, str], float], dict[int, float]]:
        """The best evidence items of each given profile: (item index, similarity), best first;
        the similarity of every item of those profiles, by (profile index, item id); and each
        profile's score over all its vectors (from the same similarities)."""
        rows = snap.rows_for_profiles(np.unique(profiles))
        scored = score_items(snap.similarities(query, rows), snap.row_items[rows])
        found = best_items(scored, snap.item_profiles, EVIDENCE_PER_MATCH)
        chosen: dict[int, list[tuple[int, float]]] = {}
        for p, item, similarity in zip(
            found.profiles.tolist(), found.items.tolist(), found.scores.tolist(), strict=True
        ):
            chosen.setdefault(p, []).append((item, similarity))
        every = {
            (int(snap.item_profiles[item]), snap.item_ids[item]): similarity
            for item, similarity in zip(scored.items.tolist(), scored.scores.tolist(), strict=True)
        }
        totals = score_profiles(scored, snap.item_profiles, self.aggregation)
        return (
            chosen,
            every,
            dict(zip(totals.profiles.tolist(), totals.scores.tolist(), strict=True)),
        )
