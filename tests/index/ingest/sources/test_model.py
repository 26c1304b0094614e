"""Id normal forms, the name-based organisation type guess and the ReadError form."""

from __future__ import annotations

import pytest

from index.ingest.sources import (
    ReadError,
    guess_organisation_type,
    normalise_doi,
    normalise_openalex_id,
    normalise_orcid,
    normalise_ror,
)
from matcher.model import OrganisationType


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://orcid.org/0000000218250097", "0000-0002-1825-0097"),
        ("0000-0002-1825-0098", ""),  # wrong check digit
        ("0000-0001-5109-106x", "0000-0001-5109-106X"),
        ("not an id", ""),
    ],
)
def test_orcid_normal_form(value: str, expected: str) -> None:
    assert normalise_orcid(value) == expected


def test_doi_ror_and_openalex_normal_forms() -> None:
    assert normalise_doi("https://doi.org/10.5555/NHR.2024.001") == "10.5555/nhr.2024.001"
    assert normalise_doi("doi:10.1/x") == "10.1/x"
    assert normalise_doi("11.1/x") == ""
    assert normalise_ror("https://ror.org/05nrh1k22") == "05nrh1k22"
    assert normalise_ror("05NRH1K22") == "05nrh1k22"
    assert normalise_ror("I4210000001") == ""
    assert normalise_openalex_id("https://openalex.org/W4300000001") == "W4300000001"
    assert normalise_openalex_id("https://api.openalex.org/authors/a5000000001") == "A5000000001"
    assert normalise_openalex_id("05nrh1k22") == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("University of Northhaven", OrganisationType.UNIVERSITY),
        ("Northhaven Teaching Hospitals NHS Foundation Trust", OrganisationType.NHS_TRUST),
        ("NHS Lothian Health Board", OrganisationType.NHS_TRUST),
        ("Glasgow City Health and Social Care Partnership", OrganisationType.HSCP),
        ("Northhaven City Council", OrganisationType.COUNCIL),
        ("Medical Research Council", OrganisationType.OTHER),  # a funder, not a council
        ("Brightwell Diagnostics Ltd", OrganisationType.OTHER),
    ],
)
def test_organisation_type_guessed_narrowly_from_names(
    name: str, expected: OrganisationType
) -> None:
    assert guess_organisation_type(name) is expected


def test_read_error_is_file_line_field_reason() -> None:
    error = ReadError("works.jsonl", 7, "title", "missing")
    assert str(error) == "works.jsonl:7: title: missing"
    assert str(error.to_exception()) == "works.jsonl:7: title: missing"
