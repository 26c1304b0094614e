"""The fixtures hold the cases identity merging must handle (the merge itself comes later):
one person in OpenAlex, ORCID, GtR and Pure at once, and a name-only match for review."""

from __future__ import annotations

from pathlib import Path

from index.ingest.sources import (
    InstitutionFilter,
    SourceBatch,
    people_of,
    read_gtr,
    read_openalex,
    read_orcid,
    read_pure,
)

AISHA = "0000-0003-4721-5802"


def everything(data: Path) -> SourceBatch:
    result = SourceBatch()
    result.add_all(read_openalex(data / "openalex" / "works-v1.jsonl"))
    result.add_all(read_orcid(data / "orcid" / f"{AISHA}.json"))
    for name in ("projects", "persons", "organisations"):
        result.add_all(read_gtr(data / "gtr" / f"{name}.json"))
    result.add_all(read_pure(data / "pure" / "persons.json"))
    return result


def test_one_person_carries_the_same_orcid_in_four_sources(data: Path) -> None:
    result = everything(data)
    ours = InstitutionFilter.parse(["https://ror.org/05nrh1k22"])
    openalex_people = [p for w in result.works for p in people_of(w, ours)]
    with_orcid = {
        (p.source.value, p.source_id)
        for p in [*openalex_people, *result.people]
        if p.orcid == AISHA
    }
    assert {source for source, _ in with_orcid} == {"openalex", "orcid", "gtr", "pure"}
    # and evidence in three of them names her: an OpenAlex work, an ORCID work, a GtR grant
    sources = {
        w.source.value
        for w in result.works
        if any(a.orcid == AISHA or a.person in {i for _, i in with_orcid} for a in w.authors)
    }
    assert sources == {"openalex", "orcid", "gtr"}


def test_a_name_only_match_has_no_shared_id_and_different_organisations(data: Path) -> None:
    result = everything(data)
    ours = InstitutionFilter.parse(["I4210000001"])
    openalex_daniel = next(
        p for w in result.works for p in people_of(w, ours) if p.name == "Daniel Murray"
    )
    gtr_daniel = next(p for p in result.people if p.name == "Daniel Murray")
    assert openalex_daniel.orcid == gtr_daniel.orcid == ""
    assert openalex_daniel.organisation_name == "University of Northhaven"
    eastmarsh = next(o for o in result.organisations if o.source_id == gtr_daniel.organisation)
    assert eastmarsh.name == "University of Eastmarsh"  # same name, another organisation: review
