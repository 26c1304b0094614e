"""Importing the same file twice changes nothing the second time, whatever the order of its
records: an OpenAlex authorship without institutions is its person's (ours) when that person is
in the pool, and the first run already decides that once its people are known."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from index.db.catalogue import Catalogue
from index.ingest.importer import ImportOptions, ImportReport, import_records
from index.ingest.sources import InstitutionFilter, Source, read_openalex

RETRIEVED = "2026-01-05T10:00:00Z"
OURS = {
    "id": "https://openalex.org/I4210000001",
    "ror": "https://ror.org/05nrh1k22",
    "display_name": "University of Northhaven",
    "type": "education",
    "country_code": "GB",
}
ELSEWHERE = {
    "id": "https://openalex.org/I5000001",
    "display_name": "Hospital",
    "type": "healthcare",
}


def authorship(author: str, name: str, institutions: Any) -> dict[str, Any]:
    return {
        "author_position": "first",
        "author": {"id": f"https://openalex.org/{author}", "display_name": name, "orcid": None},
        "institutions": institutions,
    }


def work(number: int, title: str, authorships: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": f"https://openalex.org/W{number}",
        "title": title,
        "publication_year": 2025,
        "abstract_inverted_index": {"Falls": [0], "in": [1], "care": [2], "homes": [3]},
        "authorships": authorships,
    }


RECORDS = [
    # Aisha at our institution: she becomes a profile
    work(1, "Falls prediction", [authorship("A1", "Aisha Rahman", [OURS])]),
    # her authorship on another work names no institution (null, or an empty list)
    work(2, "Gait monitoring", [authorship("A1", "Aisha Rahman", None), authorship("A2", "Bo Li", [ELSEWHERE])]),
    work(3, "Sepsis scores", [authorship("A1", "Aisha Rahman", []), authorship("A3", "Cy Ng", [ELSEWHERE])]),
]  # fmt: skip


def run(catalogue: Catalogue, path: Path) -> ImportReport:
    options = ImportOptions(
        institutions=InstitutionFilter.parse(["I4210000001"]), current_year=2026
    )
    return import_records(
        catalogue, Source.OPENALEX, read_openalex(path, retrieved_at=RETRIEVED), options=options
    )


@pytest.mark.parametrize("order", ["institution first", "institution last"])
def test_a_second_import_of_the_same_file_changes_nothing(tmp_path: Path, order: str) -> None:
    records = RECORDS if order == "institution first" else RECORDS[::-1]
    path = tmp_path / "works.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'catalogue.db'}")
    try:
        first = run(catalogue, path)
        assert (first.people_created, first.works_added) == (1, 3)
        profile = catalogue.profile_store.get_profile("openalex-A1")
        # all three works are hers from the first run on, whichever came first in the file
        assert sorted(p.source_id for e in profile.evidence for p in e.provenance) == [
            "W1",
            "W2",
            "W3",
        ]
        version = catalogue.version
        second = run(catalogue, path)
        assert (second.people_created, second.people_updated) == (0, 0), second.summary()
        assert (second.works_added, second.works_changed, second.works_unchanged) == (0, 0, 3)
        assert second.changed_profiles == []
        assert catalogue.version == version
    finally:
        catalogue.close()


def test_created_profiles_are_listed_only_when_the_options_say_so(tmp_path: Path) -> None:
    path = tmp_path / "works.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'catalogue.db'}")
    try:
        run(catalogue, path)
        assert not catalogue.profile_store.get_profile("openalex-A1").consent  # the default
        listed = ImportOptions(institutions=InstitutionFilter.parse(["I4210000001"]), listed=True)
        other = tmp_path / "other.jsonl"
        other.write_text(
            # a new colleague, and a new work of Aisha's: her profile is assembled again
            json.dumps(
                work(
                    4,
                    "Delirium",
                    [authorship("A4", "Di Po", [OURS]), authorship("A1", "Aisha Rahman", [OURS])],
                )
            )
            + "\n",
            encoding="utf-8",
        )
        for source in (path, other):
            import_records(
                catalogue, Source.OPENALEX, read_openalex(source, retrieved_at=RETRIEVED),
                options=listed,
            )  # fmt: skip
        assert catalogue.profile_store.get_profile("openalex-A4").consent  # created listed
        aisha = catalogue.profile_store.get_profile("openalex-A1")
        assert len(aisha.evidence) == 4  # assembled again with the new work
        assert not aisha.consent  # and kept unlisted, as it was
    finally:
        catalogue.close()


def test_profiles_assembled_in_small_batches_are_those_of_big_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # assembly runs in batches sized from the works a first small batch holds (memory must
    # not grow with the snapshot); however the batches fall, the profiles are the same
    from benchmarks.bench_import import INSTITUTION, generate
    from index.ingest import importer

    path = tmp_path / "works.jsonl.gz"
    generate(path, 400, people=60, seed=5)
    options = ImportOptions(institutions=InstitutionFilter.parse([INSTITUTION]), current_year=2026)
    found = []
    for name, sizes in (("big", (500, 500, 100_000)), ("small", (1, 3, 7))):
        first, batch, works = sizes
        monkeypatch.setattr(importer, "FIRST_PROFILE_BATCH", first)
        monkeypatch.setattr(importer, "PROFILE_BATCH", batch)
        monkeypatch.setattr(importer, "ASSEMBLY_WORKS", works)
        catalogue = Catalogue(f"sqlite:///{tmp_path / name}.db")
        try:
            report = import_records(
                catalogue, Source.OPENALEX, read_openalex(path, retrieved_at=RETRIEVED),
                options=options,
            )  # fmt: skip
            ids = sorted(report.changed_profiles)
            profiles = catalogue.profile_store.get_profiles(ids)
            found.append({i: replace(p, updated_at="") for i, p in profiles.items()})
        finally:
            catalogue.close()
    assert len(found[0]) == 60 and any(p.coauthors for p in found[0].values())
    assert found[0] == found[1]
