"""The partnership dashboard in Chromium: the file ``matcher report partnership`` writes opens
with no network at all (every request outside the file is refused and counted), its charts are
images with text alternatives beside data tables; the page for KE staff, 403 for clinicians."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from matcher.model import Role
from service.cli import main
from service.container import Container
from service.insight.demo import seed_demo_history
from service.insight.report import FILE_NAME
from tests.browser.test_pages import sign_in

pytestmark = pytest.mark.model
DEMO = Path(__file__).parents[2] / "data" / "demo"


def test_the_exported_dashboard_opens_offline_in_chromium(
    browser: Any, container: Container, tmp_path: Path, screenshots: Path
) -> None:
    report, _ = container.ingest(
        [DEMO / "organisations.csv", DEMO / "clinical_teams.jsonl", DEMO / "workforce.jsonl",
         DEMO / "smes.csv"]
    )  # fmt: skip
    assert not report.errors
    seed_demo_history(container, end=datetime(2026, 12, 1, tzinfo=UTC))
    out = tmp_path / "report"
    assert main(["report", "partnership", "--out", str(out)], container=container) == 0
    path = out / FILE_NAME
    context = browser.new_context(offline=True)
    page = context.new_page()
    outside: list[str] = []

    def refuse(route: Any) -> None:
        if not route.request.url.startswith("file://"):
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    assert page.get_by_role("heading", name="Partnership dashboard").is_visible()
    charts = page.get_by_role("img")
    assert charts.count() >= 8
    funnel = page.get_by_role("img", name="The funnel: introductions that reached each stage")
    assert funnel.is_visible() and funnel.locator("svg").count() == 1
    assert "introductions proposed" in (funnel.get_attribute("aria-label") or "")
    table = page.get_by_role(
        "table", name="Data: The funnel: introductions that reached each stage"
    )
    assert table.is_visible() and "Collaborating" in table.inner_text()
    assert page.get_by_text("Themes not computed").first.is_visible()
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=False)
    assert outside == [] and errors == [], (outside, errors)
    context.close()


def test_the_dashboard_page_is_for_ke_staff(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str]
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.KE_STAFF])
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{url}/insight/partnership")
    assert page.get_by_role("heading", name="Partnership dashboard").is_visible()
    assert page.get_by_role("img", name="Bids by status").count() == 1
    assert not page.errors, page.errors
    page.close()
    clinician = sign_in(browser, url, keys[Role.CLINICIAN])
    assert clinician.get_by_role("link", name="Dashboard").count() == 0
    response = clinician.goto(f"{url}/insight/partnership")
    assert response is not None and response.status == 403
    clinician.close()
