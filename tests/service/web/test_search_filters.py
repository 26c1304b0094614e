"""The search page's "published since" and SDG filters (fake encoder): kept in the results URL,
passed to the same filters as ``POST /api/v1/search``, a bad value an error summary (422)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from matcher.insight.sdg import SdgTag
from matcher.model import Role
from service.container import Container
from service.insight.themes import insight_store
from tests.service.http.test_api_v1 import client_for
from tests.service.web.test_pages import search, signed_in

BRIEF = "falls detection in older inpatients with wearable sensors"


def shown(page: str) -> set[str]:
    return set(re.findall(r'data-profile="([^"]+)"', page))


def answered(api: TestClient, **filters: object) -> set[str]:
    body = api.post("/api/v1/search", json={"text": BRIEF, **filters}).json()
    lists = [*body["results"].values(), *body["exact_matches"].values()]
    return {m["profile_id"] for matches in lists for m in matches}


@pytest.fixture
def clients(loaded: Container) -> Iterator[tuple[TestClient, str, TestClient]]:
    page, csrf = signed_in(loaded, Role.CLINICIAN)
    with page, client_for(loaded, Role.CLINICIAN) as api:
        yield page, csrf, api


def test_since_and_sdgs_filter_the_page_as_the_api_does(
    loaded: Container, clients: tuple[TestClient, str, TestClient]
) -> None:
    page, csrf, api = clients
    loaded.sync()
    insight_store(loaded).save_sdg_tags([("acad-falls", "", SdgTag(3, 0.9))])
    _url, everyone = search(page, csrf, BRIEF)
    url, only_goal = search(page, csrf, BRIEF, sdg="3")
    assert "sdg=3" in url  # shareable: the filter is in the results URL
    assert shown(only_goal) == answered(api, sdgs=[3]) == {"acad-falls"}
    assert 'id="sdg-3" name="sdg" value="3" checked' in only_goal
    assert 'id="sdg-4" name="sdg" value="4">' in only_goal  # the others unticked
    url, recent = search(page, csrf, BRIEF, since="2023")
    assert "since=2023" in url and 'value="2023"' in recent
    assert shown(recent) == answered(api, since=2023)
    assert shown(recent) and shown(recent) < shown(everyone)
    both = page.get(url.removesuffix("#results") + "&sdg=3")
    assert both.status_code == 200
    assert shown(both.text) == answered(api, since=2023, sdgs=[3]) <= {"acad-falls"}


BAD = [("since", "20x0"), ("since", "1800"), ("since", "²⁰²⁰"), ("sdg", "18"), ("sdg", "9" * 5000)]


def test_a_bad_year_or_goal_is_an_error_summary_not_a_500(
    clients: tuple[TestClient, str, TestClient],
) -> None:
    page, csrf, _api = clients
    saved = page.post("/", data={"text": BRIEF, "csrf": csrf}).headers["location"]
    for field, value in BAD:
        posted = page.post("/", data={"text": BRIEF, "csrf": csrf, field: value})
        target = "since" if field == "since" else "sdgs"
        assert posted.status_code == 422, (field, value)
        assert 'role="alert"' in posted.text and f'href="#{target}"' in posted.text
        assert f'<p class="error-message" id="{target}-error">' in posted.text
        if field == "since":
            assert 'aria-invalid="true"' in posted.text.split('id="since"')[1].split(">")[0]
        # the same from a tampered results URL: the page with the summary, not a 500
        tampered = page.get(saved.removesuffix("#results") + f"&{field}={value[:50]}")
        assert tampered.status_code == 422 and f'href="#{target}"' in tampered.text
