from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from matcher.model import Role
from service.app import create_app
from service.container import Container

pytestmark = pytest.mark.both_backends

BRIEF = {"text": "wearable sensors detect falls older inpatients"}


@pytest.fixture
def client(loaded: Container) -> Iterator[TestClient]:
    _key, secret = loaded.accounts.create_key(name="test clinician", role=Role.CLINICIAN)
    with TestClient(
        create_app(loaded), headers={"authorization": f"Bearer {secret}"}
    ) as test_client:
        yield test_client


def test_search_returns_groups_with_evidence(client: TestClient) -> None:
    response = client.post("/api/v1/search", json={**BRIEF, "top": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body["results"]) == {"academic", "clinical_team", "sme"}
    first = body["results"]["academic"][0]
    assert first["profile_id"] == "acad-falls" and first["rank"] == 1
    assert first["evidence"][0]["title"] and first["evidence"][0]["snippet"]
    assert first["url"] == "/api/v1/profiles/acad-falls"
    assert "contact" not in first


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"text": "falls", "kinds": ["robot"]}, "kinds.0"),
        ({"text": "falls", "top": 0}, "top"),
        ({"text": "falls", "colour": "blue"}, "colour"),
        ({}, "text"),
        ({"text": 42}, "text"),
    ],
)
def test_invalid_search_is_422_naming_the_field(
    client: TestClient, payload: dict[str, object], field: str
) -> None:
    response = client.post("/api/v1/search", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert body["message"].startswith(field)


def test_malformed_json_and_wrong_content_type_are_4xx(client: TestClient) -> None:
    broken = client.post(
        "/api/v1/search", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    assert "JSON" in broken.json()["message"]
    text = client.post("/api/v1/search", content=b"falls", headers={"content-type": "text/plain"})
    assert 400 <= text.status_code < 500


def test_profile_and_unknown_ids(client: TestClient) -> None:
    profile = client.get("/api/v1/profiles/acad-falls")
    assert profile.status_code == 200
    body = profile.json()
    assert body["organisation"]["name"] == "University of Testfold"
    assert len(body["evidence"]) == 3 and body["contact"] is None
    missing = client.get("/api/v1/profiles/nobody")
    assert missing.status_code == 404
    assert missing.json()["message"] == "no profile with id 'nobody'"
    assert client.get("/api/v1/profiles/acad-hidden").status_code == 404  # no consent
    assert client.get("/api/v1/nothing").status_code == 404


def test_status_reports_the_manifest(loaded: Container) -> None:
    """The admins' status (counts and versions moved here from the public /health)."""
    _key, secret = loaded.accounts.create_key(name="test admin", role=Role.ADMIN)
    with TestClient(create_app(loaded), headers={"x-api-key": secret}) as admin:
        body = admin.get("/api/v1/status").json()
    assert body["status"] == "ok" and body["problem"] is None
    assert body["index"]["vector_count"] == loaded.engine.snapshot().size
    assert body["model_id"] == "fake-bow@1"
    assert body["counts"]["profiles"] == 6


def test_no_index_is_503_not_500(container: Container) -> None:
    _key, secret = container.accounts.create_key(name="t", role=Role.CLINICIAN)
    with TestClient(create_app(container), headers={"x-api-key": secret}) as client:
        response = client.post("/api/v1/search", json=BRIEF)
    assert response.status_code == 503
    assert "matcher build" in response.json()["message"]
