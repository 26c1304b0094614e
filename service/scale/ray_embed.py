"""``matcher build --ray``: the texts that need embedding, embedded by a pool of encoder actors
on Ray Data and written into the embedding cache; the index is then built as by ``matcher build``.

The driver lists the texts with no cached vector (by model id and content hash, exactly as
:func:`index.vectors.sync.vectors_for` does, in the same order) and cuts that list into the
local build's batches of :data:`index.vectors.sync.EMBED_BATCH`; each batch is one row of a Ray
Dataset. Each actor (one CPU, the same encoder with one thread) reads its batch's texts from the
catalogue and embeds them; the driver writes every batch it gets back into the cache as it
arrives. So a batch is embedded with the same neighbours as in a local build (identical
vectors), a crashed or repeated run re-embeds nothing already written, and Ray retries a batch
whose actor died. The local :func:`index.vectors.sync.sync` then finds every vector cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.db.catalogue import Catalogue
from index.encoders.base import Encoder
from index.vectors.sync import EMBED_BATCH
from service.container import make_encoder, open_catalogue
from service.scale.ray_session import cluster_cpus, ray_session
from service.settings import Settings

#: Makes an actor's encoder (picklable: a class or a module-level function).
EncoderFactory = Callable[[], Encoder]


@dataclass(frozen=True, slots=True)
class RayEmbedReport:
    """What the actors did.

    Attributes:
        embedded: texts embedded and written into the cache.
        cached: texts that already had a cached vector.
        actors: encoder actors in the pool.
        batches: batches of :data:`EMBED_BATCH` texts handed out.
    """

    embedded: int
    cached: int
    actors: int
    batches: int

    def summary(self) -> str:
        """One line for people."""
        return (
            f"ray: {self.embedded} texts embedded by {self.actors} encoder actors in "
            f"{self.batches} batches, {self.cached} already cached"
        )


def one_thread_encoder(settings: Settings) -> EncoderFactory:
    """The configured encoder with one ONNX Runtime thread (one per actor)."""
    return _SettingsEncoder(settings.model_copy(update={"encoder_threads": 1}))


class _SettingsEncoder:
    """A picklable factory: ``make_encoder(settings)``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self) -> Encoder:
        return make_encoder(self.settings)


def missing_batches(catalogue: Catalogue, model_id: str) -> tuple[list[dict[str, Any]], int]:
    """The texts with no cached vector, as the local build would embed them: first chunk id of
    each missing hash in catalogue order, cut into batches of :data:`EMBED_BATCH`. Returns the
    batches (``{"hashes": [...], "ids": [...]}``) and how many texts were already cached."""
    _, rows, _ = catalogue.index_source()
    known = catalogue.embedding_cache.hashes_of(model_id)
    cached = {row.text_hash for row in rows} & known
    missing: dict[str, int] = {}
    for row in rows:
        if row.text_hash not in cached and row.text_hash not in missing:
            missing[row.text_hash] = row.id
    pairs = list(missing.items())
    batches = [
        {"hashes": [h for h, _ in part], "ids": [i for _, i in part]}
        for part in (pairs[s : s + EMBED_BATCH] for s in range(0, len(pairs), EMBED_BATCH))
    ]
    return batches, len(cached)


class EmbedBatch:
    """A Ray Data actor: reads one batch's texts from the catalogue and embeds them.

    Args:
        catalogue_settings: the settings naming the catalogue.
        encoder_factory: makes the actor's encoder.
    """

    def __init__(self, catalogue_settings: Settings, encoder_factory: EncoderFactory) -> None:
        self.catalogue = open_catalogue(catalogue_settings)
        self.encoder = encoder_factory()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        hashes: list[str] = []
        vectors = []
        for part_hashes, part_ids in zip(batch["hashes"], batch["ids"], strict=True):
            ids = [int(i) for i in part_ids]
            texts = self.catalogue.chunk_texts(ids)
            # a chunk replaced since the driver listed it is skipped: the build notices it
            kept = [(str(h), texts[i]) for h, i in zip(part_hashes, ids, strict=True) if i in texts]
            if kept:
                hashes.extend(h for h, _ in kept)
                vectors.append(self.encoder.encode([t for _, t in kept]))
        dimension = self.encoder.dimension
        matrix = np.vstack(vectors) if vectors else np.empty((0, dimension), np.float32)
        return {"hash": np.array(hashes, dtype=object), "vector": matrix.astype(np.float32)}


def embed_on_ray(
    settings: Settings,
    catalogue: Catalogue,
    model_id: str,
    *,
    address: str | None = None,
    actors: int | None = None,
    encoder_factory: EncoderFactory | None = None,
    num_cpus: int | None = None,
) -> RayEmbedReport:
    """Embed every catalogue text with no cached vector on a pool of Ray actors, caching each
    batch as it comes back.

    Args:
        settings: the service settings (the actors open the same catalogue and model).
        catalogue: the driver's catalogue (lists the work, receives the vectors).
        model_id: the encoder's model id (the cache's key with the text hash).
        address: a Ray cluster (``None`` or ``"local"``: ``$KE_MATCHER_RAY_ADDRESS``, else Ray
            started on this machine).
        actors: encoder actors (default: the cluster's CPUs, at most one per batch).
        encoder_factory: makes each actor's encoder (default: the configured one, one thread).
        num_cpus: CPUs of a locally started Ray (default: all).

    Raises:
        RayUnavailableError: Ray is not installed or the cluster cannot be reached.
    """
    batches, cached = missing_batches(catalogue, model_id)
    if not batches:
        return RayEmbedReport(0, cached, 0, 0)
    factory = encoder_factory or one_thread_encoder(settings)
    with ray_session(address, num_cpus=num_cpus) as ray:
        pool = max(1, min(actors or cluster_cpus(ray), len(batches)))
        dataset = ray.data.from_items(batches, override_num_blocks=len(batches))
        embedded = dataset.map_batches(
            EmbedBatch,
            fn_constructor_args=(settings, factory),
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=pool),
            num_cpus=1,
        )
        done = 0
        for result in embedded.iter_batches(batch_size=None, batch_format="numpy"):
            fresh = {
                str(h): np.asarray(v, np.float32)
                for h, v in zip(result["hash"], result["vector"], strict=True)
            }
            catalogue.cache_vectors(model_id, fresh, only_in_use=True)
            done += len(fresh)
    return RayEmbedReport(done, cached, pool, len(batches))
