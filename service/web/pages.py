"""Server-rendered web pages (Jinja2) for clinicians and KE staff.

Pages use the same keys as the API: signing in exchanges a key for a session cookie (HttpOnly,
SameSite=Lax); every form that changes state carries the session's CSRF token. A little plain
JavaScript (``static/app.js``) makes shortlisting and introductions work without a page reload;
without it the forms still work.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from index.db.audit import AuditAction
from matcher.briefs import make_brief
from matcher.errors import (
    AuthenticationError,
    InvalidTransitionError,
    LoginRequiredError,
    MatcherError,
    PermissionDeniedError,
    ProfileNotFoundError,
)
from matcher.model import (
    INTRODUCTION_TRANSITIONS,
    Introduction,
    IntroductionStatus,
    ProfileKind,
    Role,
)
from service.container import Container
from service.http.auth import (
    ALL_ROLES,
    SESSION_COOKIE,
    STAFF_ROLES,
    Principal,
    identify,
    roles_extra,
)
from service.http.exports import shortlist_rows
from service.http.ratelimit import rate_limits_of
from service.http.security import LOGIN_CSRF_COOKIE, csrf_guard, new_login_token
from service.settings import Settings

HERE = Path(__file__).parent
KIND_LABELS = {
    ProfileKind.ACADEMIC: "Academics",
    ProfileKind.CLINICAL_TEAM: "Clinical teams",
    ProfileKind.SME: "SMEs",
}
STATUS_LABELS = {
    IntroductionStatus.PROPOSED: "Proposed",
    IntroductionStatus.CONTACTED: "Contacted",
    IntroductionStatus.MET: "Met",
    IntroductionStatus.COLLABORATING: "Collaborating",
    IntroductionStatus.DECLINED: "Declined",
}


def highlight(text: str, terms: list[str]) -> Markup:
    """Escape ``text`` and wrap each occurrence of ``terms`` in ``<mark>``."""
    escaped = str(escape(text))
    words = sorted(
        {t for term in terms for t in [term, *term.split()] if len(t) > 2}, key=len, reverse=True
    )
    if not words:
        return Markup(escaped)
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(str(escape(w))) for w in words) + r")", re.IGNORECASE
    )
    return Markup(pattern.sub(r"<mark>\1</mark>", escaped))


def page_user(*roles: Role) -> Callable[[Request], Principal]:
    """Like :func:`service.http.auth.require`, but a missing session leads to the sign-in page."""
    allowed = frozenset(roles)

    def dependency(request: Request) -> Principal:
        container: Container = request.app.state.container
        try:
            principal = identify(request, container.accounts)
        except AuthenticationError:
            raise LoginRequiredError() from None
        if principal.role not in allowed:
            raise PermissionDeniedError("your role may not open this page")
        return principal

    dependency.roles = allowed  # type: ignore[attr-defined]
    return dependency


User = Annotated[Principal, Depends(page_user(*ALL_ROLES))]
StaffUser = Annotated[Principal, Depends(page_user(*STAFF_ROLES))]


def web_router(settings: Settings) -> APIRouter:
    """Every page route."""
    # every unsafe request to a page needs its form's CSRF token (service.http.security)
    router = APIRouter(include_in_schema=False, tags=["pages"], dependencies=[Depends(csrf_guard)])
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["highlight"] = highlight
    templates.env.globals["kind_labels"] = KIND_LABELS
    templates.env.globals["status_labels"] = STATUS_LABELS

    def container_of(request: Request) -> Container:
        container: Container = request.app.state.container
        return container

    def render(
        request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def check_csrf(who: Principal, token: str) -> None:
        if who.csrf is not None and token != who.csrf:
            raise PermissionDeniedError("the form has expired; reload the page and try again")

    def back(request: Request, fallback: str) -> Response:
        if request.headers.get("x-requested-with") == "fetch":
            return Response(status_code=204)
        return RedirectResponse(fallback, status_code=303)

    def login_form(request: Request, error: str | None, status: int) -> HTMLResponse:
        # the form's double-submit token: the same value in a cookie and in the form
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_token()
        page = render(
            request, "login.html", {"error": error, "user": None, "login_csrf": token}, status
        )
        page.set_cookie(
            LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=3600, path="/login"
        )
        return page

    @router.get("/login", response_class=HTMLResponse, openapi_extra=roles_extra())
    def login_page(request: Request) -> HTMLResponse:
        """The sign-in form."""
        return login_form(request, None, 200)

    @router.post("/login", response_class=HTMLResponse, openapi_extra=roles_extra())
    def login(
        request: Request,
        key: Annotated[str, Form(max_length=200)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Exchange an API key for a session cookie (the form's token is checked by
        :func:`service.http.security.csrf_guard`; failures are rate-limited per address)."""
        container = container_of(request)
        limits = rate_limits_of(request)
        if limits is not None:
            limits.check_sign_in(request)
        try:
            api_key = container.accounts.authenticate(key.strip())
        except AuthenticationError:
            if limits is not None:
                limits.failed_sign_in(request)
            return login_form(request, "That key is not valid.", 401)
        if limits is not None:
            limits.session_opened(api_key.id)
        token, _session = container.accounts.open_session(api_key)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="lax", max_age=12 * 3600, path="/"
        )
        return response

    @router.post("/logout", openapi_extra=roles_extra(*ALL_ROLES))
    def logout(
        request: Request, who: User, csrf: Annotated[str, Form(max_length=200)] = ""
    ) -> Response:
        """End the session."""
        check_csrf(who, csrf)
        if who.session_token:
            container_of(request).accounts.close_session(who.session_token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def search_context(
        request: Request,
        who: Principal,
        text: str,
        kind: str,
        organisation: str,
        region: str,
        unit: str,
    ) -> dict[str, Any]:
        container = container_of(request)
        organisations = container.catalogue.organisations()
        metas = container.catalogue.profile_metas()
        context: dict[str, Any] = {
            "user": who,
            "text": text,
            "kind": kind,
            "organisation": organisation,
            "region": region,
            "unit": unit,
            "organisations": organisations,
            "regions": sorted({m.region for m in metas if m.region}),
            "units": sorted({m.unit for m in metas if m.unit}),
            "result": None,
            "error": None,
            "shortlisted": {e.profile_id for e in container.accounts.shortlist(who.key.id)},
        }
        if text.strip():
            try:
                brief = make_brief(
                    text,
                    kinds=[kind] if kind else [],
                    organisations=[organisation] if organisation else [],
                    regions=[region] if region else [],
                    units=[unit] if unit else [],
                    top=10,
                    max_chars=container.settings.max_brief_chars,
                )
                context["result"] = container.engine.search(brief)
            except MatcherError as error:
                context["error"] = str(error)
        return context

    @router.get("/", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES))
    def home(request: Request, who: User) -> HTMLResponse:
        """The search page."""
        return render(request, "search.html", search_context(request, who, "", "", "", "", ""))

    @router.post("/", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES))
    def search(
        request: Request,
        who: User,
        text: Annotated[str, Form(max_length=100_000)] = "",
        kind: Annotated[str, Form(max_length=40)] = "",
        organisation: Annotated[str, Form(max_length=200)] = "",
        region: Annotated[str, Form(max_length=200)] = "",
        unit: Annotated[str, Form(max_length=300)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> HTMLResponse:
        """Run a search from the form (POST, so that briefs stay out of URLs and access logs)."""
        check_csrf(who, csrf)
        limits = rate_limits_of(request)
        if limits is not None and text.strip():
            limits.check_search(request, who.key.id)
        context = search_context(request, who, text, kind, organisation, region, unit)
        status = 422 if context["error"] else 200
        return render(request, "search.html", context, status)

    @router.get(
        "/profiles/{profile_id}", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES)
    )
    def profile_page(request: Request, profile_id: str, who: User) -> HTMLResponse:
        """A profile with its evidence (contact details for KE staff)."""
        container = container_of(request)
        profile = container.catalogue.get_profile(profile_id)
        if not profile.consent and who.role is not Role.ADMIN:
            raise ProfileNotFoundError(profile_id)
        names = container.engine.organisation_names()
        try:
            similar = container.engine.similar(
                profile_id, kinds=[profile.kind.value], top=5
            ).matches
        except MatcherError:
            similar = ()
        if who.sees_contacts:
            container.audit.record(
                AuditAction.CONTACT_VIEW, actor=who.key.id, target=profile.id, detail={"via": "web"}
            )
        return render(
            request,
            "profile.html",
            {
                "user": who,
                "profile": profile,
                "organisation": names.get(profile.organisation_id, profile.organisation_id),
                "similar": similar,
                "shortlisted": {e.profile_id for e in container.accounts.shortlist(who.key.id)},
            },
        )

    @router.get("/shortlist", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES))
    def shortlist_page(request: Request, who: User) -> HTMLResponse:
        """The user's shortlist, with export links."""
        container = container_of(request)
        rows = shortlist_rows(container, who.key.id, with_contact=who.sees_contacts)
        if who.sees_contacts and rows:
            container.audit.record(
                AuditAction.CONTACT_VIEW,
                actor=who.key.id,
                target="shortlist",
                detail={"via": "web", "profiles": [row["profile_id"] for row in rows]},
            )
        return render(request, "shortlist.html", {"user": who, "rows": rows})

    @router.post("/shortlist/add", openapi_extra=roles_extra(*ALL_ROLES))
    def shortlist_add(
        request: Request,
        who: User,
        profile_id: Annotated[str, Form(min_length=1, max_length=200)],
        brief: Annotated[str, Form(max_length=100_000)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Add a profile to the shortlist."""
        check_csrf(who, csrf)
        container_of(request).accounts.add_to_shortlist(who.key.id, profile_id, brief=brief[:2000])
        return back(request, "/shortlist")

    @router.post("/shortlist/remove", openapi_extra=roles_extra(*ALL_ROLES))
    def shortlist_remove(
        request: Request,
        who: User,
        profile_id: Annotated[str, Form(min_length=1, max_length=200)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Remove a profile from the shortlist."""
        check_csrf(who, csrf)
        container_of(request).accounts.remove_from_shortlist(who.key.id, profile_id)
        return back(request, "/shortlist")

    @router.get(
        "/introductions", response_class=HTMLResponse, openapi_extra=roles_extra(*STAFF_ROLES)
    )
    def board(request: Request, who: StaffUser) -> HTMLResponse:
        """Introductions grouped by status (KE staff)."""
        container = container_of(request)
        found = container.introductions.find()
        names = {
            p.id: p.name
            for p in container.catalogue.get_profiles([i.profile_id for i in found]).values()
        }
        columns = {
            status: [i for i in found if i.status is status] for status in IntroductionStatus
        }
        return render(
            request,
            "introductions.html",
            {
                "user": who,
                "columns": columns,
                "names": names,
                "transitions": INTRODUCTION_TRANSITIONS,
            },
        )

    @router.post("/introductions", openapi_extra=roles_extra(*STAFF_ROLES))
    def introduce(
        request: Request,
        who: StaffUser,
        profile_id: Annotated[str, Form(min_length=1, max_length=200)],
        brief: Annotated[str, Form(max_length=100_000)] = "",
        requester: Annotated[str, Form(max_length=500)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Create an introduction from a result card (one click)."""
        check_csrf(who, csrf)
        container = container_of(request)
        created = container.introductions.create(
            profile_id=profile_id,
            requester=requester.strip() or f"brief searched by {who.key.name}",
            requester_organisation=None,
            brief=brief[:20_000],
            by=who.key.name,
        )
        audit_introduction(container, who, AuditAction.INTRODUCTION_CREATE, created)
        return back(request, "/introductions")

    @router.post("/introductions/{introduction_id}/status", openapi_extra=roles_extra(*STAFF_ROLES))
    def move(
        request: Request,
        introduction_id: int,
        who: StaffUser,
        status: Annotated[str, Form(max_length=40)],
        note: Annotated[str, Form(max_length=5_000)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Move an introduction to its next status."""
        check_csrf(who, csrf)
        try:
            target = IntroductionStatus(status)
        except ValueError:
            raise InvalidTransitionError(f"unknown status {status!r}") from None
        container = container_of(request)
        changed = container.introductions.change_status(
            introduction_id, target, by=who.key.name, note=note
        )
        audit_introduction(container, who, AuditAction.INTRODUCTION_STATUS, changed)
        return back(request, "/introductions")

    @router.get("/batches", response_class=HTMLResponse, openapi_extra=roles_extra(*STAFF_ROLES))
    def batches_page(request: Request, who: StaffUser) -> HTMLResponse:
        """Upload a call file and read the reports (KE staff)."""
        from service.api import jobs_of

        return render(request, "batches.html", {"user": who, "jobs": jobs_of(request).all_jobs()})

    @router.post("/batches", openapi_extra=roles_extra(*STAFF_ROLES))
    async def batches_upload(
        request: Request,
        who: StaffUser,
        file: Annotated[UploadFile, File()],
        csrf: Annotated[str, Form(max_length=200)] = "",
        capacity: Annotated[str, Form(max_length=10)] = "",
        per_organisation: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        """Queue a call file from the page."""
        import tempfile

        from service.api import CALL_SUFFIXES, jobs_of, save_upload

        check_csrf(who, csrf)
        options: dict[str, object] = {
            "capacity": int(capacity) if capacity.strip().isdigit() else None,
            "per_organisation": (
                int(per_organisation)
                if per_organisation.strip().isdigit() and int(per_organisation) > 0
                else None
            ),
        }
        with tempfile.TemporaryDirectory() as scratch:
            upload = await save_upload(
                file,
                Path(scratch),
                suffixes=CALL_SUFFIXES,
                limit=container_of(request).settings.max_upload_bytes,
            )
            jobs_of(request).submit(
                upload, filename=upload.name, created_by=who.key.name, options=options
            )
        return RedirectResponse("/batches", status_code=303)

    return router


def audit_introduction(
    container: Container, who: Principal, action: AuditAction, introduction: Introduction
) -> None:
    """Record a change to an introduction (ids and status only: no notes, no brief)."""
    container.audit.record(
        action,
        actor=who.key.id,
        target=f"introduction/{introduction.id}",
        detail={"profile_id": introduction.profile_id, "status": introduction.status.value},
    )


def mount_static(app: Any) -> None:
    """Serve ``static/`` (CSS and the small script)."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
