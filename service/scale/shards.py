"""The profile-sharded index (issue 21 item 3) without Ray: what one shard holds and answers, and
how the front's engine turns the merged answer back into its own scores.

**Shards are id-selected views of the one published version**, not separate index files: shard
``s`` of ``n`` reads the current version directory and keeps the rows of the profiles that
:func:`matcher.shard_merge.shard_of` puts in it (all chunks of a profile, so it scores its
profiles exactly as the whole index does), in the version's own order, with a FAISS index of its
own over them. So there is still one build, one manifest and one atomic publish: every shard
serves a version the front can name, a new version reaches the shards as it reaches replicas
(each reloads within ``KE_MATCHER_RELOAD_SECONDS``), and the build and versioning code is
unchanged. The cost is at load: the float32 vectors are memory-mapped and only the shard's rows
are read, but an approximate (IVF) version's FAISS file is read whole once to take its trained
quantiser (the lists are then emptied and refilled with the shard's rows, so the codes are those
of the single index); a flat version's FAISS file is not read at all. Separate files per shard
would spare that read; they would also need a build and a publish per shard.

A shard answers with its per-kind top lists as :class:`~matcher.shard_merge.Ranked` rows
(profile id, score, the profile's position in the whole version), which is all
:func:`matcher.shard_merge.merge_kinds` needs for the single index's order, ties included.
Filters, exclusions and consent are per profile, so each shard applies them before its top.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from index.db.catalogue import Catalogue
from index.db.insight import InsightStore
from index.vectors.build import new_index
from index.vectors.manifest import Manifest
from index.vectors.snapshot import (
    CATALOGUE_FILE,
    INDEX_FILE,
    ROWS_FILE,
    VECTORS_FILE,
    IndexSnapshot,
    configure,
    profiles_of_part,
)
from index.vectors.store import IndexStore
from matcher.errors import IndexUnavailableError
from matcher.fusion import RankingProfile
from matcher.model import Brief, ProfileKind
from matcher.ranking import AggregationConfig, ProfileScores
from matcher.shard_merge import Ranked, shard_of
from service.scale.router import ShardAnswer, ShardRequest
from service.search.engine import ScoredBrief, SearchEngine
from service.settings import Settings

logger = logging.getLogger(__name__)


class ShardSnapshot(IndexSnapshot):
    """One shard of an index version: an :class:`IndexSnapshot` over the shard's profiles only.

    Args:
        positions: for each of the shard's profiles (by its index here), its position in the
            whole version (ascending: the version's order is kept).
        **snapshot: the :class:`IndexSnapshot` arguments, over the shard's rows.
    """

    def __init__(self, *, positions: npt.NDArray[np.int64], **snapshot: Any) -> None:
        super().__init__(**snapshot)
        self.positions = positions


def _shard_index(
    directory: Path,
    manifest: Manifest,
    vectors: npt.NDArray[np.float32],
    ids: npt.NDArray[np.int64],
) -> Any:
    """A FAISS index of the version's type over the shard's vectors (see the module's notes)."""
    if "IVF" in manifest.index_type:
        index = faiss.read_index(str(directory / INDEX_FILE))
        index.reset()  # keeps the trained quantiser and scalar codec
    else:
        index = new_index(manifest.dimension, manifest.index_type, manifest.metric)
    if ids.size:
        index.add_with_ids(vectors, ids)
    configure(index, manifest)
    return index


def load_shard(directory: Path, shard: int, shards: int) -> ShardSnapshot:
    """Shard ``shard`` of ``shards`` of the version in ``directory``.

    Raises:
        ValueError: ``shard`` is not in ``range(shards)``, or the manifest is unreadable.
        OSError, KeyError, RuntimeError: a file is missing or damaged.
    """
    if not 0 <= shard < shards:
        raise ValueError(f"shard must be in 0..{shards - 1}, not {shard}")
    manifest = Manifest.read(directory)
    vectors = np.load(directory / VECTORS_FILE, mmap_mode="r")
    with np.load(directory / ROWS_FILE) as arrays:
        row_ids = arrays["row_ids"].astype(np.int64)
        row_items = arrays["row_items"].astype(np.int64)
    part = json.loads((directory / CATALOGUE_FILE).read_text())
    profiles = profiles_of_part(part)
    item_profiles = np.array([item[1] for item in part["items"]], dtype=np.int64)
    mine = np.fromiter((shard_of(p.id, shards) == shard for p in profiles), bool, len(profiles))
    positions = np.flatnonzero(mine).astype(np.int64)
    profile_map = np.full(len(profiles), -1, np.int64)
    profile_map[positions] = np.arange(positions.size)
    items = np.flatnonzero(mine[item_profiles]) if item_profiles.size else np.empty(0, np.int64)
    item_map = np.full(item_profiles.size, -1, np.int64)
    item_map[items] = np.arange(items.size)
    rows = np.flatnonzero(mine[item_profiles[row_items]]) if row_items.size else items[:0]
    own = np.ascontiguousarray(vectors[rows], dtype=np.float32)
    snap = ShardSnapshot(
        positions=positions,
        manifest=manifest,
        index=_shard_index(directory, manifest, own, row_ids[rows]),
        vectors=own,
        row_ids=row_ids[rows],
        row_items=item_map[row_items[rows]],
        item_ids=[part["items"][i][0] for i in items.tolist()],
        item_profiles=profile_map[item_profiles[items]],
        profiles=[profiles[p] for p in positions.tolist()],
    )
    # set after construction: a quantised shard converts its own float16 copy instead of
    # reading the whole version's; the engine names the version it serves by this path
    snap.path = directory
    return snap


class ShardStore(IndexStore):
    """The index directory as one shard sees it: :meth:`load` gives the current version's shard
    (loaded once per version and shared by the engines of every aggregation).

    Args:
        root: the index directory (the one :class:`IndexStore` of the service).
        shard: this shard's number.
        shards: how many shards there are.
    """

    def __init__(self, root: Path, *, shard: int, shards: int) -> None:
        super().__init__(root)
        self.shard = shard
        self.shards = shards
        self._shard: ShardSnapshot | None = None

    def load(self, *, reuse: bool = True) -> ShardSnapshot:
        """The shard of the current version.

        Raises:
            IndexUnavailableError: no index, or its files are unreadable.
        """
        directory = self.current_dir()
        if directory is None:
            raise IndexUnavailableError("no index has been built yet; run 'matcher build'")
        last = self._shard
        if reuse and last is not None and last.path == directory:
            return last
        try:
            loaded = load_shard(directory, self.shard, self.shards)
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            raise IndexUnavailableError(
                f"shard {self.shard} of the index in {directory} is unreadable: {error}"
            ) from error
        logger.info(
            "shard %s/%s of index version %s: %s profiles, %s vectors",
            self.shard,
            self.shards,
            loaded.manifest.version,
            len(loaded.profiles),
            loaded.size,
        )
        self._shard = loaded
        return loaded


class VectorsOnly:
    """The encoder of a shard: it is handed brief vectors and never encodes (it only names the
    model, which the engine checks against the version's).

    Args:
        model_id: the front's model id.
        dimension: its vectors' length.
    """

    def __init__(self, model_id: str, dimension: int) -> None:
        self._model_id = model_id
        self._dimension = dimension

    @property
    def model_id(self) -> str:
        """The front's model id."""
        return self._model_id

    @property
    def dimension(self) -> int:
        """The vectors' length."""
        return self._dimension

    @property
    def encoder_name(self) -> str:
        """No implementation: nothing is encoded here."""
        return "none"

    def encode(
        self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        """Refused: a shard is given the brief's vector.

        Raises:
            ValueError: always.
        """
        raise ValueError("a shard does not encode; the router sends the brief's vector")


class ShardScorer:
    """What one shard deployment runs: the fast path over its shard, per aggregation.

    Args:
        settings: the service settings (the catalogue, for the ``since`` and SDG filters).
        shard: this shard's number.
        shards: how many shards there are.
        model_id: the front's model id (the version must have been built with it).
        dimension: the model's vector length.
    """

    def __init__(
        self, settings: Settings, shard: int, shards: int, model_id: str, dimension: int
    ) -> None:
        self.settings = settings
        # read only (no chunking): the catalogue answers the since and SDG filters
        self.catalogue = Catalogue(settings.catalogue_url)
        self.encoder = VectorsOnly(model_id, dimension)
        self.store = ShardStore(settings.index_dir, shard=shard, shards=shards)
        self._engines: dict[AggregationConfig, SearchEngine] = {}

    def engine(self, aggregation: AggregationConfig) -> SearchEngine:
        """The shard's engine for ``aggregation`` (made on first use; all share the store)."""
        found = self._engines.get(aggregation)
        if found is None:
            found = SearchEngine(
                self.catalogue,
                self.store,
                self.encoder,
                aggregation=aggregation,
                candidate_chunks=self.settings.candidate_chunks,
                reload_seconds=self.settings.reload_seconds,
                rerank=False,
                goal_profiles=InsightStore(self.catalogue.engine).profiles_with_goals,
            )
            self._engines[aggregation] = found
        return found

    def answer(self, request: ShardRequest) -> ShardAnswer:
        """The shard's ``request.top`` best of each wanted kind for the brief's vector.

        Raises:
            IndexUnavailableError: no usable index.
            ValueError: the request carries no vector.
        """
        if request.query is None:
            raise ValueError("a shard needs the brief's vector")
        engine = self.engine(request.aggregation)
        snap = engine.snapshot()
        if not isinstance(snap, ShardSnapshot):  # ShardStore.load makes every one
            raise TypeError(f"a shard's engine served {type(snap).__name__}")
        brief = dataclasses.replace(request.brief, top=request.top)
        # searched here, so that the scores are of this snapshot even if a newer one comes in
        nearest = snap.nearest(request.query[None, :], min(engine.candidate_chunks, snap.size))
        scored = engine.score(brief, request.query, profile=RankingProfile.FAST, nearest=nearest[0])
        groups = {
            kind.value: [
                Ranked.of(snap.profiles[p].id, s, int(snap.positions[p]))
                for p, s in zip(scores.profiles.tolist(), scores.scores.tolist(), strict=True)
            ]
            for kind, scores in scored.groups.items()
        }
        return ShardAnswer(snap.manifest.version, groups, scored.considered)


class ShardServer:
    """The Serve deployment of one shard (a :class:`ShardScorer`; this module imports no
    model, so that a shard's replica loads only the catalogue and the index)."""

    def __init__(
        self, settings: Settings, shard: int, shards: int, model_id: str, dimension: int
    ) -> None:
        self.scorer = ShardScorer(settings, shard, shards, model_id, dimension)

    def answer(self, request: ShardRequest) -> ShardAnswer:
        """The shard's per-kind top lists (:meth:`ShardScorer.answer`)."""
        return self.scorer.answer(request)

    def load(self) -> int:
        """Load the current version's shard now; its version (for start-up)."""
        return self.scorer.engine(AggregationConfig()).snapshot().manifest.version


def as_scored(snap: IndexSnapshot, brief: Brief, answer: ShardAnswer) -> ScoredBrief | None:
    """The router's merged answer as the front engine's scores over ``snap`` (profile indices
    of the whole version), kinds in the engine's order; ``None`` when it is not of ``snap``'s
    version (the front then scores locally)."""
    if answer.version != snap.manifest.version:
        logger.info(
            "shards served index version %s, the front %s: scored locally",
            answer.version,
            snap.manifest.version,
        )
        return None
    kinds = sorted(brief.filters.kinds) if brief.filters.kinds else list(ProfileKind)
    groups: dict[ProfileKind, ProfileScores] = {}
    for kind in kinds:
        ranked = answer.groups.get(kind.value, [])
        positions = np.array([r.key[1] for r in ranked], dtype=np.int64)
        if any(
            snap.profiles[int(p)].id != r.profile_id for p, r in zip(positions, ranked, strict=True)
        ):
            raise IndexUnavailableError("a shard's profile positions disagree with the index")
        groups[kind] = ProfileScores(positions, np.array([r.score for r in ranked], np.float32))
    return ScoredBrief(groups=groups, considered=answer.considered)
