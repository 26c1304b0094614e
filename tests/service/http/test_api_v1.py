"""The rest of API v1: introductions, shortlists and exports, erasure, readiness, limits."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from matcher.model import Role
from service.app import create_app
from service.container import Container

pytestmark = pytest.mark.both_backends


def sign_in(client: TestClient, key: str) -> httpx.Response:
    """Post the sign-in form as a browser does: with the token the form page handed out."""
    client.get("/login")
    return client.post("/login", data={"key": key, "csrf": client.cookies.get("ke_login_csrf")})


def client_for(container: Container, role: Role) -> TestClient:
    _key, secret = container.accounts.create_key(name=f"{role.value} user", role=role)
    return TestClient(create_app(container), headers={"authorization": f"Bearer {secret}"})


@pytest.fixture
def staff(loaded: Container) -> Iterator[TestClient]:
    with client_for(loaded, Role.KE_STAFF) as client:
        yield client


@pytest.fixture
def admin(loaded: Container) -> Iterator[TestClient]:
    with client_for(loaded, Role.ADMIN) as client:
        yield client


def test_introduction_lifecycle_records_who_and_when(staff: TestClient) -> None:
    match = staff.post("/api/v1/search", json={"text": "falls older inpatients"}).json()
    profile_id = match["results"]["academic"][0]["profile_id"]
    created = staff.post(
        "/api/v1/introductions",
        json={
            "profile_id": profile_id,
            "requester": "Ward 7 sister",
            "brief": "falls",
            "note": "first contact",
        },
    )
    assert created.status_code == 201
    intro = created.json()
    assert intro["status"] == "proposed" and intro["created_by"] == "ke_staff user"
    for status in ("contacted", "met", "collaborating"):
        moved = staff.post(
            f"/api/v1/introductions/{intro['id']}/status", json={"status": status, "note": status}
        )
        assert moved.status_code == 200 and moved.json()["status"] == status
    final = staff.post(f"/api/v1/introductions/{intro['id']}/status", json={"status": "declined"})
    assert final.status_code == 409 and "none (final)" in final.json()["message"]
    noted = staff.post(
        f"/api/v1/introductions/{intro['id']}/notes", json={"note": "grant submitted"}
    ).json()
    assert [e["action"] for e in noted["events"]] == [
        "created",
        "status",
        "status",
        "status",
        "note",
    ]
    assert all(e["by"] == "ke_staff user" and e["at"] for e in noted["events"])
    listed = staff.get("/api/v1/introductions", params={"status": "collaborating"}).json()
    assert [i["id"] for i in listed] == [intro["id"]]
    assert staff.get("/api/v1/introductions", params={"status": "proposed"}).json() == []
    assert staff.get("/api/v1/introductions/999").status_code == 404


def test_skipping_a_status_is_refused(staff: TestClient) -> None:
    intro = staff.post(
        "/api/v1/introductions", json={"profile_id": "clin-elderly", "requester": "x"}
    ).json()
    response = staff.post(f"/api/v1/introductions/{intro['id']}/status", json={"status": "met"})
    assert response.status_code == 409
    assert "allowed: contacted, declined" in response.json()["message"]


def test_shortlist_and_exports(staff: TestClient, loaded: Container) -> None:
    for profile_id in ("acad-falls", "sme-steps"):
        assert (
            staff.post(
                "/api/v1/shortlist", json={"profile_id": profile_id, "brief": "falls"}
            ).status_code
            == 201
        )
    assert staff.post("/api/v1/shortlist", json={"profile_id": "acad-hidden"}).status_code == 404
    listed = staff.get("/api/v1/shortlist").json()
    assert [r["profile_id"] for r in listed] == ["acad-falls", "sme-steps"]
    exported = staff.get("/api/v1/shortlist/export", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["Dr Ada Fallow", "Stepwise Sensors"]
    assert rows[0]["contact"] == "a.fallow@testfold.example"  # KE staff see contacts
    xlsx = staff.get("/api/v1/shortlist/export", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][:2] == ("profile_id", "name") and len(values) == 3
    assert staff.delete("/api/v1/shortlist/acad-falls").json()[0]["profile_id"] == "sme-steps"
    with client_for(loaded, Role.CLINICIAN) as clinician:
        clinician.post("/api/v1/shortlist", json={"profile_id": "acad-falls"})
        text = clinician.get("/api/v1/shortlist/export").content.decode("utf-8-sig")
        assert "contact" not in text.splitlines()[0] and "testfold.example" not in text


def test_exports_neutralise_formulas(admin: TestClient) -> None:
    hostile = {
        "id": "evil",
        "kind": "sme",
        "name": '=HYPERLINK("http://x","click")',
        "organisation": "org-sme-a",
        "unit": "@SUM(A1)",
    }
    assert admin.post("/api/v1/profiles", json=hostile).status_code == 201
    admin.post("/api/v1/shortlist", json={"profile_id": "evil"})
    rows = list(
        csv.reader(io.StringIO(admin.get("/api/v1/shortlist/export").content.decode("utf-8-sig")))
    )
    assert rows[1][1].startswith("'=") and rows[1][4].startswith("'@")
    sheet = load_workbook(
        io.BytesIO(admin.get("/api/v1/shortlist/export?format=xlsx").content)
    ).active
    assert sheet is not None
    # XLSX: the cell is text, shown as typed (no visible apostrophe), never a formula
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","click")', "s")
    assert (sheet.cell(row=2, column=5).value, sheet.cell(row=2, column=5).data_type) == (
        "@SUM(A1)",
        "s",
    )


def test_admin_edits_and_erases_a_profile(admin: TestClient, loaded: Container) -> None:
    new = {
        "id": "acad-new", "kind": "academic", "name": "Dr New", "organisation": "org-uni-a",
        "evidence": [{"id": "p1", "type": "publication", "title": "Sepsis early warning scores in emergency departments"}],
    }  # fmt: skip
    assert admin.post("/api/v1/profiles", json=new).json()["status"] == "added"
    found = admin.post(
        "/api/v1/search", json={"text": "sepsis early warning", "kinds": ["academic"]}
    ).json()
    assert found["results"]["academic"][0]["profile_id"] == "acad-new"
    updated = admin.put("/api/v1/profiles/acad-new", json={**new, "name": "Prof New"}).json()
    assert updated["status"] == "updated"
    assert admin.put("/api/v1/profiles/acad-new", json={**new, "id": "other"}).status_code == 422
    hashes_before = loaded.catalogue.cached_hashes()
    deleted = admin.delete("/api/v1/profiles/acad-new")
    assert deleted.json()["status"] == "deleted"
    after = admin.post(
        "/api/v1/search", json={"text": "sepsis early warning", "kinds": ["academic"], "top": 50}
    ).json()
    assert "acad-new" not in {m["profile_id"] for m in after["results"]["academic"]}
    assert "acad-new" not in loaded.engine.snapshot().profile_index
    assert len(loaded.catalogue.cached_hashes()) == len(hashes_before) - 1  # its one text is gone
    assert admin.get("/api/v1/profiles/acad-new").status_code == 404
    assert admin.delete("/api/v1/profiles/acad-new").status_code == 404


def test_upload_ingest_reports_bad_rows_and_limits(admin: TestClient, loaded: Container) -> None:
    body = (
        b'{"record": "profile", "id": "up-1", "kind": "sme", "name": "Up", "organisation": "org-sme-a"}\n'
        b'{"record": "profile", "id": "up-2", "kind": "robot", "name": "Bad", "organisation": "org-sme-a"}\n'
    )
    response = admin.post("/api/v1/ingest", files={"file": ("new.jsonl", body)})
    assert response.status_code == 200
    report = response.json()
    assert report["added"] == 1 and report["rejected"] == 1
    assert report["errors"][0].startswith("new.jsonl:2: kind:")
    assert admin.post("/api/v1/ingest", files={"file": ("x.exe", b"MZ")}).status_code == 422
    loaded.settings.max_upload_bytes = 2_000
    big = admin.post("/api/v1/ingest", files={"file": ("big.jsonl", b" " * 5_000)})
    assert big.status_code == 413 and "limit" in big.json()["message"]


def test_oversized_json_body_is_413(staff: TestClient) -> None:
    response = staff.post(
        "/api/v1/search",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_ready_metrics_and_similar(staff: TestClient, loaded: Container) -> None:
    assert staff.get("/ready").json()["ready"] is True
    staff.post("/api/v1/search", json={"text": "falls"})
    metrics = staff.get("/metrics").text
    assert 'ke_matcher_requests_total{method="POST",route="/api/v1/search",status="200"}' in metrics
    assert f"ke_matcher_index_vectors {float(loaded.engine.snapshot().size)}" in metrics
    similar = staff.post(
        "/api/v1/search/similar", json={"profile_id": "clin-elderly", "kinds": ["academic"]}
    ).json()
    assert similar["results"]["academic"][0]["profile_id"] == "acad-falls"
    assert staff.post("/api/v1/search/similar", json={"profile_id": "nobody"}).status_code == 404


def test_not_ready_without_index(container: Container) -> None:
    with TestClient(create_app(container)) as client:
        response = client.get("/ready")
    assert response.status_code == 503 and response.json()["ready"] is False


def test_anonymous_search_only_when_switched_on(loaded: Container) -> None:
    with TestClient(create_app(loaded)) as client:
        assert client.post("/api/v1/search", json={"text": "falls"}).status_code == 401
        loaded.settings.anonymous_search = True
        assert client.post("/api/v1/search", json={"text": "falls"}).status_code == 200
        assert client.get("/api/v1/profiles/acad-falls").status_code == 401  # still needs a key
        bad = client.post(
            "/api/v1/search", json={"text": "falls"}, headers={"authorization": "Bearer wrong"}
        )
        assert bad.status_code == 401


def test_revoked_key_and_sessions(loaded: Container) -> None:
    key, secret = loaded.accounts.create_key(name="temp", role=Role.CLINICIAN)
    with TestClient(create_app(loaded), follow_redirects=False) as client:
        login = sign_in(client, secret)
        assert login.status_code == 303
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert client.get("/").status_code == 200
        page = client.get("/").text
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/", data={"text": "falls", "csrf": "forged"}).status_code == 403
        searched = client.post("/", data={"text": "falls", "csrf": csrf})
        assert searched.status_code == 303  # post, redirect, get: to the results URL
        assert searched.headers["location"].startswith("/?brief=")
        assert client.get(searched.headers["location"]).status_code == 200
        loaded.accounts.revoke_key(key.id)
        assert client.get("/").status_code == 303
        assert (
            client.post(
                "/api/v1/search", json={"text": "x"}, headers={"authorization": f"Bearer {secret}"}
            ).status_code
            == 401
        )
        assert sign_in(client, "nope").status_code == 401


def test_cookie_sessions_need_the_csrf_header_to_change_anything(loaded: Container) -> None:
    _key, secret = loaded.accounts.create_key(name="browser", role=Role.CLINICIAN)
    with TestClient(create_app(loaded), follow_redirects=False) as client:
        sign_in(client, secret)
        csrf = client.get("/").text.split('name="csrf" value="')[1].split('"')[0]
        assert client.get("/api/v1/shortlist").status_code == 200  # reading is fine
        forged = client.post("/api/v1/shortlist", json={"profile_id": "acad-falls"})
        assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["message"]
        allowed = client.post(
            "/api/v1/shortlist", json={"profile_id": "acad-falls"}, headers={"x-csrf-token": csrf}
        )
        assert allowed.status_code == 201


# ------------------------------------------------------------------ issue 15: items 7 and 9


def test_a_second_open_introduction_for_the_same_brief_is_409_naming_the_first(
    staff: TestClient,
) -> None:
    body = {"profile_id": "clin-elderly", "requester": "Ward 7 sister", "brief": "falls on wards"}
    first = staff.post("/api/v1/introductions", json=body)
    assert first.status_code == 201
    again = staff.post(
        "/api/v1/introductions",
        json={**body, "requester": "Someone else", "brief": "Falls  on WARDS"},
    )
    assert again.status_code == 409
    answer = again.json()
    assert answer["error"] == "DuplicateIntroductionError"
    assert answer["introduction_id"] == first.json()["id"]
    assert (
        len(staff.get("/api/v1/introductions", params={"profile_id": "clin-elderly"}).json()) == 1
    )
    # declined: closed, so it may be proposed again
    staff.post(f"/api/v1/introductions/{first.json()['id']}/status", json={"status": "declined"})
    assert staff.post("/api/v1/introductions", json=body).status_code == 201


def test_a_profile_without_a_region_takes_its_organisations(admin: TestClient) -> None:
    record = {"id": "acad-new", "kind": "academic", "name": "Dr New", "organisation": "org-uni-a"}
    assert admin.post("/api/v1/profiles", json=record).status_code == 201
    assert admin.get("/api/v1/profiles/acad-new").json()["region"] == "North West"
    listed = admin.get("/api/v1/profiles", params={"organisation": "org-uni-a"}).json()["items"]
    assert {p["id"]: p["region"] for p in listed}["acad-new"] == "North West"
    own = {**record, "region": "Scotland"}
    assert admin.put("/api/v1/profiles/acad-new", json=own).status_code == 200
    assert admin.get("/api/v1/profiles/acad-new").json()["region"] == "Scotland"


@pytest.mark.parametrize(
    "invisible", ["\u200b\u200b", "\u200d", " \u2060\ufeff ", "\u00a0", "\u3164", "\u0301"]
)
def test_required_names_of_invisible_characters_only_are_422_naming_the_field(
    admin: TestClient, invisible: str
) -> None:
    profile = {"id": "acad-x", "kind": "academic", "name": invisible, "organisation": "org-uni-a"}
    refused = admin.post("/api/v1/profiles", json=profile)
    assert refused.status_code == 422 and refused.json()["field"] == "name", refused.text
    message = refused.json()["message"]  # spaces are stripped first, invisible ones refused
    assert "visible" in message or "at least 1 character" in message, message
    organisation = {"id": "org-x", "name": invisible, "type": "sme"}
    refused = admin.post("/api/v1/organisations", json=organisation)
    assert refused.status_code == 422 and refused.json()["field"] == "name"
    evidence = {
        **profile,
        "name": "Dr X",
        "evidence": [{"id": "e", "type": "grant", "title": invisible}],
    }
    refused = admin.post("/api/v1/profiles", json=evidence)
    assert refused.status_code == 422 and refused.json()["field"] == "evidence.0.title"
    intro = {"profile_id": "acad-falls", "requester": invisible}
    refused = admin.post("/api/v1/introductions", json=intro)
    assert refused.status_code == 422 and refused.json()["field"] == "requester"
    # visible text with invisible characters in it is kept
    assert admin.post("/api/v1/profiles", json={**profile, "name": "Dr\u200b X"}).status_code == 201
