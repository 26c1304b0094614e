"""Batch reports: CSV, XLSX and one self-contained HTML file (no external assets, all escaped)."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook

from service.batch.consortia_file import write_consortia
from service.batch.jobs import CONSORTIA_FILE
from service.batch.result import BatchResult
from service.http.exports import append_text_row, neutralise

COLUMNS = (
    "brief_id", "purpose", "wanted", "status", "rank", "profile_id", "name", "kind",
    "organisation", "unit", "score", "spare_capacity", "binding_constraint",
)  # fmt: skip


def rows(result: BatchResult) -> list[dict[str, object]]:
    """One row per proposed partner or alternate, and one per brief left without partners."""
    table: list[dict[str, object]] = []
    for outcome in result.outcomes:
        brief = outcome.brief
        base = {
            "brief_id": brief.id,
            "purpose": brief.purpose.value,
            "wanted": brief.partners,
            "binding_constraint": (
                f"{outcome.shortfall.constraint}: {outcome.shortfall.detail}"
                if outcome.shortfall
                else ""
            ),
        }
        for status, partners in (("assigned", outcome.partners), ("alternate", outcome.alternates)):
            for rank, p in enumerate(partners, start=1):
                table.append(
                    {
                        **base,
                        "status": status,
                        "rank": rank,
                        "profile_id": p.profile_id,
                        "name": p.name,
                        "kind": p.kind,
                        "organisation": p.organisation,
                        "unit": p.unit,
                        "score": p.score,
                        "spare_capacity": p.spare_capacity,
                    }
                )
        if not outcome.partners and not outcome.alternates:
            table.append({**base, "status": "none"})
    return table


def write_csv(result: BatchResult, path: Path) -> None:
    """The assignments and alternates as CSV (cells neutralised against formula injection)."""
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows(result):
            writer.writerow({k: neutralise(row.get(k, "")) for k in COLUMNS})


def write_xlsx(result: BatchResult, path: Path) -> None:
    """A workbook: Summary, Partners, Consortia and Row errors sheets; every text a text cell
    (:func:`service.http.exports.append_text_row`), so a formula-like value is never run and
    shows no apostrophe."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # a new workbook has one sheet
    summary.title = "Summary"
    summary.append(["brief_id", "purpose", "wanted", "assigned", "binding_constraint", "text"])
    for o in result.outcomes:
        shortfall = f"{o.shortfall.constraint}: {o.shortfall.detail}" if o.shortfall else ""
        append_text_row(
            summary,
            [o.brief.id, o.brief.purpose.value, o.brief.partners, len(o.partners), shortfall,
             o.brief.text],
        )  # fmt: skip
    partners = workbook.create_sheet("Partners")
    partners.append(list(COLUMNS))
    for row in rows(result):
        append_text_row(partners, [row.get(k, "") for k in COLUMNS])
    teams = workbook.create_sheet("Consortia")
    teams.append(
        ["brief_id", "consortium", "role", "profile_id", "name", "kind", "organisation", "coverage"]
    )
    for o in result.outcomes:
        for n, view in enumerate(o.consortia, start=1):
            for role, p in view.members:
                append_text_row(
                    teams,
                    [o.brief.id, n, role, p.profile_id, p.name, p.kind, p.organisation,
                     view.coverage],
                )  # fmt: skip
    errors = workbook.create_sheet("Row errors")
    errors.append(["file", "line", "field", "reason"])
    for e in result.errors:
        append_text_row(errors, [e.source, e.line, e.field, e.reason])
    workbook.save(path)


def render_html(result: BatchResult) -> str:
    """The self-contained HTML report."""
    environment = Environment(
        loader=PackageLoader("service.web", "templates"), autoescape=select_autoescape(["html"])
    )
    template = environment.get_template("batch_report.html")
    return template.render(
        result=result, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    )


def write_reports(result: BatchResult, directory: Path) -> dict[str, Path]:
    """Write ``partners.csv``, ``partners.xlsx``, ``report.html`` and ``consortia.json`` into
    ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "csv": directory / "partners.csv",
        "xlsx": directory / "partners.xlsx",
        "html": directory / "report.html",
        "consortia": directory / CONSORTIA_FILE,
    }
    # each report is written beside its final name and renamed into place, so a crash or kill
    # mid-write never leaves a truncated report that looks finished
    writers: dict[str, Callable[[Path], object]] = {
        "csv": lambda path: write_csv(result, path),
        "xlsx": lambda path: write_xlsx(result, path),
        "html": lambda path: path.write_text(render_html(result), encoding="utf-8"),
        "consortia": lambda path: write_consortia(result, path),  # for bids (issue 20)
    }
    for kind, write in writers.items():
        partial = directory / f".{paths[kind].name}.partial"
        write(partial)
        os.replace(partial, paths[kind])
    return paths


def profile_ids(result: BatchResult) -> set[str]:
    """Every profile a batch result names: partners, alternates and consortium members."""
    found: set[str] = set()
    for outcome in result.outcomes:
        found.update(p.profile_id for p in (*outcome.partners, *outcome.alternates))
        for view in outcome.consortia:
            found.update(p.profile_id for _role, p in view.members)
    return found
