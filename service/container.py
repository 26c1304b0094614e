"""Wiring: one container per process, built from settings; the only place objects are assembled."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.accounts import AccountStore
from index.catalogue import Catalogue, UpsertOutcome
from index.encoders import Encoder, SentenceTransformerEncoder
from index.ingest import IngestReport, ingest_files
from index.introductions import IntroductionStore
from index.vector_index import IndexStore, SyncReport
from matcher.errors import InvalidRecordError
from matcher.model import Profile
from matcher.ranking import AggregationConfig
from service.engine import SearchEngine
from service.settings import Settings

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class Container:
    """Everything a command or the app needs, wired together."""

    settings: Settings
    catalogue: Catalogue
    store: IndexStore
    encoder: Encoder
    engine: SearchEngine
    accounts: AccountStore
    introductions: IntroductionStore

    def ingest(
        self, paths: Sequence[Path], *, progress: Progress | None = None
    ) -> tuple[IngestReport, SyncReport]:
        """Write valid records to the catalogue, then bring the index up to date."""
        report = ingest_files(self.catalogue, paths)
        return report, self.sync(progress=progress)

    def upsert_profile(self, profile: Profile) -> tuple[UpsertOutcome, SyncReport]:
        """Add or replace one profile and update the index.

        Raises:
            InvalidRecordError: the profile names an unknown organisation.
        """
        if profile.organisation_id not in self.catalogue.organisation_ids():
            raise InvalidRecordError(
                "request", 0, "organisation", f"unknown organisation {profile.organisation_id!r}"
            )
        outcome = self.catalogue.upsert_profile(profile)
        return outcome, self.sync()

    def delete(self, profile_id: str) -> SyncReport:
        """Erase a profile from the catalogue, the embedding cache and the index."""
        self.catalogue.delete_profile(profile_id)
        return self.sync()

    def sync(self, *, force_rebuild: bool = False, progress: Progress | None = None) -> SyncReport:
        """Make the index match the catalogue and model (a no-op when it already does)."""
        report = self.store.sync(
            self.catalogue, self.encoder, force_rebuild=force_rebuild, progress=progress
        )
        if report.added or report.removed or report.rebuilt:
            self.engine.reload()
        return report

    def close(self) -> None:
        """Release database connections."""
        self.catalogue.close()


def make_encoder(settings: Settings) -> Encoder:
    """The configured encoder over the configured (or packaged) model."""
    if settings.encoder == "torch":
        return SentenceTransformerEncoder(settings.model_path)
    from index.onnx_encoder import OnnxEncoder

    return OnnxEncoder(
        settings.model_path,
        cache_dir=settings.model_cache_dir,
        quantize=settings.encoder == "onnx-int8",
    )


def build_container(settings: Settings, *, encoder: Encoder | None = None) -> Container:
    """Assemble the container; the packaged model is used unless an encoder is given."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    catalogue = Catalogue(settings.catalogue_url, max_words=settings.chunk_words)
    store = IndexStore(settings.index_dir)
    chosen = encoder or make_encoder(settings)
    engine = SearchEngine(
        catalogue,
        store,
        chosen,
        aggregation=AggregationConfig(method=settings.aggregation, k=settings.top_k),
        candidate_chunks=settings.candidate_chunks,
        reload_seconds=settings.reload_seconds,
    )
    return Container(
        settings=settings,
        catalogue=catalogue,
        store=store,
        encoder=chosen,
        engine=engine,
        accounts=AccountStore(catalogue.engine),
        introductions=IntroductionStore(catalogue.engine),
    )
