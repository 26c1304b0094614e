"""A result card's "relevant / not relevant" in the browser (the page's script): the choice is
recorded, shown on the card, announced by the page's status region, and can be changed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from matcher.model import Role
from service.container import Container
from tests.browser.test_pages import BRIEF, sign_in

pytestmark = pytest.mark.model


def test_a_card_is_marked_relevant_then_not_without_a_reload(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str]
) -> None:
    url, container = server
    before = len(container.feedback.labels())
    page = sign_in(browser, url, keys[Role.CLINICIAN])
    page.get_by_label("Your brief").fill(BRIEF)
    page.get_by_role("button", name="All", exact=True).click()
    page.wait_for_url("**/?brief=**")
    card = page.locator("article.card").first
    name = card.locator("h3").inner_text()
    relevant = card.get_by_role("button", name=f"Relevant for {name}", exact=True)
    not_relevant = card.get_by_role("button", name=f"Not relevant for {name}", exact=True)
    address = page.url
    relevant.focus()
    page.keyboard.press("Enter")  # the keyboard alone
    said = f"You marked {name} relevant. Thank you."
    card.get_by_text(said).wait_for()
    assert page.locator("#toast").text_content() == said  # role=status: screen readers hear it
    assert relevant.get_attribute("aria-pressed") == "true"
    assert not_relevant.get_attribute("aria-pressed") == "false"
    not_relevant.click()
    card.get_by_text(re.compile(f"You marked {re.escape(name)} not relevant")).wait_for()
    assert relevant.get_attribute("aria-pressed") == "false"
    assert page.url == address  # no reload
    labels = container.feedback.labels()[before:]
    assert [(x.relevant, x.role) for x in labels] == [(False, "clinician")]  # replaced
    # coming back to the same results: the card shows the earlier choice (the label's vector is
    # the one the search encoded, so the page finds it)
    page.goto(address.split("#")[0])  # a new load (the same URL with its fragment would not reload)
    card = page.locator("article.card").first
    assert card.locator("h3").inner_text() == name
    card.get_by_text(f"You marked {name} not relevant for this brief before").wait_for()
    assert (
        card.get_by_role("button", name=f"Not relevant for {name}", exact=True).get_attribute(
            "aria-pressed"
        )
        == "true"
    )
    assert (
        card.get_by_role("button", name=f"Relevant for {name}", exact=True).get_attribute(
            "aria-pressed"
        )
        == "false"
    )
    assert not page.errors
    page.close()
