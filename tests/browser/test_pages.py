"""What clinicians and KE staff do in the browser, end to end."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from matcher.model import Role
from service.container import Container

pytestmark = pytest.mark.model

BRIEF = "wearable sensors to detect falls in older inpatients"


def sign_in(browser: Any, url: str, key: str, *, width: int = 1280, height: int = 900) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    page.goto(f"{url}/")
    assert page.url.endswith("/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    return page


def test_sign_in_rejects_a_wrong_key(browser: Any, server: tuple[str, Container]) -> None:
    url, _ = server
    page = browser.new_page()
    page.goto(f"{url}/login")
    page.get_by_label("API key").fill("km_wrong")
    page.get_by_role("button", name="Sign in").click()
    assert "That key is not valid." in page.get_by_role("alert").inner_text()  # the error summary
    page.close()


def test_clinician_searches_filters_opens_profile_shortlists_and_exports(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], screenshots: Path
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.CLINICIAN])
    page.get_by_label("Your brief").fill(BRIEF)
    page.get_by_role("button", name="All", exact=True).click()
    page.wait_for_url("**/?brief=**")
    results = page.locator("#results")
    results.wait_for()
    assert results.get_by_role("heading", name="Academics").is_visible()
    first = page.locator("article.card").first
    assert "Dr Ada Fallow" in first.inner_text()
    assert first.locator("mark").count() > 0  # matched terms highlighted
    assert "Why this match" in first.inner_text()
    page.screenshot(path=str(screenshots / "search.png"), full_page=True)

    # kind tab: SMEs only
    page.get_by_role("button", name="SMEs").click()
    page.wait_for_url("**kind=sme**")  # post, redirect, get: wait for the results URL
    page.locator("#results").wait_for()
    headings = page.locator("#results h2").all_inner_texts()
    assert len(headings) == 1 and headings[0].startswith("SMEs")
    # filter by unit
    page.get_by_label("Unit", exact=True).select_option("Ophthalmology")
    page.get_by_role("button", name="All", exact=True).click()
    page.wait_for_url("**unit=Ophthalmology**")
    names = page.locator("article.card h3").all_inner_texts()
    assert names == ["Ophthalmology Screening Service"]
    page.get_by_label("Unit", exact=True).select_option("")
    page.get_by_role("button", name="All", exact=True).click()
    page.wait_for_url(lambda address: "unit=" not in address and "brief=" in address)

    # shortlist from a result card without a reload
    card = page.locator("article.card").first
    card.get_by_role("button", name="Add to shortlist").click()
    card.get_by_role("button", name="On shortlist ✓").wait_for()

    # open a profile
    card.get_by_role("link", name="Dr Ada Fallow").click()
    page.get_by_role("heading", name="Dr Ada Fallow").wait_for()
    assert "Accelerometer-based detection of falls" in page.inner_text("main")
    assert "a.fallow@testfold.example" not in page.inner_text("main")  # clinicians see no contact
    page.screenshot(path=str(screenshots / "profile.png"), full_page=True)

    # the shortlist and its exports
    page.get_by_role("link", name="Shortlist").click()
    assert page.locator("table tbody tr").count() == 1
    page.screenshot(path=str(screenshots / "shortlist.png"), full_page=True)
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig")))
    )
    assert [r["name"] for r in rows] == ["Dr Ada Fallow"]
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert sheet is not None and sheet.cell(row=2, column=2).value == "Dr Ada Fallow"
    assert page.get_by_role("link", name="Introductions").count() == 0  # not for clinicians
    assert page.errors == []
    page.close()


def test_ke_staff_create_an_introduction_and_move_it(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], screenshots: Path
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.KE_STAFF])
    page.get_by_label("Your brief").fill(BRIEF)
    page.get_by_role("button", name="Clinical teams").click()
    page.wait_for_url("**kind=clinical_team**")
    card = page.locator("article.card").first
    assert "Care of the Elderly" in card.inner_text()
    card.get_by_label("Requested by").fill("Sister Jo Smith, Ward 7 falls lead")
    card.get_by_role("button", name="Propose introduction").click()
    card.get_by_role("button", name="Introduction proposed ✓").wait_for()
    # the same search again: the card says so instead of offering it twice
    page.reload()
    card = page.locator("article.card").filter(has_text="Care of the Elderly").first
    assert "Introduction already proposed (#" in card.inner_text()
    assert card.get_by_role("button", name="Propose introduction").count() == 0

    page.get_by_role("link", name="Introductions").click()
    column = page.locator("section[data-status=proposed]")
    assert "Care of the Elderly, Ward 7" in column.inner_text()
    assert "Requested by Sister Jo Smith, Ward 7 falls lead" in column.inner_text()
    for target, label in (
        ("contacted", "Mark contacted"),
        ("met", "Mark met"),
        ("collaborating", "Mark collaborating"),
    ):
        intro = page.locator("article.intro").filter(has_text="Care of the Elderly, Ward 7").first
        intro.get_by_label("Note").fill(f"now {target}")
        intro.get_by_role("button", name=label).click()
        page.locator(f"section[data-status={target}] article.intro").filter(
            has_text="Ward 7"
        ).wait_for()
    done = page.locator("section[data-status=collaborating]").inner_text()
    assert "now collaborating" in done
    page.screenshot(path=str(screenshots / "introductions.png"), full_page=True)
    page.get_by_role("link", name="Dr Ada Fallow").count()  # nothing else on the board
    page.goto(f"{url}/profiles/acad-falls")
    assert "a.fallow@testfold.example" in page.inner_text("main")  # KE staff see contacts
    assert page.errors == []
    page.close()


def test_phone_sized_screen_and_keyboard(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], screenshots: Path
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.CLINICIAN], width=390, height=844)
    page.get_by_label("Your brief").fill(BRIEF)
    page.keyboard.press("Tab")  # into the filters, by keyboard
    page.get_by_role("button", name="Academics").focus()
    page.keyboard.press("Enter")
    page.locator("#results").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(screenshots / "search-phone.png"), full_page=False)
    page.close()


def test_clinician_cannot_open_the_board(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str]
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.CLINICIAN])
    response = page.goto(f"{url}/introductions")
    assert response is not None and response.status == 403
    assert "Not allowed" in page.inner_text("h1")
    page.close()


def test_ke_staff_upload_a_call_and_read_the_report(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], screenshots: Path
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.KE_STAFF])
    page.get_by_role("link", name="Batch matching").click()
    page.get_by_label("Call file").set_input_files(
        str(Path(__file__).parents[1] / "data" / "call.csv")
    )
    page.get_by_role("button", name="Match the call").click()
    # The browser tests share one server: other tests' jobs (another call file) may be listed
    # too, so the row is found by this upload's file name, never by position.
    row = page.locator("tr[data-status=done]").filter(
        has=page.get_by_role("cell", name="call.csv", exact=True)
    )
    for _ in range(100):
        page.goto(f"{url}/batches")
        if row.count():
            break
        page.wait_for_timeout(200)
    page.screenshot(path=str(screenshots / "batches.png"), full_page=True)
    row.first.get_by_role("link", name="report").click()
    assert page.title() == "Batch matching: call.csv"
    assert page.locator("section.brief").count() == 3
    assert page.errors == []
    page.close()


# ------------------------------------------------------------------ issue 15: items 5, 6, 9


def test_back_after_opening_a_result_shows_the_results_again(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str]
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.CLINICIAN])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_label("Your brief").fill(BRIEF)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/?brief=*")
    results_url = page.url
    assert "wearable" not in results_url  # the brief is named by id, not written in the URL
    page.locator("article.card h3 a").first.click()
    page.wait_for_url("**/profiles/**")
    page.go_back()
    page.wait_for_url(results_url)
    assert page.locator("#results article.card").first.is_visible()
    assert "Dr Ada Fallow" in page.locator("#results").inner_text()
    page.reload()  # and reloading does not ask to resend a form either
    assert page.locator("#results article.card").first.is_visible()
    assert dialogs == [] and page.errors == []
    page.close()


def test_on_a_phone_a_search_lands_on_the_results_with_jump_links(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], screenshots: Path
) -> None:
    url, _ = server
    page = sign_in(browser, url, keys[Role.CLINICIAN], width=390, height=844)
    page.get_by_label("Your brief").fill(BRIEF)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**#results")
    heading = page.locator("#results h2").first
    heading.wait_for()
    # the page scrolls to #results smoothly (unless reduced motion is asked for): let it land
    page.wait_for_function(
        "() => { const h = document.querySelector('#results h2');"
        " const r = h && h.getBoundingClientRect();"
        " return r && r.top >= 0 && r.bottom <= window.innerHeight; }",
        timeout=5_000,
    )
    assert in_viewport(page, heading), "the results are below the fold after a search"
    jump = page.get_by_role("navigation", name="Jump to a kind of partner")
    links = jump.get_by_role("link").all_inner_texts()
    assert [link.split(" (")[0] for link in links] == ["Academics", "Clinical teams", "SMEs"]
    assert all(link.endswith(")") and "(" in link for link in links)
    jump.get_by_role("link", name="Clinical teams").click()
    page.wait_for_url("**#h-clinical_team")
    # the jump scrolls smoothly (unless the user asked for reduced motion): wait for it to land
    page.wait_for_function(
        "() => { const r = document.querySelector('#h-clinical_team').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        timeout=5_000,
    )
    assert in_viewport(page, page.locator("#h-clinical_team"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(screenshots / "results-phone.png"), full_page=False)
    assert page.errors == []
    page.close()


def test_on_a_phone_the_shortlist_fits_the_screen(
    browser: Any, server: tuple[str, Container], keys: dict[Role, str], screenshots: Path
) -> None:
    url, container = server
    key_id = container.accounts.authenticate(keys[Role.KE_STAFF]).id
    for profile_id in ("acad-falls", "clin-elderly", "sme-steps"):
        container.accounts.add_to_shortlist(key_id, profile_id, brief=BRIEF)
    page = sign_in(browser, url, keys[Role.KE_STAFF], width=390, height=844)
    page.goto(f"{url}/shortlist")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the shortlist scrolls sideways on a phone ({width}px)"
    for row in rows.all():
        for cell in (row.locator("td.contact"), row.get_by_role("button", name="Remove")):
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    label = rows.first.locator("td.contact").evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert label == '"Contact: "'  # each stacked cell says what it is
    page.screenshot(path=str(screenshots / "shortlist-phone.png"), full_page=True)
    assert page.errors == []
    page.close()


def in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
