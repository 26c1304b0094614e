"""The ORCID, Gateway to Research and Pure readers on their fixtures, field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.ingest.sources import (
    AuthorRole,
    SourceBatch,
    WrongSourceError,
    read_gtr,
    read_orcid,
    read_pure,
)
from matcher.model import EvidenceType, OrganisationType
from tests.index.ingest.sources.conftest import RETRIEVED

AISHA = "0000-0003-4721-5802"


def orcid(path: Path) -> SourceBatch:
    return SourceBatch().add_all(read_orcid(path, retrieved_at=RETRIEVED))


def gtr(path: Path) -> SourceBatch:
    return SourceBatch().add_all(read_gtr(path, retrieved_at=RETRIEVED))


def pure(path: Path) -> SourceBatch:
    return SourceBatch().add_all(read_pure(path, organisation="05nrh1k22", retrieved_at=RETRIEVED))


# ----------------------------------------------------------------------------- ORCID


def test_orcid_person_from_name_keywords_biography_and_current_employment(data: Path) -> None:
    result = orcid(data / "orcid" / f"{AISHA}.json")
    assert result.errors == []
    person = result.people[0]
    assert (person.source_id, person.orcid, person.name) == (AISHA, AISHA, "Aisha Rahman")
    assert (person.given_name, person.family_name) == ("Aisha", "Rahman")
    assert person.aliases == ("Aisha N. Rahman",)
    assert person.keywords == ("sepsis", "emergency medicine")
    assert person.biography.startswith("Emergency physician")
    # the current employment (no end date), not the one that ended in 2020
    assert (person.organisation, person.organisation_name) == (
        "05nrh1k22",
        "University of Northhaven",
    )
    assert person.unit == "Northhaven Medical School"
    assert person.other_ids == (("Scopus Author ID", "57000000001"),)
    employer = result.organisations[0]
    assert (employer.ror, employer.type) == ("05nrh1k22", OrganisationType.UNIVERSITY)


def test_orcid_one_work_per_group_and_fundings_as_grants(data: Path) -> None:
    works = orcid(data / "orcid" / f"{AISHA}.json").works
    publications = [w for w in works if w.type is EvidenceType.PUBLICATION]
    # two summaries in the first group: the first (preferred) one only
    assert [w.source_id for w in publications] == [f"{AISHA}/work/6101", f"{AISHA}/work/6103"]
    assert publications[0].doi == "10.5555/nhr.2024.001"
    assert publications[0].year == 2024 and publications[0].abstract == ""
    assert publications[1].doi == "" and publications[1].url == f"https://orcid.org/{AISHA}"
    grant = next(w for w in works if w.type is EvidenceType.GRANT)
    assert grant.title.startswith("SEPSIS-EARLY")
    assert (grant.funder, grant.year) == ("Medical Research Council", 2024)
    assert grant.authors[0].orcid == AISHA and grant.authors[0].role is AuthorRole.OTHER


def test_orcid_v2_layout_is_an_unknown_schema_version(data: Path) -> None:
    result = orcid(data / "orcid" / "record-v2.1.json")
    assert result.people == []
    assert [e.field for e in result.errors] == ["activities-summary.employments"]
    assert "unknown schema version" in result.errors[0].reason


def test_orcid_record_without_public_name(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"orcid-identifier": {"path": AISHA}, "person": {"name": None}}))
    assert [str(e) for e in orcid(path).errors] == [
        f"{path}:1: person.name: missing (the name is not public)"
    ]


# ----------------------------------------------------------------------------- GtR


def test_gtr_project_is_a_grant_with_pi_and_coi(data: Path) -> None:
    result = gtr(data / "gtr" / "projects.json")
    assert result.errors == []
    project = result.works[0]
    assert project.type is EvidenceType.GRANT
    assert project.source_id == "d00d0000-2222-4ccc-9ddd-000000000001"
    assert project.title.startswith("SEPSIS-EARLY")
    assert project.abstract.startswith("Sepsis kills thousands")
    assert (project.funder, project.year) == ("MRC", 2024)
    assert project.url == "https://gtr.ukri.org/projects?ref=MR/Z000001/1"
    assert project.source_type == "Research Grant"
    roles = [(a.person, a.role) for a in project.authors]
    assert roles == [
        ("c0ffee00-1111-4aaa-8bbb-000000000001", AuthorRole.PRINCIPAL_INVESTIGATOR),
        ("c0ffee00-1111-4aaa-8bbb-000000000002", AuthorRole.CO_INVESTIGATOR),
    ]
    lead = "7a1d3c55-0e4b-4a53-9d6e-1b2c3d4e5f01"
    assert project.authors[0].institutions == (lead,)
    assert project.authors[0].unit == "Northhaven Medical School"
    assert project.organisations[0].source_id == lead
    assert project.organisations[0].name == "University of Northhaven"


def test_gtr_persons_and_organisations(data: Path) -> None:
    people = gtr(data / "gtr" / "persons.json").people
    aisha = people[0]
    assert (aisha.name, aisha.orcid) == ("Aisha Rahman", AISHA)
    assert aisha.aliases == ("Aisha Noor Rahman",)
    assert aisha.organisation == "7a1d3c55-0e4b-4a53-9d6e-1b2c3d4e5f01"
    assert aisha.url == "https://gtr.ukri.org/person/c0ffee00-1111-4aaa-8bbb-000000000001"
    assert people[2].orcid == ""
    organisations = gtr(data / "gtr" / "organisations.json").organisations
    assert [o.type for o in organisations] == [
        OrganisationType.UNIVERSITY,
        OrganisationType.NHS_TRUST,
        OrganisationType.UNIVERSITY,
    ]
    assert organisations[1].country == "United Kingdom"


def test_gtr_project_missing_title(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    page = {"project": [{"id": "x1", "title": "Fine"}, {"id": "x2"}], "page": 1, "totalPages": 1}
    path.write_text(json.dumps(page))
    result = gtr(path)
    assert [w.source_id for w in result.works] == ["x1"]
    assert [str(e) for e in result.errors] == [f"{path}:1: project[1].title: missing"]


# ----------------------------------------------------------------------------- Pure


def test_pure_persons(data: Path) -> None:
    result = pure(data / "pure" / "persons.json")
    assert result.errors == []
    aisha, helen = result.people
    assert (aisha.source_id, aisha.orcid) == ("9e3b7f2a-5c1d-4e8f-a6b0-1c2d3e4f5a61", AISHA)
    assert aisha.unit == "Northhaven Medical School"  # current primary, not the ended one
    assert aisha.organisation == "05nrh1k22"
    assert aisha.keywords == ("sepsis", "emergency care", "early warning scores")
    assert aisha.biography.startswith("Dr Rahman leads")
    assert aisha.aliases == ("A. N. Rahman",)
    assert aisha.other_ids == (("pure_id", "310001"),)
    assert helen.orcid == "0000-0001-5550-8125" and helen.biography == ""


def test_pure_outputs_internal_contributors_and_restricted_skipped(data: Path) -> None:
    result = pure(data / "pure" / "research-outputs.json")
    assert result.errors == []
    assert len(result.works) == 2  # the RESTRICTED one is not read
    first, second = result.works
    assert first.doi == "10.5555/nhr.2024.001"
    assert first.year == 2024 and first.source_type == "article"
    internal, external = first.authors
    assert (internal.person, internal.internal, internal.institutions) == (
        "9e3b7f2a-5c1d-4e8f-a6b0-1c2d3e4f5a61", True, ("05nrh1k22",),
    )  # fmt: skip
    assert internal.unit == "Northhaven Medical School"
    assert (external.person, external.name, external.internal) == ("", "Tom Okafor", False)
    assert second.abstract == "" and second.year == 2023  # the current status's year


def test_pure_new_layout_contributors(tmp_path: Path) -> None:
    item = {
        "uuid": "u1",
        "pureId": 1,
        "title": {"value": "New layout"},
        "abstract": {"en_GB": "An abstract."},
        "contributors": [
            {"typeDiscriminator": "InternalContributorAssociation", "person": {"uuid": "p1"},
             "name": {"firstName": "A", "lastName": "B"}},
            {"typeDiscriminator": "ExternalContributorAssociation", "externalPerson": {"uuid": "e1"},
             "name": {"firstName": "C", "lastName": "D"}},
        ],
    }  # fmt: skip
    path = tmp_path / "o.json"
    path.write_text(json.dumps({"count": 1, "items": [item]}))
    work = pure(path).works[0]
    assert work.abstract == "An abstract."
    assert [(a.person, a.internal) for a in work.authors] == [("p1", True), ("", False)]


@pytest.mark.parametrize(
    ("reader", "fixture", "command"),
    [
        (read_orcid, "gtr/projects.json", "matcher import gtr"),
        (read_gtr, "pure/persons.json", "matcher import pure"),
        (read_pure, "openalex/works-v1.jsonl", "matcher import openalex"),
        (read_gtr, f"orcid/{AISHA}.json", "matcher import orcid"),
    ],
)
def test_a_file_of_another_source_is_refused_naming_the_command(
    data: Path, reader: object, fixture: str, command: str
) -> None:
    with pytest.raises(WrongSourceError, match=command):
        list(reader(data / fixture))  # type: ignore[operator]
