"""Shortlist exports (CSV and XLSX), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from service.container import Container

#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("profile_id", "name", "kind", "organisation", "unit", "brief", "added_at")


def neutralise(value: Any) -> Any:
    """Prefix a text that a spreadsheet would run as a formula with an apostrophe (CSV, which has
    no cell types; XLSX cells are typed as text instead, see :func:`shortlist_xlsx`)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def shortlist_rows(
    container: Container, key_id: str, *, with_contact: bool = False
) -> list[dict[str, Any]]:
    """The caller's shortlist with each profile's display fields (deleted profiles drop out)."""
    entries = container.accounts.shortlist(key_id)
    profiles = container.catalogue.get_profiles([e.profile_id for e in entries])
    names = container.engine.organisation_names()
    rows = []
    for entry in entries:
        profile = profiles.get(entry.profile_id)
        if profile is None or not profile.consent:
            continue
        row: dict[str, Any] = {
            "profile_id": profile.id,
            "name": profile.name,
            "kind": profile.kind.value,
            "organisation": names.get(profile.organisation_id, profile.organisation_id),
            "unit": profile.unit,
            "brief": entry.brief,
            "added_at": entry.added_at,
        }
        if with_contact:
            row["contact"] = profile.contact
        rows.append(row)
    return rows


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    columns = list(COLUMNS)
    if rows and "contact" in rows[0]:
        columns.append("contact")
    return columns


def shortlist_csv(rows: list[dict[str, Any]]) -> bytes:
    """CSV (UTF-8 with BOM, so that spreadsheets read accents right)."""
    buffer = io.StringIO()
    columns = _columns(rows)
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise(row.get(k, "")) for k in columns})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def append_text_row(sheet: Any, values: list[Any]) -> None:
    """Append a row to an openpyxl sheet with every text as a text cell (type ``s``): openpyxl
    would make ``=…`` a formula, and a text cell shows it as typed and never runs it, without
    the visible apostrophe that CSV needs."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def shortlist_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """An XLSX workbook with one sheet. Every text is written as a text cell (type ``s``), so a
    value such as ``=HYPERLINK(…)`` is shown as typed and never run, without the visible
    apostrophe that CSV needs."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Shortlist"
    columns = _columns(rows)
    sheet.append(columns)
    for row in rows:
        append_text_row(sheet, [row.get(k, "") for k in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
