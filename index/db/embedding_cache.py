"""The embedding cache: vectors of chunk texts by (model, text hash), so that an index rebuild or
a re-ingested profile embeds only texts it has not seen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, delete, select

from index.db.engine import insert_ignoring_duplicates
from index.db.schema import chunks, embeddings
from index.db.versioning import CatalogueVersion

# rows per IN (...) list: well under SQLite's limit on bound parameters
_BATCH = 500


def purge_orphaned_embeddings(connection: Connection, hashes: set[str]) -> None:
    """Drop cached embeddings of those ``hashes`` that no chunk uses any more (erasure), inside
    the caller's transaction."""
    if not hashes:
        return
    still_used = set(
        connection.execute(
            select(chunks.c.text_hash).where(chunks.c.text_hash.in_(hashes))
        ).scalars()
    )
    orphaned = hashes - still_used
    if orphaned:
        connection.execute(delete(embeddings).where(embeddings.c.text_hash.in_(orphaned)))


class EmbeddingCache:
    """Read and write cached embeddings in the catalogue database.

    Args:
        engine: an engine on a database opened with
            :func:`index.db.versioning.open_catalogue_engine`.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._versions = CatalogueVersion(engine)

    def cached_vectors(
        self, model_id: str, hashes: Iterable[str]
    ) -> dict[str, npt.NDArray[np.float32]]:
        """Cached embeddings for the hashes that have one."""
        wanted = list(set(hashes))
        found: dict[str, npt.NDArray[np.float32]] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start : start + _BATCH]
                for r in connection.execute(
                    select(embeddings.c.text_hash, embeddings.c.vector)
                    .where(embeddings.c.model_id == model_id)
                    .where(embeddings.c.text_hash.in_(batch))
                ):
                    found[r.text_hash] = np.frombuffer(r.vector, dtype=np.float32)
        return found

    def cache_vectors(
        self,
        model_id: str,
        vectors: Mapping[str, npt.NDArray[np.float32]],
        *,
        only_in_use: bool = False,
    ) -> None:
        """Store embeddings; a hash already cached for this model is left as it is.

        Args:
            model_id: the model that made the vectors.
            vectors: vectors by text hash.
            only_in_use: skip hashes no chunk uses (any more): an index build passes it, so a
                profile erased by another process while its texts were being embedded leaves
                nothing behind. Under the write lock, that erasure either ran before (the hash
                is skipped here) or runs after (and purges it).
        """
        if not vectors:
            return
        with self._versions.writing() as connection:
            present = set(
                connection.execute(
                    select(embeddings.c.text_hash)
                    .where(embeddings.c.model_id == model_id)
                    .where(embeddings.c.text_hash.in_(list(vectors)))
                ).scalars()
            )
            used = (
                set(
                    connection.execute(
                        select(chunks.c.text_hash).where(chunks.c.text_hash.in_(list(vectors)))
                    ).scalars()
                )
                if only_in_use
                else set(vectors)
            )
            rows = [
                {
                    "model_id": model_id,
                    "text_hash": h,
                    "vector": np.asarray(v, np.float32).tobytes(),
                }
                for h, v in vectors.items()
                if h not in present and h in used
            ]
            insert_ignoring_duplicates(connection, embeddings, rows)

    def cached_hashes(self) -> set[str]:
        """Every text hash with a cached embedding, whatever the model (used by erasure checks)."""
        with self._engine.connect() as connection:
            return set(connection.execute(select(embeddings.c.text_hash)).scalars())

    def hashes_of(self, model_id: str) -> set[str]:
        """The text hashes cached for ``model_id`` (no vector is read: ``build --ray`` lists its
        work with it over millions of chunks)."""
        with self._engine.connect() as connection:
            return set(
                connection.execute(
                    select(embeddings.c.text_hash).where(embeddings.c.model_id == model_id)
                ).scalars()
            )
