"""Cards say how strong a match is in words, and the page says when nothing matches."""

from __future__ import annotations

from typing import Any

import pytest

from matcher.model import Role
from service.container import Container
from tests.browser.test_pages import BRIEF, sign_in

pytestmark = pytest.mark.model


def test_cards_show_strength_and_the_page_says_no_strong_match(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str]
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.CLINICIAN])
    page.get_by_label("Your brief").fill(BRIEF)
    page.get_by_role("button", name="All", exact=True).click()
    page.locator("#results").wait_for()
    first = page.locator("article.card").first
    assert "strong match" in first.locator(".strength").inner_text()
    assert page.locator("#no-strong-match").count() == 0

    page.get_by_label("Your brief").fill("What is the capital of France?")
    page.get_by_role("button", name="All", exact=True).click()
    page.locator("#results").wait_for()
    message = page.locator("#no-strong-match")
    assert message.is_visible() and "No strong match in the pool" in message.inner_text()
    strengths = page.locator("article.card .strength").all_inner_texts()
    assert strengths and all(s == "no real match" for s in strengths)
    assert page.errors == []
    page.close()
