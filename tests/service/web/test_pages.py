"""The pages through the app (TestClient, fake encoder): the search's results URL, the cards'
forms, introductions proposed from a card, labels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from matcher.model import Role
from service.app import create_app
from service.container import Container


def signed_in(container: Container, role: Role) -> tuple[TestClient, str]:
    """A client signed in through the form, and its session's CSRF token."""
    _key, secret = container.accounts.create_key(name=f"{role.value} page user", role=role)
    client = TestClient(create_app(container), follow_redirects=False)
    client.get("/login")
    signed = client.post(
        "/login", data={"key": secret, "csrf": client.cookies.get("ke_login_csrf")}
    )
    assert signed.status_code == 303
    return client, client.get("/").text.split('name="csrf" value="')[1].split('"')[0]


@pytest.fixture
def staff(loaded: Container) -> Iterator[tuple[TestClient, str]]:
    client, csrf = signed_in(loaded, Role.KE_STAFF)
    with client:
        yield client, csrf


def search(client: TestClient, csrf: str, text: str, **filters: str) -> tuple[str, str]:
    """Post the search form; the results URL it redirects to and that page's HTML."""
    posted = client.post("/", data={"text": text, "csrf": csrf, **filters})
    assert posted.status_code == 303, posted.text[:300]
    url = posted.headers["location"]
    page = client.get(url)
    assert page.status_code == 200
    return url, page.text


def test_a_search_redirects_to_a_results_url_without_the_brief(
    staff: tuple[TestClient, str], loaded: Container
) -> None:
    client, csrf = staff
    brief = "wearable sensors to detect falls in older inpatients"
    url, page = search(client, csrf, brief, kind="clinical_team")
    assert url.startswith("/?brief=") and "kind=clinical_team" in url and url.endswith("#results")
    assert "wearable" not in url  # the brief stays out of URLs and access logs
    assert "Care of the Elderly" in page and 'id="results"' in page
    again = client.get(url)  # reload, Back, or the link shared with a colleague
    assert again.status_code == 200 and "Care of the Elderly" in again.text
    colleague, _csrf = signed_in(loaded, Role.CLINICIAN)
    with colleague:
        assert "Care of the Elderly" in colleague.get(url).text
    # searching the same brief again names the same saved brief
    assert search(client, csrf, brief, kind="clinical_team")[0] == url
    expired = client.get("/?brief=0123456789abcdef0123456789abcdef")
    assert expired.status_code == 404 and "search again" in expired.text


def test_a_brief_that_cannot_be_searched_is_shown_again_with_the_reason(
    staff: tuple[TestClient, str], loaded: Container
) -> None:
    client, csrf = staff
    too_long = "falls " * (loaded.settings.max_brief_chars // 6 + 10)
    refused = client.post("/", data={"text": too_long, "csrf": csrf})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert client.post("/", data={"text": "  ", "csrf": csrf}).status_code == 422


def test_the_page_has_a_search_button_and_jump_links_with_counts(
    staff: tuple[TestClient, str],
) -> None:
    client, csrf = staff
    page = client.get("/").text
    assert ">Search</button>" in page
    _url, page = search(client, csrf, "falls in older inpatients")
    for kind, label in (("academic", "Academics"), ("clinical_team", "Clinical teams")):
        assert f'href="#h-{kind}">{label} (' in page and f'id="h-{kind}"' in page
    assert 'href="#h-sme">SMEs (' in page


def test_a_long_brief_is_in_the_page_once_not_in_every_card(
    staff: tuple[TestClient, str], loaded: Container
) -> None:
    client, csrf = staff
    marker = "quokkatelemetry"
    brief = ("falls in older inpatients " + marker + " ") * 10
    brief += "wearable sensors " * ((20_000 - len(brief)) // len("wearable sensors "))
    assert 19_000 < len(brief) <= loaded.settings.max_brief_chars
    _url, short = search(client, csrf, "falls in older inpatients wearable sensors")
    _url, page = search(client, csrf, brief)
    assert page.count(marker) == 10  # the textarea only: cards name the brief by its id
    cards = page.count('class="card"')
    assert cards >= 5
    # the brief once, plus the results (about what a short brief's page weighs)
    assert len(page.encode()) < len(brief) + len(short.encode()) + 20_000


def test_cards_send_the_brief_by_id_to_the_shortlist(
    staff: tuple[TestClient, str], loaded: Container
) -> None:
    client, csrf = staff
    brief = "falls in older inpatients"
    _url, page = search(client, csrf, brief)
    brief_id = page.split('name="brief_id" value="')[1].split('"')[0]
    added = client.post(
        "/shortlist/add", data={"profile_id": "acad-falls", "brief_id": brief_id, "csrf": csrf}
    )
    assert added.status_code == 303
    key_id = next(k.id for k in loaded.accounts.list_keys() if k.name == "ke_staff page user")
    assert [e.brief for e in loaded.accounts.shortlist(key_id)] == [brief]


def test_an_introduction_needs_who_asked_and_is_not_offered_twice(
    staff: tuple[TestClient, str], loaded: Container
) -> None:
    client, csrf = staff
    brief = "wearable sensors to detect falls in older inpatients"
    url, page = search(client, csrf, brief, kind="clinical_team")
    assert "Requested by (name, role or team)" in page
    brief_id = page.split('name="brief_id" value="')[1].split('"')[0]
    form = {"profile_id": "clin-elderly", "brief_id": brief_id, "csrf": csrf}
    for missing in ({}, {"requester": ""}, {"requester": "\u200b\u2060"}):
        assert client.post("/introductions", data={**form, **missing}).status_code == 422
    proposed = client.post("/introductions", data={**form, "requester": "Sister Jo Smith, Ward 7"})
    assert proposed.status_code == 303
    (created,) = loaded.introductions.find(profile_id="clin-elderly")
    assert (created.requester, created.brief) == ("Sister Jo Smith, Ward 7", brief)
    # the next search shows it instead of the button
    page = client.get(url).text
    card = page.split('data-profile="clin-elderly"')[1].split("</article>")[0]
    assert (
        f'Introduction already proposed (<a href="/introductions#intro-{created.id}">#{created.id}</a>)'
        in card
    )
    assert "Propose introduction" not in card
    # a second proposal (another tab): 409 naming the first, to the script and to a form
    twice = client.post(
        "/introductions",
        data={**form, "requester": "Someone"},
        headers={"x-requested-with": "fetch"},
    )
    assert twice.status_code == 409 and twice.json()["introduction_id"] == created.id
    page_twice = client.post("/introductions", data={**form, "requester": "Someone"})
    assert page_twice.status_code == 409 and f"#{created.id}" in page_twice.text
    board = client.get("/introductions").text
    assert 'Requested by <span class="requester">Sister Jo Smith, Ward 7</span>' in board


def test_labels_of_kinds_are_spelt_one_way(staff: tuple[TestClient, str]) -> None:
    client, _csrf = staff
    assert '<p class="meta">SME · Stepwise Sensors Ltd' in client.get("/profiles/sme-steps").text
    page = client.get("/profiles/acad-falls").text
    assert '<p class="meta">Academic · ' in page and "Similar academics" in page


def test_the_summary_item_shows_no_internal_title(staff: tuple[TestClient, str]) -> None:
    client, csrf = staff
    _url, page = search(client, csrf, "wearable motion sensors falls")
    assert "Profile summary" not in page
