from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.db.catalogue import Catalogue
from index.ingest.profiles import ingest_files
from index.ingest.readers import parse_csv
from matcher.errors import IngestError
from tests.conftest import DEMO_FILES

pytestmark = pytest.mark.both_backends


@pytest.fixture
def catalogue(catalogue_url: str) -> Iterator[Catalogue]:
    opened = Catalogue(catalogue_url)
    yield opened
    opened.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_valid_files_load(catalogue: Catalogue) -> None:
    report = ingest_files(catalogue, DEMO_FILES)
    assert report.errors == []
    assert report.added == 6 and report.organisations == 3
    counts = catalogue.counts()
    assert counts["profiles_academic"] == 3 and counts["profiles_sme"] == 1
    sme = catalogue.get_profile("sme-steps")
    assert [e.id for e in sme.evidence] == ["c1", "c2"]
    assert sme.keywords == ("wearables", "falls") and sme.evidence[0].readiness_level == 5


def test_bad_rows_are_reported_and_good_rows_kept(catalogue: Catalogue, tmp_path: Path) -> None:
    ingest_files(catalogue, [DEMO_FILES[0]])
    bad = write(
        tmp_path / "mixed.jsonl",
        '{"record": "profile", "id": "ok-1", "kind": "academic", "name": "A", "organisation": "org-uni-a"}\n'
        '{"record": "profile", "id": "bad-kind", "kind": "robot", "name": "B", "organisation": "org-uni-a"}\n'
        "{not json\n"
        '{"record": "profile", "id": "bad-org", "kind": "sme", "name": "C", "organisation": "nowhere"}\n'
        '{"record": "profile", "id": "bad-year", "kind": "academic", "name": "D", "organisation": "org-uni-a",'
        ' "evidence": [{"id": "p", "type": "publication", "title": "T", "year": 1492}]}\n'
        '{"record": "profile", "id": "ok-2", "kind": "sme", "name": "E", "organisation": "org-uni-a", "capacity": 1}\n',
    )
    report = ingest_files(catalogue, [bad])
    messages = [str(e) for e in report.errors]
    assert messages[0].startswith(f"{bad}:2: kind: ")
    assert messages[1].startswith(f"{bad}:3: line: not valid JSON")
    assert messages[2] == f"{bad}:4: organisation: unknown organisation 'nowhere'"
    assert messages[3].startswith(f"{bad}:5: evidence.0.year: ")
    assert report.added == 2
    assert {"ok-1", "ok-2"} <= set(catalogue.profile_ids())


def test_csv_evidence_row_errors_keep_the_profile(catalogue: Catalogue, tmp_path: Path) -> None:
    ingest_files(catalogue, [DEMO_FILES[0]])
    header = DEMO_FILES[2].read_text().splitlines()[0]
    good = "s1,sme,S,org-sme-a,wearables,,,,2,,true,c1,challenge,Title one,Text,,wearables,3"
    bad = "s1,sme,S,org-sme-a,wearables,,,,2,,true,c2,challenge,Title two,Text,,wearables,12"
    ragged = "s2,sme,T,org-sme-a"
    path = write(tmp_path / "s.csv", "\n".join([header, good, bad, ragged]) + "\n")
    report = ingest_files(catalogue, [path])
    assert [str(e).split(": ")[0] for e in report.errors] == [f"{path}:3", f"{path}:4"]
    assert "readiness_level" in str(report.errors[0])
    assert [e.id for e in catalogue.get_profile("s1").evidence] == ["c1"]


def test_csv_row_with_a_blank_profile_id_is_an_error_not_a_crash(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    ingest_files(catalogue, [DEMO_FILES[0]])
    header = DEMO_FILES[2].read_text().splitlines()[0]
    good = "s1,sme,S,org-sme-a,wearables,,,,2,,true,c1,challenge,Title one,Text,,wearables,3"
    blank = "  ,sme,T,org-sme-a,wearables,,,,2,,true,c2,challenge,Title two,Text,,wearables,3"
    path = write(tmp_path / "s.csv", "\n".join([header, blank, good]) + "\n")
    report = ingest_files(catalogue, [path])
    assert [str(e).split(": ")[0] for e in report.errors] == [f"{path}:2"]
    assert "profile_id" in str(report.errors[0])
    assert [e.id for e in catalogue.get_profile("s1").evidence] == ["c1"]


def test_reingest_changes_nothing_and_update_replaces(catalogue: Catalogue, tmp_path: Path) -> None:
    ingest_files(catalogue, DEMO_FILES)
    version = catalogue.version
    again = ingest_files(catalogue, DEMO_FILES)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)
    assert catalogue.version == version
    changed = DEMO_FILES[1].read_text().replace("Dr Ada Fallow", "Prof Ada Fallow")
    report = ingest_files(catalogue, [write(tmp_path / "p.jsonl", changed)])
    assert report.updated == 1 and report.unchanged == 4
    assert catalogue.get_profile("acad-falls").name == "Prof Ada Fallow"
    assert len(catalogue.get_profile("acad-falls").evidence) == 3


def test_unreadable_files_are_clear_errors(catalogue: Catalogue, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="cannot read"):
        ingest_files(catalogue, [tmp_path / "missing.jsonl"])
    with pytest.raises(IngestError, match="unknown format"):
        ingest_files(catalogue, [write(tmp_path / "x.txt", "hello")])
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,name,type\nx,Caf\xe9,sme\n".encode("latin-1"))
    with pytest.raises(IngestError, match="not UTF-8"):
        ingest_files(catalogue, [latin])
    with pytest.raises(IngestError, match="unrecognised CSV header"):
        parse_csv("f.csv", "a,b\n1,2\n")


def test_bom_and_duplicate_ids(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text("\ufeffid,name,type,region\nx,X,sme,\nx,X again,sme,\n")
    report = ingest_files(catalogue, [path])
    assert report.organisations == 1
    assert str(report.errors[0]).startswith(f"{path}:3: id: duplicate organisation id")


def test_profile_inherits_the_organisation_region(catalogue: Catalogue) -> None:
    ingest_files(catalogue, DEMO_FILES)
    assert catalogue.get_profile("acad-falls").region == "North West"  # not given in the file
