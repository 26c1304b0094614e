"""KE staff in the browser: the capability-gap report shows its histogram with a text
alternative and the data beside it, per theme and per organisation; clinicians are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from matcher.model import Role
from service.container import Container
from tests.browser.test_pages import sign_in

pytestmark = pytest.mark.model


def test_the_gap_report_shows_its_histogram_and_tables(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], screenshots: Path
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.KE_STAFF])
    page.get_by_role("link", name="Capability gaps").click()
    assert page.get_by_role("heading", name="Capability gaps", level=1).is_visible()
    chart = page.locator('svg[role="img"]').first
    assert chart.is_visible()
    assert chart.locator("desc").count() == 1  # the text alternative
    assert page.locator("table").count() >= 2  # the data beside the chart, themes, organisations
    assert page.errors == []
    page.screenshot(path=str(screenshots / "gaps.png"), full_page=False)
    page.close()
    clinician = sign_in(browser, url, keys[Role.CLINICIAN])
    response = clinician.goto(f"{url}/insight/gaps")
    assert response is not None and response.status == 403
    clinician.close()
