"""The batch page in Chromium: progress that refreshes itself (with and without JavaScript), a
withdrawn job shown as withdrawn, errors that name the upload only."""

from __future__ import annotations

import contextlib
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from matcher.model import Role
from service.batch.jobs import PROFILES_FILE, withdraw_reports
from service.container import Container
from tests.browser.test_pages import sign_in

pytestmark = pytest.mark.model

DATA = Path(__file__).parents[1] / "data"
LONG_CALL = Path(__file__).parents[2] / "data" / "demo" / "calls" / "regional-challenges.csv"


def long_call(directory: Path, tag: str) -> Path:
    """The demo's long call with ``tag`` on every brief: texts the session's real model has not
    embedded yet (tests/remembering.py), so the job really keeps the worker busy."""
    with LONG_CALL.open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    target = directory / f"{LONG_CALL.stem}-{tag}.csv"
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "text": f"{row['text']} ({tag})"} for row in rows)
    return target


def upload(page: Any, path: Path) -> str:
    """Submit a call file from the page; the id of the job it made (the newest row)."""
    page.get_by_label("Call file").set_input_files(str(path))
    page.get_by_role("button", name="Match the call").click()
    page.wait_for_url("**/batches")
    return str(page.locator("tr[data-job]").first.get_attribute("data-job"))


def test_progress_refreshes_by_itself_and_a_withdrawn_job_says_why(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], tmp_path: Path
) -> None:
    url, container = server
    page = sign_in(browser, url, keys[Role.KE_STAFF])
    page.goto(f"{url}/batches")
    upload(page, long_call(tmp_path, "refresh"))  # keeps the single worker busy
    job = upload(page, DATA / "call.csv")  # so this one is still waiting when the page shows
    row = page.locator(f'tr[data-job="{job}"]')
    assert row.get_attribute("data-status") in {"queued", "running"}
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    # no reload, no click: the page's script brings the row up to date
    row.get_by_role("link", name="report").wait_for(timeout=120_000)
    assert loads == [] and row.get_attribute("data-status") == "done"

    out = container.settings.batches_dir / job / "out"
    named = json.loads((out / PROFILES_FILE).read_text(encoding="utf-8"))
    assert job in withdraw_reports(container.settings.batches_dir, named[0], name="")
    page.reload()
    row = page.locator(f'tr[data-job="{job}"]')
    assert "withdrawn: reports withdrawn: a profile these reports named was erased" in (
        row.inner_text()
    )
    assert row.get_by_role("link").count() == 0  # no dead links
    answer = page.goto(f"{url}/batches/{job}/report?format=csv")
    assert answer is not None and answer.status == 410
    assert page.get_by_role("heading", name="Report withdrawn").is_visible()
    assert "run the call again" in page.get_by_role("alert").inner_text()
    page.get_by_role("link", name="Back to batch matching").click()
    page.wait_for_url(f"{url}/batches")
    # the only console error: Chromium logging the 410 answer itself
    assert [e for e in page.errors if "status of 410" not in e] == []
    page.close()


def test_a_failed_job_names_the_upload_not_the_server_path(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], tmp_path: Path
) -> None:
    url, container = server
    broken = tmp_path / "broken.csv"
    broken.write_text("id,words\nr1,falls in older inpatients\n", encoding="utf-8")
    page = sign_in(browser, url, keys[Role.KE_STAFF])
    page.goto(f"{url}/batches")
    job = upload(page, broken)
    row = page.locator(f'tr[data-job="{job}"]')
    page.locator(f'tr[data-job="{job}"][data-status="failed"]').wait_for(timeout=120_000)
    assert "failed: broken.csv: the header lacks the column(s) text" in row.inner_text()
    assert str(container.settings.data_dir) not in page.inner_text("main")
    page.close()


def test_without_javascript_the_page_reloads_itself_while_a_job_runs(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], tmp_path: Path
) -> None:
    url, _container = server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}/login")
    page.get_by_label("API key").fill(keys[Role.KE_STAFF])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/batches")
    upload(page, long_call(tmp_path, "no script"))
    job = upload(page, DATA / "call.csv")
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    for _ in range(60):  # the meta refresh reloads every 5 s; nothing here navigates
        if page.locator(f'tr[data-job="{job}"]').get_attribute("data-status") == "done":
            break
        # the reload may come between the look and the wait (and the last page has no refresh)
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_event("load", timeout=7_000)
    assert page.locator(f'tr[data-job="{job}"]').get_by_role("link", name="report").count() == 1
    assert page.locator('meta[http-equiv="refresh"]').count() == 0  # nothing runs: no refresh
    context.close()
