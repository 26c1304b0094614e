"""The OpenAlex reader on the snapshot and API page fixtures, its abstract rebuild, the
institution filter and its handling of bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from index.ingest.sources import (
    AuthorRole,
    InstitutionFilter,
    InvalidInstitutionIdError,
    SdgScore,
    Source,
    SourceBatch,
    WrongSourceError,
    institution_type,
    our_authorships,
    people_of,
    read_openalex,
    rebuild_abstract,
)
from index.ingest.sources.reading import FieldError
from matcher.model import EvidenceType, OrganisationType
from tests.index.ingest.sources.conftest import RETRIEVED

AISHA = "0000-0003-4721-5802"


def batch(path: Path) -> SourceBatch:
    return SourceBatch().add_all(read_openalex(path, retrieved_at=RETRIEVED))


def test_a_snapshot_work_field_by_field(data: Path) -> None:
    result = batch(data / "openalex" / "works-v1.jsonl")
    assert result.errors == []
    work = result.works[0]
    assert work.source is Source.OPENALEX
    assert work.source_id == "W4300000001"
    assert work.doi == "10.5555/nhr.2024.001"
    assert work.title.startswith("Early warning scores for sepsis")
    assert work.abstract == (
        "We validated an early warning score for sepsis in adult emergency departments "
        "across two NHS hospitals."
    )
    assert work.year == 2024
    assert work.type is EvidenceType.PUBLICATION
    assert work.source_type == "article"
    assert work.funder == "Medical Research Council"
    assert work.url == "https://openalex.org/W4300000001"
    assert work.retrieved_at == RETRIEVED
    assert work.updated == "2025-01-10T08:00:00.000000"
    assert work.keywords == ("Sepsis",)
    assert work.sdgs == (
        SdgScore("https://metadata.un.org/sdg/3", "Good health and well-being", 0.91),
    )
    first = work.authors[0]
    assert (first.person, first.name, first.orcid) == ("A5000000001", "Aisha Rahman", AISHA)
    assert first.institutions == ("I4210000011",)
    assert first.is_corresponding and first.role is AuthorRole.AUTHOR
    trust = next(o for o in work.organisations if o.source_id == "I4210000002")
    assert trust.type is OrganisationType.NHS_TRUST
    assert (trust.ror, trust.country, trust.source_type) == ("02tht7m55", "GB", "healthcare")
    school = next(o for o in work.organisations if o.source_id == "I4210000011")
    assert school.parents == ("I4210000001",)


def test_the_null_author_is_skipped_and_positions_kept(data: Path) -> None:
    work = batch(data / "openalex" / "works-v1.jsonl").works[0]
    assert "A9999999999" not in {a.person for a in work.authors}
    assert [a.position for a in work.authors] == [0, 2, 3]


def test_a_work_without_abstract_keeps_its_title(data: Path) -> None:
    work = batch(data / "openalex" / "works-v1.jsonl").works[1]
    assert work.abstract == ""
    assert work.title == "Point-of-care lactate testing in rural general practice"


def test_abstract_rebuilt_in_position_order() -> None:
    assert rebuild_abstract({"world": [1], "Hello": [0], "again": [3], "hello": [2]}) == (
        "Hello world hello again"
    )
    assert rebuild_abstract(None) == ""
    with pytest.raises(FieldError):
        rebuild_abstract({"x": [10**9]})
    with pytest.raises(FieldError):
        rebuild_abstract({"x": "0"})


def test_a_bad_abstract_index_keeps_the_work_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl"
    path.write_text(json.dumps({"id": "W1", "title": "T", "abstract_inverted_index": {"a": [-1]}}))
    result = batch(path)
    assert result.works[0].abstract == ""
    assert [str(e) for e in result.errors] == [
        f"{path}:1: abstract_inverted_index: bad position -1; work kept without its abstract"
    ]


def test_an_institution_read_again_follows_what_each_work_says(tmp_path: Path) -> None:
    # institutions are remembered by their fields: a renamed one on a later work is the new name
    def work(work_id: str, name: object, lineage: object) -> str:
        institution = {"id": "I77", "display_name": name, "type": "healthcare", "lineage": lineage}
        authorship = {
            "author": {"id": "A1", "display_name": "Ann Lee"},
            "institutions": [institution],
        }
        return json.dumps({"id": work_id, "title": "T", "authorships": [authorship]})

    path = tmp_path / "w.jsonl"
    lines = [
        work("W1", "Old Trust", ["I77", "I70"]),
        work("W2", "Old Trust", ["I77", "I70"]),
        work("W3", "New Trust", ["I77"]),
        work("W4", {"odd": 1}, [["I70"]]),  # unhashable fields are read, not remembered
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = batch(path).works
    orgs = [w.organisations[0] for w in found]
    assert [(o.name, o.parents) for o in orgs] == [
        ("Old Trust", ("I70",)),
        ("Old Trust", ("I70",)),
        ("New Trust", ()),
        ("I77", ()),
    ]
    assert orgs[0] is orgs[1]


def test_two_snapshot_versions_differ_by_one_changed_one_added_one_gone(data: Path) -> None:
    old = {w.source_id: w for w in batch(data / "openalex" / "works-v1.jsonl").works}
    new = {w.source_id: w for w in batch(data / "openalex" / "works-v2.jsonl.gz").works}
    assert set(new) - set(old) == {"W4300000004"}
    assert set(old) - set(new) == {"W4300000003"}
    changed = {i for i in set(old) & set(new) if old[i] != new[i]}
    assert changed == {"W4300000001"}
    assert "recalibrated" in new["W4300000001"].abstract


def test_api_pages_and_an_author_record(data: Path) -> None:
    page = batch(data / "openalex" / "works-page-1.json")
    assert [w.source_id for w in page.works] == ["W4300000001", "W4300000002"]
    author = batch(data / "openalex" / "author-A5000000001.json")
    person = author.people[0]
    assert (person.source_id, person.name, person.orcid) == ("A5000000001", "Aisha Rahman", AISHA)
    assert person.aliases == ("A. Rahman", "Aisha N. Rahman")
    assert person.organisation == "I4210000001"
    assert person.organisation_name == "University of Northhaven"
    assert ("scopus", person.other_ids[0][1]) == person.other_ids[0]
    assert person.keywords[0] == "Sepsis Diagnosis and Treatment"
    assert author.organisations[0].type is OrganisationType.UNIVERSITY


@pytest.mark.parametrize(
    "institution",
    ["https://ror.org/05nrh1k22", "05nrh1k22", "https://openalex.org/I4210000001", "I4210000001"],
)
def test_our_authorships_by_ror_or_openalex_id_in_url_or_bare_form(
    data: Path, institution: str
) -> None:
    work = batch(data / "openalex" / "works-v1.jsonl").works[0]
    ours = our_authorships(work, InstitutionFilter.parse([institution]))
    # Aisha is at the medical school, a part of the university (lineage); Tom is at the trust
    assert [a.person for a in ours] == ["A5000000001", "A5000000005"]
    people = people_of(work, InstitutionFilter.parse([institution]))
    assert [p.organisation for p in people] == ["I4210000011", "I4210000001"]


def test_the_trust_filter_takes_only_the_trust_author(data: Path) -> None:
    work = batch(data / "openalex" / "works-v1.jsonl").works[0]
    ours = our_authorships(work, InstitutionFilter.parse(["https://ror.org/02tht7m55"]))
    assert [a.name for a in ours] == ["Tom Okafor"]


def test_an_institution_id_of_neither_kind_is_refused() -> None:
    with pytest.raises(InvalidInstitutionIdError, match="ROR id"):
        InstitutionFilter.parse(["W4300000001"])


@pytest.mark.parametrize(
    ("openalex_type", "ours"),
    [
        ("education", OrganisationType.UNIVERSITY),
        ("healthcare", OrganisationType.NHS_TRUST),
        ("company", OrganisationType.SME),
        ("government", OrganisationType.COUNCIL),
        ("nonprofit", OrganisationType.CHARITY),
        ("facility", OrganisationType.OTHER),
        ("funder", OrganisationType.OTHER),
        ("", OrganisationType.OTHER),
    ],
)
def test_institution_type_mapping(openalex_type: str, ours: OrganisationType) -> None:
    assert institution_type(openalex_type) is ours


def test_an_orcid_record_is_refused_with_the_right_command(data: Path) -> None:
    with pytest.raises(WrongSourceError, match=r"matcher import orcid"):
        batch(data / "orcid" / f"{AISHA}.json")


def test_a_truncated_gzip_keeps_the_lines_before_it(data: Path, tmp_path: Path) -> None:
    whole = (data / "openalex" / "works-v2.jsonl.gz").read_bytes()
    raw = gzip.decompress(whole)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(raw)[: len(gzip.compress(raw)) - 30])
    result = batch(cut)
    assert 1 <= len(result.works) < 3
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.field, error.reason) == (
        "file",
        "truncated gzip: the file ends before its end marker",
    )
    assert error.line == len(result.works) + 1 or error.line > len(result.works)


def test_bad_lines_are_reported_and_the_rest_kept(data: Path, tmp_path: Path) -> None:
    lines = (data / "openalex" / "works-v1.jsonl").read_text().splitlines()
    missing_title = json.loads(lines[2])
    missing_title["title"] = None
    missing_title["display_name"] = None
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join([lines[0], '{"id": "W9", "title": oops}', json.dumps(missing_title), lines[1]])
        + "\n"
    )
    result = batch(path)
    assert [w.source_id for w in result.works] == ["W4300000001", "W4300000002"]
    assert [str(e) for e in result.errors] == [
        f"{path}:2: line: not valid JSON: Expecting value",
        f"{path}:3: title: missing",
    ]


def test_a_page_record_error_names_its_place(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    page = {"meta": {"count": 2}, "results": [{"id": "W1", "title": "Fine"}, {"title": "no id"}]}
    path.write_text(json.dumps(page, indent=2))
    result = batch(path)
    assert [w.source_id for w in result.works] == ["W1"]
    assert [str(e) for e in result.errors] == [f"{path}:1: results[1].id: missing"]
