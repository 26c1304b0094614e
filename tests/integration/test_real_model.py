"""End to end with the real packaged model and real FAISS: what a user would get."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from index.encoders.base import packaged_model_path
from index.encoders.sentence_transformer import SentenceTransformerEncoder
from matcher.model import Role
from service.app import create_app
from service.container import Container, build_container
from service.settings import Settings
from tests.conftest import DEMO_FILES

pytestmark = pytest.mark.model

FALLS = "wearable sensors to detect falls in older inpatients"


@pytest.fixture
def demo(demo_container: Container) -> Container:
    return demo_container


def test_packaged_model_loads_offline(real_encoder: SentenceTransformerEncoder) -> None:
    assert real_encoder.model_path == packaged_model_path()
    vectors = real_encoder.encode(
        ["falls in older people", "falls among elderly patients", "tax law"]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_small_data_ranks_the_right_people(
    tmp_path: Path, real_encoder: SentenceTransformerEncoder
) -> None:
    container = build_container(Settings(data_dir=tmp_path, reload_seconds=0), encoder=real_encoder)
    container.ingest(DEMO_FILES)
    _key, secret = container.accounts.create_key(name="t", role=Role.CLINICIAN)
    with TestClient(create_app(container), headers={"x-api-key": secret}) as client:
        body = client.post("/api/v1/search", json={"text": FALLS}).json()
        eye = client.post(
            "/api/v1/search", json={"text": "grading retinal photographs with AI"}
        ).json()
    assert body["results"]["academic"][0]["profile_id"] == "acad-falls"
    assert body["results"]["clinical_team"][0]["profile_id"] == "clin-elderly"
    assert eye["results"]["academic"][0]["profile_id"] == "acad-retina"
    assert eye["results"]["clinical_team"][0]["profile_id"] == "clin-eye"
    container.close()


def test_demo_search_finds_all_three_kinds_with_evidence(demo: Container) -> None:
    demo.settings.anonymous_search = True  # as make run serves it: the README's curl has no key
    with TestClient(create_app(demo)) as client:
        response = client.post("/api/v1/search", json={"text": FALLS})
    assert response.status_code == 200
    results = response.json()["results"]
    for kind in ("academic", "clinical_team", "sme"):
        assert results[kind], kind
        top = results[kind][0]
        assert top["evidence"] and top["evidence"][0]["snippet"]
        text = " ".join(
            [top["name"], top["unit"], *top["shared_terms"]]
            + [e["title"] + " " + e["snippet"] for e in top["evidence"]]
        ).lower()
        assert "fall" in text, (kind, top)


def test_demo_delete_removes_profile_from_results(demo: Container) -> None:
    _key, secret = demo.accounts.create_key(name="admin", role=Role.ADMIN)
    with TestClient(create_app(demo), headers={"x-api-key": secret}) as client:
        first = client.post("/api/v1/search", json={"text": FALLS, "kinds": ["academic"]}).json()
        victim = first["results"]["academic"][0]["profile_id"]
        assert client.delete(f"/api/v1/profiles/{victim}").status_code == 200
        again = client.post("/api/v1/search", json={"text": FALLS, "kinds": ["academic"]}).json()
        assert victim not in {m["profile_id"] for m in again["results"]["academic"]}
        assert client.get(f"/api/v1/profiles/{victim}").status_code == 404
