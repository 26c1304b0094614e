"""Bids over the API: from a batch consortium in one call, through their statuses, members
swapped with the checks re-run, checklist steps, the 409 on a stale write, the calendar feed
(parsed back with icalendar), exports, roles, erasure."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from openpyxl import load_workbook

from index.db.audit import AuditAction
from matcher.model import Role
from service.app import create_app
from service.batch.reports import write_reports
from service.batch.run import run_batch
from service.container import Container

pytestmark = pytest.mark.both_backends
CALL = Path(__file__).parents[2] / "data" / "call.csv"
JOB = "job_0123456789ab"
SOON = (date.today() + timedelta(days=30)).isoformat()


def client_for(container: Container, role: Role) -> TestClient:
    _key, secret = container.accounts.create_key(name=f"{role.value} user", role=role)
    return TestClient(create_app(container), headers={"authorization": f"Bearer {secret}"})


@pytest.fixture
def staff(loaded: Container) -> Iterator[TestClient]:
    with client_for(loaded, Role.KE_STAFF) as client:
        yield client


@pytest.fixture
def job(loaded: Container) -> str:
    """A finished batch job's reports on disk, as the job runner leaves them."""
    write_reports(run_batch(loaded, CALL), loaded.settings.batches_dir / JOB / "out")
    return JOB


def by_hand(staff: TestClient, **extra: object) -> dict[str, object]:
    body = {
        "call_name": "Falls call",
        "deadline": SOON,
        "members": [{"profile_id": "acad-falls", "role": "lead"}],
        **extra,
    }
    response = staff.post("/api/v1/bids", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_consortium_becomes_a_bid_in_one_call(staff: TestClient, job: str) -> None:
    response = staff.post(
        "/api/v1/bids",
        json={"job_id": job, "brief_id": "C3", "consortium": 1, "deadline": SOON, "amount": 250000},
    )
    assert response.status_code == 201, response.text
    bid = response.json()
    roles = {m["role"] for m in bid["members"]}
    assert {"lead", "nhs_partner", "sme_partner"} <= roles
    assert bid["source"] == {"job_id": job, "brief_id": "C3", "consortium": 1}
    assert bid["call_name"].startswith("C3: Funding call on falls")
    keys = {i["key"] for i in bid["checklist"]}
    assert {"nhs_rd_hra", "research_passport", "sme_agreement", "ethics", "data_sharing"} == keys
    assert bid["status"] == "drafting" and bid["version"] == 1
    for wrong, reason in (
        ({"brief_id": "C1", "consortium": 1}, "no consortia"),
        ({"brief_id": "C3", "consortium": 9}, "consortia"),
    ):
        answer = staff.post("/api/v1/bids", json={"job_id": job, **wrong})
        assert answer.status_code == 422 and reason in answer.text
    assert (
        staff.post(
            "/api/v1/bids", json={"job_id": "job_ffff", "brief_id": "C3", "consortium": 1}
        ).status_code
        == 404
    )


def test_bad_input_is_refused_with_its_reason(staff: TestClient) -> None:
    cases = [
        ({"call_name": "x", "deadline": "2020-01-01"}, "in the past"),
        ({"call_name": "x", "members": [{"profile_id": "acad-hidden"}]}, "consenting"),
        (
            {
                "call_name": "x",
                "members": [{"profile_id": "acad-falls"}, {"profile_id": "acad-falls"}],
            },
            "already a member",
        ),
        (
            {
                "call_name": "x",
                "members": [{"profile_id": "clin-elderly"}],
                "requester_organisation": "org-trust-a",
            },
            "conflict of interest",
        ),
        (
            {
                "call_name": "x",
                "members": [{"profile_id": "acad-retina"}],
                "conflicts": ["acad-retina"],
            },
            "conflict of interest",
        ),
        ({"deadline": SOON}, "call name"),
    ]
    for body, reason in cases:
        response = staff.post("/api/v1/bids", json=body)
        assert response.status_code == 422, (body, response.text)
        assert reason in response.text, (body, response.text)
    assert staff.get("/api/v1/bids").json() == []  # nothing half-written


def test_statuses_labels_and_the_409_on_a_stale_write(staff: TestClient, loaded: Container) -> None:
    bid = by_hand(staff)
    url = f"/api/v1/bids/{bid['id']}"
    moved = staff.post(f"{url}/status", json={"version": 1, "status": "internal_review"})
    assert moved.status_code == 200 and moved.json()["version"] == 2
    # a second member of staff still holds version 1: refused, and nothing is lost
    stale = staff.patch(url, json={"version": 1, "funder": "MRC"})
    assert stale.status_code == 409 and "reload" in stale.text
    assert staff.patch(url, json={"version": 2, "funder": "NIHR"}).json()["funder"] == "NIHR"
    assert staff.post(f"{url}/status", json={"version": 3, "status": "funded"}).status_code == 409
    assert staff.post(f"{url}/status", json={"version": 3, "status": "won"}).status_code == 422
    staff.post(f"{url}/status", json={"version": 3, "status": "submitted"})
    done = staff.post(f"{url}/status", json={"version": 4, "status": "funded"}).json()
    assert done["status"] == "funded" and set(done["status_dates"]) >= {"submitted", "funded"}
    assert [(lbl.profile_id, lbl.label) for lbl in loaded.bids.outcome_labels()] == [
        ("acad-falls", "funded")
    ]
    assert staff.patch(url, json={"version": 5, "deadline": "2001-01-01"}).status_code == 422
    actions = {e.action for e in loaded.audit.entries(target=f"bid/{bid['id']}")[0]}
    assert {AuditAction.BID_CREATE, AuditAction.BID_STATUS, AuditAction.BID_UPDATE} <= actions
    assert staff.get("/api/v1/bids/summary").json()["success_rate"] == 1.0


def test_members_are_swapped_with_the_checks_run_again(staff: TestClient) -> None:
    bid = by_hand(staff, requester_organisation="org-trust-a")
    url = f"/api/v1/bids/{bid['id']}"
    refused = staff.post(
        f"{url}/members", json={"version": 1, "profile_id": "clin-elderly", "role": "nhs_partner"}
    )
    assert refused.status_code == 422 and "conflict of interest" in refused.text
    added = staff.post(
        f"{url}/members", json={"version": 1, "profile_id": "sme-steps", "role": "sme_partner"}
    )
    assert added.status_code == 200, added.text
    swapped = staff.post(
        f"{url}/members/acad-falls/swap", json={"version": 2, "replacement": "acad-retina"}
    )
    assert swapped.status_code == 200, swapped.text
    assert [(m["profile_id"], m["role"]) for m in swapped.json()["members"]] == [
        ("acad-retina", "lead"),
        ("sme-steps", "sme_partner"),
    ]
    no_consent = staff.post(
        f"{url}/members/acad-retina/swap", json={"version": 3, "replacement": "acad-hidden"}
    )
    assert no_consent.status_code == 422
    removed = staff.delete(f"{url}/members/sme-steps", params={"version": 3})
    assert [m["profile_id"] for m in removed.json()["members"]] == ["acad-retina"]
    assert staff.delete(f"{url}/members/sme-steps", params={"version": 4}).status_code == 404


def test_checklist_steps_get_owners_and_dates_and_overdue_ones_are_flagged(
    staff: TestClient,
) -> None:
    bid = by_hand(staff)
    item = bid["checklist"][0]
    url = f"/api/v1/bids/{bid['id']}/checklist/{item['id']}"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    changed = staff.patch(
        url, json={"version": 1, "owner": "R&D office", "due": yesterday, "state": "in_progress"}
    )
    assert changed.status_code == 200, changed.text
    step = changed.json()["checklist"][0]
    assert (step["owner"], step["due"], step["state"], step["overdue"]) == (
        "R&D office",
        yesterday,
        "in_progress",
        True,
    )
    closed = staff.patch(url, json={"version": 2, "state": "done"}).json()["checklist"][0]
    assert closed["overdue"] is False
    assert (
        staff.patch(f"/api/v1/bids/{bid['id']}/checklist/99999", json={"version": 3}).status_code
        == 404
    )


def test_the_calendar_feed_parses_and_lists_the_deadlines(staff: TestClient) -> None:
    bid = by_hand(staff)
    response = staff.get("/api/v1/bids/calendar.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/calendar"
    )
    feed = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
    deadline = events[f"bid-{bid['id']}-deadline@ke-matcher"]
    assert str(deadline["summary"]) == "Deadline: Falls call"
    assert deadline.decoded("dtstart") == date.fromisoformat(SOON)
    assert any("Ethics" in str(e["summary"]) for e in events.values())


def test_exports_neutralise_formulas(staff: TestClient, loaded: Container) -> None:
    by_hand(staff, call_name='=HYPERLINK("x")')
    text = staff.get("/api/v1/bids/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["call_name"].startswith("'=") and rows[0]["lead"] == "Dr Ada Fallow"
    book = load_workbook(io.BytesIO(staff.get("/api/v1/bids/export.xlsx").content))
    assert str(book["Bids"]["B2"].value).startswith("'=")
    assert loaded.audit.entries(action=AuditAction.BID_EXPORT)[1] == 2


def test_templates_are_read_by_staff_and_replaced_by_admins(
    staff: TestClient, loaded: Container
) -> None:
    assert len(staff.get("/api/v1/bids/templates").json()) == 5
    mine = [{"key": "costing", "title": "Costing signed off", "offset_days": -10}]
    assert staff.put("/api/v1/bids/templates", json=mine).status_code == 403
    with client_for(loaded, Role.ADMIN) as admin:
        assert admin.put("/api/v1/bids/templates", json=mine).status_code == 200
    assert [i["key"] for i in by_hand(staff)["checklist"]] == ["costing"]


def test_clinicians_may_not_see_bids(loaded: Container) -> None:
    with client_for(loaded, Role.CLINICIAN) as clinician:
        for path in (
            "/api/v1/bids",
            "/api/v1/bids/calendar.ics",
            "/api/v1/bids/export.csv",
            "/api/v1/bids/1",
        ):
            assert clinician.get(path).status_code == 403, path
        assert clinician.post("/api/v1/bids", json={"call_name": "x"}).status_code == 403


def test_erasure_removes_a_member_and_keeps_the_history_anonymised(
    staff: TestClient, loaded: Container, job: str
) -> None:
    bid = by_hand(staff)
    staff.post(
        f"/api/v1/bids/{bid['id']}/members",
        json={"version": 1, "profile_id": "sme-steps", "role": "sme_partner"},
    )
    loaded.delete("sme-steps", actor="key_admin")
    after = staff.get(f"/api/v1/bids/{bid['id']}").json()
    assert [m["profile_id"] for m in after["members"]] == ["acad-falls"]
    history = str(after["events"])
    assert "sme-steps" not in history and "(erased)" in history
    # the job's consortia named the SME: they are withdrawn with its reports
    assert not (loaded.settings.batches_dir / job / "out" / "consortia.json").exists()
