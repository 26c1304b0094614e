"""KE staff in the browser: a batch consortium becomes a bid in one click, its checklist steps get
owners and dates, an overdue step shows on the board, the bid moves through its statuses."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from matcher.model import Role
from service.batch.reports import write_reports
from service.batch.run import run_batch
from service.container import Container
from tests.browser.test_pages import sign_in

pytestmark = pytest.mark.model
CALL = Path(__file__).parents[1] / "data" / "call.csv"
JOB = "job_00000000b1d5"


def test_a_consortium_becomes_a_bid_and_an_overdue_step_shows_on_the_board(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], screenshots: Path
) -> None:
    url, container = server
    write_reports(run_batch(container, CALL), container.settings.batches_dir / JOB / "out")
    page = sign_in(browser, url, keys[Role.KE_STAFF])
    page.goto(f"{url}/bids/from-batch/{JOB}")
    page.get_by_role("button", name="Make a bid from consortium 1 of brief C3").click()
    page.wait_for_url(f"{url}/bids/*")
    assert page.get_by_role("heading", name="Governance checklist").is_visible()
    assert page.locator("tr[data-member]").count() >= 3  # lead, NHS partner, SME partner

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    step = page.locator("tr[data-item]").first
    title = step.locator("td").first.inner_text()
    step.get_by_label(f"Owner of {title}").fill("R&D office")
    step.get_by_label(f"Due date of {title}").fill(yesterday)
    step.get_by_label(f"State of {title}").select_option("in_progress")
    step.get_by_role("button", name=f"Save {title}").click()
    page.wait_for_load_state()
    step = page.locator("tr[data-item]").first
    assert "overdue" in step.inner_text()
    assert step.get_by_label(f"Owner of {title}").input_value() == "R&D office"

    page.get_by_role("button", name="Mark internal review").click()
    page.wait_for_load_state()
    assert "Internal review" in page.locator("p.meta").first.inner_text()
    page.screenshot(path=str(screenshots / "bid.png"), full_page=True)

    page.goto(f"{url}/bids")
    column = page.locator('section[data-status="internal_review"]')
    card = column.locator("article.bid").first
    assert "1 overdue step" in card.inner_text()
    assert "overdue" in page.locator("section.due-week").inner_text()
    page.screenshot(path=str(screenshots / "bids.png"), full_page=True)
    assert not page.errors, page.errors
    page.close()


def test_clinicians_do_not_see_the_bids_board(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str]
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.CLINICIAN])
    assert page.get_by_role("link", name="Bids").count() == 0
    response = page.goto(f"{url}/bids")
    assert response is not None and response.status == 403
    page.close()
