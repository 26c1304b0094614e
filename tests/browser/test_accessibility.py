"""The WCAG 2.2 AA audit of every page (issue 22): axe-core (bundled by axe-playwright-python, no
network) run in Chromium on each page in each state a user reaches, for each role where the page
differs, at desktop, phone and 320 CSS px widths; plus what axe cannot see (heading order,
labels, errors tied to their fields, colour never the only signal, contrast of highlighted terms,
reflow at 320 px, reduced motion).

The pages and states are one list, :data:`AUDITED`; ``docs/accessibility.md`` lists the same
(a test compares them). To audit a new page, add an :class:`Audited` entry and a row to the doc.

The audit runs on a server of its own (the test data, the real model), so that its "empty"
states are empty whatever other browser tests ran before; every page is reached once per role
and audited at each width by resizing the same page.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT  # type: ignore[import-untyped]

from matcher.model import IntroductionStatus, Role
from service.container import Container
from service.insight.demo import seed_demo_history
from tests.browser.conftest import serve_demo

pytestmark = pytest.mark.model

DOC = Path(__file__).parents[2] / "docs" / "accessibility.md"
CALL = Path(__file__).parents[1] / "data" / "call.csv"
BRIEF = "wearable sensors to detect falls in older inpatients"
#: name → viewport; the audit and the reflow check run at each
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844), "320px": (320, 640)}
#: axe's colour-contrast rule is three quarters of its time; it runs at desktop width only (no
#: colour in the pages' CSS depends on the width; every other rule runs at every width)
WITHOUT_CONTRAST = {"phone", "320px"}
FAILING = {"serious", "critical"}
SIGNED_OUT = "signed out"


@dataclass
class Site:
    """What the setups share: the server, each role's key id, the ids made on the way."""

    url: str
    container: Container
    key_ids: dict[Role, str]
    ids: dict[str, str] = field(default_factory=dict)


Setup = Callable[[Any, Site, str], None]


def open_path(page: Any, site: Site, path: str) -> None:
    """The default setup: open the page."""
    page.goto(site.url + path)


@dataclass(frozen=True)
class Audited:
    """A page in one state: its path (``{job}``, ``{bid}``: ids made by earlier entries), the
    state's name, the role that sees it (None: signed out) and how to reach it (default: open
    the path). Entries run in list order, one page per role."""

    path: str
    state: str
    role: Role | None
    setup: Setup = open_path

    @property
    def who(self) -> str:
        return self.role.value if self.role else SIGNED_OUT

    def __str__(self) -> str:
        return f"{self.path} ({self.state}, {self.who})"


# ------------------------------------------------------------------ setups


def wrong_key(page: Any, site: Site, path: str) -> None:
    page.goto(site.url + path)
    page.get_by_label("API key").fill("km_not_a_key_of_the_audit")
    page.get_by_role("button", name="Sign in").click()
    page.locator(".error-summary").wait_for()


def search_for(text: str, *, kind: str = "All") -> Setup:
    def setup(page: Any, site: Site, path: str) -> None:
        page.goto(site.url + path)
        page.get_by_label("Your brief").fill(text)
        page.get_by_role("button", name=kind, exact=True).click()
        page.wait_for_load_state()
        page.locator("#results, .error-summary").first.wait_for()

    return setup


def shortlisted(role: Role) -> Setup:
    def setup(page: Any, site: Site, path: str) -> None:
        for profile_id in ("acad-falls", "clin-elderly", "sme-steps"):
            site.container.accounts.add_to_shortlist(site.key_ids[role], profile_id, brief=BRIEF)
        open_path(page, site, path)

    return setup


def with_introductions(page: Any, site: Site, path: str) -> None:
    made = site.container.introductions.create(
        profile_id="clin-elderly",
        requester="Sister A. Audit, Ward 7",
        requester_organisation=None,
        brief=BRIEF,
        by="audit",
    )
    site.container.introductions.change_status(
        made.id, IntroductionStatus.CONTACTED, by="audit", note="phoned the ward"
    )
    site.container.introductions.create(
        profile_id="acad-falls",
        requester="Dr B. Audit",
        requester_organisation=None,
        brief=BRIEF,
        by="audit",
    )
    open_path(page, site, path)


def upload_call(page: Any, site: Site, path: str) -> None:
    open_path(page, site, path)
    page.get_by_label("Call file").set_input_files(str(CALL))
    page.get_by_role("button", name="Match the call").click()
    page.wait_for_url("**/batches")
    row = page.locator("tr[data-job]").filter(has=page.get_by_role("cell", name="call.csv"))
    site.ids["job"] = str(row.first.get_attribute("data-job"))
    row.first.get_by_role("link", name="report").wait_for(timeout=120_000)


def with_ids(setup: Setup = open_path) -> Setup:
    def filled(page: Any, site: Site, path: str) -> None:
        setup(page, site, path.format(**site.ids))

    return filled


def make_bid(page: Any, site: Site, path: str) -> None:
    page.goto(f"{site.url}/bids/from-batch/{site.ids['job']}")
    page.get_by_role("button", name=re.compile(r"^Make a bid from consortium 1")).first.click()
    page.wait_for_url(re.compile(r".*/bids/[^/]+$"))
    site.ids["bid"] = page.url.rsplit("/", 1)[1]


def seeded_history(page: Any, site: Site, path: str) -> None:
    """The demo's made-up year of introductions and bids (last: it adds to every board)."""
    seed_demo_history(site.container, end=datetime(2026, 12, 1, tzinfo=UTC))
    open_path(page, site, path)


CLINICIAN, KE_STAFF, ADMIN = Role.CLINICIAN, Role.KE_STAFF, Role.ADMIN

#: Every page in every state audited, in the order they are reached (docs/accessibility.md
#: lists the same rows).
AUDITED: list[Audited] = [
    Audited("/login", "empty", None),
    Audited("/login", "wrong key", None, wrong_key),
    Audited("/accessibility", "statement", None),
    Audited("/no-such-page", "404 not found", None),
    Audited("/", "empty", CLINICIAN),
    Audited("/", "with results", CLINICIAN, search_for(BRIEF)),
    Audited("/", "validation error", CLINICIAN, search_for("   ")),
    Audited("/", "no strong match", CLINICIAN, search_for("What is the capital of France?")),
    Audited("/profiles/acad-falls", "profile", CLINICIAN),
    Audited("/shortlist", "empty", CLINICIAN),
    Audited("/shortlist", "with rows", CLINICIAN, shortlisted(CLINICIAN)),
    Audited("/introductions", "403 not allowed", CLINICIAN),
    Audited("/profiles/no-such-profile", "404 not found", CLINICIAN),
    Audited("/", "empty", KE_STAFF),
    Audited("/", "with results", KE_STAFF, search_for(BRIEF, kind="Clinical teams")),
    Audited("/profiles/acad-falls", "profile", KE_STAFF),
    Audited("/shortlist", "with rows", KE_STAFF, shortlisted(KE_STAFF)),
    Audited("/introductions", "empty", KE_STAFF),
    Audited("/introductions", "with introductions", KE_STAFF, with_introductions),
    Audited("/batches", "empty", KE_STAFF),
    Audited("/batches", "with a job", KE_STAFF, upload_call),
    Audited("/batches/{job}/report", "report", KE_STAFF, with_ids()),
    Audited("/bids", "empty", KE_STAFF),
    Audited("/bids/from-batch/{job}", "consortia", KE_STAFF, with_ids()),
    Audited("/bids/{bid}", "a bid", KE_STAFF, make_bid),
    Audited("/bids", "with a bid", KE_STAFF),
    Audited("/", "with results", ADMIN, search_for(BRIEF)),
    Audited("/profiles/acad-falls", "profile", ADMIN),
    Audited("/governance/templates", "templates", ADMIN),
    Audited("/insight/gaps", "report", KE_STAFF),
    Audited("/insight/partnership", "with history", KE_STAFF, seeded_history),
]


# ------------------------------------------------------------------ running the audit


@dataclass
class Finding:
    """What one page in one state showed at one width."""

    audited: Audited
    width: str
    violations: list[dict[str, Any]]
    scroll_width: int
    viewport_width: int
    headings: list[int] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)


PAGE_FACTS = """() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .filter(visible).map((h) => Number(h.tagName[1]));
  const fields = [...document.querySelectorAll('input,select,textarea')].filter((el) =>
    !['hidden', 'submit', 'button', 'reset'].includes(el.type));
  const named = (el) => (el.labels && [...el.labels].some((l) => l.textContent.trim()))
    || (el.getAttribute('aria-label') || '').trim()
    || (el.getAttribute('aria-labelledby') || '').split(' ').some((id) =>
         id && document.getElementById(id) && document.getElementById(id).textContent.trim());
  const unlabelled = fields.filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 120));
  return {headings, unlabelled, scrollWidth: document.documentElement.scrollWidth};
}"""


def run_axe(page: Any, *, contrast: bool = True) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every rule axe runs by default, WCAG and
    best practice; the script injected once per document)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if not contrast:
        options["rules"] = {"color-contrast": {"enabled": False}}
    result = page.evaluate("options => axe.run(document, options)", options)
    return list(result["violations"])


def sign_in(context: Any, url: str, key: str) -> Any:
    page = context.new_page()
    page.goto(f"{url}/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    return page


@pytest.fixture(scope="module")
def audit_site(
    tmp_path_factory: pytest.TempPathFactory, real_encoder: Any
) -> Iterator[tuple[Site, dict[Role, str]]]:
    """A server of the audit's own (the browser tests' data), and a key for each role."""
    with serve_demo(tmp_path_factory.mktemp("audit"), real_encoder) as (url, container):
        keys = {
            role: container.accounts.create_key(name=f"{role.value} auditor", role=role)
            for role in Role
        }
        site = Site(url, container, {r: k.id for r, (k, _) in keys.items()})
        yield site, {role: secret for role, (_key, secret) in keys.items()}


@pytest.fixture(scope="module")
def findings(browser: Any, audit_site: tuple[Site, dict[Role, str]]) -> list[Finding]:
    """Every entry of :data:`AUDITED` reached once and audited at every width."""
    site, keys = audit_site
    pages: dict[Role | None, Any] = {}
    contexts = []
    found: list[Finding] = []
    try:
        for audited in AUDITED:
            if audited.role not in pages:
                # bypass_csp: the batch report is sandboxed (no script runs in it), axe must
                context = browser.new_context(bypass_csp=True)
                context.set_default_timeout(15_000)
                contexts.append(context)
                pages[audited.role] = (
                    sign_in(context, site.url, keys[audited.role])
                    if audited.role
                    else context.new_page()
                )
            page = pages[audited.role]
            width, height = WIDTHS["desktop"]
            page.set_viewport_size({"width": width, "height": height})
            audited.setup(page, site, audited.path)
            for name, (width, height) in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                facts = page.evaluate(PAGE_FACTS)
                found.append(
                    Finding(
                        audited,
                        name,
                        run_axe(page, contrast=name not in WITHOUT_CONTRAST),
                        facts["scrollWidth"],
                        width,
                        facts["headings"],
                        facts["unlabelled"],
                    )
                )
    finally:
        for context in contexts:
            context.close()
    return found


def describe(violation: dict[str, Any]) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
    return f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"


def test_no_serious_or_critical_violation_on_any_page(findings: list[Finding]) -> None:
    failing = [
        f"{f.audited} at {f.width}: {describe(v)}"
        for f in findings
        for v in f.violations
        if v["impact"] in FAILING
    ]
    assert not failing, "\n".join(failing)


def test_moderate_and_minor_findings_are_listed_with_their_reason(findings: list[Finding]) -> None:
    listed = accepted_findings()
    seen = {v["id"] for f in findings for v in f.violations if v["impact"] not in FAILING}
    unlisted = [
        f"{f.audited} at {f.width}: {describe(v)}"
        for f in findings
        for v in f.violations
        if v["impact"] not in FAILING and v["id"] not in listed
    ]
    assert not unlisted, "list these in docs/accessibility.md with why they stay:\n" + "\n".join(
        unlisted
    )
    assert listed <= seen, (
        f"docs/accessibility.md lists findings axe no longer makes: {listed - seen}"
    )


def test_the_doc_lists_exactly_the_pages_and_states_audited() -> None:
    audited = {(a.path, a.state, a.who) for a in AUDITED}
    documented = documented_pages()
    assert documented == audited, (
        f"in the audit, not the doc: {sorted(audited - documented)}; "
        f"in the doc, not the audit: {sorted(documented - audited)}"
    )


def test_every_page_reflows_at_phone_and_320_px(findings: list[Finding]) -> None:
    wide = [
        f"{f.audited} at {f.width}: {f.scroll_width} px wide in a {f.viewport_width} px window"
        for f in findings
        if f.scroll_width > f.viewport_width
    ]
    assert not wide, "\n".join(wide)


def test_headings_go_down_one_level_at_a_time(findings: list[Finding]) -> None:
    wrong = []
    for f in findings:
        if f.width != "desktop":
            continue
        levels = f.headings
        if not levels or levels[0] != 1 or levels.count(1) != 1:
            wrong.append(f"{f.audited}: {levels} (one h1, first)")
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        if skips:
            wrong.append(f"{f.audited}: {levels} skips a level at {skips}")
    assert not wrong, "\n".join(wrong)


def test_every_form_field_has_a_label(findings: list[Finding]) -> None:
    unlabelled = [f"{f.audited}: {f.unlabelled}" for f in findings if f.unlabelled]
    assert not unlabelled, "\n".join(unlabelled)


# ------------------------------------------------------------------ the doc's tables


def doc_table(marker: str) -> list[list[str]]:
    """The rows of the table between ``<!-- marker:start -->`` and ``<!-- marker:end -->``."""
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker}:start -->(.*?)<!-- {marker}:end -->", text, re.DOTALL)
    assert found, f"docs/accessibility.md has no {marker} table"
    rows = []
    for line in found.group(1).strip().splitlines()[2:]:  # past the header and its rule
        rows.append([cell.strip().strip("`") for cell in line.strip().strip("|").split("|")])
    return rows


def documented_pages() -> set[tuple[str, str, str]]:
    """(path, state, role) for each role of each row of the doc's table of audited pages."""
    return {
        (path, state, role.strip())
        for path, state, roles in doc_table("audited-pages")
        for role in roles.split(",")
    }


def accepted_findings() -> set[str]:
    """The axe rules of the moderate (or minor) findings the doc lists as staying."""
    return {row[0] for row in doc_table("moderate-findings") if row and row[0]}


# ------------------------------------------------------------------ what axe cannot see


@pytest.fixture(scope="module")
def staff_page(browser: Any, audit_site: tuple[Site, dict[Role, str]]) -> Iterator[Any]:
    site, keys = audit_site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = sign_in(context, site.url, keys[Role.KE_STAFF])
    page.site = site
    yield page
    context.close()


def test_errors_are_announced_and_tied_to_their_field(browser: Any, staff_page: Any) -> None:
    page, site = staff_page, staff_page.site
    checks: list[tuple[str, Setup, str]] = [
        ("/", search_for("   "), "text"),
        ("/login", wrong_key, "key"),
    ]
    for path, setup, field_id in checks:
        target = page if path == "/" else browser.new_page()
        setup(target, site, path)
        summary = target.locator(".error-summary")
        assert summary.get_attribute("role") == "alert"
        assert target.evaluate("() => document.activeElement.className") == "error-summary"
        assert summary.get_by_role("heading", name="There is a problem").is_visible()
        link = summary.get_by_role("link")
        assert link.get_attribute("href") == f"#{field_id}"
        field_ = target.locator(f"#{field_id}")
        assert field_.get_attribute("aria-invalid") == "true"
        described = target.locator(f"#{field_.get_attribute('aria-describedby')}")
        assert link.inner_text() in described.inner_text()
        assert described.inner_text().startswith("Error:")
        link.click()  # the summary's link puts the focus in the field
        assert target.evaluate("() => document.activeElement.id") == field_id
        if target is not page:
            target.close()


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two computed ``rgb(…)`` colours."""
    a, b = (luminance(tuple(float(x) for x in re.findall(r"[\d.]+", c))) for c in (one, other))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


COLOURS = """(selector) => [...document.querySelectorAll(selector)].map((el) => {
  let back = el, bg = 'rgba(0, 0, 0, 0)';
  while (back && (bg = getComputedStyle(back).backgroundColor) === 'rgba(0, 0, 0, 0)') {
    back = back.parentElement;
  }
  return [getComputedStyle(el).color, bg || 'rgb(255, 255, 255)'];
})"""


def test_highlighted_terms_and_strength_keep_contrast_and_say_it_in_words(
    staff_page: Any,
) -> None:
    page = staff_page
    search_for(BRIEF)(page, page.site, "/")
    for selector in ("mark", ".terms .term", ".strength", ".etype", ".sim", ".count"):
        pairs = page.evaluate(COLOURS, selector)
        assert pairs, selector
        low = [(fg, bg, round(contrast(fg, bg), 2)) for fg, bg in pairs if contrast(fg, bg) < 4.5]
        assert not low, f"{selector}: {low[:3]}"
    # the strength of a match is said in words, whatever its colour
    for card in page.locator("article.card").all():
        label = card.locator(".strength").inner_text()
        assert re.fullmatch(r"(strong|good|weak) match|no real match", label), label
    # the chosen kind of partner is not told by colour alone
    styles = page.evaluate(
        """() => [...document.querySelectorAll('.tabs button')].map((b) => [
             b.getAttribute('aria-pressed'), getComputedStyle(b).fontWeight,
             getComputedStyle(b).textDecorationLine])"""
    )
    pressed = {tuple(s[1:]) for s in styles if s[0] == "true"}
    others = {tuple(s[1:]) for s in styles if s[0] == "false"}
    assert pressed and others and not pressed & others, styles


def test_statuses_say_themselves_in_words(staff_page: Any) -> None:
    page = staff_page
    page.goto(f"{page.site.url}/batches")
    for row in page.locator("tr[data-job]").all():
        assert row.get_attribute("data-status") in row.locator("td.status").inner_text()
    page.goto(f"{page.site.url}/introductions")
    for column in page.locator("section.column").all():
        assert column.locator("h2").inner_text().strip()


def test_reduced_motion_stops_smooth_scrolling_and_transitions(staff_page: Any) -> None:
    page = staff_page
    page.goto(f"{page.site.url}/")
    moving = """() => [getComputedStyle(document.documentElement).scrollBehavior,
      [...document.querySelectorAll('*')].filter((el) => {
        const s = getComputedStyle(el);
        return s.transitionDuration.split(',').some((d) => parseFloat(d) > 0)
          || s.animationDuration.split(',').some((d) => parseFloat(d) > 0);
      }).length]"""
    page.emulate_media(reduced_motion="no-preference")
    scroll, moved = page.evaluate(moving)
    assert scroll == "smooth" and moved > 0  # the query is live: without it, things move
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(moving) == ["auto", 0]
    page.emulate_media(reduced_motion=None)
