"""Walk every route with every role (and with no key) against the roles each route declares."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from matcher.model import Role
from service.app import create_app
from service.container import Container, build_container
from service.settings import Settings
from tests.conftest import DEMO_FILES
from tests.fakes import FakeEncoder
from tests.pg import fresh_database
from tests.routes import flatten_routes

pytestmark = pytest.mark.both_backends


def declared_routes() -> list[tuple[str, str, list[str]]]:
    """Every route of the app (API and pages) with the roles it declares."""
    routes = []
    for route in flatten_routes(create_app(settings=Settings()).routes):
        if not isinstance(route, APIRoute):
            continue  # static files, the OpenAPI document and its viewers
        extra = route.openapi_extra or {}
        assert "x-roles" in extra, f"{route.path} declares no roles"
        for method in sorted(route.methods):
            routes.append((method, route.path, list(extra["x-roles"])))
    return routes


ROUTES = declared_routes()
CALLERS = [None, *Role]
BODIES: dict[str, Any] = {
    "/api/v1/search": {"json": {"text": "falls in older inpatients"}},
    "/api/v1/search/similar": {"json": {"profile_id": "acad-falls"}},
    "/api/v1/insight/describe": {"json": {"text": "falls in older inpatients"}},
    "/api/v1/profiles": {
        "json": {"id": "acad-new", "kind": "academic", "name": "N", "organisation": "org-uni-a"}
    },
    "/api/v1/profiles/{profile_id}": {
        "json": {
            "id": "acad-falls",
            "kind": "academic",
            "name": "Dr Ada Fallow",
            "organisation": "org-uni-a",
        }
    },
    "/api/v1/profiles/{profile_id}/evidence/{item_key:path}/curation": {
        "json": {"state": "pinned"}
    },
    "/api/v1/organisations": {"json": {"id": "org-x", "name": "X", "type": "sme"}},
    "/api/v1/introductions": {"json": {"profile_id": "acad-falls", "requester": "Ward 7"}},
    "/api/v1/introductions/{introduction_id}/status": {"json": {"status": "contacted"}},
    "/api/v1/introductions/{introduction_id}/notes": {"json": {"note": "called"}},
    "/api/v1/shortlist": {"json": {"profile_id": "acad-falls"}},
    "/api/v1/ingest": {
        "files": {
            "file": (
                "p.jsonl",
                b'{"record": "organisation", "id": "o", "name": "O", "type": "sme"}\n',
            )
        }
    },
    "/api/v1/batches": {
        "files": {"file": ("call.csv", b"id,text\nc1,falls in older inpatients\n")}
    },
    "/api/v1/bids": {"json": {"call_name": "Falls call"}},
    "/api/v1/bids/templates": {"json": [{"key": "ethics", "title": "Ethics"}]},
    "/api/v1/bids/{bid_id}": {"json": {"version": 1, "funder": "NIHR"}},
    "/api/v1/bids/{bid_id}/checklist/{item_id}": {"json": {"version": 1, "state": "done"}},
    "/api/v1/bids/{bid_id}/status": {"json": {"version": 1, "status": "internal_review"}},
    "/api/v1/bids/{bid_id}/members": {"json": {"version": 1, "profile_id": "acad-retina"}},
    "/api/v1/bids/{bid_id}/members/{profile_id}/swap": {
        "json": {"version": 1, "replacement": "acad-retina"}
    },
    "/bids": {"data": {"call_name": "Falls call"}},
    "/": {"data": {"text": "falls"}},
    "/shortlist/add": {"data": {"profile_id": "acad-falls"}},
    # an unknown saved brief: 404 for the roles allowed (the walk checks the roles, not the label)
    "/feedback": {"data": {"profile_id": "acad-falls", "brief_id": "0" * 32, "relevant": "1"}},
    "/api/v1/feedback": {
        "json": {"text": "falls in older inpatients", "profile_id": "acad-falls", "relevant": True}
    },
    "/profiles/{profile_id}/evidence/curation": {"data": {"item_key": "p1", "state": "pinned"}},
    "/shortlist/remove": {"data": {"profile_id": "acad-falls"}},
    "/introductions": {"data": {"profile_id": "acad-falls"}},
    "/introductions/{introduction_id}/status": {"data": {"status": "contacted"}},
    "/api/v1/introductions/{introduction_id}/checklist/{item_id}": {"json": {"owner": "Jo"}},
    "/introductions/{introduction_id}/checklist/{item_id}": {"data": {"state": "done"}},
    "/governance/templates": {
        "data": {"key": "ethics", "title": "Ethics", "applies_to": "", "offset_days": "0"}
    },
}


def concrete(path: str, introduction_id: int) -> str:
    path = path.replace("{profile_id}", "acad-falls").replace(
        "{introduction_id}", str(introduction_id)
    )
    path = path.replace("{job_id}", "job_0123456789ab").replace("{item_key:path}", "p1")
    path = path.replace("{bid_id}", "1").replace("{item_id}", "1").replace("{fmt}", "csv")
    assert not re.search(r"\{", path), path
    return path


@dataclass
class Walked:
    """The loaded data a route is walked on, served by one app, with an open introduction to
    name in paths."""

    container: Container
    client: TestClient
    introduction_id: int
    resources: ExitStack


def _walked(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Walked:
    resources = ExitStack()
    url = None if backend == "sqlite" else resources.enter_context(fresh_database())
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("walk"), reload_seconds=0, database_url=url
    )
    container = build_container(settings, encoder=FakeEncoder())
    resources.callback(container.close)
    report, _ = container.ingest(DEMO_FILES)
    assert not report.errors, report.errors
    staff, _ = container.accounts.create_key(name="setup", role=Role.KE_STAFF)
    introduction = container.introductions.create(
        profile_id="acad-falls",
        requester="Ward 7",
        requester_organisation=None,
        brief="falls",
        by=staff.name,
    )
    client = resources.enter_context(TestClient(create_app(container), follow_redirects=False))
    return Walked(container, client, introduction.id, resources)


@pytest.fixture(scope="module")
def walked_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Walked]]:
    """The data of the walk, loaded and served once per backend for every reading route (GET,
    HEAD: they change nothing) and once per backend and route for the four callers of a writing
    route (a caller's write may change what the next one finds, never which roles are admitted).
    Loading and serving it for each of the walk's several hundred cases was most of the suite's
    time."""
    shared: dict[tuple[str, str], Walked] = {}

    def load(backend: str, method: str, path: str) -> Walked:
        key = (backend, "read") if method in {"GET", "HEAD"} else (backend, f"{method} {path}")
        if key not in shared:
            for old in [k for k in shared if k[1] != "read"]:
                shared.pop(old).resources.close()  # the previous writing route's data
            shared[key] = _walked(tmp_path_factory, backend)
        walked = shared[key]
        walked.client.cookies.clear()  # no session from an earlier caller's sign-in
        return walked

    try:
        yield load
    finally:
        for walked in shared.values():
            walked.resources.close()


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c.value if c else "no-key")
@pytest.mark.parametrize(("method", "path", "roles"), ROUTES, ids=lambda v: str(v))
def test_route_admits_exactly_its_roles(
    walked_data: Callable[..., Walked],
    backend: str,
    method: str,
    path: str,
    roles: list[str],
    caller: Role | None,
) -> None:
    walked = walked_data(backend, method, path)
    loaded, client = walked.container, walked.client
    headers = {}
    if caller is not None:
        _key, secret = loaded.accounts.create_key(name=f"walk {caller.value}", role=caller)
        headers["authorization"] = f"Bearer {secret}"
    kwargs = BODIES.get(path, {}) if method in {"POST", "PUT", "PATCH"} else {}
    if path == "/login" and method == "POST":  # public: any valid key signs in
        client.get("/login")  # the form's CSRF token (cookie and field)
        kwargs = {
            "data": {
                "key": loaded.accounts.create_key(name="x", role=Role.CLINICIAN)[1],
                "csrf": client.cookies.get("ke_login_csrf"),
            }
        }
    response = client.request(
        method, concrete(path, walked.introduction_id), headers=headers, **kwargs
    )
    is_page = not path.startswith(("/api/", "/health", "/ready", "/metrics"))
    if not roles or (caller is not None and caller.value in roles):
        assert response.status_code not in (401, 403), (response.status_code, response.text[:300])
        assert response.status_code < 500
    elif caller is None:
        assert response.status_code == (303 if is_page else 401), response.text[:200]
        if is_page:
            assert response.headers["location"] == "/login"
    else:
        assert response.status_code == 403, response.text[:200]


def test_the_walk_covers_the_whole_product() -> None:
    paths = {path for _m, path, _r in ROUTES}
    assert {
        "/api/v1/search",
        "/api/v1/introductions",
        "/api/v1/shortlist/export",
        "/",
        "/introductions",
    } <= paths
    assert len(ROUTES) >= 25
