"""Issue 8, security: one test (or a few) per protection, each failing if the protection goes.

Rate limits (429 + Retry-After), the audit log (admins only; erasure keeps only the deletion),
logs free of briefs, contacts and keys, security headers and CSRF on every form, exports safe
against formula injection and HTML, and erasure from every place the service keeps data.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import socket
import sqlite3
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from matcher.model import Role
from service.app import create_app
from service.container import Container
from service.http.exports import FORMULA_PREFIXES
from tests.routes import flatten_routes

DATA = Path(__file__).parents[2] / "data"
CALL = DATA / "call.csv"


def client_for(container: Container, role: Role, **kwargs: Any) -> TestClient:
    _key, secret = container.accounts.create_key(name=f"{role.value} user", role=role)
    return TestClient(
        create_app(container), headers={"authorization": f"Bearer {secret}"}, **kwargs
    )


def browser_session(container: Container, role: Role, **kwargs: Any) -> tuple[TestClient, str]:
    """A TestClient signed in through the web form (session cookie); returns it and the
    session's CSRF token."""
    _key, secret = container.accounts.create_key(name=f"{role.value} browser", role=role)
    client = TestClient(create_app(container), follow_redirects=False, **kwargs)
    client.get("/login")
    signed = client.post(
        "/login", data={"key": secret, "csrf": client.cookies.get("ke_login_csrf")}
    )
    assert signed.status_code == 303, signed.text[:300]
    token = client.get("/").text.split('name="csrf" value="')[1].split('"')[0]
    return client, token


def page_routes(container: Container, method: str) -> list[str]:
    """Every web page route (not the JSON API) that answers ``method``."""
    return sorted(
        route.path
        for route in flatten_routes(create_app(container).routes)
        if isinstance(route, APIRoute)
        and method in route.methods
        and not route.path.startswith(("/api/", "/health", "/ready", "/metrics"))
    )


# ---------------------------------------------------------------- 1. rate limits


def test_search_is_rate_limited_per_key_and_per_address(loaded: Container) -> None:
    loaded.settings.rate_limit_search = "3/minute"
    _k, key_a = loaded.accounts.create_key(name="a", role=Role.CLINICIAN)
    _k, key_b = loaded.accounts.create_key(name="b", role=Role.CLINICIAN)
    app = create_app(loaded)
    brief = {"text": "falls in older inpatients"}

    def search(key: str, address: str, path: str = "/api/v1/search") -> httpx.Response:
        body = brief if path.endswith("/search") else {"profile_id": "acad-falls"}
        with TestClient(app, client=(address, 5000)) as client:
            return client.post(path, json=body, headers={"authorization": f"Bearer {key}"})

    assert [search(key_a, "10.0.0.1").status_code for _ in range(3)] == [200, 200, 200]
    refused = search(key_a, "10.0.0.2")  # a new address, but the key's budget is spent
    assert refused.status_code == 429
    assert refused.json()["error"] == "RateLimitedError"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    by_address = search(key_b, "10.0.0.1")  # a fresh key from the spent address
    assert by_address.status_code == 429 and "address" in by_address.json()["message"]
    assert search(key_b, "10.0.0.3").status_code == 200  # fresh key, fresh address
    # similar-profile searches count against the same budget
    assert search(key_b, "10.0.0.3", "/api/v1/search/similar").status_code == 200
    assert search(key_b, "10.0.0.3", "/api/v1/search/similar").status_code == 200
    assert search(key_b, "10.0.0.4", "/api/v1/search/similar").status_code == 429


def test_web_search_is_rate_limited(loaded: Container) -> None:
    loaded.settings.rate_limit_search = "2/minute"
    client, csrf = browser_session(loaded, Role.CLINICIAN)
    with client:
        codes = [
            client.post(
                "/", data={"text": "falls", "csrf": csrf}, follow_redirects=True
            ).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        last = client.post("/", data={"text": "falls", "csrf": csrf}, follow_redirects=True)
        assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1
        assert "Too many requests" in last.text  # a page, not JSON


def test_failed_sign_ins_are_rate_limited(loaded: Container) -> None:
    """Wrong keys are counted per key prefix and per address (issue 15 changed this: a valid
    key is no longer refused because of other people's wrong keys from its address)."""
    loaded.settings.rate_limit_login = "3/minute"
    loaded.settings.rate_limit_login_address = "3/minute"
    _k, good = loaded.accounts.create_key(name="good", role=Role.CLINICIAN)
    app = create_app(loaded)
    attacker = TestClient(app, client=("10.0.0.66", 5000), follow_redirects=False)
    for guess in ("km_a", "km_b", "km_c"):
        wrong = attacker.get("/api/v1/profiles", headers={"authorization": f"Bearer {guess}"})
        assert wrong.status_code == 401
    # the address has spent its budget: further wrong keys are refused ...
    blocked = attacker.get("/api/v1/profiles", headers={"authorization": "Bearer km_d"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    # ... but the right key still works from it, by API and by the web form
    assert attacker.get("/api/v1/profiles", headers={"authorization": f"Bearer {good}"}).is_success
    attacker.get("/login")
    form = attacker.post(
        "/login", data={"key": good, "csrf": attacker.cookies.get("ke_login_csrf")}
    )
    assert form.status_code == 303

    # the web form counts its failures the same way (one prefix, guessed again and again)
    web = TestClient(app, client=("10.0.0.8", 5000), follow_redirects=False)
    web.get("/login")
    token = web.cookies.get("ke_login_csrf")
    codes = [web.post("/login", data={"key": "km_x", "csrf": token}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_rate_limits_can_be_switched_off_for_load_tests(loaded: Container) -> None:
    loaded.settings.rate_limit_search = "2/minute"
    loaded.settings.rate_limits_enabled = False
    with client_for(loaded, Role.CLINICIAN) as client:
        codes = {
            client.post("/api/v1/search", json={"text": "falls"}).status_code for _ in range(5)
        }
    assert codes == {200}


# ---------------------------------------------------------------- 2. audit log


@pytest.mark.both_backends
def test_audit_log_records_sensitive_actions_for_admins_only(loaded: Container) -> None:
    admin = client_for(loaded, Role.ADMIN)
    staff = client_for(loaded, Role.KE_STAFF)
    clinician = client_for(loaded, Role.CLINICIAN)
    staff_id = next(k.id for k in loaded.accounts.list_keys() if k.name == "ke_staff user")

    assert clinician.get("/api/v1/profiles/acad-falls").json()["contact"] is None
    assert staff.get("/api/v1/profiles/acad-falls").json()["contact"]  # a contact was seen
    staff.post("/api/v1/shortlist", json={"profile_id": "acad-falls", "brief": "falls brief"})
    assert staff.get("/api/v1/shortlist/export?format=xlsx").status_code == 200
    created = staff.post(
        "/api/v1/introductions",
        json={"profile_id": "clin-elderly", "requester": "Ward 9", "note": "secret note"},
    ).json()
    staff.post(f"/api/v1/introductions/{created['id']}/status", json={"status": "contacted"})
    staff.post(f"/api/v1/introductions/{created['id']}/notes", json={"note": "called them"})
    page, _csrf = browser_session(loaded, Role.KE_STAFF)
    assert "a.fallow@testfold.example" in page.get("/profiles/acad-falls").text

    log = admin.get("/api/v1/audit").json()
    actions = [e["action"] for e in log["items"]]
    assert actions.count("contact.view") == 2  # API and page; the clinician saw no contact
    assert {"shortlist.export", "introduction.create", "introduction.status"} <= set(actions)
    assert "introduction.note" in actions
    export = next(e for e in log["items"] if e["action"] == "shortlist.export")
    assert export["actor"] == staff_id and export["actor_name"] == "ke_staff user"
    assert export["detail"] == {
        "format": "xlsx",
        "rows": 1,
        "with_contacts": True,
        "profiles": ["acad-falls"],
    }
    text = json.dumps(log)
    for private in ("a.fallow@testfold.example", "Dr Ada Fallow", "secret note", "falls brief"):
        assert private not in text
    assert "km_" not in text  # no key secrets

    only = admin.get("/api/v1/audit?action=contact.view&limit=1").json()
    assert only["total"] == 2 and len(only["items"]) == 1
    assert only["items"][0]["action"] == "contact.view"
    second = admin.get("/api/v1/audit?action=contact.view&limit=1&offset=1").json()
    assert second["items"][0]["id"] < only["items"][0]["id"]  # newest first, paged
    assert admin.get("/api/v1/audit?action=bogus").status_code == 422
    assert staff.get("/api/v1/audit").status_code == 403
    assert clinician.get("/api/v1/audit").status_code == 403
    assert TestClient(create_app(loaded)).get("/api/v1/audit").status_code == 401

    # erasure: only the fact of the deletion stays
    assert admin.delete("/api/v1/profiles/clin-elderly").status_code == 200
    about = [
        e
        for e in admin.get("/api/v1/audit?limit=500").json()["items"]
        if "clin-elderly" in json.dumps(e)
    ]
    assert [e["action"] for e in about] == ["profile.delete"]
    assert about[0]["target"] == "clin-elderly"
    admin.delete("/api/v1/profiles/acad-falls")
    rows = admin.get("/api/v1/audit?limit=500").json()["items"]
    assert [e["action"] for e in rows if "acad-falls" in json.dumps(e)] == ["profile.delete"]
    export = next(e for e in rows if e["action"] == "shortlist.export")
    assert export["detail"]["profiles"] == []  # the export is still on record, without them


# ---------------------------------------------------------------- 3. logs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(loaded: Container) -> Iterator[str]:
    """A real uvicorn server whose loggers (access log included) propagate to caplog."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(loaded), host="127.0.0.1", port=port, log_config=None, log_level="debug"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


#: The test's own HTTP client logs its requests' headers at DEBUG; it is not the service.
CLIENT_LOGGERS = ("httpx", "httpcore")


def test_logs_never_hold_briefs_contacts_or_keys(
    loaded: Container, live_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, from every logger
    brief = "quokka telemetry for zebrafish wards near falls sensors"
    note = "phoned Dr Fallow on 07700 900123"
    contact = "a.fallow@testfold.example"
    _k, staff = loaded.accounts.create_key(name="staff", role=Role.KE_STAFF)
    _k, admin = loaded.accounts.create_key(name="admin", role=Role.ADMIN)
    wrong = "km_definitely-not-a-key-0123456789"
    as_staff = {"authorization": f"Bearer {staff}"}
    with httpx.Client(base_url=live_server, follow_redirects=False) as http:
        assert (
            http.get("/api/v1/profiles", headers={"authorization": f"Bearer {wrong}"}).status_code
            == 401
        )
        http.get("/login")
        login_token = http.cookies.get("ke_login_csrf")
        assert http.post("/login", data={"key": wrong, "csrf": login_token}).status_code == 401
        assert http.post("/login", data={"key": staff, "csrf": login_token}).status_code == 303
        session = http.cookies.get("ke_session")
        csrf = http.get("/").text.split('name="csrf" value="')[1].split('"')[0]
        searched = http.post("/", data={"text": brief, "csrf": csrf}, follow_redirects=True)
        assert searched.status_code == 200
        found = http.post("/api/v1/search", json={"text": brief}, headers=as_staff)
        assert found.status_code == 200
        assert contact in http.get("/api/v1/profiles/acad-falls", headers=as_staff).text
        assert contact in http.get("/profiles/acad-falls").text
        http.post(
            "/api/v1/shortlist", json={"profile_id": "acad-falls", "brief": brief}, headers=as_staff
        )
        assert contact in http.get("/api/v1/shortlist/export", headers=as_staff).text
        created = http.post(
            "/api/v1/introductions",
            json={"profile_id": "acad-falls", "requester": "Ward 7", "brief": brief, "note": note},
            headers=as_staff,
        ).json()
        http.post(
            f"/api/v1/introductions/{created['id']}/status",
            json={"status": "contacted", "note": note},
            headers=as_staff,
        )
        assert http.post(
            "/api/v1/search", json={"text": brief + " " + "x" * 30_000}, headers=as_staff
        ).status_code in (413, 422)  # a refused brief is not logged either
        deleted = http.delete(
            "/api/v1/profiles/acad-falls", headers={"authorization": f"Bearer {admin}"}
        )
        assert deleted.status_code == 200
    assert session
    records = caplog.records
    assert any(r.name.startswith("uvicorn.access") for r in records)  # the capture works
    secrets = {
        "brief": brief,
        "brief words": "quokka telemetry",
        "contact": contact,
        "note": note,
        "staff key": staff,
        "admin key": admin,
        "wrong key": wrong,
        "session": session,
        "csrf": csrf,
    }
    server_side = [r for r in records if not r.name.startswith(CLIENT_LOGGERS)]
    assert server_side
    for record in server_side:
        line = record.getMessage() + (record.exc_text or "")
        for what, value in secrets.items():
            assert value not in line, f"{what} logged by {record.name}: {line[:200]}"


# ---------------------------------------------------------------- 4. headers and CSRF

INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # inline script
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),  # onclick= and friends
    re.compile(r"\bstyle\s*=", re.IGNORECASE),  # inline style attribute
    re.compile(r"<style", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
]


def assert_page_headers(response: httpx.Response) -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'", policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]


def test_every_page_has_a_strict_csp_and_the_security_headers(loaded: Container) -> None:
    client, _csrf = browser_session(loaded, Role.ADMIN)
    paths = [
        p.replace("{profile_id}", "acad-falls").replace("{fmt}", "html")
        for p in page_routes(loaded, "GET")
    ]
    assert {"/", "/login", "/profiles/acad-falls", "/shortlist", "/introductions"} <= set(paths)
    for path in [*paths, "/no-such-page", "/profiles/nobody"]:
        response = client.get(path)
        assert response.headers.get("content-type", "").startswith("text/html"), (
            path,
            response.status_code,
            response.headers,
        )
        assert_page_headers(response)
    anonymous = TestClient(create_app(loaded))
    assert_page_headers(anonymous.get("/login"))
    api = anonymous.get("/health")
    assert api.headers["x-content-type-options"] == "nosniff"
    # the policy forbids inline script and style, so the pages must have none
    for template in (Path(__file__).parents[3] / "service" / "web" / "templates").glob("*.html"):
        if template.name in ("batch_report.html", "insight_dashboard_file.html"):
            continue  # downloaded reports, self-contained files (the batch one tested below)
        text = template.read_text(encoding="utf-8")
        for pattern in INLINE:
            assert not pattern.search(text), f"{template.name}: {pattern.pattern}"


def test_batch_report_page_is_sandboxed(loaded: Container) -> None:
    with client_for(loaded, Role.KE_STAFF) as staff:
        job = staff.post("/api/v1/batches", files={"file": ("call.csv", CALL.read_bytes())}).json()
        staff.app.state.jobs.wait()  # type: ignore[attr-defined]
        report = staff.get(f"/api/v1/batches/{job['id']}/report?format=html")
    assert report.status_code == 200
    policy = report.headers["content-security-policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert report.headers["x-frame-options"] == "DENY"


FORMS: dict[str, dict[str, Any]] = {
    "/": {"data": {"text": "falls"}},
    "/logout": {"data": {}},
    "/shortlist/add": {"data": {"profile_id": "acad-falls"}},
    "/shortlist/remove": {"data": {"profile_id": "acad-falls"}},
    # {brief_id}: a brief saved for the test's key (a result card's label)
    "/feedback": {"data": {"profile_id": "acad-falls", "brief_id": "{brief_id}", "relevant": "1"}},
    "/introductions": {"data": {"profile_id": "acad-falls", "requester": "Ward 7"}},
    "/introductions/{introduction_id}/status": {"data": {"status": "contacted"}},
    "/batches": {"data": {}, "files": {"file": ("call.csv", b"id,text\nc1,falls\n")}},
    "/bids": {"data": {"call_name": "NIHR i4i"}},
    # forms of a bid or an item that does not exist here: only the refusal is checked (a CSRF
    # check runs before the handler, so a forged token is refused before the bid is looked up)
    "/bids/{bid_id}/status": {"data": {"status": "internal_review"}, "refusal_only": True},
    "/bids/{bid_id}/checklist/{item_id}": {"data": {"state": "done"}, "refusal_only": True},
    "/bids/{bid_id}/members/{profile_id}/swap": {
        "data": {"replacement": "acad-falls"},
        "refusal_only": True,
    },
    "/bids/{bid_id}/members/{profile_id}/remove": {"data": {}, "refusal_only": True},
    # admins only (the session here is KE staff's): only the CSRF refusal is checked
    "/governance/templates": {
        "data": {"key": "ethics", "title": "Ethics", "applies_to": "", "offset_days": "0"},
        "refusal_only": True,
    },
    "/introductions/{introduction_id}/checklist/{item_id}": {
        "data": {"state": "done"},
        "refusal_only": True,
    },
    "/profiles/{profile_id}/evidence/curation": {
        "data": {"item_key": "nope", "state": "pinned"},
        "refusal_only": True,
    },
}


def test_every_state_changing_form_needs_its_csrf_token(loaded: Container) -> None:
    posts = page_routes(loaded, "POST")
    assert set(posts) == {*FORMS, "/login"}, "a new form: add it to FORMS"
    for path in sorted(FORMS):
        staff = loaded.accounts.create_key(name="s", role=Role.KE_STAFF)[0]
        introduction = loaded.introductions.create(
            profile_id="acad-falls",
            requester="W",
            requester_organisation=None,
            brief="",
            by=staff.name,
        )
        url = path.replace("{introduction_id}", str(introduction.id))
        url = url.replace("{bid_id}", "1").replace("{item_id}", "1")
        url = url.replace("{profile_id}", "acad-falls")
        client, csrf = browser_session(loaded, Role.KE_STAFF)
        with client:
            form = dict(FORMS[path])
            saved = loaded.briefs.save(staff.id, "falls in older inpatients")
            form["data"] = {k: v.replace("{brief_id}", saved) for k, v in form["data"].items()}
            for forged in ({}, {"csrf": "forged"}):
                refused = client.post(url, data={**form["data"], **forged}, files=form.get("files"))
                assert refused.status_code == 403, (path, forged, refused.status_code)
            if form.get("refusal_only"):
                continue
            allowed = client.post(url, data={**form["data"], "csrf": csrf}, files=form.get("files"))
            assert allowed.status_code in (200, 303), (
                path,
                allowed.status_code,
                allowed.text[:300],
            )

    # the sign-in form has no session yet: a double-submit token (cookie + field)
    _key, secret = loaded.accounts.create_key(name="x", role=Role.CLINICIAN)
    with TestClient(create_app(loaded), follow_redirects=False) as client:
        assert client.post("/login", data={"key": secret}).status_code == 403
        client.get("/login")
        assert client.post("/login", data={"key": secret, "csrf": "forged"}).status_code == 403
        token = client.cookies.get("ke_login_csrf")
        assert client.post("/login", data={"key": secret, "csrf": token}).status_code == 303


# ---------------------------------------------------------------- 5. hostile exports

HOSTILE_NAME = '=HYPERLINK("http://evil.example","click")<script>alert(1)</script>'
HOSTILE = {
    "id": "acad-hostile",
    "kind": "academic",
    "name": HOSTILE_NAME,
    "organisation": "org-evil",
    "unit": "+SUM(1,2)",
    "region": "-2+3",
    "summary": "wearable sensors to detect falls in older inpatients",
    "contact": "@SUM(A1:A9)",
    "evidence": [
        {
            "id": "p1",
            "type": "publication",
            "title": "\t=1+1 wearable sensors detect falls in older inpatients",
            "text": "wearable sensors to detect falls in older inpatients on wards",
        }
    ],
}


def _cells_csv(content: bytes) -> list[str]:
    return [
        cell
        for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
        for cell in row
    ]


def _cells_xlsx(content: bytes) -> list[Any]:
    workbook = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                cells.append(cell.value)
    return cells


NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")


def assert_no_formula(cells: list[Any], *, expect: list[str]) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    for cell in texts:
        if NUMBER.fullmatch(cell):
            continue  # a negative score: a number, not a formula
        assert not cell.startswith(FORMULA_PREFIXES), repr(cell)
    # the hostile values are there, neutralised, not dropped (XML, so XLSX, reads CR as LF)
    normalised = {cell.replace("\r", "\n") for cell in texts}
    for value in expect:
        assert "'" + value.replace("\r", "\n") in normalised, f"{value!r} not in {texts!r}"


def test_exports_neutralise_formulas_and_escape_html(loaded: Container) -> None:
    with client_for(loaded, Role.ADMIN) as admin:
        made = admin.post(
            "/api/v1/organisations",
            json={"id": "org-evil", "name": "\r=cmd|'/C calc'!A0", "type": "sme"},
        )
        assert made.status_code == 201, made.text
        assert admin.post("/api/v1/profiles", json=HOSTILE).status_code == 201
        added = admin.post(
            "/api/v1/shortlist", json={"profile_id": "acad-hostile", "brief": "-1+1 falls"}
        )
        assert added.status_code == 201
        organisation = admin.get("/api/v1/organisations").json()
        evil = next(o["name"] for o in organisation if o["id"] == "org-evil")
        shortlist = admin.get("/api/v1/shortlist/export?format=csv")
        assert_no_formula(
            _cells_csv(shortlist.content),
            expect=[HOSTILE_NAME, "+SUM(1,2)", "-1+1 falls", "@SUM(A1:A9)", evil],
        )
        workbook = admin.get("/api/v1/shortlist/export?format=xlsx")
        # XLSX: text cells (never formulas, checked by _cells_xlsx) holding the values as typed
        texts = {str(c).replace("\r", "\n") for c in _cells_xlsx(workbook.content)}
        for value in (HOSTILE_NAME, "+SUM(1,2)", "-1+1 falls", "@SUM(A1:A9)", evil):
            assert value.replace("\r", "\n") in texts, value

        call = (
            "id,text,partners,kinds\n"
            '"=B1","=1+1 wearable sensors to detect falls in older inpatients",3,academic\n'
        )
        job = admin.post("/api/v1/batches", files={"file": ("call.csv", call.encode())}).json()
        admin.app.state.jobs.wait()  # type: ignore[attr-defined]
        status = admin.get(f"/api/v1/batches/{job['id']}").json()
        assert status["status"] == "done", status
        base = f"/api/v1/batches/{job['id']}/report"
        table = admin.get(base + "?format=csv").content
        assert_no_formula(_cells_csv(table), expect=[HOSTILE_NAME, "=B1", evil])
        sheets = admin.get(base + "?format=xlsx").content
        # XLSX: text cells (never formulas, checked by _cells_xlsx) holding the values as typed
        texts = {str(c) for c in _cells_xlsx(sheets)}
        for value in (
            HOSTILE_NAME,
            "=B1",
            "=1+1 wearable sensors to detect falls in older inpatients",
        ):
            assert value in texts, value
        page = admin.get(base + "?format=html").text
        profile_page = admin.get("/profiles/acad-hostile").text
    for html in (page, profile_page):
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ---------------------------------------------------------------- 6. erasure


def _texts_of(path: Path) -> list[bytes]:
    """A file's bytes, and for a zip (XLSX) the bytes of every member too."""
    content = path.read_bytes()
    texts = [content]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            texts += [archive.read(name) for name in archive.namelist()]
    return texts


def test_erasure_leaves_the_profile_nowhere(loaded: Container) -> None:
    name, email, profile_id = "Dr Ada Fallow", "a.fallow@testfold.example", "acad-falls"
    data_dir = loaded.settings.data_dir
    with loaded.catalogue.engine.connect() as connection:
        hashes = {
            r[0]
            for r in connection.exec_driver_sql(
                "SELECT text_hash FROM chunks WHERE profile_id = ?", (profile_id,)
            )
        }
    assert hashes and hashes <= loaded.catalogue.cached_hashes()
    with client_for(loaded, Role.ADMIN) as admin:
        # spread the profile around: an update (old text left in freed pages), a contact view,
        # a shortlist and its export, an introduction, two batch jobs with stored reports
        record = json.loads((DATA / "profiles.jsonl").read_text().splitlines()[0])
        record["summary"] = "Falls prevention. Old summary with the email " + email
        assert admin.put(f"/api/v1/profiles/{profile_id}", json=record).status_code == 200
        admin.get(f"/api/v1/profiles/{profile_id}")
        admin.post("/api/v1/shortlist", json={"profile_id": profile_id, "brief": "falls"})
        admin.get("/api/v1/shortlist/export?format=xlsx")
        admin.post(
            "/api/v1/introductions",
            json={"profile_id": profile_id, "requester": "Ward 7", "brief": "falls"},
        )
        jobs = [
            admin.post("/api/v1/batches", files={"file": ("call.csv", CALL.read_bytes())}).json()
            for _ in range(2)
        ]
        admin.app.state.jobs.wait()  # type: ignore[attr-defined]
        report = admin.get(f"/api/v1/batches/{jobs[0]['id']}/report?format=html").text
        assert name in report  # the precondition: the reports do name the profile
        unrelated = admin.post(
            "/api/v1/batches",
            files={
                "file": (
                    "retina.csv",
                    b"id,text,partners,kinds\nr1,battery life of motion sensors,1,sme\n",
                )
            },
        ).json()
        admin.app.state.jobs.wait()  # type: ignore[attr-defined]
        assert name not in admin.get(f"/api/v1/batches/{unrelated['id']}/report?format=html").text
        versions_before = len(list((data_dir / "index").glob("v[0-9]*")))
        assert versions_before >= 2  # older index versions exist, holding the profile

        assert admin.delete(f"/api/v1/profiles/{profile_id}").status_code == 200

        # the index and search: gone
        assert admin.get(f"/api/v1/profiles/{profile_id}").status_code == 404
        found = admin.post("/api/v1/search", json={"text": "falls wearable sensors older"}).json()
        assert profile_id not in json.dumps(found)
        gone = admin.get(f"/api/v1/batches/{jobs[0]['id']}/report?format=csv")
        assert gone.status_code == 409 and "withdrawn" in gone.json()["message"]
        kept = admin.get(f"/api/v1/batches/{unrelated['id']}/report?format=csv")
        assert kept.status_code == 200  # reports that never named the profile stay

    assert len(list((data_dir / "index").glob("v[0-9]*"))) == 1
    assert not hashes & loaded.catalogue.cached_hashes()  # its cached embeddings are gone
    # no file under the data directory holds the name or the email (the database, its WAL,
    # index versions, batch folders, exports inside XLSX zips)
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "catalogue.db" for p in files)
    for path in files:
        for text in _texts_of(path):
            for value in (name, email):
                assert value.encode() not in text, f"{value!r} left in {path}"
            if not path.name.startswith("catalogue.db"):  # the database: its tables below
                assert profile_id.encode() not in text, f"{profile_id!r} left in {path}"
    # and no table but the audit log mentions the id, which keeps only the deletion
    database = sqlite3.connect(data_dir / "catalogue.db")
    tables = [r[0] for r in database.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        rows = database.execute(f'SELECT * FROM "{table}"').fetchall()
        hits = [row for row in rows if profile_id in repr(row)]
        if table == "audit_log":
            assert len(hits) == 1 and "profile.delete" in repr(hits[0]), hits
        else:
            assert not hits, (table, hits[:2])
    database.close()


# ---------------------------------------------------------------- issue 15: lock-out, proxies,
# cookies and caching, paths in errors, upload names


def _wrong_key(prefix: str = "") -> str:
    """A key that is not valid; with ``prefix``, one that starts like ``prefix``."""
    import secrets

    return (prefix or "km_" + secrets.token_urlsafe(9)) + secrets.token_urlsafe(32)


def test_wrong_keys_from_one_address_never_lock_out_a_valid_key(loaded: Container) -> None:
    """Everyone behind one NHS proxy shares an address: one person's wrong keys must not lock
    the others out (item 11)."""
    loaded.settings.rate_limit_login = "10/minute"
    _k, good = loaded.accounts.create_key(name="good", role=Role.CLINICIAN)
    app = create_app(loaded)
    proxy = TestClient(app, client=("10.0.0.66", 5000), follow_redirects=False)
    for _ in range(10):
        wrong = proxy.get("/api/v1/profiles", headers={"authorization": f"Bearer {_wrong_key()}"})
        assert wrong.status_code == 401
    assert proxy.get("/api/v1/profiles", headers={"authorization": f"Bearer {good}"}).is_success
    proxy.get("/login")
    token = proxy.cookies.get("ke_login_csrf")
    for _ in range(10):
        assert proxy.post("/login", data={"key": _wrong_key(), "csrf": token}).status_code == 401
    assert proxy.post("/login", data={"key": good, "csrf": token}).status_code == 303


def test_wrong_attempts_on_one_key_prefix_are_throttled(loaded: Container) -> None:
    """Guessing the rest of one key is limited per key prefix, from any address."""
    loaded.settings.rate_limit_login = "10/minute"
    app = create_app(loaded)
    prefix = "km_Guessed123"
    codes = [
        TestClient(app, client=(f"10.0.1.{n}", 5000))
        .get("/api/v1/profiles", headers={"authorization": f"Bearer {_wrong_key(prefix)}"})
        .status_code
        for n in range(11)
    ]
    assert codes == [401] * 10 + [429]
    web = TestClient(app, client=("10.0.2.1", 5000), follow_redirects=False)
    web.get("/login")
    again = web.post(
        "/login", data={"key": _wrong_key(prefix), "csrf": web.cookies["ke_login_csrf"]}
    )
    assert again.status_code == 429 and int(again.headers["retry-after"]) >= 1


def test_the_address_budget_still_stops_a_spray(loaded: Container) -> None:
    loaded.settings.rate_limit_login_address = "5/minute"
    _k, good = loaded.accounts.create_key(name="good", role=Role.CLINICIAN)
    spray = TestClient(create_app(loaded), client=("10.0.0.99", 5000))
    codes = [
        spray.get("/api/v1/profiles", headers={"x-api-key": _wrong_key()}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    assert "address" in spray.get("/api/v1/profiles", headers={"x-api-key": _wrong_key()}).text
    assert spray.get("/api/v1/profiles", headers={"x-api-key": good}).is_success


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(loaded: Container) -> None:
    """A real uvicorn server configured as ``matcher serve`` configures it: by default a
    client on loopback cannot dodge the address budget with X-Forwarded-For (item 12)."""
    from service.cli.serve import uvicorn_options

    loaded.settings.rate_limit_login_address = "3/minute"
    port = _free_port()
    options = uvicorn_options(loaded.settings)
    config = uvicorn.Config(
        create_app(loaded), host="127.0.0.1", port=port, log_config=None, **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        codes = [
            httpx.get(
                f"http://127.0.0.1:{port}/api/v1/profiles",
                headers={"x-api-key": _wrong_key(), "x-forwarded-for": f"198.51.100.{n}"},
            ).status_code
            for n in range(4)
        ]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert codes == [401, 401, 401, 429]


def test_secure_cookies_and_hsts_follow_the_setting(loaded: Container) -> None:
    """auto: Secure cookies and HSTS when the request came over https; on and off force it."""
    _k, secret = loaded.accounts.create_key(name="web", role=Role.CLINICIAN)

    def sign_in(base_url: str) -> httpx.Response:
        client = TestClient(create_app(loaded), base_url=base_url, follow_redirects=False)
        client.get("/login")
        return client.post(
            "/login", data={"key": secret, "csrf": client.cookies.get("ke_login_csrf")}
        )

    over_https = sign_in("https://testserver")
    assert over_https.status_code == 303
    assert "secure" in over_https.headers["set-cookie"].lower()
    assert "max-age=" in over_https.headers["strict-transport-security"]
    over_http = sign_in("http://testserver")
    assert "secure" not in over_http.headers["set-cookie"].lower()
    assert "strict-transport-security" not in over_http.headers
    loaded.settings.secure_cookies = "on"  # https ends at a proxy that is not trusted
    forced = TestClient(create_app(loaded)).get("/login")
    assert "secure" in forced.headers["set-cookie"].lower()
    assert "strict-transport-security" in forced.headers
    loaded.settings.secure_cookies = "off"
    plain = sign_in("https://testserver")
    assert plain.status_code == 303 and "secure" not in plain.headers["set-cookie"].lower()


def test_answers_with_contact_details_are_never_cached(loaded: Container) -> None:
    with client_for(loaded, Role.KE_STAFF) as staff:
        assert staff.post("/api/v1/shortlist", json={"profile_id": "acad-falls"}).is_success
        job = staff.post("/api/v1/batches", files={"file": ("call.csv", CALL.read_bytes())}).json()
        staff.app.state.jobs.wait()  # type: ignore[attr-defined]
        answers = {
            "profile": staff.get("/api/v1/profiles/acad-falls"),
            "search": staff.post("/api/v1/search", json={"text": "falls in older inpatients"}),
            "shortlist": staff.get("/api/v1/shortlist"),
            **{
                f"shortlist {kind}": staff.get(f"/api/v1/shortlist/export?format={kind}")
                for kind in ("csv", "xlsx")
            },
            **{
                f"report {kind}": staff.get(f"/api/v1/batches/{job['id']}/report?format={kind}")
                for kind in ("csv", "xlsx", "html")
            },
        }
    for name, answer in answers.items():
        assert answer.status_code == 200, name
        assert answer.headers.get("cache-control") == "no-store", name


def test_errors_never_show_server_paths(loaded: Container, tmp_path: Path) -> None:
    import tempfile

    server_paths = (tempfile.gettempdir(), str(loaded.settings.data_dir), str(Path.cwd()))
    with client_for(loaded, Role.ADMIN) as admin:
        answers = [
            admin.post("/api/v1/ingest", files={"file": ("odd.csv", b"a,b\n1,2\n")}),
            admin.post("/api/v1/ingest", files={"file": ("empty.jsonl", b"")}),
            admin.post("/api/v1/ingest", files={"file": ("bad.jsonl", b"{not json\n")}),
            admin.post("/api/v1/batches", files={"file": ("nothing.csv", b"x,y\n1,2\n")}),
        ]
    for answer in answers:
        assert answer.status_code < 500, answer.text
        text = answer.text
        assert not any(p in text for p in server_paths), text
    assert "odd.csv" in answers[0].json()["message"]
    assert answers[2].json()["errors"] == [
        "bad.jsonl:1: line: not valid JSON: Expecting property name enclosed in double quotes"
    ]


def test_health_is_public_but_tells_no_counts_or_versions(loaded: Container) -> None:
    health = TestClient(create_app(loaded)).get("/health")
    assert health.status_code == 200
    assert set(health.json()) == {"status"} and health.json()["status"] == "ok"
    assert TestClient(create_app(loaded)).get("/api/v1/status").status_code == 401
    with client_for(loaded, Role.CLINICIAN) as clinician:
        assert clinician.get("/api/v1/status").status_code == 403
    with client_for(loaded, Role.ADMIN) as admin:
        status = admin.get("/api/v1/status").json()
    assert status["counts"]["profiles"] == 6 and status["model_id"] == "fake-bow@1"
    assert status["index"]["vector_count"] == loaded.engine.snapshot().size


@pytest.mark.parametrize("route", ["/api/v1/ingest", "/api/v1/batches"])
def test_any_upload_file_name_works(loaded: Container, route: str) -> None:
    """A 300-character name used to be written to disk as it was (500: File name too long)."""
    name = "a" * 296 + (".jsonl" if route.endswith("ingest") else ".csv")
    body = (
        b'{"record": "organisation", "id": "o-long", "name": "O", "type": "sme"}\n'
        if route.endswith("ingest")
        else CALL.read_bytes()
    )
    with client_for(loaded, Role.ADMIN) as admin:
        answer = admin.post(route, files={"file": (name, body)})
        assert answer.status_code in (200, 202), answer.text
        if route.endswith("batches"):
            admin.app.state.jobs.wait()  # type: ignore[attr-defined]
            job = admin.get(f"/api/v1/batches/{answer.json()['id']}").json()
            assert job["status"] == "done", job
            assert job["filename"].startswith("aaaa") and job["filename"].endswith(".csv")
            assert len(job["filename"].encode()) <= 120


def test_an_unknown_organisation_filter_is_refused(loaded: Container) -> None:
    with client_for(loaded, Role.CLINICIAN) as clinician:
        answer = clinician.post(
            "/api/v1/search", json={"text": "falls", "organisations": ["org-nope"]}
        )
    assert answer.status_code == 422
    assert "unknown organisation 'org-nope'" in answer.json()["message"]
    assert "org-uni-a" in answer.json()["message"]
