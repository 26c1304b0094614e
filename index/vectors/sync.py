"""Bringing the index up to the catalogue: the diff, embedding what is missing, retries.

:func:`sync` compares the current version's chunk ids with the catalogue's, embeds only the
texts that have no cached vector (the embedding cache is keyed by model id and text hash),
drops the vectors of deleted chunks, lets :func:`index.vectors.build.index_for` choose and
update or build the index, and hands the new version to the store to publish. The catalogue is
read in one snapshot; a sync that finds chunks replaced under it (a concurrent write) starts
again, :data:`SYNC_ATTEMPTS` times in all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from index.db.build_lock import BUILD_LOCK_WAIT_SECONDS, build_lock
from index.db.catalogue import Catalogue, ChunkRow, ProfileMeta
from index.encoders.base import Encoder
from index.vectors.build import (
    METRIC,
    BuiltIndex,
    IndexChange,
    IndexPolicy,
    index_for,
    library_versions,
)
from index.vectors.manifest import Manifest
from index.vectors.snapshot import IndexSnapshot, item_layout
from index.vectors.threads import build_threads
from matcher.calibration import GENERIC_BRIEFS, Calibration, briefs_fingerprint, calibrate
from matcher.errors import IndexUnavailableError
from matcher.model import ProfileKind
from matcher.ranking import AggregationConfig, best_per_group, score_items, score_profiles

logger = logging.getLogger(__name__)

#: A sync that finds the catalogue changed under it starts again, this many times in all.
SYNC_ATTEMPTS = 5
#: Texts embedded (and cached) per call of the encoder.
EMBED_BATCH = 256


class CatalogueChangedError(IndexUnavailableError):
    """The catalogue changed while a sync was reading it (another write replaced chunks); a
    sync that keeps meeting it gives up, and the index catches up at the next sync (503)."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a sync did.

    Attributes:
        version: the index version current after the sync.
        rebuilt: whether the index was built from scratch (not updated from the previous one).
        reason: why the previous version did not match (empty when it did).
        embedded: texts embedded by the encoder.
        reused: texts whose vectors came from the embedding cache.
        added: vectors added.
        removed: vectors removed.
        vector_count: vectors in the index after the sync.
    """

    version: int
    rebuilt: bool
    reason: str
    embedded: int
    reused: int
    added: int
    removed: int
    vector_count: int

    def summary(self) -> str:
        """One line for people."""
        if not self.added and not self.removed and not self.rebuilt:
            return f"index v{self.version} is up to date ({self.vector_count} vectors)"
        how = f"rebuilt ({self.reason})" if self.rebuilt else "updated"
        return (
            f"index v{self.version} {how}: {self.vector_count} vectors; {self.added} added, "
            f"{self.removed} removed; {self.embedded} texts embedded, {self.reused} from cache"
        )


class Versions(Protocol):
    """What a sync needs of the directory of versions (:class:`index.vectors.store.IndexStore`)."""

    @property
    def policy(self) -> IndexPolicy:
        """How the index type is chosen."""
        ...

    def current_manifest(self) -> Manifest | None:
        """The current version's manifest, or ``None``."""
        ...

    def load(self, *, reuse: bool = True) -> IndexSnapshot:
        """The current version (raises :class:`IndexUnavailableError`)."""
        ...

    def locked(self) -> AbstractContextManager[None]:
        """Held by one writer at a time."""
        ...

    def publish(
        self,
        manifest: Manifest,
        index: Any,
        vectors: npt.NDArray[np.float32],
        rows: Sequence[ChunkRow],
        profiles: Sequence[ProfileMeta],
        *,
        brief_vectors: npt.NDArray[np.float32] | None = None,
    ) -> None:
        """Write a version (with the calibration briefs' vectors) and make it current."""
        ...


def problem(manifest: Manifest | None, catalogue: Catalogue, encoder: Encoder) -> str | None:
    """Why the version of ``manifest`` does not match the catalogue and model, or ``None``.

    Args:
        manifest: the current version's manifest (``None`` when there is none or unreadable).
        catalogue: the source of truth.
        encoder: the encoder the service runs.
    """
    if manifest is None:
        return "no readable index"
    if manifest.model_id != encoder.model_id:
        return f"built with model {manifest.model_id}, the encoder is {encoder.model_id}"
    if manifest.encoder != encoder.encoder_name:
        return f"built by the {manifest.encoder} encoder, the service runs {encoder.encoder_name}"
    if manifest.catalogue_version != catalogue.version:
        return (
            f"built from catalogue version {manifest.catalogue_version}, "
            f"the catalogue is at {catalogue.version}"
        )
    return None


def sync(
    store: Versions,
    catalogue: Catalogue,
    encoder: Encoder,
    *,
    force_rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    aggregation: AggregationConfig | None = None,
    lock_wait_seconds: float = BUILD_LOCK_WAIT_SECONDS,
) -> SyncReport:
    """Bring the index up to the catalogue: embed new texts (cache first), drop vectors of
    deleted chunks, add new ones, measure the calibration of match strengths
    (:func:`measure_calibration`), write a new version and swap it in.

    Nothing changes on disk when the index already matches. When the old index cannot be
    used (none, unreadable, another model) it is rebuilt from the catalogue and the cache. A
    version that matches but has no calibration of ``aggregation`` (built before calibrations
    were kept) is written again with one.

    Args:
        store: the directory of versions (its lock is held for the whole sync).
        catalogue: the source of truth.
        encoder: embeds texts that have no cached vector.
        force_rebuild: ignore the current index and build from scratch.
        progress: called as ``progress(done, total)`` while texts are embedded.
        aggregation: the aggregation the calibration is measured for (the default one when
            omitted).
        lock_wait_seconds: how long to wait for a build that another process (on any machine
            sharing the PostgreSQL catalogue) is running.

    Raises:
        CatalogueChangedError: the catalogue kept changing under every attempt.
        BuildInProgressError: another build held the lock for longer than ``lock_wait_seconds``.
    """
    how = aggregation or AggregationConfig()
    # one build at a time: across machines (the catalogue's lock), then on this one (the file's)
    with build_lock(catalogue.engine, wait_seconds=lock_wait_seconds), store.locked():
        for _attempt in range(SYNC_ATTEMPTS - 1):
            try:
                return _sync_once(
                    store, catalogue, encoder, how, force_rebuild=force_rebuild, progress=progress
                )
            except CatalogueChangedError:
                logger.info("the catalogue changed during a sync; syncing again")
        return _sync_once(
            store, catalogue, encoder, how, force_rebuild=force_rebuild, progress=progress
        )


def _calibrated(manifest: Manifest, aggregation: AggregationConfig) -> bool:
    """Whether a version's manifest holds a calibration of ``aggregation`` and today's briefs."""
    if manifest.calibration is None:
        return False
    try:
        return Calibration.from_json(manifest.calibration).fits(aggregation.key)
    except ValueError:
        return False


def brief_vectors(
    encoder: Encoder, previous: IndexSnapshot | None, briefs: Sequence[str] = GENERIC_BRIEFS
) -> npt.NDArray[np.float32]:
    """The generic briefs' vectors: the previous version's when it kept those of the same
    briefs (a sync after a small write then embeds no brief), else embedded now. They are not
    put in the embedding cache: every cached embedding belongs to a chunk (erasure and the
    crash test's consistency check rely on it)."""
    if (
        previous is not None
        and previous.brief_vectors is not None
        and previous.manifest.calibration is not None
        and previous.manifest.calibration.get("briefs") == briefs_fingerprint(briefs)
        and previous.brief_vectors.shape == (len(briefs), encoder.dimension)
    ):
        return previous.brief_vectors
    return encoder.encode(list(briefs))


def measure_calibration(
    vectors: npt.NDArray[np.float32],
    row_items: npt.NDArray[np.int64],
    item_profiles: npt.NDArray[np.int64],
    profile_kinds: npt.NDArray[np.int64],
    queries: npt.NDArray[np.float32],
    aggregation: AggregationConfig,
    *,
    briefs: Sequence[str] = GENERIC_BRIEFS,
    rows_per_step: int = 65_536,
) -> Calibration:
    """Score the generic briefs against every profile (exactly, over all vectors) and keep,
    per kind, the distribution of each brief's best score (:mod:`matcher.calibration`).

    Args:
        vectors: every row's vector.
        row_items: row → item; item_profiles: item → profile; profile_kinds: profile → the
            position of its kind in :class:`ProfileKind`.
        queries: the vectors of ``briefs``, one row each.
        aggregation: how item similarities become profile scores.
        briefs: the generic briefs (their fingerprint is stored).
        rows_per_step: rows multiplied at a time (bounds the memory of a large index).
    """
    kinds = list(ProfileKind)
    fingerprint = briefs_fingerprint(briefs)
    if vectors.shape[0] == 0 or queries.shape[0] == 0:
        return calibrate({}, aggregation=aggregation.key, briefs=fingerprint)
    similarities = np.empty((vectors.shape[0], queries.shape[0]), dtype=np.float32)
    for start in range(0, vectors.shape[0], rows_per_step):
        block = np.asarray(vectors[start : start + rows_per_step], dtype=np.float32)
        similarities[start : start + rows_per_step] = block @ queries.T
    present = np.bincount(profile_kinds, minlength=len(kinds)) > 0
    best: dict[ProfileKind, list[float]] = {k: [] for k, p in zip(kinds, present, strict=True) if p}
    for b in range(queries.shape[0]):
        items = score_items(np.ascontiguousarray(similarities[:, b]), row_items)
        per_kind = best_per_group(
            score_profiles(items, item_profiles, aggregation), profile_kinds, len(kinds)
        )
        for code, kind in enumerate(kinds):
            if kind in best and np.isfinite(per_kind[code]):
                best[kind].append(float(per_kind[code]))
    return calibrate(best, aggregation=aggregation.key, briefs=fingerprint)


def _measure_for_rows(
    vectors: npt.NDArray[np.float32],
    rows: Sequence[ChunkRow],
    profiles: Sequence[ProfileMeta],
    queries: npt.NDArray[np.float32],
    aggregation: AggregationConfig,
) -> Calibration:
    """:func:`measure_calibration` over a version about to be written (rows in its order)."""
    row_items, items = item_layout(rows, profiles)
    item_profiles = np.array([position for _, position in items], dtype=np.int64)
    kinds = list(ProfileKind)
    profile_kinds = np.array([kinds.index(p.kind) for p in profiles], dtype=np.int64)
    return measure_calibration(
        vectors, row_items, item_profiles, profile_kinds, queries, aggregation
    )


def _sync_once(
    store: Versions,
    catalogue: Catalogue,
    encoder: Encoder,
    aggregation: AggregationConfig,
    *,
    force_rebuild: bool,
    progress: Callable[[int, int], None] | None,
) -> SyncReport:
    manifest = store.current_manifest()
    reason = "forced" if force_rebuild else problem(manifest, catalogue, encoder)
    previous: IndexSnapshot | None = None
    if not force_rebuild and manifest is not None and manifest.model_id == encoder.model_id:
        try:  # a copy of its own when the index is to be changed in place
            previous = store.load(reuse=reason is None)
        except IndexUnavailableError as error:
            reason = str(error)
    if reason is None and previous is not None:
        if manifest is not None and _calibrated(manifest, aggregation):  # as on disk
            return SyncReport(previous.manifest.version, False, "", 0, 0, 0, 0, previous.size)
        reason = "no calibration of match strengths"
        previous = store.load(reuse=False)  # rewritten below as a new version, unchanged

    # one snapshot: a profile written or erased meanwhile is in all three or in none
    catalogue_version, rows, profiles = catalogue.index_source()
    wanted = {row.id: row for row in rows}
    kept_vectors, kept_ids, stale, new_rows = _diff(previous, rows, encoder.dimension)
    new_vectors, embedded, reused = vectors_for(catalogue, encoder, new_rows, progress)
    new_ids = np.array([row.id for row in new_rows], dtype=np.int64)
    change = IndexChange(
        vectors=np.ascontiguousarray(np.vstack([kept_vectors, new_vectors]), dtype=np.float32),
        row_ids=np.concatenate([kept_ids, new_ids]).astype(np.int64),
        new_vectors=new_vectors,
        new_ids=new_ids,
        stale=stale,
    )
    with build_threads():
        built = index_for(change, store.policy, previous=_built(previous))

    ordered = [wanted[int(i)] for i in change.row_ids]
    queries = brief_vectors(encoder, previous)
    calibration = _measure_for_rows(change.vectors, ordered, profiles, queries, aggregation)
    version = (manifest.version + 1) if manifest is not None else 1
    new_manifest = Manifest(
        version=version,
        model_id=encoder.model_id,
        encoder=encoder.encoder_name,
        dimension=encoder.dimension,
        metric=METRIC,
        index_type=built.index_type,
        index_params=built.params,
        recall_at_k=built.recall,
        recall_k=store.policy.recall_k,
        vector_count=int(change.row_ids.size),
        profile_count=len({row.profile_id for row in rows}),
        catalogue_version=catalogue_version,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        libraries=library_versions(),
        calibration=calibration.to_json(),
    )
    store.publish(
        new_manifest, built.index, change.vectors, ordered, profiles, brief_vectors=queries
    )
    return SyncReport(
        version=version,
        rebuilt=previous is None,
        reason=reason or "",
        embedded=embedded,
        reused=reused,
        added=int(change.new_ids.size),
        removed=int(change.stale.size),
        vector_count=int(change.row_ids.size),
    )


def _diff(
    previous: IndexSnapshot | None, rows: Sequence[ChunkRow], dimension: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64], npt.NDArray[np.int64], list[ChunkRow]]:
    """The previous version's kept vectors and their ids (in its row order), its stale ids,
    and the catalogue's rows that have no vector yet."""
    wanted = np.fromiter((row.id for row in rows), dtype=np.int64, count=len(rows))
    old_ids = previous.row_ids if previous is not None else np.empty(0, np.int64)
    keep_mask = np.isin(old_ids, wanted)
    present = set(old_ids[keep_mask].tolist())
    new_rows = [row for row in rows if row.id not in present]
    if previous is None:
        return np.empty((0, dimension), np.float32), np.empty(0, np.int64), old_ids, new_rows
    kept_vectors = np.asarray(previous.vectors[keep_mask], dtype=np.float32)
    return kept_vectors, old_ids[keep_mask], old_ids[~keep_mask], new_rows


def _built(previous: IndexSnapshot | None) -> BuiltIndex | None:
    """The previous version's index as :func:`index_for` takes it."""
    if previous is None:
        return None
    manifest = previous.manifest
    recall = manifest.recall_at_k if manifest.recall_at_k is not None else 1.0
    return BuiltIndex(previous.index, manifest.index_type, dict(manifest.index_params), recall)


def vectors_for(
    catalogue: Catalogue,
    encoder: Encoder,
    rows: Sequence[ChunkRow],
    progress: Callable[[int, int], None] | None,
) -> tuple[npt.NDArray[np.float32], int, int]:
    """Vectors for ``rows``: from the cache where present, else embedded and cached.

    Returns the vectors (one row per chunk, in order), how many texts were embedded and how
    many rows were served from the cache.

    Raises:
        CatalogueChangedError: chunks to embed were replaced since ``rows`` were read.
    """
    dimension = encoder.dimension
    if not rows:
        return np.empty((0, dimension), np.float32), 0, 0
    hashes = [row.text_hash for row in rows]
    cached = catalogue.cached_vectors(encoder.model_id, hashes)
    missing_hashes: dict[str, int] = {}
    for row in rows:
        if row.text_hash not in cached and row.text_hash not in missing_hashes:
            missing_hashes[row.text_hash] = row.id
    embedded = len(missing_hashes)
    if missing_hashes:
        texts = catalogue.chunk_texts(list(missing_hashes.values()))
        if len(texts) < len(missing_hashes):
            # a concurrent write replaced chunks this sync read a moment ago
            raise CatalogueChangedError("chunks to embed were replaced during the sync")
        todo = [(h, texts[cid]) for h, cid in missing_hashes.items()]
        cached.update(_embed_and_cache(catalogue, encoder, todo, progress))
    matrix = np.vstack([cached[h] for h in hashes]).astype(np.float32)
    return matrix, embedded, len(rows) - embedded


def _embed_and_cache(
    catalogue: Catalogue,
    encoder: Encoder,
    todo: Sequence[tuple[str, str]],
    progress: Callable[[int, int], None] | None,
) -> dict[str, npt.NDArray[np.float32]]:
    """Embed ``(text hash, text)`` pairs in batches, caching each batch as it is done (an
    interrupted sync keeps what it embedded)."""
    done: dict[str, npt.NDArray[np.float32]] = {}
    if progress is not None:
        progress(0, len(todo))
    for start in range(0, len(todo), EMBED_BATCH):
        part = todo[start : start + EMBED_BATCH]
        vectors = encoder.encode([text for _, text in part])
        fresh = {h: v for (h, _), v in zip(part, vectors, strict=True)}
        catalogue.cache_vectors(encoder.model_id, fresh, only_in_use=True)
        done.update(fresh)
        if progress is not None:
            progress(len(done), len(todo))
    return done
