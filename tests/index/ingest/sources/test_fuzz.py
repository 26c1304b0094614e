"""Property-based fuzzing of each source reader: whatever the bytes or the JSON shape, a reader
yields records and ReadErrors, or refuses the whole file with a documented error
(WrongSourceError, IngestError); it never raises anything else."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.ingest.sources import (
    ReadError,
    SourceOrganisation,
    SourcePerson,
    SourceWork,
    read_gtr,
    read_openalex,
    read_orcid,
    read_pure,
)
from matcher.errors import IngestError

FUZZ = settings(
    max_examples=40,
    deadline=5_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Reader = Callable[[Path], Iterator[object]]

# The field names each source really uses, so that the fuzzer reaches deep into the parsers.
KEYS = {
    "openalex": [
        "id", "title", "display_name", "doi", "ids", "publication_year", "publication_date",
        "authorships", "author", "institutions", "orcid", "ror", "type", "lineage", "is_corresponding",
        "abstract_inverted_index", "sustainable_development_goals", "score", "grants",
        "funder_display_name", "keywords", "results", "meta", "last_known_institutions",
        "last_known_institution", "display_name_alternatives", "topics", "updated_date",
    ],
    "orcid": [
        "orcid-identifier", "path", "person", "name", "given-names", "family-name", "credit-name",
        "value", "content", "keywords", "keyword", "biography", "other-names", "other-name",
        "activities-summary", "employments", "affiliation-group", "summaries", "employment-summary",
        "end-date", "organization", "disambiguated-organization", "disambiguation-source",
        "disambiguated-organization-identifier", "works", "fundings", "group", "work-summary",
        "funding-summary", "title", "put-code", "external-ids", "external-id", "external-id-type",
        "external-id-value", "publication-date", "start-date", "year", "orcid-profile",
    ],
    "gtr": [
        "project", "person", "organisation", "page", "totalPages", "id", "href", "title",
        "abstractText", "leadFunder", "start", "links", "link", "rel", "identifiers", "identifier",
        "type", "participantValues", "participant", "organisationId", "organisationName", "role",
        "firstName", "surname", "otherNames", "orcidId", "name", "addresses", "address", "country",
    ],
    "pure": [
        "items", "count", "pageInformation", "uuid", "pureId", "name", "firstName", "lastName",
        "orcid", "title", "value", "abstract", "text", "locale", "en_GB", "contributors",
        "personAssociations", "person", "externalPerson", "typeDiscriminator",
        "organisationalUnits", "staffOrganisationAssociations", "organisationalUnit", "period",
        "endDate", "isPrimaryAssociation", "keywordGroups", "freeKeywords", "publicationStatuses",
        "current", "publicationDate", "year", "electronicVersions", "doi", "visibility", "key",
    ],
}  # fmt: skip

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.sampled_from(["", "W1", "A9999999999", "https://openalex.org/I1", "0000-0003-4721-5802",
                     "https://ror.org/05nrh1k22", "PI_PER", "COI_PER", "LEAD_ORG", "RESTRICTED",
                     "ROR", "https://gtr.ukri.org/gtr/api/projects/x", "\x00", "\ufeff"]),
    st.text(max_size=30),
)  # fmt: skip


def values(source: str) -> st.SearchStrategy[object]:
    keys = st.sampled_from(KEYS[source])
    return st.recursive(
        SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)
        ),
        max_leaves=40,
    )


READERS: dict[str, Reader] = {
    "openalex": read_openalex,
    "orcid": read_orcid,
    "gtr": read_gtr,
    "pure": read_pure,
}
RECORDS = (SourceWork, SourcePerson, SourceOrganisation, ReadError)


def run(reader: Reader, path: Path) -> None:
    try:
        for item in reader(path):
            assert isinstance(item, RECORDS)
    except IngestError:  # WrongSourceError included: a documented refusal of the whole file
        pass


@pytest.mark.parametrize("source", sorted(READERS))
def test_json_values_never_raise_undocumented_errors(source: str, tmp_path: Path) -> None:
    @FUZZ
    @given(st.lists(values(source), min_size=1, max_size=4), st.booleans(), st.booleans())
    def check(items: list[object], as_document: bool, compressed: bool) -> None:
        body = (
            json.dumps(items[0], indent=2)
            if as_document
            else "\n".join(json.dumps(i) for i in items)
        ).encode()
        path = tmp_path / ("f.json.gz" if compressed else "f.json")
        path.write_bytes(gzip.compress(body) if compressed else body)
        run(READERS[source], path)

    check()


@pytest.mark.parametrize("source", sorted(READERS))
def test_arbitrary_bytes_never_raise_undocumented_errors(source: str, tmp_path: Path) -> None:
    @FUZZ
    @given(st.binary(max_size=300), st.sampled_from([b"", b"\x1f\x8b", b"{", b"{\n"]))
    def check(data: bytes, prefix: bytes) -> None:
        path = tmp_path / "f.bin"
        path.write_bytes(prefix + data)
        run(READERS[source], path)

    check()


def test_a_valid_record_survives_hostile_neighbours(tmp_path: Path) -> None:
    good = json.dumps({"id": "W1", "title": "Kept"})
    path = tmp_path / "w.jsonl"
    hostile = ["[1]", "null", "{", '{"a": ' * 5000 + "1" + "}" * 5000, "\udcff", good]
    path.write_text("\n".join(hostile) + "\n", errors="surrogatepass")
    items = list(read_openalex(path))
    assert [i.source_id for i in items if isinstance(i, SourceWork)] == ["W1"]
    assert all(isinstance(i, (SourceWork, ReadError)) for i in items)
