"""HTTP schemas (pydantic, at the edge only)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from index.ingest.records import Required as Visible
from matcher.briefs import MAX_TOP
from matcher.calibration import NO_STRONG_MATCH_MESSAGE, no_strong_match
from matcher.model import Match, Profile, Provenance, SearchResult

KindName = Literal["academic", "clinical_team", "sme"]
StrengthName = Literal["strong", "good", "weak", "no_match"]
Name = Annotated[str, Field(min_length=1, max_length=300)]


class SearchRequest(BaseModel):
    """A brief and its filters."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[
        str,
        Field(
            min_length=1,
            description="The brief: a clinical question, an SME challenge or a funding call.",
        ),
    ]
    purpose: Literal["collaborators", "grant_partners", "funding_call"] = "collaborators"
    kinds: Annotated[list[KindName], Field(max_length=3)] = []
    organisations: Annotated[list[Name], Field(max_length=200)] = []
    regions: Annotated[list[Name], Field(max_length=200)] = []
    units: Annotated[list[Name], Field(max_length=200)] = []
    exclude_profiles: Annotated[list[Name], Field(max_length=1_000)] = []
    exclude_organisations: Annotated[list[Name], Field(max_length=200)] = []
    since: Annotated[int, Field(ge=1900, le=2100)] | None = None
    #: only profiles with evidence tagged with one of these SDGs (1–17; ``matcher sdgs`` tags)
    sdgs: list[Annotated[int, Field(ge=1, le=17)]] = Field(default_factory=list, max_length=17)
    requester_organisation: Name | None = None
    top: Annotated[int, Field(ge=1, le=MAX_TOP)] = 10
    profile: Annotated[
        Literal["fast", "thorough"],
        Field(
            description="Ranking profile: fast (one model) or thorough (fusion of several "
            "signals; seconds per brief)."
        ),
    ] = "fast"


class ProvenanceOut(BaseModel):
    """One source record an evidence item was built from."""

    source: str
    source_id: str
    url: str = ""
    doi: str = ""
    retrieved_at: str = ""

    @classmethod
    def all_of(cls, provenance: tuple[Provenance, ...], *, doi: str = "") -> list[ProvenanceOut]:
        """From the domain provenance (``doi``: the item's, when it has one)."""
        return [
            cls(
                source=p.source,
                source_id=p.source_id,
                url=p.url,
                doi=doi,
                retrieved_at=p.retrieved_at,
            )
            for p in provenance
        ]


class EvidenceOut(BaseModel):
    """An evidence item that supports a match."""

    item_id: str
    type: str
    title: str
    similarity: float
    snippet: str
    year: int | None = None
    provenance: list[ProvenanceOut] = []
    pinned: bool = False


class OrganisationRef(BaseModel):
    """An organisation named in a match."""

    id: str
    name: str


class MatchOut(BaseModel):
    """One ranked profile with its evidence."""

    profile_id: str
    kind: KindName
    name: str
    organisation: OrganisationRef
    unit: str
    region: str
    score: float
    strength: float | None = Field(
        None,
        description="the score's percentile among the best scores generic briefs get for this "
        "kind (0–1, comparable across kinds); null when the kind is not calibrated",
    )
    strength_label: StrengthName | None = Field(
        None, description="strong, good, weak or no_match (thresholds in matcher.calibration)"
    )
    rank: int
    evidence: list[EvidenceOut]
    shared_terms: list[str]
    conflicts: list[str]
    url: str

    @classmethod
    def of(cls, match: Match) -> MatchOut:
        """From the domain match."""
        return cls(
            profile_id=match.profile_id,
            kind=match.kind.value,
            name=match.name,
            organisation=OrganisationRef(id=match.organisation_id, name=match.organisation_name),
            unit=match.unit,
            region=match.region,
            score=match.score,
            strength=match.strength,
            strength_label=match.strength_label or None,  # type: ignore[arg-type]
            rank=match.rank,
            evidence=[
                EvidenceOut(
                    item_id=e.item_id,
                    type=e.type.value,
                    title=e.title,
                    similarity=e.similarity,
                    snippet=e.snippet,
                    year=e.year,
                    provenance=ProvenanceOut.all_of(
                        e.provenance, doi=e.item_id[4:] if e.item_id.startswith("doi:") else ""
                    ),
                    pinned=e.pinned,
                )
                for e in match.evidence
            ],
            shared_terms=list(match.shared_terms),
            conflicts=list(match.conflicts),
            url=f"/api/v1/profiles/{match.profile_id}",
        )


class SearchResponse(BaseModel):
    """Matches grouped by kind, each group ranked from 1."""

    results: dict[KindName, list[MatchOut]]
    total: int
    candidates_considered: int
    index_version: int
    took_ms: float
    no_strong_match: bool = Field(
        False, description="no match of any kind reaches the 'weak' strength"
    )
    message: str | None = Field(None, description="what no_strong_match means, when it is set")
    search_id: str | None = Field(
        None,
        description="this search's reference for POST /api/v1/feedback (kept for an hour by the "
        "worker that answered; none for anonymous searches)",
    )
    exact_matches: dict[KindName, list[MatchOut]] = Field(
        default_factory=dict,
        description="per kind, the 'exact match' lane: profiles outside `results` with one "
        "evidence item at least as close to the brief as the median best item of that kind's "
        "results (at most 3, closest item first, ranked from 1; `score` is the profile's "
        "embedding score); a kind with none is absent, and `{}` when none qualifies",
    )

    @classmethod
    def of(
        cls,
        result: SearchResult,
        *,
        index_version: int,
        took_ms: float,
        search_id: str | None = None,
    ) -> SearchResponse:
        """From the domain result."""
        results: dict[KindName, list[MatchOut]] = {}
        for kind, matches in result.groups.items():
            results[kind.value] = [MatchOut.of(m) for m in matches]
        lanes: dict[KindName, list[MatchOut]] = {
            kind.value: [MatchOut.of(m) for m in matches]
            for kind, matches in result.lanes.items()
            if matches
        }
        weak = no_strong_match(result.matches)
        return cls(
            results=results,
            exact_matches=lanes,
            total=sum(len(v) for v in results.values()),
            candidates_considered=result.candidates_considered,
            index_version=index_version,
            took_ms=round(took_ms, 2),
            no_strong_match=weak,
            message=NO_STRONG_MATCH_MESSAGE if weak else None,
            search_id=search_id,
        )


class EvidencePublic(BaseModel):
    """An evidence item as shown on a profile."""

    id: str
    type: str
    title: str
    text: str
    year: int | None = None
    specialty: str = ""
    sector: str = ""
    funder: str = ""
    readiness_level: int | None = None
    doi: str = ""
    provenance: list[ProvenanceOut] = []
    pinned: bool = False


class ProfilePublic(BaseModel):
    """A profile's public fields; ``contact`` is filled for KE staff and admins only."""

    id: str
    kind: KindName
    name: str
    organisation: OrganisationRef
    unit: str
    region: str
    summary: str
    keywords: list[str]
    capacity: int
    updated_at: str
    evidence: list[EvidencePublic]
    contact: str | None = None

    @classmethod
    def of(
        cls, profile: Profile, organisation_name: str, *, with_contact: bool = False
    ) -> ProfilePublic:
        """From the domain profile."""
        return cls(
            id=profile.id,
            kind=profile.kind.value,
            name=profile.name,
            organisation=OrganisationRef(id=profile.organisation_id, name=organisation_name),
            unit=profile.unit,
            region=profile.region,
            summary=profile.summary,
            keywords=list(profile.keywords),
            capacity=profile.capacity,
            updated_at=profile.updated_at,
            evidence=[
                EvidencePublic(
                    id=e.id,
                    type=e.type.value,
                    title=e.title,
                    text=e.text,
                    year=e.year,
                    specialty=e.specialty,
                    sector=e.sector,
                    funder=e.funder,
                    readiness_level=e.readiness_level,
                    doi=e.doi,
                    provenance=ProvenanceOut.all_of(e.provenance, doi=e.doi),
                    pinned=e.pinned,
                )
                for e in profile.evidence
            ],
            contact=profile.contact if with_contact else None,
        )


class CurationIn(BaseModel):
    """KE staff's choice about one evidence item: hidden (never embedded, never shown), pinned
    (always shown among a match's evidence) or none (left to the ranking)."""

    model_config = ConfigDict(extra="forbid")

    state: Literal["hidden", "pinned", "none"]


class CurationOut(BaseModel):
    """A curation choice as stored, and the index version that now serves it."""

    profile_id: str
    item_key: str
    state: Literal["hidden", "pinned", "none"]
    index_version: int


class ErrorOut(BaseModel):
    """Every error answer."""

    error: str
    message: str
    field: str | None = None


class HealthOut(BaseModel):
    """Liveness, for anyone: no counts, versions or reasons (those are in :class:`StatusOut`)."""

    status: Literal["ok", "degraded"]


class StatusOut(BaseModel):
    """What is being served (admins): model, catalogue version, index manifest, counts."""

    status: Literal["ok", "degraded"]
    model_id: str
    catalogue_version: int
    index: dict[str, object] | None
    counts: dict[str, int]
    problem: str | None = None


class SimilarRequest(BaseModel):
    """Profiles similar to a given one."""

    model_config = ConfigDict(extra="forbid")

    profile_id: Name
    kinds: Annotated[list[KindName], Field(max_length=3)] = []
    top: Annotated[int, Field(ge=1, le=MAX_TOP)] = 10


class ProfileSummary(BaseModel):
    """A profile in a listing."""

    id: str
    kind: KindName
    name: str
    organisation_id: str
    unit: str
    region: str


class ProfilePage(BaseModel):
    """A page of profiles."""

    items: list[ProfileSummary]
    total: int
    offset: int
    limit: int


class OrganisationOut(BaseModel):
    """An organisation."""

    id: str
    name: str
    type: str
    region: str


class OrganisationIn(BaseModel):
    """An organisation to create or replace."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@~\-/]{0,199}$")]
    name: Annotated[str, Field(min_length=1, max_length=1_000), Visible]
    type: Literal["university", "nhs_trust", "hscp", "sme", "council", "charity", "other"]
    region: Annotated[str, Field(max_length=1_000)] = ""


class WriteResult(BaseModel):
    """What a write did, and the index version that now serves it."""

    id: str
    status: Literal["added", "updated", "unchanged", "deleted"]
    index_version: int


IntroductionStatusName = Literal["proposed", "contacted", "met", "collaborating", "declined"]


class IntroductionIn(BaseModel):
    """Propose an introduction between a requester and a matched profile."""

    model_config = ConfigDict(extra="forbid")

    profile_id: Name
    requester: Annotated[str, Field(min_length=1, max_length=500), Visible]
    requester_organisation: Name | None = None
    brief: Annotated[str, Field(max_length=20_000)] = ""
    note: Annotated[str, Field(max_length=5_000)] = ""


class DuplicateIntroductionOut(ErrorOut):
    """A proposal refused because the same introduction is already open (409)."""

    introduction_id: int


class StatusChange(BaseModel):
    """Move an introduction to a new status."""

    model_config = ConfigDict(extra="forbid")

    status: IntroductionStatusName
    note: Annotated[str, Field(max_length=5_000)] = ""


class NoteIn(BaseModel):
    """A note on an introduction."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Field(min_length=1, max_length=5_000)]


class IntroductionEventOut(BaseModel):
    """One change: who did what, when."""

    at: str
    by: str
    action: str
    status: IntroductionStatusName | None
    note: str


class IntroductionOut(BaseModel):
    """A brokered introduction with its history."""

    id: int
    profile_id: str
    profile_name: str
    requester: str
    requester_organisation: str | None
    brief: str
    status: IntroductionStatusName
    created_by: str
    created_at: str
    updated_at: str
    events: list[IntroductionEventOut]


class ShortlistIn(BaseModel):
    """Add a profile to the caller's shortlist."""

    model_config = ConfigDict(extra="forbid")

    profile_id: Name
    brief: Annotated[str, Field(max_length=2_000)] = ""


class ShortlistItemOut(BaseModel):
    """A shortlisted profile."""

    profile_id: str
    name: str
    kind: KindName
    organisation: str
    unit: str
    brief: str
    added_at: str


class ReadyOut(BaseModel):
    """Whether the service can answer searches."""

    ready: bool
    index_version: int | None
    vectors: int
    problem: str | None = None


class IngestOut(BaseModel):
    """What an upload did."""

    added: int
    updated: int
    unchanged: int
    organisations: int
    rejected: int
    errors: list[str]
    index_version: int


class JobOut(BaseModel):
    """A batch job: its state, progress and (when done) a summary and report links."""

    id: str
    filename: str
    status: Literal["queued", "running", "done", "failed", "withdrawn"]
    done: int
    total: int
    created_by: str
    created_at: str
    error: str | None = None
    summary: dict[str, object] = {}
    reports: dict[str, str] = {}


class AuditEntryOut(BaseModel):
    """One audit row: who (a key id and its name) did what to which record, and when."""

    id: int
    at: str
    actor: str
    actor_name: str | None
    action: str
    target: str
    detail: dict[str, object]


class AuditPage(BaseModel):
    """A page of the audit log, newest first."""

    items: list[AuditEntryOut]
    total: int
    offset: int
    limit: int
