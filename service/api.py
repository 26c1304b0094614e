"""The JSON API v1 and the web pages, built by :func:`create_app` around a container.

Every route declares the roles that may call it (``x-roles`` in the OpenAPI document); errors
are mapped from exception types to statuses in one table (:mod:`service.http.errors`).
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, Form, Path, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.db.audit import AuditAction
from index.ingest.records import ProfileRecord, to_profile
from matcher.briefs import make_brief
from matcher.errors import (
    InvalidRecordError,
    LoginRequiredError,
    MatcherError,
    PayloadTooLargeError,
    ProfileNotFoundError,
    RateLimitedError,
)
from matcher.fusion import RankingProfile
from matcher.model import Introduction, IntroductionStatus, Organisation, OrganisationType, Role
from service.batch.jobs import REPORT_FILES, Job, JobRunner, record_profiles, withdraw_reports
from service.container import Container, build_container
from service.http.auth import (
    ADMIN_ONLY,
    ALL_ROLES,
    SESSION_COOKIE,
    STAFF_ROLES,
    Principal,
    require,
    roles_extra,
)
from service.http.errors import status_for
from service.http.exports import shortlist_csv, shortlist_rows, shortlist_xlsx
from service.http.ratelimit import RateLimits, rate_limits_of
from service.http.schemas import (
    AuditEntryOut,
    AuditPage,
    ErrorOut,
    HealthOut,
    IngestOut,
    IntroductionEventOut,
    IntroductionIn,
    IntroductionOut,
    JobOut,
    NoteIn,
    OrganisationIn,
    OrganisationOut,
    ProfilePage,
    ProfilePublic,
    ProfileSummary,
    ReadyOut,
    SearchRequest,
    SearchResponse,
    ShortlistIn,
    ShortlistItemOut,
    SimilarRequest,
    StatusChange,
    WriteResult,
)
from service.http.security import REPORT_CSP, install_security_headers
from service.settings import Settings
from service.web.pages import audit_introduction, mount_static, web_router

logger = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No valid API key"},
    403: {"model": ErrorOut, "description": "The key's role may not do this"},
    404: {"model": ErrorOut, "description": "Unknown id"},
    409: {"model": ErrorOut, "description": "Conflicting change"},
    413: {"model": ErrorOut, "description": "Request too large"},
    415: {"model": ErrorOut, "description": "The body is not JSON"},
    422: {"model": ErrorOut, "description": "Invalid input"},
    429: {"model": ErrorOut, "description": "Too many requests (see the Retry-After header)"},
    503: {"model": ErrorOut, "description": "No index loaded"},
}


def get_container(request: Request) -> Container:
    """The container kept on the app."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
AnyRole = Annotated[Principal, Depends(require(*ALL_ROLES))]
Staff = Annotated[Principal, Depends(require(*STAFF_ROLES))]
Admin = Annotated[Principal, Depends(require(*ADMIN_ONLY))]
ProfileId = Annotated[str, Path(min_length=1, max_length=200)]


class Metrics:
    """Prometheus metrics of one app (its own registry: no process-wide singletons)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ke_matcher_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ke_matcher_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.vectors = Gauge(
            "ke_matcher_index_vectors", "Vectors in the served index", registry=self.registry
        )
        self.profiles = Gauge(
            "ke_matcher_index_profiles", "Profiles in the served index", registry=self.registry
        )
        self.version = Gauge(
            "ke_matcher_index_version", "Served index version", registry=self.registry
        )


def searcher(request: Request) -> Principal | None:
    """Any role; or nobody at all when anonymous search is switched on (demos)."""
    settings: Settings = request.app.state.container.settings
    if settings.anonymous_search and not (
        request.headers.get("authorization")
        or request.headers.get("x-api-key")
        or request.cookies.get(SESSION_COOKIE)
    ):
        return None
    return require(*ALL_ROLES)(request)


Searcher = Annotated[Principal | None, Depends(searcher)]


def limited_searcher(request: Request, who: Searcher) -> Principal | None:
    """:func:`searcher`, then one search counted against the caller's key and address."""
    limits = rate_limits_of(request)
    if limits is not None:
        limits.check_search(request, who.key.id if who else None)
    return who


def limited_any_role(request: Request, who: AnyRole) -> Principal:
    """Any role, then one search counted against the caller's key and address."""
    limits = rate_limits_of(request)
    if limits is not None:
        limits.check_search(request, who.key.id)
    return who


LimitedSearcher = Annotated[Principal | None, Depends(limited_searcher)]
LimitedAnyRole = Annotated[Principal, Depends(limited_any_role)]
IntroductionId = Annotated[int, Path(ge=1, le=2**62)]
JobId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^job_[0-9a-f]+$")]


def introduction_out(container: Container, introduction: Introduction) -> IntroductionOut:
    """The API view of an introduction (with the profile's name)."""
    names = {
        p.id: p.name for p in container.catalogue.get_profiles([introduction.profile_id]).values()
    }
    return IntroductionOut(
        id=introduction.id,
        profile_id=introduction.profile_id,
        profile_name=names.get(introduction.profile_id, "(deleted)"),
        requester=introduction.requester,
        requester_organisation=introduction.requester_organisation,
        brief=introduction.brief,
        status=introduction.status.value,
        created_by=introduction.created_by,
        created_at=introduction.created_at,
        updated_at=introduction.updated_at,
        events=[
            IntroductionEventOut(
                at=e.at,
                by=e.by,
                action=e.action,
                status=e.status.value if e.status else None,
                note=e.note,
            )
            for e in introduction.events
        ],
    )


def api_router(settings: Settings) -> APIRouter:
    """Every JSON route of v1."""
    router = APIRouter(prefix="/api/v1", responses=ERRORS)
    search_extra = roles_extra(*ALL_ROLES) | {"x-anonymous": settings.anonymous_search}

    @router.post(
        "/search", response_model=SearchResponse, tags=["search"], openapi_extra=search_extra
    )
    def search(
        request: SearchRequest, container: ContainerDep, _who: LimitedSearcher
    ) -> SearchResponse:
        """Rank academics, clinical teams and SMEs for a brief, with the evidence for each."""
        started = time.perf_counter()
        brief = make_brief(
            request.text,
            purpose=request.purpose,
            kinds=request.kinds,
            organisations=request.organisations,
            regions=request.regions,
            units=request.units,
            exclude_profiles=request.exclude_profiles,
            exclude_organisations=request.exclude_organisations,
            requester_organisation=request.requester_organisation,
            top=request.top,
            max_chars=container.settings.max_brief_chars,
        )
        result = container.engine.search(brief, profile=RankingProfile(request.profile))
        version = container.engine.snapshot().manifest.version
        return SearchResponse.of(
            result, index_version=version, took_ms=(time.perf_counter() - started) * 1000
        )

    @router.post(
        "/search/similar",
        response_model=SearchResponse,
        tags=["search"],
        openapi_extra=roles_extra(*ALL_ROLES),
    )
    def similar(
        request: SimilarRequest, container: ContainerDep, _who: LimitedAnyRole
    ) -> SearchResponse:
        """Profiles similar to a given profile (for example other academics like this one)."""
        started = time.perf_counter()
        if not _listed(container, request.profile_id):
            raise ProfileNotFoundError(request.profile_id)
        result = container.engine.similar(request.profile_id, kinds=request.kinds, top=request.top)
        version = container.engine.snapshot().manifest.version
        return SearchResponse.of(
            result, index_version=version, took_ms=(time.perf_counter() - started) * 1000
        )

    @router.get(
        "/profiles",
        response_model=ProfilePage,
        tags=["profiles"],
        openapi_extra=roles_extra(*ALL_ROLES),
    )
    def list_profiles(
        container: ContainerDep,
        _who: AnyRole,
        kind: Annotated[Literal["academic", "clinical_team", "sme"] | None, Query()] = None,
        organisation: Annotated[str | None, Query(max_length=200)] = None,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> ProfilePage:
        """Listed profiles, by id, optionally of one kind or organisation."""
        metas = [
            m
            for m in container.catalogue.profile_metas()
            if m.consent
            and (kind is None or m.kind.value == kind)
            and (organisation is None or m.organisation_id == organisation)
        ]
        page = metas[offset : offset + limit]
        found = container.catalogue.get_profiles([m.id for m in page])
        items = [
            ProfileSummary(
                id=m.id,
                kind=m.kind.value,
                name=found[m.id].name,
                organisation_id=m.organisation_id,
                unit=m.unit,
                region=m.region,
            )
            for m in page
            if m.id in found
        ]
        return ProfilePage(items=items, total=len(metas), offset=offset, limit=limit)

    @router.get(
        "/profiles/{profile_id}",
        response_model=ProfilePublic,
        tags=["profiles"],
        openapi_extra=roles_extra(*ALL_ROLES),
    )
    def get_profile(profile_id: ProfileId, container: ContainerDep, who: AnyRole) -> ProfilePublic:
        """A profile's public fields and evidence; contact details for KE staff and admins."""
        profile = container.catalogue.get_profile(profile_id)
        if not profile.consent and who.role is not Role.ADMIN:
            raise ProfileNotFoundError(profile_id)  # not listed: indistinguishable from unknown
        names = container.engine.organisation_names()
        if who.sees_contacts:
            container.audit.record(
                AuditAction.CONTACT_VIEW, actor=who.key.id, target=profile.id, detail={"via": "api"}
            )
        return ProfilePublic.of(
            profile, names.get(profile.organisation_id, ""), with_contact=who.sees_contacts
        )

    def _write_profile(record: ProfileRecord, container: Container) -> WriteResult:
        outcome, sync = container.upsert_profile(to_profile(record))
        status: Literal["added", "updated", "unchanged"] = outcome.status
        return WriteResult(id=outcome.id, status=status, index_version=sync.version)

    @router.post(
        "/profiles",
        response_model=WriteResult,
        status_code=201,
        tags=["profiles"],
        openapi_extra=roles_extra(*ADMIN_ONLY),
    )
    def create_profile(record: ProfileRecord, container: ContainerDep, _who: Admin) -> WriteResult:
        """Add a profile (or replace one with the same id); the index is updated before the answer."""
        return _write_profile(record, container)

    @router.put(
        "/profiles/{profile_id}",
        response_model=WriteResult,
        tags=["profiles"],
        openapi_extra=roles_extra(*ADMIN_ONLY),
    )
    def update_profile(
        profile_id: ProfileId, record: ProfileRecord, container: ContainerDep, _who: Admin
    ) -> WriteResult:
        """Replace a profile whole."""
        if record.id != profile_id:
            raise InvalidRecordError(
                "request", 0, "id", f"the body's id {record.id!r} differs from the URL's"
            )
        container.catalogue.get_profile(profile_id)
        return _write_profile(record, container)

    @router.delete(
        "/profiles/{profile_id}",
        response_model=WriteResult,
        tags=["profiles"],
        openapi_extra=roles_extra(*ADMIN_ONLY),
    )
    def delete_profile(profile_id: ProfileId, container: ContainerDep, who: Admin) -> WriteResult:
        """Erase a profile: its record, evidence, vectors, cached embeddings, shortlist entries,
        introductions and the batch reports that name it; the audit log keeps only the fact."""
        sync = container.delete(profile_id, actor=who.key.id)
        return WriteResult(id=profile_id, status="deleted", index_version=sync.version)

    @router.get(
        "/organisations",
        response_model=list[OrganisationOut],
        tags=["organisations"],
        openapi_extra=roles_extra(*ALL_ROLES),
    )
    def list_organisations(container: ContainerDep, _who: AnyRole) -> list[OrganisationOut]:
        """Every organisation."""
        return [
            OrganisationOut(id=o.id, name=o.name, type=o.type.value, region=o.region)
            for o in container.catalogue.organisations()
        ]

    @router.post(
        "/organisations",
        response_model=WriteResult,
        status_code=201,
        tags=["organisations"],
        openapi_extra=roles_extra(*ADMIN_ONLY),
    )
    def put_organisation(body: OrganisationIn, container: ContainerDep, _who: Admin) -> WriteResult:
        """Add or replace an organisation."""
        outcome = container.catalogue.upsert_organisation(
            Organisation(
                id=body.id, name=body.name, type=OrganisationType(body.type), region=body.region
            )
        )
        sync = container.sync()
        status: Literal["added", "updated", "unchanged"] = outcome.status
        return WriteResult(id=body.id, status=status, index_version=sync.version)

    @router.post(
        "/ingest",
        response_model=IngestOut,
        tags=["profiles"],
        openapi_extra=roles_extra(*ADMIN_ONLY),
    )
    async def ingest_upload(
        container: ContainerDep,
        _who: Admin,
        file: Annotated[UploadFile, File(description="A .jsonl or .csv file")],
    ) -> IngestOut:
        """Upload a JSON Lines or CSV file; bad rows are reported, good rows kept."""
        with tempfile.TemporaryDirectory() as scratch:
            path = await save_upload(
                file,
                FilePath(scratch),
                suffixes=PROFILE_SUFFIXES,
                limit=container.settings.max_upload_bytes,
            )
            report, sync = container.ingest([path])
        name = path.name
        return IngestOut(
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            organisations=report.organisations,
            rejected=report.rejected,
            errors=[str(e).replace(str(path), name) for e in report.errors],
            index_version=sync.version,
        )

    @router.post(
        "/introductions",
        response_model=IntroductionOut,
        status_code=201,
        tags=["introductions"],
        openapi_extra=roles_extra(*STAFF_ROLES),
    )
    def create_introduction(
        body: IntroductionIn, container: ContainerDep, who: Staff
    ) -> IntroductionOut:
        """Propose an introduction (typically from a search result)."""
        if not _listed(container, body.profile_id):
            raise ProfileNotFoundError(body.profile_id)
        created = container.introductions.create(
            profile_id=body.profile_id,
            requester=body.requester,
            requester_organisation=body.requester_organisation,
            brief=body.brief,
            by=who.key.name,
            note=body.note,
        )
        audit_introduction(container, who, AuditAction.INTRODUCTION_CREATE, created)
        return introduction_out(container, created)

    @router.get(
        "/introductions",
        response_model=list[IntroductionOut],
        tags=["introductions"],
        openapi_extra=roles_extra(*STAFF_ROLES),
    )
    def list_introductions(
        container: ContainerDep,
        _who: Staff,
        status: Annotated[
            Literal["proposed", "contacted", "met", "collaborating", "declined"] | None, Query()
        ] = None,
        profile_id: Annotated[str | None, Query(max_length=200)] = None,
        requester_organisation: Annotated[str | None, Query(max_length=200)] = None,
    ) -> list[IntroductionOut]:
        """Introductions, newest first, filtered by status, profile or requester organisation."""
        found = container.introductions.find(
            status=IntroductionStatus(status) if status else None,
            profile_id=profile_id,
            requester_organisation=requester_organisation,
        )
        return [introduction_out(container, i) for i in found]

    @router.get(
        "/introductions/{introduction_id}",
        response_model=IntroductionOut,
        tags=["introductions"],
        openapi_extra=roles_extra(*STAFF_ROLES),
    )
    def get_introduction(
        introduction_id: IntroductionId, container: ContainerDep, _who: Staff
    ) -> IntroductionOut:
        """One introduction with its history."""
        return introduction_out(container, container.introductions.get(introduction_id))

    @router.post(
        "/introductions/{introduction_id}/status",
        response_model=IntroductionOut,
        tags=["introductions"],
        openapi_extra=roles_extra(*STAFF_ROLES),
    )
    def change_status(
        introduction_id: IntroductionId, body: StatusChange, container: ContainerDep, who: Staff
    ) -> IntroductionOut:
        """Move an introduction: proposed → contacted → met → collaborating, or declined."""
        changed = container.introductions.change_status(
            introduction_id, IntroductionStatus(body.status), by=who.key.name, note=body.note
        )
        audit_introduction(container, who, AuditAction.INTRODUCTION_STATUS, changed)
        return introduction_out(container, changed)

    @router.post(
        "/introductions/{introduction_id}/notes",
        response_model=IntroductionOut,
        tags=["introductions"],
        openapi_extra=roles_extra(*STAFF_ROLES),
    )
    def add_note(
        introduction_id: IntroductionId, body: NoteIn, container: ContainerDep, who: Staff
    ) -> IntroductionOut:
        """Add a note to an introduction's history."""
        noted = container.introductions.add_note(introduction_id, body.note, by=who.key.name)
        audit_introduction(container, who, AuditAction.INTRODUCTION_NOTE, noted)
        return introduction_out(container, noted)

    @router.get(
        "/shortlist",
        response_model=list[ShortlistItemOut],
        tags=["shortlist"],
        openapi_extra=roles_extra(*ALL_ROLES),
    )
    def get_shortlist(container: ContainerDep, who: AnyRole) -> list[ShortlistItemOut]:
        """The caller's shortlist."""
        return [ShortlistItemOut(**row) for row in shortlist_rows(container, who.key.id)]

    @router.post(
        "/shortlist",
        response_model=list[ShortlistItemOut],
        status_code=201,
        tags=["shortlist"],
        openapi_extra=roles_extra(*ALL_ROLES),
    )
    def add_to_shortlist(
        body: ShortlistIn, container: ContainerDep, who: AnyRole
    ) -> list[ShortlistItemOut]:
        """Add a profile to the caller's shortlist."""
        if not _listed(container, body.profile_id):
            raise ProfileNotFoundError(body.profile_id)
        container.accounts.add_to_shortlist(who.key.id, body.profile_id, brief=body.brief)
        return [ShortlistItemOut(**row) for row in shortlist_rows(container, who.key.id)]

    @router.delete(
        "/shortlist/{profile_id}",
        response_model=list[ShortlistItemOut],
        tags=["shortlist"],
        openapi_extra=roles_extra(*ALL_ROLES),
    )
    def remove_from_shortlist(
        profile_id: ProfileId, container: ContainerDep, who: AnyRole
    ) -> list[ShortlistItemOut]:
        """Remove a profile from the caller's shortlist."""
        container.accounts.remove_from_shortlist(who.key.id, profile_id)
        return [ShortlistItemOut(**row) for row in shortlist_rows(container, who.key.id)]

    @router.get(
        "/shortlist/export",
        tags=["shortlist"],
        openapi_extra=roles_extra(*ALL_ROLES),
        response_class=Response,
        responses={
            200: {
                "content": {
                    "text/csv": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                }
            }
        },
    )
    def export_shortlist(
        container: ContainerDep,
        who: AnyRole,
        format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
    ) -> Response:
        """The caller's shortlist as CSV or XLSX (contact details for KE staff and admins)."""
        rows = shortlist_rows(container, who.key.id, with_contact=who.sees_contacts)
        container.audit.record(
            AuditAction.SHORTLIST_EXPORT,
            actor=who.key.id,
            target="shortlist",
            detail={
                "format": format,
                "rows": len(rows),
                "with_contacts": who.sees_contacts,
                "profiles": [row["profile_id"] for row in rows],
            },
        )
        if format == "xlsx":
            return Response(
                shortlist_xlsx(rows),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"content-disposition": 'attachment; filename="shortlist.xlsx"'},
            )
        return Response(
            shortlist_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="shortlist.csv"'},
        )

    def job_out(job: Job) -> JobOut:
        reports = (
            {kind: f"/api/v1/batches/{job.id}/report?format={kind}" for kind in REPORT_FILES}
            if job.status == "done"
            else {}
        )
        return JobOut(
            id=job.id,
            filename=job.filename,
            status=job.status,
            done=job.done,
            total=job.total,
            created_by=job.created_by,
            created_at=job.created_at,
            error=job.error,
            summary=job.summary,
            reports=reports,
        )

    @router.post(
        "/batches",
        response_model=JobOut,
        status_code=202,
        tags=["batches"],
        openapi_extra=roles_extra(*STAFF_ROLES),
    )
    async def submit_batch(
        request: Request,
        container: ContainerDep,
        who: Staff,
        file: Annotated[UploadFile, File(description="A call file: .csv, .jsonl or .xlsx")],
        capacity: Annotated[int | None, Form(ge=0, le=1000)] = None,
        per_organisation: Annotated[int | None, Form(ge=1, le=100)] = None,
    ) -> JobOut:
        """Match a whole call in the background; poll the job, then download its reports."""
        with tempfile.TemporaryDirectory() as scratch:
            upload = await save_upload(
                file,
                FilePath(scratch),
                suffixes=CALL_SUFFIXES,
                limit=container.settings.max_upload_bytes,
            )
            job = jobs_of(request).submit(
                upload,
                filename=upload.name,
                created_by=who.key.name,
                options={"capacity": capacity, "per_organisation": per_organisation},
            )
        return job_out(job)

    @router.get(
        "/batches",
        response_model=list[JobOut],
        tags=["batches"],
        openapi_extra=roles_extra(*STAFF_ROLES),
    )
    def list_batches(request: Request, _who: Staff) -> list[JobOut]:
        """Batch jobs of this server, newest first."""
        jobs = jobs_of(request)
        return [job_out(j) for j in jobs.all_jobs()]

    @router.get(
        "/batches/{job_id}",
        response_model=JobOut,
        tags=["batches"],
        openapi_extra=roles_extra(*STAFF_ROLES),
    )
    def get_batch(request: Request, job_id: JobId, _who: Staff) -> JobOut:
        """A batch job's state and progress."""
        jobs = jobs_of(request)
        return job_out(jobs.get(job_id))

    @router.get(
        "/batches/{job_id}/report",
        tags=["batches"],
        openapi_extra=roles_extra(*STAFF_ROLES),
        response_class=Response,
        responses={
            200: {
                "content": {
                    "text/csv": {},
                    "text/html": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                }
            }
        },
    )
    def batch_report(
        request: Request,
        job_id: JobId,
        who: Staff,
        container: ContainerDep,
        format: Annotated[Literal["csv", "xlsx", "html"], Query()] = "html",
    ) -> Response:
        """A finished job's report: HTML (default), CSV or XLSX."""
        jobs = jobs_of(request)
        path = jobs.report(job_id, format)
        container.audit.record(
            AuditAction.REPORT_DOWNLOAD,
            actor=who.key.id,
            target=f"batch/{job_id}",
            detail={"format": format},
        )
        media = {
            "csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "html": "text/html; charset=utf-8",
        }[format]
        headers = (
            # a self-contained page: its own inline style, never a script, sandboxed
            {"content-security-policy": REPORT_CSP}
            if format == "html"
            else {"content-disposition": f'attachment; filename="{path.name}"'}
        )
        return Response(path.read_bytes(), media_type=media, headers=headers)

    @router.get(
        "/audit",
        response_model=AuditPage,
        tags=["audit"],
        openapi_extra=roles_extra(*ADMIN_ONLY),
    )
    def read_audit(
        container: ContainerDep,
        _who: Admin,
        action: Annotated[AuditAction | None, Query()] = None,
        target: Annotated[str | None, Query(max_length=300)] = None,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> AuditPage:
        """The audit log, newest first: who viewed contact details, exported a shortlist or a
        report, changed an introduction or deleted a profile (admins only)."""
        entries, total = container.audit.entries(
            action=action,
            target=target,
            offset=offset,
            limit=limit,
        )
        names = {k.id: k.name for k in container.accounts.list_keys()}
        return AuditPage(
            items=[
                AuditEntryOut(
                    id=e.id,
                    at=e.at,
                    actor=e.actor,
                    actor_name=names.get(e.actor),
                    action=e.action,
                    target=e.target,
                    detail=e.detail,
                )
                for e in entries
            ],
            total=total,
            offset=offset,
            limit=limit,
        )

    return router


def _run_job(container: Container) -> Callable[..., dict[str, object]]:
    """The work of one batch job: match, write the reports, summarise."""

    def run(
        call: FilePath, out: FilePath, progress: Callable[[int, int], None], options: dict[str, Any]
    ) -> dict[str, object]:
        from service.batch.reports import profile_ids, write_reports
        from service.batch.run import run_batch

        result = run_batch(
            container,
            call,
            capacity=options.get("capacity"),
            per_organisation=options.get("per_organisation"),
            progress=progress,
        )
        write_reports(result, out)
        named = profile_ids(result)
        record_profiles(out, named)
        # a profile erased while the job ran must not stay named in its reports
        for erased in sorted(
            named - set(container.catalogue.get_profiles(named, with_evidence=False))
        ):
            withdraw_reports(container.settings.batches_dir, erased, name="")
        return {
            "briefs": len(result.outcomes),
            "assigned": sum(len(o.partners) for o in result.outcomes),
            "short": [o.brief.id for o in result.short],
            "rows_rejected": [str(e) for e in result.errors],
            "total_score": result.total_score,
            "timings": result.timings,
        }

    return run


PROFILE_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv"})
CALL_SUFFIXES = PROFILE_SUFFIXES | {".xlsx"}


async def save_upload(
    file: UploadFile, directory: FilePath, *, suffixes: frozenset[str], limit: int
) -> FilePath:
    """Stream an upload to ``directory`` under its own (base) name, refusing other file types
    and anything over ``limit`` bytes.

    Raises:
        InvalidRecordError: a file type not in ``suffixes``.
        PayloadTooLargeError: over the limit.
    """
    name = FilePath(file.filename or "upload.csv").name
    if FilePath(name).suffix.lower() not in suffixes:
        allowed = ", ".join(sorted(suffixes))
        raise InvalidRecordError(name, 0, "file", f"use one of these file types: {allowed}")
    path = directory / name
    size = 0
    with path.open("wb") as out:
        while chunk := await file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLargeError(f"the upload is over the limit of {limit} bytes")
            out.write(chunk)
    return path


def jobs_of(request: Request) -> JobRunner:
    """The app's batch job runner, started on first use."""
    state = request.app.state
    if state.jobs is None:
        container: Container = state.container
        state.jobs = JobRunner(container.settings.batches_dir, _run_job(container))
    jobs: JobRunner = state.jobs
    return jobs


def _listed(container: Container, profile_id: str) -> bool:
    found = container.catalogue.get_profiles([profile_id])
    return profile_id in found and found[profile_id].consent


def create_app(container: Container | None = None, *, settings: Settings | None = None) -> FastAPI:
    """Build the app. Tests inject a container; ``matcher serve`` builds one from settings.

    When the app builds its own container it also repairs the index at start-up (a stale or
    missing index is brought up to the catalogue before the first request).
    """
    settings = container.settings if container is not None else (settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "container", None) is None:
            built = build_container(settings)
            report = built.sync()
            logger.info(report.summary())
            app.state.container = built
        yield
        if app.state.jobs is not None:
            app.state.jobs.close()

    app = FastAPI(
        title="ke-matcher",
        version="1",
        summary="Find academic, NHS and industry partners for a brief.",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.jobs = None
    app.state.rate_limits = RateLimits(settings)
    metrics = Metrics()
    app.state.metrics = metrics

    @app.middleware("http")
    async def limits_and_metrics(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        length = request.headers.get("content-length")
        limit = (
            settings.max_upload_bytes
            if request.url.path in UPLOAD_PATHS
            else settings.max_body_bytes
        )
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        needs_json = (
            request.method in {"POST", "PUT", "PATCH"}
            and request.url.path.startswith("/api/")
            and request.url.path not in UPLOAD_PATHS
        )
        if length is not None and (not length.isdigit() or int(length) > limit):
            response: Response = JSONResponse(
                status_code=413,
                content=ErrorOut(
                    error="PayloadTooLargeError",
                    message=f"the request body is over the limit of {limit} bytes",
                ).model_dump(),
            )
        elif needs_json and content_type != "application/json":
            response = JSONResponse(
                status_code=415,
                content=ErrorOut(
                    error="UnsupportedMediaType",
                    message="send the body as JSON with 'Content-Type: application/json'",
                ).model_dump(),
            )
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.requests.labels(request.method, path, str(response.status_code)).inc()
        metrics.latency.labels(request.method, path).observe(time.perf_counter() - started)
        return response

    @app.exception_handler(MatcherError)
    async def matcher_error(request: Request, error: MatcherError) -> Response:
        field = getattr(error, "field", None)
        status = status_for(error)
        headers = {"www-authenticate": "Bearer"} if status == 401 else {}
        if isinstance(error, RateLimitedError):
            headers["retry-after"] = str(error.retry_after)
        if is_page(request):
            page = page_error(request, status, str(error))
            page.headers.update(headers)
            return page
        body = ErrorOut(error=type(error).__name__, message=str(error), field=field)
        return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)

    @app.exception_handler(LoginRequiredError)
    async def login_required(_request: Request, _error: LoginRequiredError) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = error.errors()
        first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
        location = [str(p) for p in first.get("loc", ()) if p not in ("body", "path", "query")]
        field = ".".join(location) or "body"
        message = f"{field}: {first.get('msg', 'invalid')}"
        if first.get("type") == "json_invalid":
            field = "body"
            context = first.get("ctx")
            reason = (
                context.get("error", "decode error")
                if isinstance(context, dict)
                else "decode error"
            )
            message = f"body: not valid JSON ({reason})"
        if is_page(request):
            return page_error(request, 422, message)
        body = ErrorOut(error="ValidationError", message=message, field=field).model_dump()
        body["detail"] = jsonable_encoder(problems, exclude={"input", "ctx", "url"})
        return JSONResponse(status_code=422, content=body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if is_page(request) and error.status_code == 404:
            return page_error(request, 404, "There is no page here.")
        body = ErrorOut(error="HTTPError", message=str(error.detail))
        return JSONResponse(
            status_code=error.status_code,
            content=body.model_dump(),
            headers=getattr(error, "headers", None),
        )

    app.include_router(api_router(settings))

    @app.get("/health", response_model=HealthOut, tags=["service"], openapi_extra=roles_extra())
    def health(container: ContainerDep) -> HealthOut:
        """What is served: model, index manifest, catalogue counts."""
        manifest = container.store.current_manifest()
        problem = container.store.problem(container.catalogue, container.encoder)
        return HealthOut(
            status="ok" if manifest is not None else "degraded",
            model_id=container.encoder.model_id,
            catalogue_version=container.catalogue.version,
            index=manifest.to_json() if manifest else None,
            counts=container.catalogue.counts(),
            problem=problem,
        )

    @app.get(
        "/ready",
        response_model=ReadyOut,
        tags=["service"],
        openapi_extra=roles_extra(),
        responses={503: {"model": ReadyOut}},
    )
    def ready(container: ContainerDep) -> Response:
        """Whether an index is loaded and searches can be answered (503 when not)."""
        try:
            snap = container.engine.snapshot()
        except MatcherError as error:
            body = ReadyOut(ready=False, index_version=None, vectors=0, problem=str(error))
            return JSONResponse(status_code=503, content=body.model_dump())
        body = ReadyOut(ready=True, index_version=snap.manifest.version, vectors=snap.size)
        return JSONResponse(content=body.model_dump())

    @app.get(
        "/metrics",
        tags=["service"],
        openapi_extra=roles_extra(),
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}}},
    )
    def metrics_endpoint(container: ContainerDep) -> Response:
        """Prometheus metrics: request counts and latencies, index size."""
        manifest = container.store.current_manifest()
        if manifest is not None:
            metrics.vectors.set(manifest.vector_count)
            metrics.profiles.set(manifest.profile_count)
            metrics.version.set(manifest.version)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(web_router(settings))
    mount_static(app)
    install_security_headers(app)
    return app


UPLOAD_PATHS = frozenset({"/api/v1/ingest", "/api/v1/batches"})
API_PREFIXES = ("/api/", "/health", "/ready", "/metrics", "/docs", "/openapi.json", "/redoc")


def is_page(request: Request) -> bool:
    """Whether a request is for a web page (errors are then shown as a page, not JSON)."""
    return not request.url.path.startswith(API_PREFIXES)


def page_error(request: Request, status: int, message: str) -> Response:
    """An error as an HTML page."""
    from fastapi.templating import Jinja2Templates

    templates = Jinja2Templates(directory=str(FilePath(__file__).parent / "web" / "templates"))
    titles = {
        401: "Please sign in",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        413: "Too large",
        422: "Please check your input",
        429: "Too many requests",
    }
    return templates.TemplateResponse(
        request,
        "error.html",
        {"title": titles.get(status, "Something went wrong"), "message": message, "user": None},
        status_code=status,
    )
