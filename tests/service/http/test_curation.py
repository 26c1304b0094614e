"""KE staff's curation of evidence over HTTP: hide and pin an item of a profile from our own
JSON Lines forms, with the audit entry, the index and the explanations following."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from index.db.audit import AuditAction
from matcher.model import Role
from service.app import create_app
from service.container import Container

URL = "/api/v1/profiles/acad-falls/evidence/{key}/curation"
BRIEF = {"text": "wearable falls alarms in residential care homes", "kinds": ["academic"]}


def client_for(container: Container, role: Role) -> TestClient:
    _key, secret = container.accounts.create_key(name=f"{role.value} user", role=role)
    return TestClient(create_app(container), headers={"authorization": f"Bearer {secret}"})


@pytest.fixture
def staff(loaded: Container) -> Iterator[TestClient]:
    with client_for(loaded, Role.KE_STAFF) as client:
        yield client


def evidence_of(client: TestClient, profile_id: str = "acad-falls") -> list[str]:
    found = client.post("/api/v1/search", json=BRIEF).json()["results"]["academic"]
    match = next(m for m in found if m["profile_id"] == profile_id)
    return [e["item_id"] for e in match["evidence"]]


def indexed_items(container: Container, profile_id: str) -> set[str]:
    return {row.item_id for row in container.catalogue.chunk_rows() if row.profile_id == profile_id}


@pytest.mark.both_backends
def test_hidden_item_leaves_the_index_the_profile_and_the_evidence(
    loaded: Container, staff: TestClient
) -> None:
    assert "g1" in evidence_of(staff)
    answer = staff.put(URL.format(key="g1"), json={"state": "hidden"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["item_key"] == "g1" and answer.json()["state"] == "hidden"
    assert "g1" not in indexed_items(loaded, "acad-falls")  # never embedded into the ranking
    assert loaded.store.current_manifest().catalogue_version == loaded.catalogue.version
    assert "g1" not in evidence_of(staff)
    profile = staff.get("/api/v1/profiles/acad-falls").json()
    assert [e["id"] for e in profile["evidence"]] == ["p1", "p2"]
    # and back: the item returns to the profile and the index
    assert staff.put(URL.format(key="g1"), json={"state": "none"}).status_code == 200
    assert "g1" in indexed_items(loaded, "acad-falls")
    assert "g1" in [e["id"] for e in staff.get("/api/v1/profiles/acad-falls").json()["evidence"]]


def test_pinned_item_is_always_shown_first(loaded: Container, staff: TestClient) -> None:
    # the academic's least fitting item for a brief about sensors on wards, and it is shown
    brief = {"text": "accelerometer falls detection inpatients", "kinds": ["academic"]}
    before = staff.post("/api/v1/search", json=brief).json()["results"]["academic"]
    assert staff.put(URL.format(key="g1"), json={"state": "pinned"}).status_code == 200
    after = staff.post("/api/v1/search", json=brief).json()["results"]["academic"]
    match = next(m for m in after if m["profile_id"] == "acad-falls")
    assert match["evidence"][0]["item_id"] == "g1" and match["evidence"][0]["pinned"] is True
    assert len(match["evidence"]) >= len(
        next(m for m in before if m["profile_id"] == "acad-falls")["evidence"]
    )
    profile = staff.get("/api/v1/profiles/acad-falls").json()
    assert {e["id"]: e["pinned"] for e in profile["evidence"]} == {
        "p1": False,
        "p2": False,
        "g1": True,
    }


def test_every_change_is_audited_with_ids_only(loaded: Container, staff: TestClient) -> None:
    staff.put(URL.format(key="p2"), json={"state": "pinned"})
    staff.put(URL.format(key="p2"), json={"state": "none"})
    entries, total = loaded.audit.entries(action=AuditAction.EVIDENCE_CURATION)
    assert total == 2
    assert [(e.target, e.detail) for e in entries] == [
        ("acad-falls", {"item": "p2", "state": "none"}),
        ("acad-falls", {"item": "p2", "state": "pinned"}),
    ]
    assert all(e.actor and e.actor != "cli" for e in entries)


def test_clinicians_may_not_curate(loaded: Container) -> None:
    with client_for(loaded, Role.CLINICIAN) as client:
        answer = client.put(URL.format(key="g1"), json={"state": "hidden"})
    assert answer.status_code == 403
    assert "g1" in indexed_items(loaded, "acad-falls")
    assert loaded.audit.entries(action=AuditAction.EVIDENCE_CURATION)[1] == 0


@pytest.mark.parametrize(
    ("url", "body", "status"),
    [
        (URL.format(key="no-such-item"), {"state": "hidden"}, 404),
        ("/api/v1/profiles/nobody/evidence/p1/curation", {"state": "hidden"}, 404),
        (URL.format(key="p1"), {"state": "featured"}, 422),
        (URL.format(key="p1"), {"state": "hidden", "extra": 1}, 422),
    ],
)
def test_unknown_items_and_bad_states_are_refused(
    loaded: Container, staff: TestClient, url: str, body: dict[str, object], status: int
) -> None:
    assert staff.put(url, json=body).status_code == status
    assert loaded.sources.curation_of(["acad-falls"]) == {}


def test_a_doi_names_an_item_with_slashes_in_the_path(loaded: Container) -> None:
    from dataclasses import replace

    profile = loaded.catalogue.get_profile("acad-falls")
    first = replace(profile.evidence[0], doi="10.5555/falls.2022.1")
    loaded.upsert_profile(replace(profile, evidence=(first, *profile.evidence[1:])))
    with client_for(loaded, Role.ADMIN) as admin:
        answer = admin.put(
            "/api/v1/profiles/acad-falls/evidence/10.5555/FALLS.2022.1/curation",
            json={"state": "hidden"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["item_key"] == "doi:10.5555/falls.2022.1"
        shown = [e["id"] for e in admin.get("/api/v1/profiles/acad-falls").json()["evidence"]]
    assert shown == ["p2", "g1"]
    assert "p1" not in indexed_items(loaded, "acad-falls")
