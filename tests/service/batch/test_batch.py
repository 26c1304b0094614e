"""Batch matching end to end: call file → scores → assignment → consortia → three reports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from service.batch.reports import write_reports
from service.batch.run import run_batch
from service.container import Container

CALL = Path(__file__).parents[2] / "data" / "call.csv"


def test_call_file_is_matched_with_conflicts_and_row_errors(
    loaded: Container, tmp_path: Path
) -> None:
    result = run_batch(loaded, CALL)
    assert [str(e).split(": ")[0] for e in result.errors] == [f"{CALL}:5", f"{CALL}:6"]
    by_id = {o.brief.id: o for o in result.outcomes}
    assert set(by_id) == {"C1", "C2", "C3"}
    c1 = by_id["C1"]
    # the requester's own trust is a conflict: its clinical teams are never proposed
    assert all(
        p.organisation != "Testfold Teaching Hospitals NHS Foundation Trust" for p in c1.partners
    )
    assert len(c1.partners) == 2 and c1.shortfall is None
    # acad-retina is a declared conflict and the only retina academic left is none: C2 is short
    c2 = by_id["C2"]
    assert "acad-retina" not in {p.profile_id for p in c2.partners + c2.alternates}
    c3 = by_id["C3"]
    assert c3.consortia, "a funding call gets consortia"
    roles = {role for role, _ in c3.consortia[0].members}
    assert {"lead academic", "NHS partner", "SME partner"} <= roles
    paths = write_reports(result, tmp_path / "out")
    rows = list(csv.DictReader(paths["csv"].open(encoding="utf-8-sig")))
    assert {r["brief_id"] for r in rows} == {"C1", "C2", "C3"}
    workbook = load_workbook(paths["xlsx"])
    assert workbook.sheetnames == ["Summary", "Partners", "Consortia", "Row errors"]
    html = paths["html"].read_text()
    assert (
        "<script" not in html and "http://" not in html and "https://" not in html
    )  # self-contained
    assert "C3" in html and "Consortium 1" in html


def test_infeasible_call_names_short_briefs_and_binding_constraint(
    loaded: Container, tmp_path: Path
) -> None:
    call = tmp_path / "tight.csv"
    call.write_text(
        "id,text,partners,kinds\n"
        "T1,falls in older inpatients,2,sme\n"
        "T2,wearable fall detector validation,2,sme\n"
    )
    result = run_batch(loaded, call, capacity=1)  # one SME in the pool, capacity 1
    assert sum(len(o.partners) for o in result.outcomes) == 1
    short = {o.brief.id: o.shortfall for o in result.short}
    assert set(short) == {"T1", "T2"}
    assert {s.constraint for s in short.values() if s} <= {
        "capacity",
        "not enough eligible candidates",
    }
    html = write_reports(result, tmp_path / "r")["html"].read_text()
    assert "short: not enough eligible candidates" in html or "short: capacity" in html


def test_assigned_partners_follow_each_rows_kinds_and_say_whether_capacity_is_left(
    loaded: Container, tmp_path: Path
) -> None:
    call = tmp_path / "kinds.csv"
    call.write_text(
        "id,text,partners,kinds\n"
        "K1,wearable sensors to detect falls in older inpatients,2,academic;sme\n"
        "K2,wearable sensors to detect falls in older inpatients,2,academic;clinical_team\n"
        "K3,a wearable fall detector for older inpatients,1,sme\n"
    )
    result = run_batch(loaded, call, capacity=1)
    by_id = {o.brief.id: o for o in result.outcomes}
    # the academics outscore the other kinds, yet each row gets the kinds it asks for
    assert sorted(p.kind for p in by_id["K2"].partners) == ["academic", "clinical_team"]
    kinds_k1 = sorted(p.kind for p in by_id["K1"].partners + by_id["K3"].partners)
    assert kinds_k1 == ["academic", "sme"]  # one SME of capacity 1 for K1 and K3
    (short,) = result.short
    assert short.shortfall is not None and short.shortfall.kinds == ("SME",)
    assert "no eligible SME left: all 1 SMEs at capacity or conflicted" in short.shortfall.detail
    # capacity 1: every assigned partner has used it up
    assert all(not p.spare_capacity for o in result.outcomes for p in o.partners)
    roomy = run_batch(loaded, call, capacity=2)
    uses: dict[str, int] = {}
    for o in roomy.outcomes:
        for p in o.partners:
            uses[p.profile_id] = uses.get(p.profile_id, 0) + 1
    assert {p.spare_capacity for o in roomy.outcomes for p in o.partners} == {True, False}
    for o in roomy.outcomes:
        for p in o.partners:
            assert p.spare_capacity == (uses[p.profile_id] < 2), p


@pytest.mark.model
def test_demo_calls_give_each_row_the_kinds_it_asks_for(
    demo_container: Container, tmp_path: Path
) -> None:
    from service.cli import main

    calls = Path(__file__).parents[3] / "data" / "demo" / "calls"
    kinds_of = {"academic": "academic", "clinical_team": "clinical_team", "sme": "sme"}
    for name in ("nihr-i4i-call.csv", "regional-challenges.csv"):
        out = tmp_path / name
        assert main(["batch", str(calls / name), "--out", str(out)], container=demo_container) == 0
        rows = list(csv.DictReader((out / "partners.csv").open(encoding="utf-8-sig")))
        assigned: dict[str, list[str]] = {}
        for row in rows:
            if row["status"] == "assigned":
                assigned.setdefault(row["brief_id"], []).append(kinds_of[row["kind"]])
        wanted = {r["id"]: r for r in csv.DictReader((calls / name).open(encoding="utf-8"))}
        if name == "nihr-i4i-call.csv":
            assert sorted(assigned["I4I-01"]) == ["academic", "clinical_team", "sme"]
        for brief_id, row in wanted.items():
            asked = [k for k in row["kinds"].split(";") if k]
            got = assigned.get(brief_id, [])
            if asked:
                assert set(got) <= set(asked), (brief_id, got, asked)
                if int(row["partners"] or 3) >= len(asked):
                    assert set(got) == set(asked), (brief_id, got, asked)
        if name == "regional-challenges.csv":
            kinds = [k for got in assigned.values() for k in got]
            assert kinds.count("academic") < 0.75 * len(kinds)


@pytest.mark.model
def test_demo_call_reports_open_in_chromium(
    demo_container: Container, tmp_path: Path, browser: object
) -> None:
    from service.cli import main

    demo_call = Path(__file__).parents[3] / "data" / "demo" / "calls" / "nihr-i4i-call.csv"
    status = main(
        ["batch", str(demo_call), "--out", str(tmp_path / "out")], container=demo_container
    )
    assert status == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["consortia.json", "partners.csv", "partners.xlsx", "report.html"]
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(r.url))
    page.goto((tmp_path / "out" / "report.html").as_uri())
    assert page.title() == "Batch matching: nihr-i4i-call.csv"
    assert page.locator("section.brief").count() == 6
    assert "Consortium 1" in page.inner_text("main")
    assert errors == []
    page.close()


def test_batch_job_through_the_api(loaded: Container) -> None:
    from fastapi.testclient import TestClient

    from matcher.model import Role
    from service.app import create_app

    _key, secret = loaded.accounts.create_key(name="broker", role=Role.KE_STAFF)
    app = create_app(loaded)
    with TestClient(app, headers={"authorization": f"Bearer {secret}"}) as client:
        submitted = client.post(
            "/api/v1/batches",
            files={"file": ("call.csv", CALL.read_bytes())},
            data={"capacity": "2"},
        )
        assert submitted.status_code == 202
        job = submitted.json()
        assert job["status"] in {"queued", "running", "done"}
        early = client.get(f"/api/v1/batches/{job['id']}/report")
        assert early.status_code in (200, 409)
        app.state.jobs.wait()
        done = client.get(f"/api/v1/batches/{job['id']}").json()
        assert done["status"] == "done" and done["total"] == 3 and done["done"] == 3
        assert done["summary"]["briefs"] == 3 and len(done["summary"]["rows_rejected"]) == 2
        html = client.get(f"/api/v1/batches/{job['id']}/report")
        assert (
            html.headers["content-type"].startswith("text/html")
            and "Batch matching report" in html.text
        )
        assert client.get(f"/api/v1/batches/{job['id']}/report?format=xlsx").content[:2] == b"PK"
        assert client.get("/api/v1/batches/job_ffffff").status_code == 404
        assert [j["id"] for j in client.get("/api/v1/batches").json()] == [job["id"]]


def test_the_excel_report_keeps_formula_like_text_as_typed(
    loaded: Container, tmp_path: Path
) -> None:
    """A brief that looks like a formula is a text cell in the workbook: never run, and shown
    as typed (no visible leading apostrophe, unlike the CSV)."""
    call = tmp_path / "formula.csv"
    text = '=HYPERLINK("http://x.example","falls in older people at home")'
    call.write_text(f'id,text\nF1,"{text.replace(chr(34), chr(34) * 2)}"\n')
    paths = write_reports(run_batch(loaded, call), tmp_path / "out")
    summary = load_workbook(paths["xlsx"])["Summary"]
    cell = summary.cell(row=2, column=6)
    assert cell.value == text and cell.data_type == "s"
    for sheet in load_workbook(paths["xlsx"]).worksheets:
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert paths["csv"].read_text(encoding="utf-8-sig").count("'=HYPERLINK") <= 1
