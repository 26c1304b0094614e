"""Wiring: one container per process, built from settings; the only place objects are assembled."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from index.db.accounts import AccountStore
from index.db.audit import AuditAction, AuditLog
from index.db.backup import BackupSummary, erased_profile_ids
from index.db.backup import restore as restore_backup
from index.db.bids import BidStore
from index.db.briefs import BriefStore
from index.db.build_lock import BUILD_LOCK_WAIT_SECONDS
from index.db.catalogue import Catalogue, UpsertOutcome
from index.db.curation import (
    CurationState,
    EvidenceItemNotFoundError,
    keys_of,
    normalise_item_key,
)
from index.db.embedding_cache import EmbeddingCache
from index.db.engine import current_revision, make_engine, reachable, upgrade_schema
from index.db.feedback import FeedbackStore
from index.db.insight import InsightStore
from index.db.introduction_checklist import IntroductionChecklistStore
from index.db.introductions import IntroductionStore
from index.db.organisations import OrganisationStore
from index.db.profiles import ProfileStore
from index.db.search_counts import SearchCounter
from index.db.sources import SourceStore
from index.encoders.base import Encoder
from index.encoders.sentence_transformer import SentenceTransformerEncoder
from index.encoders.tokens import token_counter
from index.ingest import IngestReport, ingest_files
from index.ingest.importer import ImportOptions, ImportReport, import_records, rebuild_profiles
from index.ingest.sources.model import ReadError, Source, SourceRecord
from index.vectors.store import IndexStore, SyncReport, limit_search_threads
from matcher.errors import InvalidRecordError, ModelUnavailableError
from matcher.identity import identifier_hash, name_identifier
from matcher.model import Profile
from matcher.ranking import AggregationConfig
from service.batch.jobs import withdraw_reports
from service.search.engine import SearchEngine
from service.search.feedback import RecentSearches
from service.settings import Settings

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What a restore did: the backup's summary, the rebuilt index, and the profiles erased
    again because the audit log records their deletion after the backup was taken."""

    summary: BackupSummary
    sync: SyncReport
    erased_again: tuple[str, ...]


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
    #: the API's searches kept (in memory, briefly) for their feedback
    recent_searches: RecentSearches = field(default_factory=RecentSearches)

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

    def import_source(
        self,
        source: Source,
        records: Iterable[SourceRecord | ReadError],
        *,
        options: ImportOptions | None = None,
        progress: Progress | None = None,
        embed_progress: Progress | None = None,
    ) -> tuple[ImportReport, SyncReport]:
        """Import a research source's records (:mod:`index.ingest.importer`), then bring the
        index up to date; the report's ``texts_embedded`` is what the sync had to embed."""
        chosen = options or ImportOptions(
            coauthor_years=self.settings.coauthor_years,
            listed=self.settings.import_consent == "listed",
        )
        report = import_records(self.catalogue, source, records, options=chosen, progress=progress)
        sync = self.sync(progress=embed_progress)
        report.texts_embedded = sync.embedded
        return report, sync

    @property
    def sources(self) -> SourceStore:
        """What the importers remember: aliases, staged records, reviews, suppression, curation."""
        return SourceStore(self.catalogue.engine)

    @property
    def briefs(self) -> BriefStore:
        """Briefs searched on the pages, by id (their results URLs)."""
        return BriefStore(self.catalogue.engine)

    @property
    def profiles(self) -> ProfileStore:
        """Profiles, their evidence and chunks (a part of the catalogue)."""
        return self.catalogue.profile_store

    @property
    def organisations(self) -> OrganisationStore:
        """Organisations (a part of the catalogue)."""
        return self.catalogue.organisation_store

    @property
    def embedding_cache(self) -> EmbeddingCache:
        """Cached embeddings of chunk texts (a part of the catalogue)."""
        return self.catalogue.embedding_cache

    @property
    def audit(self) -> AuditLog:
        """The audit log (in the catalogue database)."""
        return AuditLog(self.catalogue.engine)

    @property
    def search_counts(self) -> SearchCounter:
        """Searches served per day and theme (counts only; in the catalogue database)."""
        return SearchCounter(self.catalogue.engine)

    @property
    def introduction_checklists(self) -> IntroductionChecklistStore:
        """Governance steps of collaborating introductions (in the catalogue database)."""
        return IntroductionChecklistStore(self.catalogue.engine)

    @property
    def feedback(self) -> FeedbackStore:
        """Users' labels of results, with their briefs' vectors (in the catalogue database)."""
        return FeedbackStore(self.catalogue.engine)

    @property
    def bids(self) -> BidStore:
        """Bids, governance templates and outcome labels (in the catalogue database)."""
        return BidStore(self.catalogue.engine)

    def delete(self, profile_id: str, *, actor: str = "cli") -> SyncReport:
        """Erase a profile (the right to erasure): from the catalogue with its evidence,
        shortlist entries, introductions and bids (their history keeps ``(erased)`` in its
        place); from the embedding cache; from the index, older
        index versions included; from every stored batch report that names it; and from the
        audit log, which keeps only the fact of the deletion (by ``actor``, a key id).

        Raises:
            ProfileNotFoundError: no such profile.
        """
        name = self.catalogue.get_profiles([profile_id], with_evidence=False).get(profile_id)
        # no later import may re-create the person: their identifiers are kept, hashed
        suppressed = self._identifier_hashes(profile_id)
        sources = self.sources

        def erase(connection: Connection) -> None:
            AuditLog.forget_profile(connection, profile_id, actor=actor)
            sources.suppress(connection, suppressed)
            sources.forget_profile(connection, profile_id)
            BidStore.forget_profile(connection, profile_id)

        self.catalogue.delete_profile(profile_id, also=erase)
        report = self.sync()
        self.store.discard_old_versions()
        withdrawn = withdraw_reports(
            self.settings.batches_dir, profile_id, name=name.name if name else ""
        )
        if withdrawn:
            logger.info("withdrew the reports of %d batch job(s) after an erasure", len(withdrawn))
        return report

    def curate(
        self, profile_id: str, item_key: str, state: CurationState | None, *, actor: str
    ) -> tuple[str, SyncReport]:
        """Hide or pin one evidence item of a profile from any source (``None``: neither), audit
        the change (by ``actor``, a key id) and bring the index up to date, so that a hidden
        item leaves the ranking before the answer.

        Args:
            profile_id: the profile.
            item_key: the item's id, its DOI (bare, ``doi:…`` or a URL) or, for an imported
                item, any key it answers to (``t:…``).
            state: ``hidden``, ``pinned`` or ``None``.
            actor: the key id that asked.

        Returns:
            the key the choice is stored under, and the sync.

        Raises:
            ProfileNotFoundError: no such profile.
            EvidenceItemNotFoundError: the key names none of the profile's items (an item
                already hidden is still named by its choice).
        """
        key = normalise_item_key(item_key)
        profile = self.catalogue.get_profile(profile_id)
        known = {k for item in profile.evidence for k in keys_of(item.id, item.doi)}
        known |= set(self.sources.curation_of([profile_id]).get(profile_id, {}))
        if key not in known:
            raise EvidenceItemNotFoundError(profile_id, item_key)
        self.sources.set_curation(profile_id, key, state, by=actor)
        if self.sources.people_of([profile_id])[profile_id]:
            # an imported profile is assembled from its sources: a hidden item is left out of
            # it, an item no longer hidden comes back, a pin is written on the item
            rebuild_profiles(
                self.catalogue, [profile_id], coauthor_years=self.settings.coauthor_years
            )
        self.audit.record(
            AuditAction.EVIDENCE_CURATION,
            actor=actor,
            target=profile_id,
            detail={"item": key, "state": state or "none"},
        )
        return key, self.sync()

    def _identifier_hashes(self, profile_id: str) -> set[str]:
        """The hashed identifiers of a profile: its aliases (ORCID iD, source ids) and the
        normalised name + organisation of it and of each of its source records."""
        hashes = {identifier_hash(s, v) for s, v in self.sources.aliases_of(profile_id)}
        profile = self.catalogue.get_profiles([profile_id], with_evidence=False).get(profile_id)
        organisations = {o.id: o.name for o in self.catalogue.organisations()}
        if profile is not None:
            organisation = organisations.get(profile.organisation_id, "")
            hashes.add(identifier_hash("name", name_identifier(profile.name, organisation)))
        for person in self.sources.people_of([profile_id])[profile_id]:
            hashes.add(identifier_hash(person.source, person.source_id))
            hashes.add(
                identifier_hash("name", name_identifier(person.name, person.organisation_name))
            )
            if person.orcid:
                hashes.add(identifier_hash("orcid", person.orcid))
        return hashes

    def sync(
        self,
        *,
        force_rebuild: bool = False,
        progress: Progress | None = None,
        lock_wait_seconds: float = BUILD_LOCK_WAIT_SECONDS,
    ) -> SyncReport:
        """Make the index match the catalogue and model (a no-op when it already does); waits
        up to ``lock_wait_seconds`` for a build another replica is running
        (:mod:`index.db.build_lock`)."""
        report = self.store.sync(
            self.catalogue,
            self.encoder,
            force_rebuild=force_rebuild,
            progress=progress,
            lock_wait_seconds=lock_wait_seconds,
        )
        if report.added or report.removed or report.rebuilt:
            self.engine.reload()
        return report

    def restore(self, source: Path, *, progress: Progress | None = None) -> RestoreReport:
        """Replace the catalogue with the backup ``source``, bring its schema up to date (a
        backup from an older version) and rebuild the index; people erased since the backup was
        taken are erased again (by ``restore``).

        Raises:
            BackupError: ``source`` is not a usable backup, or the catalogue is not SQLite.
        """
        # people erased since the backup was taken must stay erased
        erased = erased_profile_ids(self.catalogue.engine)
        summary = restore_backup(self.settings.catalogue_url, source)
        upgrade_schema(self.catalogue.engine)
        report = self.sync(force_rebuild=True, progress=progress)
        again = tuple(sorted(erased & set(self.catalogue.profile_ids())))
        for profile_id in again:
            report = self.delete(profile_id, actor="restore")
        return RestoreReport(summary=summary, sync=report, erased_again=again)

    def is_listed(self, profile_id: str) -> bool:
        """Whether a profile exists and consents to be listed (unlisted ones look unknown)."""
        found = self.catalogue.get_profiles([profile_id])
        return profile_id in found and found[profile_id].consent

    def close(self) -> None:
        """Release database connections."""
        self.catalogue.close()


def open_catalogue(settings: Settings) -> Catalogue:
    """The configured catalogue alone, for commands that need neither index nor model; the
    caller closes it.

    Raises:
        CatalogueUnavailableError: the database cannot be reached or its URL is unusable.
    """
    # read-only callers: chunking (which needs the model's tokenizer) never runs
    return Catalogue(settings.catalogue_url)


def open_index_store(settings: Settings) -> IndexStore:
    """The index versions on disk under the configured data directory (nothing is loaded)."""
    return IndexStore(settings.index_dir, shared=settings.index_shared)


def upgrade_catalogue(settings: Settings) -> tuple[str | None, str]:
    """Apply pending schema migrations to the configured catalogue database (a database from
    before migrations is stamped, not rebuilt); returns the revision before (``None``: never
    migrated) and after.

    Raises:
        CatalogueUnavailableError: the database cannot be reached or its URL is unusable.
    """
    if settings.catalogue_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.catalogue_url)
    try:
        with reachable(engine):
            with engine.connect() as connection:
                before = current_revision(connection)
            after = upgrade_schema(engine)
    finally:
        engine.dispose()
    return before, after


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
    store = open_index_store(settings)
    chosen = encoder or make_encoder(settings)
    engine = SearchEngine(
        catalogue,
        store,
        chosen,
        aggregation=AggregationConfig(method=settings.aggregation, k=settings.top_k),
        candidate_chunks=settings.candidate_chunks,
        reload_seconds=settings.reload_seconds,
        rerank=settings.reranker == "auto",
        goal_profiles=InsightStore(catalogue.engine).profiles_with_goals,
        micro_batch=settings.micro_batch,
        micro_batch_wait=settings.micro_batch_wait_ms / 1000,
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
