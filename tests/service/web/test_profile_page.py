"""The profile page: each evidence item's provenance (escaped, safe links) and KE staff's hide
and pin buttons (forms with the session's CSRF token)."""

from __future__ import annotations

from dataclasses import replace

from matcher.model import Provenance, Role
from service.container import Container
from tests.service.http.test_security import browser_session

OPENALEX = Provenance(
    "openalex", "W4300000001", "https://openalex.org/W4300000001", "2026-01-05T10:00:00+00:00"
)
HOSTILE = Provenance("gtr", '<script>alert("x")</script>', "javascript:alert(1)", "")


def with_provenance(container: Container) -> None:
    profile = container.catalogue.get_profile("acad-falls")
    first = replace(profile.evidence[0], doi="10.5555/falls.2022.1", provenance=(OPENALEX, HOSTILE))
    container.upsert_profile(replace(profile, evidence=(first, *profile.evidence[1:])))


def test_each_item_shows_where_it_comes_from(loaded: Container) -> None:
    with_provenance(loaded)
    client, _csrf = browser_session(loaded, Role.CLINICIAN)
    with client:
        page = client.get("/profiles/acad-falls").text
    assert "OpenAlex W4300000001, retrieved 2026-01-05" in page
    assert '<a href="https://openalex.org/W4300000001" rel="noopener">' in page
    assert (
        '<a href="https://doi.org/10.5555/falls.2022.1" rel="noopener">doi:10.5555/falls.2022.1'
        in page
    )
    assert "<script>alert" not in page and "&lt;script&gt;" in page  # escaped
    assert "javascript:" not in page  # a source's URL that is not http(s) is no link
    assert 'evidence/curation"' not in page  # clinicians get no curation buttons


def test_staff_hide_and_pin_from_the_page(loaded: Container) -> None:
    client, csrf = browser_session(loaded, Role.KE_STAFF)
    with client:
        page = client.get("/profiles/acad-falls").text
        assert page.count('action="/profiles/acad-falls/evidence/curation"') == 6  # 3 items × 2
        form = {"csrf": csrf, "item_key": "g1", "state": "hidden"}
        assert client.post("/profiles/acad-falls/evidence/curation", data=form).status_code == 303
        page = client.get("/profiles/acad-falls").text
        assert "Wearable falls alerts for care homes" not in page
        assert "Show g1 again" in page
        form = {"csrf": csrf, "item_key": "p2", "state": "pinned"}
        assert client.post("/profiles/acad-falls/evidence/curation", data=form).status_code == 303
        page = client.get("/profiles/acad-falls").text
        assert "· pinned" in page and ">Unpin<" in page
        # without the session's token the form is refused, and nothing changes
        refused = client.post(
            "/profiles/acad-falls/evidence/curation", data={"item_key": "p1", "state": "hidden"}
        )
        assert refused.status_code == 403
    assert loaded.sources.curation_of(["acad-falls"]) == {
        "acad-falls": {"g1": "hidden", "p2": "pinned"}
    }


def test_clinicians_may_not_post_the_form(loaded: Container) -> None:
    client, csrf = browser_session(loaded, Role.CLINICIAN)
    with client:
        answer = client.post(
            "/profiles/acad-falls/evidence/curation",
            data={"csrf": csrf, "item_key": "g1", "state": "hidden"},
        )
    assert answer.status_code == 403
    assert loaded.sources.curation_of(["acad-falls"]) == {}


def test_search_cards_show_provenance(loaded: Container) -> None:
    with_provenance(loaded)
    client, csrf = browser_session(loaded, Role.CLINICIAN)
    with client:
        answer = client.post("/", data={"text": "accelerometer falls inpatients", "csrf": csrf})
        page = client.get(answer.headers["location"]).text  # the results URL (post-redirect-get)
    assert "openalex W4300000001, retrieved 2026-01-05" in page
