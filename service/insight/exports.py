"""The gap report's exports: CSV (one row per need), XLSX (needs, themes, organisations,
untapped academics) and one self-contained HTML file (inline SVG chart and styles, nothing
fetched). Spreadsheet cells are neutralised against formula injection with the helpers the
shortlist and batch exports use."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook

from matcher.insight.gaps import ALL_ASKS, MIN_REFERENCE, GroupSummary
from service.http.exports import append_text_row, neutralise
from service.insight.charts import histogram, histogram_svg
from service.insight.gaps import GapReport

NEED_COLUMNS = (
    "coverage", "gap_measure", "best_score", "best_strength", "item_id", "type", "title",
    "profile_id", "profile_name",
    "organisation_id", "organisation_name", "organisation_type", "theme", "sdgs",
    "academic_1", "strength_1", "academic_2", "strength_2", "academic_3", "strength_3",
)  # fmt: skip
GROUP_COLUMNS = (
    "key", "label", "asked", "served", "weak", "unserved", "median_best", "who_asks",
    "nearest_academics",
)  # fmt: skip
UNTAPPED_COLUMNS = ("profile_id", "name", "organisation", "themes", "gap_measure")

_ENVIRONMENT = Environment(
    loader=PackageLoader("service.insight", "templates"),
    autoescape=select_autoescape(["html"]),
)


def _strength(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def need_rows(report: GapReport) -> list[dict[str, Any]]:
    """One row per need, least served first."""
    rows = []
    for r in report.results:
        row: dict[str, Any] = {
            "coverage": r.coverage.value,
            "gap_measure": round(r.best, 4),
            "best_score": r.matches[0].score if r.matches else "",
            "best_strength": _strength(r.matches[0].strength) if r.matches else "",
            "item_id": r.need.item_id,
            "type": r.need.type,
            "title": r.need.title,
            "profile_id": r.need.profile_id,
            "profile_name": r.need.profile_name,
            "organisation_id": r.need.organisation_id,
            "organisation_name": r.need.organisation_name,
            "organisation_type": r.need.organisation_type,
            "theme": report.theme_labels.get(r.need.themes[0], "") if r.need.themes else "",
            "sdgs": " ".join(str(g) for g in sorted(r.need.sdgs)),
        }
        for i, m in enumerate(r.matches[:3], start=1):
            row[f"academic_{i}"] = f"{m.name} ({m.organisation_name})"
            row[f"strength_{i}"] = _strength(m.strength)
        rows.append(row)
    return rows


def group_rows(groups: tuple[GroupSummary, ...]) -> list[dict[str, Any]]:
    """One row per theme or organisation."""
    return [
        {
            "key": g.key,
            "label": g.label,
            "asked": g.asked,
            "served": g.served,
            "weak": g.weak,
            "unserved": g.unserved,
            "median_best": g.median_best,
            "who_asks": ", ".join(f"{t} {n}" for t, n in g.askers.items()),
            "nearest_academics": "; ".join(f"{name} ({n})" for _, name, n in g.nearest),
        }
        for g in groups
    ]


def untapped_rows(report: GapReport) -> list[dict[str, Any]]:
    """One row per untapped academic."""
    return [
        {
            "profile_id": u.profile_id,
            "name": u.name,
            "organisation": u.organisation_name,
            "themes": "; ".join(report.theme_labels.get(t, t) for t in u.themes),
            "gap_measure": u.best,
        }
        for u in report.untapped
    ]


def gaps_csv(report: GapReport) -> bytes:
    """The needs as CSV (UTF-8 with BOM), formula-like texts neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=NEED_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in need_rows(report):
        writer.writerow({k: neutralise(row.get(k, "")) for k in NEED_COLUMNS})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def gaps_xlsx(report: GapReport) -> bytes:
    """The report as a workbook; every text is a text cell (never run as a formula)."""
    workbook = Workbook()
    sheets: list[tuple[str, tuple[str, ...], list[dict[str, Any]]]] = [
        ("Needs", NEED_COLUMNS, need_rows(report)),
        ("By theme", GROUP_COLUMNS, group_rows(report.by_theme)),
        ("By organisation", GROUP_COLUMNS, group_rows(report.by_organisation)),
        ("Untapped academics", UNTAPPED_COLUMNS, untapped_rows(report)),
    ]
    first = workbook.active
    assert first is not None  # a new workbook always has one sheet
    workbook.remove(first)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            append_text_row(sheet, [row.get(k, "") for k in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def gaps_body(report: GapReport) -> str:
    """The report's HTML body (chart, data tables), shared by the page and the file."""
    data = histogram(
        [r.best for r in report.results],
        marks=(report.thresholds.served, report.thresholds.weak),
    )
    counts = {c.value: n for c, n in report.counts.items()}
    description = (
        f"Histogram of the best academic score of {len(report.results)} needs, in spreads from "
        f"the typical best score of their type: {counts['served']} served (at least "
        f"{report.thresholds.served:+.1f}), {counts['weak']} weakly served, "
        f"{counts['unserved']} unserved (below {report.thresholds.weak:+.1f}). "
        "The table below gives every bin."
    )
    chart = histogram_svg(
        data,
        served=report.thresholds.served,
        weak=report.thresholds.weak,
        title="Best academic match of each need",
        description=description,
    )
    bins = [(data.edges[i], data.edges[i + 1], data.counts[i]) for i in range(len(data.counts))]
    scales = [
        (
            f"all asks (for types with fewer than {MIN_REFERENCE})" if key == ALL_ASKS else key,
            ref,
            ref.centre + report.thresholds.served * ref.spread,
            ref.centre + report.thresholds.weak * ref.spread,
        )
        for key, ref in sorted(report.references.items())
    ]
    return _ENVIRONMENT.get_template("gaps_body.html").render(
        report=report, counts=counts, chart=chart, bins=bins, scales=scales
    )


def gaps_html(report: GapReport) -> str:
    """The whole report as one self-contained HTML file."""
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    return _ENVIRONMENT.get_template("gaps_report.html").render(
        body=gaps_body(report), generated=generated
    )


def write_gap_reports(report: GapReport, out_dir: Path) -> dict[str, Path]:
    """Write ``gaps.csv``, ``gaps.xlsx`` and ``gaps.html`` into ``out_dir`` (created)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "csv": out_dir / "gaps.csv",
        "xlsx": out_dir / "gaps.xlsx",
        "html": out_dir / "gaps.html",
    }
    paths["csv"].write_bytes(gaps_csv(report))
    paths["xlsx"].write_bytes(gaps_xlsx(report))
    paths["html"].write_text(gaps_html(report), encoding="utf-8")
    return paths
