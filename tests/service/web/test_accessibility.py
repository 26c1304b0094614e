"""The accessibility statement: served to everyone, linked from every page's footer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from matcher.model import Role
from service.app import create_app
from service.container import Container
from tests.service.http.test_security import browser_session

FOOTER_LINK = '<a href="/accessibility">Accessibility statement</a>'


def test_the_statement_is_public_and_says_what_it_meets(loaded: Container) -> None:
    with TestClient(create_app(loaded), follow_redirects=False) as client:
        page = client.get("/accessibility")
    assert page.status_code == 200
    assert "<h1>Accessibility statement for ke-matcher</h1>" in page.text
    assert "WCAG" in page.text and "2.2" in page.text and "level AA" in page.text
    assert "Known limits" in page.text and "Reporting a problem" in page.text


def test_every_page_links_to_it_signed_in_or_not(loaded: Container) -> None:
    with TestClient(create_app(loaded), follow_redirects=False) as client:
        for path in ("/login", "/accessibility", "/no-such-page"):
            assert FOOTER_LINK in client.get(path).text, path
    client, _csrf = browser_session(loaded, Role.KE_STAFF)
    with client:
        for path in (
            "/",
            "/shortlist",
            "/introductions",
            "/batches",
            "/bids",
            "/profiles/acad-falls",
        ):
            page = client.get(path)
            assert page.status_code == 200 and FOOTER_LINK in page.text, path
