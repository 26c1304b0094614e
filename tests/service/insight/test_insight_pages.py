"""The capability-gap page and the insight API through the app (fake encoder): KE staff only,
the threshold and SDG as query parameters, bad values a 422, exports neutralised."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from matcher.model import Role
from service.app import create_app
from service.container import Container
from tests.service.web.test_pages import signed_in


@pytest.fixture
def pool(loaded: Container) -> Container:
    loaded.sync()
    return loaded


def api(container: Container, role: Role) -> TestClient:
    _key, secret = container.accounts.create_key(name=f"{role.value} api", role=role)
    return TestClient(create_app(container), headers={"authorization": f"Bearer {secret}"})


def test_the_gaps_page_is_for_ke_staff(pool: Container) -> None:
    clinician, _ = signed_in(pool, Role.CLINICIAN)
    with clinician:
        assert clinician.get("/insight/gaps").status_code == 403
        assert clinician.get("/insight/gaps/export.csv").status_code == 403
    staff, _ = signed_in(pool, Role.KE_STAFF)
    with staff:
        page = staff.get("/insight/gaps?threshold=-1.5")
        assert page.status_code == 200
        assert re.search(r'<svg[^>]* role="img"', page.text) and "Untapped academics" in page.text
        assert 'value="-1.5"' in page.text and "Capability gaps" in page.text
        assert "threshold=-1.5" in page.text  # the exports of what is shown
        assert staff.get("/insight/gaps?threshold=11").status_code == 422
        assert staff.get("/insight/gaps?sdg=18").status_code == 422
        assert staff.get("/insight/gaps?sdg=3").status_code == 200
        exported = staff.get("/insight/gaps/export.csv")
        assert exported.status_code == 200 and exported.headers["content-type"].startswith(
            "text/csv"
        )
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows and {"coverage", "title", "academic_1"} <= set(rows[0])
        assert staff.get("/insight/gaps/export.xlsx").status_code == 200
        assert staff.get("/insight/gaps/export.pdf").status_code == 404


def test_the_insight_api_is_for_ke_staff(pool: Container) -> None:
    with api(pool, Role.CLINICIAN) as clinician:
        assert clinician.get("/api/v1/insight/gaps").status_code == 403
        assert clinician.get("/api/v1/insight/themes").status_code == 403
    with api(pool, Role.KE_STAFF) as staff:
        found = staff.get("/api/v1/insight/gaps", params={"threshold": -3.5})
        assert found.status_code == 200, found.text
        body = found.json()
        assert body["served_threshold"] == -3.5 and body["weak_threshold"] == -3.5
        assert sum(body["counts"].values()) == len(body["needs"]) > 0
        themes = staff.get("/api/v1/insight/themes").json()
        assert themes and all(t["id"].startswith("T") for t in themes)
        described = staff.post("/api/v1/insight/describe", json={"text": "falls in older people"})
        assert described.status_code == 200 and described.json()["themes"]
        assert staff.post("/api/v1/insight/describe", json={"text": ""}).status_code == 422
