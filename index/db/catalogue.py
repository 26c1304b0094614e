"""The catalogue: the source of truth for organisations, profiles, evidence, chunks and the
embedding cache, in one database. SQLAlchemy 2 Core over SQLite (WAL) by default, so that a
shared deployment on PostgreSQL is a change of URL.

:class:`Catalogue` opens the database and composes one object per family, each usable alone
over the same engine: :class:`~index.db.versioning.CatalogueVersion` (the version counter and
write lock), :class:`~index.db.organisations.OrganisationStore`,
:class:`~index.db.profiles.ProfileStore` (profiles, evidence and their chunks),
:class:`~index.db.embedding_cache.EmbeddingCache` and :class:`~index.db.index_source.IndexSource`
(what the vector index is built from). Its methods only delegate, so that callers holding a
catalogue need not know which part answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, func, select

from index.db.embedding_cache import EmbeddingCache
from index.db.index_source import ChunkRow, IndexSource, ProfileMeta
from index.db.organisations import OrganisationStore
from index.db.profiles import ProfileStore
from index.db.schema import chunks, embeddings, evidence, organisations, profiles
from index.db.versioning import CatalogueVersion, UpsertOutcome, open_catalogue_engine
from matcher.model import EvidenceItem, EvidenceType, Organisation, Profile

__all__ = [
    "Catalogue",
    "ChunkRow",
    "ProfileMeta",
    "UpsertOutcome",
    "count_rows",
]


def count_rows(engine: Engine) -> dict[str, int]:
    """How many organisations, profiles (in all and per kind: ``profiles_<kind>``), evidence
    items (summaries excluded), chunks and cached vectors the catalogue holds."""
    with engine.connect() as connection:
        result = {
            "organisations": connection.execute(
                select(func.count()).select_from(organisations)
            ).scalar_one(),
            "profiles": connection.execute(select(func.count()).select_from(profiles)).scalar_one(),
            "evidence_items": connection.execute(
                select(func.count())
                .select_from(evidence)
                .where(evidence.c.type != EvidenceType.SUMMARY.value)
            ).scalar_one(),
            "chunks": connection.execute(select(func.count()).select_from(chunks)).scalar_one(),
            "cached_embeddings": connection.execute(
                select(func.count()).select_from(embeddings)
            ).scalar_one(),
        }
        for kind, n in connection.execute(
            select(profiles.c.kind, func.count()).group_by(profiles.c.kind)
        ).all():
            result[f"profiles_{kind}"] = n
    return result


class Catalogue:
    """The catalogue database and its parts.

    Opening it brings the database's schema to the newest migration (:mod:`index.db.engine`).
    Every write that changes what is searched takes the write lock and bumps :attr:`version`
    (:class:`~index.db.versioning.CatalogueVersion`).

    Args:
        url: a SQLAlchemy URL: ``sqlite:///path`` (default) or ``postgresql+psycopg://…``.
        max_words: chunk size used when splitting evidence texts.

    Raises:
        CatalogueUnavailableError: a bad or unsupported URL, or a database that cannot be reached.
    """

    def __init__(self, url: str, *, max_words: int = 180) -> None:
        self.url = url
        self._engine: Engine = open_catalogue_engine(url)
        self.versions = CatalogueVersion(self._engine)
        self.organisation_store = OrganisationStore(self._engine)
        self.profile_store = ProfileStore(self._engine, max_words=max_words)
        self.embedding_cache = EmbeddingCache(self._engine)
        self.source = IndexSource(self._engine)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (shared with the stores of keys and introductions)."""
        return self._engine

    def close(self) -> None:
        """Release the connection pool."""
        self._engine.dispose()

    @property
    def version(self) -> int:
        """Incremented by every write that changes what is searched."""
        return self.versions.current

    def counts(self) -> dict[str, int]:
        """How many rows of each kind the catalogue holds (:func:`count_rows`)."""
        return count_rows(self._engine)

    # ------------------------------------------------------------------ organisations
    def upsert_organisation(self, organisation: Organisation) -> UpsertOutcome:
        """See :meth:`OrganisationStore.upsert_organisation`."""
        return self.organisation_store.upsert_organisation(organisation)

    def organisation_ids(self) -> set[str]:
        """See :meth:`OrganisationStore.organisation_ids`."""
        return self.organisation_store.organisation_ids()

    def organisations(self) -> list[Organisation]:
        """See :meth:`OrganisationStore.organisations`."""
        return self.organisation_store.organisations()

    # ------------------------------------------------------------------ profiles
    def upsert_profile(self, profile: Profile) -> UpsertOutcome:
        """See :meth:`ProfileStore.upsert_profile`."""
        return self.profile_store.upsert_profile(profile)

    def delete_profile(
        self, profile_id: str, *, also: Callable[[Connection], object] | None = None
    ) -> None:
        """See :meth:`ProfileStore.delete_profile`.

        Raises:
            ProfileNotFoundError: no such profile.
        """
        self.profile_store.delete_profile(profile_id, also=also)

    def get_profile(self, profile_id: str) -> Profile:
        """See :meth:`ProfileStore.get_profile`.

        Raises:
            ProfileNotFoundError: no such profile.
        """
        return self.profile_store.get_profile(profile_id)

    def get_profiles(
        self, profile_ids: Iterable[str], *, with_evidence: bool = True
    ) -> dict[str, Profile]:
        """See :meth:`ProfileStore.get_profiles`."""
        return self.profile_store.get_profiles(profile_ids, with_evidence=with_evidence)

    def evidence_items(
        self, item_ids: Sequence[str], profile_ids: Sequence[str]
    ) -> dict[tuple[str, str], EvidenceItem]:
        """See :meth:`ProfileStore.evidence_items`."""
        return self.profile_store.evidence_items(item_ids, profile_ids)

    def profile_ids(self) -> list[str]:
        """See :meth:`ProfileStore.profile_ids`."""
        return self.profile_store.profile_ids()

    def iter_profiles(self, batch: int = 200) -> Iterator[Profile]:
        """See :meth:`ProfileStore.iter_profiles`."""
        return self.profile_store.iter_profiles(batch)

    # ------------------------------------------------------------------ index source
    def index_source(self) -> tuple[int, list[ChunkRow], list[ProfileMeta]]:
        """See :meth:`IndexSource.index_source`."""
        return self.source.index_source()

    def chunk_rows(self) -> list[ChunkRow]:
        """See :meth:`IndexSource.chunk_rows`."""
        return self.source.chunk_rows()

    def chunk_texts(self, chunk_ids: Sequence[int]) -> dict[int, str]:
        """See :meth:`IndexSource.chunk_texts`."""
        return self.source.chunk_texts(chunk_ids)

    def profile_metas(self) -> list[ProfileMeta]:
        """See :meth:`IndexSource.profile_metas`."""
        return self.source.profile_metas()

    # ------------------------------------------------------------------ embedding cache
    def cached_vectors(
        self, model_id: str, hashes: Iterable[str]
    ) -> dict[str, npt.NDArray[np.float32]]:
        """See :meth:`EmbeddingCache.cached_vectors`."""
        return self.embedding_cache.cached_vectors(model_id, hashes)

    def cache_vectors(
        self,
        model_id: str,
        vectors: Mapping[str, npt.NDArray[np.float32]],
        *,
        only_in_use: bool = False,
    ) -> None:
        """See :meth:`EmbeddingCache.cache_vectors`."""
        self.embedding_cache.cache_vectors(model_id, vectors, only_in_use=only_in_use)

    def cached_hashes(self) -> set[str]:
        """See :meth:`EmbeddingCache.cached_hashes`."""
        return self.embedding_cache.cached_hashes()
