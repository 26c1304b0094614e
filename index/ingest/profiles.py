"""Ingestion runs: read every file, then write the valid organisations and profiles to the
catalogue and report what changed.

Organisations are written before profiles, so a profile may name an organisation from any file of
the same run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.db.catalogue import Catalogue
from index.ingest.readers import ParsedFile, parse_file
from matcher.errors import InvalidRecordError


@dataclass(slots=True)
class IngestReport:
    """What one ingestion run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    organisations: int = 0
    errors: list[InvalidRecordError] = field(default_factory=list)
    changed_profiles: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Number of rows reported as errors."""
        return len(self.errors)

    def summary(self) -> str:
        """One line for people."""
        return (
            f"profiles: {self.added} added, {self.updated} updated, {self.unchanged} unchanged; "
            f"organisations: {self.organisations} written; rows rejected: {self.rejected}"
        )


def ingest_files(
    catalogue: Catalogue,
    paths: Sequence[Path],
    *,
    on_profile: Callable[[], None] | None = None,
) -> IngestReport:
    """Validate and write every valid record of ``paths`` to the catalogue.

    Organisations from all files go first; a profile naming an unknown organisation is rejected.
    Within one run a repeated id is reported and the first occurrence kept.

    Args:
        catalogue: where the records go.
        paths: JSON Lines or CSV files (:func:`~index.ingest.readers.parse_file`).
        on_profile: called after each profile is written (a progress bar).

    Raises:
        IngestError: a file cannot be read (nothing from any file is written then).
    """
    parsed = [(path, parse_file(path)) for path in paths]
    report = IngestReport()
    for _, result in parsed:
        report.errors.extend(result.errors)
    _write_organisations(catalogue, parsed, report)
    _write_profiles(catalogue, parsed, report, on_profile=on_profile)
    report.errors.sort(key=lambda e: (e.source, e.line))
    return report


def _write_organisations(
    catalogue: Catalogue, parsed: Sequence[tuple[Path, ParsedFile]], report: IngestReport
) -> None:
    seen: dict[str, str] = {}
    for path, result in parsed:
        for line, organisation in result.organisations:
            if organisation.id in seen:
                report.errors.append(
                    InvalidRecordError(
                        str(path),
                        line,
                        "id",
                        f"duplicate organisation id, first at {seen[organisation.id]}",
                    )
                )
                continue
            seen[organisation.id] = f"{path}:{line}"
            if catalogue.upsert_organisation(organisation).status != "unchanged":
                report.organisations += 1


def _write_profiles(
    catalogue: Catalogue,
    parsed: Sequence[tuple[Path, ParsedFile]],
    report: IngestReport,
    *,
    on_profile: Callable[[], None] | None,
) -> None:
    # a profile without a region of its own takes its organisation's
    regions = {o.id: o.region for o in catalogue.organisations()}
    seen: dict[str, str] = {}
    for path, result in parsed:
        for line, profile in result.profiles:
            if profile.id in seen:
                report.errors.append(
                    InvalidRecordError(
                        str(path), line, "id", f"duplicate profile id, first at {seen[profile.id]}"
                    )
                )
                continue
            if profile.organisation_id not in regions:
                report.errors.append(
                    InvalidRecordError(
                        str(path),
                        line,
                        "organisation",
                        f"unknown organisation {profile.organisation_id!r}",
                    )
                )
                continue
            seen[profile.id] = f"{path}:{line}"
            if not profile.region:
                profile = replace(profile, region=regions[profile.organisation_id])
            outcome = catalogue.upsert_profile(profile)
            if outcome.status == "added":
                report.added += 1
            elif outcome.status == "updated":
                report.updated += 1
            else:
                report.unchanged += 1
            if outcome.status != "unchanged":
                report.changed_profiles.append(profile.id)
            if on_profile is not None:
                on_profile()
