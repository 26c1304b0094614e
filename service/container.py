"""Wiring: one container per process, built from settings; the only place objects are assembled."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.db.accounts import AccountStore
from index.db.audit import AuditLog
from index.db.catalogue import Catalogue, UpsertOutcome
from index.db.introductions import IntroductionStore
from index.encoders.base import Encoder, SentenceTransformerEncoder
from index.encoders.tokens import token_counter
from index.ingest.records import IngestReport, ingest_files
from index.vectors.store import IndexStore, SyncReport, limit_search_threads
from matcher.errors import InvalidRecordError, ModelUnavailableError
from matcher.model import Profile
from matcher.ranking import AggregationConfig
from service.batch.jobs import withdraw_reports
from service.search.engine import SearchEngine
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

    @property
    def audit(self) -> AuditLog:
        """The audit log (in the catalogue database)."""
        return AuditLog(self.catalogue.engine)

    def delete(self, profile_id: str, *, actor: str = "cli") -> SyncReport:
        """Erase a profile (the right to erasure): from the catalogue with its evidence,
        shortlist entries and introductions; from the embedding cache; from the index, older
        index versions included; from every stored batch report that names it; and from the
        audit log, which keeps only the fact of the deletion (by ``actor``, a key id).

        Raises:
            ProfileNotFoundError: no such profile.
        """
        name = self.catalogue.get_profiles([profile_id], with_evidence=False).get(profile_id)
        self.catalogue.delete_profile(
            profile_id,
            also=lambda connection: AuditLog.forget_profile(connection, profile_id, actor=actor),
        )
        report = self.sync()
        self.store.discard_old_versions()
        withdrawn = withdraw_reports(
            self.settings.batches_dir, profile_id, name=name.name if name else ""
        )
        if withdrawn:
            logger.info("withdrew the reports of %d batch job(s) after an erasure", len(withdrawn))
        return report

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


def encoder_model_path(settings: Settings) -> Path | None:
    """The weights the encoders load: an explicitly named adapted model, else (``auto``) the
    adaptation active in the data directory, else the configured or packaged model (``None``).

    Raises:
        ModelUnavailableError: the adapted model named or made active is missing.
    """
    from index.encoders.adapt import active_model_path

    chosen = settings.adapted_model
    if isinstance(chosen, Path):
        if not (chosen / "config.json").is_file():
            raise ModelUnavailableError(f"no adapted model under {chosen}")
        return chosen
    if chosen == "auto":
        active = active_model_path(settings.model_cache_dir)
        if active is not None:
            return active
    return settings.model_path


def make_encoder(settings: Settings, *, model_path: Path | None = None) -> Encoder:
    """The configured encoder over ``model_path``, or else :func:`encoder_model_path`."""
    path = model_path or encoder_model_path(settings)
    if settings.encoder == "torch":
        return SentenceTransformerEncoder(path)
    from index.encoders.onnx_runtime import OnnxEncoder

    return OnnxEncoder(
        path,
        cache_dir=settings.model_cache_dir,
        quantize=settings.encoder == "onnx-int8",
        threads=settings.encoder_threads,
    )


def build_container(settings: Settings, *, encoder: Encoder | None = None) -> Container:
    """Assemble the container; the packaged model is used unless an encoder is given."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    limit_search_threads(settings.search_threads)
    tokens = token_counter(encoder_model_path(settings))
    catalogue = Catalogue(
        settings.catalogue_url, max_tokens=tokens.limit(settings.chunk_tokens), count=tokens.count
    )
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
