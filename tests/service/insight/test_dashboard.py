"""The partnership dashboard over a catalogue (fake encoder): funnel counts equal to the
catalogue's introductions, searches counted (never their text), the page for KE staff and
admins only, the CLI's one HTML file, the demo history seeded once; collaborating introductions'
governance checklists over the API and the pages; the admins' templates page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.db.audit import AuditAction
from matcher.insight.funnel import funnel
from matcher.model import IntroductionStatus, Role
from service.app import create_app
from service.cli import main
from service.container import Container
from service.insight.dashboard import THEMES_MISSING, InsightInputs, build_dashboard
from service.insight.demo import seed_demo_history
from service.insight.report import FILE_NAME
from service.insight.themes import build_pool_themes, insight_store, themes_of_texts
from tests.service.web.test_pages import signed_in

S = IntroductionStatus


def client_for(container: Container, role: Role) -> TestClient:
    _key, secret = container.accounts.create_key(name=f"{role.value} user", role=role)
    return TestClient(create_app(container), headers={"authorization": f"Bearer {secret}"})


def introduce(container: Container, profile_id: str, brief: str, *moves: S) -> int:
    made = container.introductions.create(
        profile_id=profile_id, requester="Dr R", requester_organisation=None, brief=brief, by="jo"
    )
    for status in moves:
        container.introductions.change_status(made.id, status, by="jo")
    return made.id


@pytest.fixture
def history(loaded: Container) -> Container:
    introduce(loaded, "acad-falls", "falls on wards")
    introduce(loaded, "acad-falls", "falls at home", S.CONTACTED, S.DECLINED)
    introduce(loaded, "acad-retina", "retinal images", S.CONTACTED, S.MET, S.COLLABORATING)
    introduce(loaded, "sme-steps", "step counts", S.CONTACTED, S.MET)
    introduce(loaded, "clin-elderly", "frailty", S.DECLINED)
    return loaded


def table_after(html: str, caption: str) -> str:
    return html.split(f"<caption>Data: {caption}</caption>")[1].split("</table>")[0]


def test_funnel_counts_equal_the_introductions_in_the_catalogue(history: Container) -> None:
    stored = history.introductions.find(limit=10**6)
    figures = funnel(stored)
    assert figures.total == len(stored) == 5
    assert sum(figures.current.values()) == len(stored)
    assert figures.reached[S.PROPOSED] == len(stored)
    assert figures.reached[S.CONTACTED] == 3 and figures.reached[S.COLLABORATING] == 1
    dashboard = build_dashboard(history)
    assert dict(dashboard.figures)["Introductions"] == "5"
    chart = dashboard.sections[0].charts[0]
    rows = {r[0]: r for r in chart.table.rows}
    assert sum(int(r[2]) for r in chart.table.rows) == len(stored)  # "there now" adds up
    assert rows["Proposed"][1] == "5" and rows["Collaborating"][1] == "1"
    assert rows["Declined"][1] == "2"
    by_kind = next(c for s in dashboard.sections for c in s.charts if c.id == "by-kind")
    assert sum(int(r[1]) for r in by_kind.table.rows) == len(stored)


def test_themes_are_shown_when_given_and_said_missing_otherwise(history: Container) -> None:
    plain = {s.id: s for s in build_dashboard(history).sections}
    assert plain["by-theme"].placeholder == THEMES_MISSING and not plain["by-theme"].charts
    assert plain["coverage"].placeholder and plain["sdg"].placeholder
    themes = {"acad-falls": "Falls", "acad-retina": "Eyes", "sme-steps": "Falls"}
    given = build_dashboard(
        history,
        InsightInputs(themes=themes, coverage={"Falls": (3, 1, 2)}, sdg_pool={"SDG 3": 7}),
    )
    sections = {s.id: s for s in given.sections}
    theme_rows = {r[0]: r[1] for r in sections["by-theme"].charts[0].table.rows}
    assert theme_rows == {"Falls": "3", "Eyes": "1", "(none)": "1"}
    assert sections["coverage"].charts[0].table.rows == (("Falls", "3", "1", "2"),)
    assert sections["sdg"].charts[0].table.rows == (("SDG 3", "7"),)


def test_searches_are_counted_per_day_without_their_text(loaded: Container) -> None:
    with client_for(loaded, Role.CLINICIAN) as client:
        for _ in range(2):
            assert client.post("/api/v1/search", json={"text": "falls sensors"}).status_code == 200
    counts = loaded.search_counts.counts()
    assert [(c.day, c.theme, c.searches) for c in counts] == [(datetime.now(UTC).date(), "", 2)]
    loaded.search_counts.count(theme="Falls", day=date(2026, 1, 3), by=4)
    assert len(loaded.search_counts.counts()) == 2
    section = next(s for s in build_dashboard(loaded).sections if s.id == "searches")
    assert {r[0]: r[1] for r in section.charts[1].table.rows} == {"Falls": "4"}
    assert "falls sensors" not in str(section)


def test_searches_of_a_brief_in_a_theme_count_under_that_theme(loaded: Container) -> None:
    """N searches (API) of a brief whose nearest theme is X count N under X, shown by
    X's label in the dashboard's "searches served per theme"; nothing of the text is kept."""
    build_pool_themes(loaded, seed=0)
    text = "accelerometer detection of falls in older inpatients"
    theme = themes_of_texts(loaded, [text], top=1)[0][0].theme_id
    label = {t.id: t.label for t in insight_store(loaded).themes().themes}[theme]  # type: ignore[union-attr]
    with client_for(loaded, Role.CLINICIAN) as client:
        for _ in range(3):
            assert client.post("/api/v1/search", json={"text": text}).status_code == 200
    counts = loaded.search_counts.counts()
    assert [(c.theme, c.searches) for c in counts] == [(theme, 3)]
    section = next(s for s in build_dashboard(loaded).sections if s.id == "searches")
    by_theme = next(c for c in section.charts if c.id == "searches-by-theme")
    assert {r[0]: r[1] for r in by_theme.table.rows} == {label: "3"}
    assert text not in str(section) and not section.placeholder


def test_the_page_is_for_ke_staff_and_admins(history: Container) -> None:
    for role, status in ((Role.CLINICIAN, 403), (Role.KE_STAFF, 200), (Role.ADMIN, 200)):
        with client_for(history, role) as client:
            page = client.get("/insight/partnership")
            assert page.status_code == status, role
            download = client.get("/insight/partnership/report.html")
            assert download.status_code == status
    html = page.text
    assert html.count('role="img"') >= 8 and "<svg" in html
    assert re.search(r'role="img" aria-label="The funnel[^"]*5 introductions proposed', html)
    assert '<th scope="row">Proposed</th><td>5</td>' in table_after(
        html, "The funnel: introductions that reached each stage"
    )
    assert "attachment" in download.headers["content-disposition"]
    assert history.audit.entries(action=AuditAction.REPORT_DOWNLOAD)[1]
    with TestClient(create_app(history), follow_redirects=False) as anonymous:
        assert anonymous.get("/insight/partnership").status_code in (303, 401)


def test_the_cli_writes_one_self_contained_file(history: Container, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["report", "partnership", "--out", str(out)], container=history) == 0
    html = (out / FILE_NAME).read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Introductions by theme" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing to fetch
    assert "<link" not in html and "<script" not in html
    # the themes come from the pool: no override files any more
    assert main(["report", "partnership", "--out", str(out), "--themes", "t.json"],
                container=history) != 0  # fmt: skip


def test_the_demo_history_is_seeded_once(loaded: Container) -> None:
    end = datetime.now(UTC)
    first = seed_demo_history(loaded, end=end)
    assert first.introductions > 10 and first.bids > 0 and not first.skipped
    assert seed_demo_history(loaded, end=end).skipped
    stored = loaded.introductions.find(limit=10**6)
    assert len(stored) == first.introductions
    months = {i.created_at[:7] for i in stored}
    assert len(months) >= 6  # spread over months
    assert funnel(stored).total == len(stored)
    assert main(["demo", "seed-history"], container=loaded) == 0
    collaborating = [i.id for i in stored if i.status is S.COLLABORATING]
    assert collaborating and set(loaded.introduction_checklists.items(collaborating)) == set(
        collaborating
    )


# ----------------------------------------------------------------------------- checklists


@pytest.fixture
def collaboration(loaded: Container) -> int:
    return introduce(loaded, "sme-steps", "step counts", S.CONTACTED, S.MET, S.COLLABORATING)


def test_a_collaborating_introduction_gets_a_governance_checklist(
    loaded: Container, collaboration: int
) -> None:
    items = loaded.introduction_checklists.items([collaboration])[collaboration]
    assert "sme_agreement" in {i.key for i in items}  # the profile is an SME
    assert all(i.due and i.due > datetime.now(UTC).date() for i in items)
    proposed = introduce(loaded, "acad-falls", "another")
    assert loaded.introduction_checklists.items([proposed]) == {}
    with client_for(loaded, Role.KE_STAFF) as staff:
        listed = staff.get(f"/api/v1/introductions/{collaboration}/checklist")
        assert listed.status_code == 200 and len(listed.json()) == len(items)
        assert staff.get(f"/api/v1/introductions/{proposed}/checklist").json() == []
        assert staff.get("/api/v1/introductions/999999/checklist").status_code == 404
        first = items[0].id
        late = (date.today() - timedelta(days=3)).isoformat()
        changed = staff.patch(
            f"/api/v1/introductions/{collaboration}/checklist/{first}",
            json={"owner": "R&D office", "due": late},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["overdue"] is True and changed.json()["owner"] == "R&D office"
        for body in ({"state": "nearly"}, {"due": "soon"}, {"colour": "red"}):
            assert (
                staff.patch(
                    f"/api/v1/introductions/{collaboration}/checklist/{first}", json=body
                ).status_code
                == 422
            )
        assert (
            staff.patch(
                f"/api/v1/introductions/{collaboration}/checklist/999999", json={"owner": "x"}
            ).status_code
            == 404
        )
    with client_for(loaded, Role.CLINICIAN) as clinician:
        assert clinician.get(f"/api/v1/introductions/{collaboration}/checklist").status_code == 403
        assert (
            clinician.patch(
                f"/api/v1/introductions/{collaboration}/checklist/{first}", json={"owner": "me"}
            ).status_code
            == 403
        )
    with client_for(loaded, Role.ADMIN) as admin:
        assert admin.get(f"/api/v1/introductions/{collaboration}/checklist").status_code == 200
    audited = loaded.audit.entries(action=AuditAction.INTRODUCTION_CHECKLIST)[0]
    assert audited and audited[0].target == f"introduction/{collaboration}"


def test_overdue_collaboration_steps_are_flagged_on_the_boards(
    loaded: Container, collaboration: int
) -> None:
    item = loaded.introduction_checklists.items([collaboration])[collaboration][0]
    client, csrf = signed_in(loaded, Role.KE_STAFF)
    with client:
        late = (date.today() - timedelta(days=2)).isoformat()
        saved = client.post(
            f"/introductions/{collaboration}/checklist/{item.id}",
            data={"owner": "Jo", "due": late, "state": "in_progress", "csrf": csrf},
        )
        assert saved.status_code == 303
        board = client.get("/introductions").text
        assert "1 overdue governance step" in board
        due_week = board.split('id="due-week"')[1].split("</section>")[0]
        assert "HRA approval route" in due_week and "overdue" in due_week
        bids_board = client.get("/bids").text.split('id="due-week"')[1].split("</section>")[0]
        assert f"introduction #{collaboration}" in bids_board and "overdue" in bids_board
        refused = client.post(
            f"/introductions/{collaboration}/checklist/{item.id}",
            data={"due": "next week", "csrf": csrf},
        )
        assert refused.status_code == 422


def test_admins_edit_the_governance_templates(loaded: Container) -> None:
    clinician, _ = signed_in(loaded, Role.CLINICIAN)
    staff, _ = signed_in(loaded, Role.KE_STAFF)
    with clinician, staff:
        assert clinician.get("/governance/templates").status_code == 403
        assert staff.get("/governance/templates").status_code == 403
    admin, csrf = signed_in(loaded, Role.ADMIN)
    with admin:
        page = admin.get("/governance/templates")
        assert page.status_code == 200 and "research_passport" in page.text
        form = {
            "key": ["ethics", "new_step", ""],
            "title": ["Ethics approval", "Sponsor agreed", ""],
            "applies_to": ["", "nhs_partner", ""],
            "offset_days": ["10", "-5", "0"],
            "remove": [],
            "csrf": csrf,
        }
        assert admin.post("/governance/templates", data=form).status_code == 303
        templates = loaded.bids.templates()
        assert [(t.key, t.offset_days) for t in templates] == [("ethics", 10), ("new_step", -5)]
        assert loaded.audit.entries(action=AuditAction.GOVERNANCE_TEMPLATES)[1]
        for wrong in ({"key": ["Bad Key"]}, {"offset_days": ["soon"]}, {"applies_to": ["boss"]}):
            bad = {**form, "key": ["ethics"], "title": ["Ethics"], "applies_to": [""],
                   "offset_days": ["0"], **wrong}  # fmt: skip
            assert admin.post("/governance/templates", data=bad).status_code == 422, wrong
        assert [t.key for t in loaded.bids.templates()] == ["ethics", "new_step"]
        removed = {**form, "remove": ["new_step"]}
        assert admin.post("/governance/templates", data=removed).status_code == 303
        assert [t.key for t in loaded.bids.templates()] == ["ethics"]


def test_the_page_shows_the_pools_themes_coverage_and_sdgs(history: Container) -> None:
    """The dashboard's page computes its theme, coverage and SDG inputs from the pool: every
    introduced profile has its theme, coverage adds up to the gap report's needs."""
    from service.insight.gaps import gap_report
    from service.insight.inputs import dashboard_inputs

    inputs = dashboard_inputs(history)
    assert inputs.themes is not None
    assert {"acad-falls", "acad-retina", "sme-steps"} <= set(inputs.themes)
    assert inputs.coverage is not None
    needs = len(gap_report(history).results)
    assert sum(sum(c) for c in inputs.coverage.values()) == needs > 0
    dashboard = build_dashboard(history, inputs)
    by_theme = next(s for s in dashboard.sections if s.id == "by-theme")
    assert by_theme.placeholder != THEMES_MISSING and by_theme.charts
    page = client_for(history, Role.KE_STAFF).get("/insight/partnership")
    assert page.status_code == 200
    assert THEMES_MISSING not in page.text
