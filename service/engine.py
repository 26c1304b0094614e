"""The search path: brief → encoder → FAISS candidates → exact aggregation → filters → explanation.

Single searches, profile scoring for evaluation and (later) batch matching all go through
:class:`SearchEngine`, so there is one implementation of ranking.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.catalogue import Catalogue
from index.encoders import Encoder
from index.vector_index import IndexSnapshot, IndexStore
from matcher.briefs import make_brief
from matcher.errors import ProfileNotFoundError
from matcher.explain import shared_terms, snippet
from matcher.model import (
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
    score_items,
    score_profiles,
    top_profiles,
)

logger = logging.getLogger(__name__)

#: Below this many FAISS candidates of a kind, the kind is scored exactly over all its profiles.
CANDIDATE_MARGIN = 3
EVIDENCE_PER_MATCH = 3


@dataclass(frozen=True, slots=True)
class ScoredBrief:
    """Profile scores for one brief before explanation (the common core of every search)."""

    groups: dict[ProfileKind, ProfileScores]
    considered: int


class SearchEngine:
    """Ranks profiles for briefs against the current index version.

    Args:
        catalogue: source of profile details and evidence for explanations.
        store: the index versions on disk; a newer version is picked up automatically.
        encoder: embeds briefs (must be the model that built the index).
        aggregation: how item similarities become profile scores.
        candidate_chunks: nearest chunks fetched from FAISS before exact re-scoring.
        reload_seconds: at most how often the store is checked for a newer version.
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
    ) -> None:
        self.catalogue = catalogue
        self.store = store
        self.encoder = encoder
        self.aggregation = aggregation or AggregationConfig()
        self.candidate_chunks = candidate_chunks
        self.reload_seconds = reload_seconds
        self._snapshot: IndexSnapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._names: tuple[int, dict[str, str]] | None = None

    # ------------------------------------------------------------------ index versions
    def snapshot(self) -> IndexSnapshot:
        """The loaded index, reloaded when a newer version has been swapped in.

        Raises:
            IndexUnavailableError: no index has been built.
        """
        now = time.monotonic()
        current = self._snapshot
        if current is not None and now - self._checked_at < self.reload_seconds:
            return current
        with self._lock:
            self._checked_at = now
            directory = self.store.current_dir()
            if self._snapshot is None or directory != self._snapshot.path:
                self._snapshot = self.store.load()
                logger.info("serving index version %s", self._snapshot.manifest.version)
            return self._snapshot

    def reload(self) -> IndexSnapshot:
        """Load the current version now, whatever the reload interval."""
        self._checked_at = 0.0
        return self.snapshot()

    # ------------------------------------------------------------------ scoring
    def encode_briefs(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed brief texts (one batch)."""
        return self.encoder.encode(list(texts))

    def score(self, brief: Brief, query: npt.NDArray[np.float32] | None = None) -> ScoredBrief:
        """Scores of the best profiles of each wanted kind for one brief, without explanations."""
        snap = self.snapshot()
        if query is None:
            query = self.encode_briefs([brief.text])[0]
        allowed = self._allowed(snap, brief.filters)
        kinds = sorted(brief.filters.kinds) if brief.filters.kinds else list(ProfileKind)
        rows, _ = snap.search(query, self.candidate_chunks)
        candidates = np.unique(snap.row_profiles[rows]) if rows.size else np.empty(0, np.int64)
        candidates = candidates[allowed[candidates]]
        chosen: list[npt.NDArray[np.int64]] = []
        for kind in kinds:
            code = list(ProfileKind).index(kind)
            of_kind = candidates[snap.kind_codes[candidates] == code]
            if of_kind.size < brief.top + CANDIDATE_MARGIN:
                # Too few candidates from FAISS: score this kind exactly over all its profiles.
                of_kind = np.flatnonzero(allowed & (snap.kind_codes == code)).astype(np.int64)
            chosen.append(of_kind)
        profiles = np.unique(np.concatenate(chosen)) if chosen else np.empty(0, np.int64)
        scores = self._aggregate(snap, query, profiles)
        groups: dict[ProfileKind, ProfileScores] = {}
        for kind in kinds:
            code = list(ProfileKind).index(kind)
            mask = snap.kind_codes[scores.profiles] == code
            groups[kind] = top_profiles(
                ProfileScores(scores.profiles[mask], scores.scores[mask]), brief.top
            )
        return ScoredBrief(groups=groups, considered=int(profiles.size))

    def score_many(
        self,
        briefs: Sequence[Brief],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> list[ScoredBrief]:
        """Score many briefs through the same path as :meth:`score`, encoding them in batches.

        Args:
            briefs: the briefs (each with its own filters and ``top``).
            batch_size: briefs encoded per forward pass.
            progress: called with the number of briefs done after each batch.
        """
        scored: list[ScoredBrief] = []
        for start in range(0, len(briefs), batch_size):
            part = briefs[start : start + batch_size]
            queries = self.encode_briefs([b.text for b in part])
            scored.extend(self.score(b, q) for b, q in zip(part, queries, strict=True))
            if progress is not None:
                progress(len(part))
        return scored

    def score_profiles(
        self, queries: npt.NDArray[np.float32], profile_ids: Sequence[str]
    ) -> npt.NDArray[np.float32]:
        """Exact scores of given profiles for given encoded briefs, shape (briefs, profiles).

        Raises:
            ProfileNotFoundError: a profile id is not in the index.
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
        for b in range(queries.shape[0]):
            scores = self._aggregate(snap, queries[b], np.unique(wanted))
            for p, s in zip(scores.profiles, scores.scores, strict=True):
                result[b, position[int(p)]] = s
        return result

    def _aggregate(
        self, snap: IndexSnapshot, query: npt.NDArray[np.float32], profiles: npt.NDArray[np.int64]
    ) -> ProfileScores:
        rows = snap.rows_for_profiles(profiles)
        similarities = snap.similarities(query, rows)
        items = score_items(similarities, snap.row_items[rows])
        return score_profiles(items, snap.item_profiles, self.aggregation)

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

    def organisation_names(self) -> dict[str, str]:
        """Organisation names, cached per catalogue version (they are shown on every match)."""
        version = self.catalogue.version
        if self._names is None or self._names[0] != version:
            self._names = (version, {o.id: o.name for o in self.catalogue.organisations()})
        return self._names[1]

    # ------------------------------------------------------------------ the whole path
    def search(self, brief: Brief) -> SearchResult:
        """Rank and explain the best profiles of each wanted kind for ``brief``."""
        snap = self.snapshot()
        query = self.encode_briefs([brief.text])[0]
        scored = self.score(brief, query)
        return self.explain(brief, query, scored, snap)

    def similar(self, profile_id: str, *, kinds: Sequence[str] = (), top: int = 10) -> SearchResult:
        """Profiles closest to a given profile (its vectors' centroid is the query).

        Raises:
            ProfileNotFoundError: no such profile in the index.
        """
        snap = self.snapshot()
        if profile_id not in snap.profile_index:
            raise ProfileNotFoundError(profile_id)
        rows = snap.rows_for_profiles(np.array([snap.profile_index[profile_id]], dtype=np.int64))
        centroid = np.asarray(snap.vectors[rows], dtype=np.float32).mean(axis=0)
        query = (centroid / max(float(np.linalg.norm(centroid)), 1e-12)).astype(np.float32)
        profile = self.catalogue.get_profile(profile_id)
        text = " ".join([profile.summary, *(e.title for e in profile.evidence)])[:5_000]
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
    ) -> SearchResult:
        """Turn scores into matches with evidence, snippets and shared terms."""
        snap = snap or self.snapshot()
        ids = [
            snap.profiles[int(p)].id for kind in scored.groups for p in scored.groups[kind].profiles
        ]
        profiles = self.catalogue.get_profiles(ids)
        organisation_names = self.organisation_names()
        evidence: dict[str, list[EvidenceMatch]] = {}
        documents: dict[str, str] = {}
        for kind in scored.groups:
            for p in scored.groups[kind].profiles:
                meta = snap.profiles[int(p)]
                if meta.id in profiles:
                    evidence[meta.id], documents[meta.id] = self._best_evidence(
                        snap, query, int(p), profiles[meta.id]
                    )
        order = [i for i in ids if i in documents]
        terms = dict(
            zip(order, shared_terms(brief.text, [documents[i] for i in order]), strict=True)
        )
        groups: dict[ProfileKind, tuple[Match, ...]] = {}
        for kind, scores in scored.groups.items():
            matches: list[Match] = []
            for p, score in zip(scores.profiles, scores.scores, strict=True):
                profile = profiles.get(snap.profiles[int(p)].id)
                if profile is None:  # deleted since the index was built
                    continue
                found_terms = terms.get(profile.id, [])
                items = tuple(
                    EvidenceMatch(
                        item_id=e.item_id,
                        type=e.type,
                        title=e.title,
                        similarity=e.similarity,
                        snippet=snippet(e.snippet, found_terms),
                        year=e.year,
                    )
                    for e in evidence[profile.id]
                )
                conflicts: tuple[str, ...] = ()
                if (
                    brief.requester_organisation
                    and profile.organisation_id == brief.requester_organisation
                ):
                    conflicts = ("same organisation as the requester",)
                matches.append(
                    Match(
                        profile_id=profile.id,
                        kind=profile.kind,
                        name=profile.name,
                        organisation_id=profile.organisation_id,
                        organisation_name=organisation_names.get(profile.organisation_id, ""),
                        unit=profile.unit,
                        region=profile.region,
                        score=round(float(score), 6),
                        rank=len(matches) + 1,
                        evidence=items,
                        shared_terms=tuple(found_terms),
                        conflicts=conflicts,
                    )
                )
            groups[kind] = tuple(matches)
        return SearchResult(brief=brief, groups=groups, candidates_considered=scored.considered)

    def _best_evidence(
        self, snap: IndexSnapshot, query: npt.NDArray[np.float32], profile: int, details: Profile
    ) -> tuple[list[EvidenceMatch], str]:
        """The profile's best items (full text kept in ``snippet`` for now) and their joined text."""
        rows = snap.rows_for_profiles(np.array([profile], dtype=np.int64))
        items = score_items(snap.similarities(query, rows), snap.row_items[rows])
        order = np.argsort(-items.scores, kind="stable")[:EVIDENCE_PER_MATCH]
        by_id = {item.id: item for item in details.evidence_with_summary()}
        chosen: list[EvidenceMatch] = []
        for i in order:
            item = by_id.get(snap.item_ids[int(items.items[i])])
            if item is None:
                continue
            chosen.append(
                EvidenceMatch(
                    item_id=item.id,
                    type=item.type,
                    title=item.title,
                    similarity=round(float(items.scores[i]), 6),
                    snippet=item.text or item.title,
                    year=item.year,
                )
            )
        return chosen, " ".join(f"{e.title}. {e.snippet}" for e in chosen)
