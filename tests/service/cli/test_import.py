"""``import openalex|orcid|gtr|pure`` and ``people review|merge|split`` on the fixtures of
tests/data/sources (the acceptance scenarios of issue 16), with the fake encoder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from index.db.catalogue import Catalogue
from index.db.sources import SourceStore
from service.cli import main
from service.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "data" / "sources"
AISHA = "orcid-0000-0003-4721-5802"
NORTHHAVEN = "I4210000001"


def run(settings: Settings, *args: str) -> int:
    return main(list(args), settings=settings)


def files(*names: str) -> list[str]:
    return [str(DATA / n) for n in names]


def import_all(settings: Settings, works: str = "openalex/works-v1.jsonl") -> None:
    assert run(settings, "import", "openalex", *files(works), "--institution", NORTHHAVEN) == 0
    assert run(settings, "import", "orcid", *files("orcid/0000-0003-4721-5802.json")) == 0
    gtr = files("gtr/projects.json", "gtr/persons.json", "gtr/organisations.json")
    assert run(settings, "import", "gtr", *gtr) == 0


def catalogue(settings: Settings) -> Catalogue:
    return Catalogue(settings.catalogue_url)


def test_the_three_source_person_is_one_profile_with_provenance_and_links(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import_all(settings)
    cat = catalogue(settings)
    try:
        aisha = cat.get_profile(AISHA)
        sources = {p.source for e in aisha.evidence for p in e.provenance}
        assert sources == {"openalex", "orcid", "gtr"}
        by_doi = next(e for e in aisha.evidence if e.doi == "10.5555/nhr.2024.001")
        assert {p.source for p in by_doi.provenance} == {"openalex", "orcid"}
        grant = next(e for e in aisha.evidence if e.title.startswith("SEPSIS-EARLY"))
        assert {p.source for p in grant.provenance} == {"gtr", "orcid"}  # one item, two sources
        # a GtR co-investigator and an OpenAlex co-author are conflicts of interest
        assert "gtr-c0ffee00-1111-4aaa-8bbb-000000000002" in aisha.coauthors
        assert "openalex-A5000000005" in aisha.coauthors
        assert aisha.unit == "Northhaven Medical School"
    finally:
        cat.close()
    out = capsys.readouterr().out
    assert "1 to review" in out


def test_reimport_changes_nothing_and_a_newer_snapshot_embeds_only_what_changed(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import_all(settings)
    capsys.readouterr()
    import_all(settings)
    out = capsys.readouterr().out
    for line in [
        line for line in out.splitlines() if line.startswith(("openalex:", "orcid:", "gtr:"))
    ]:
        assert "0 created, 0 updated" in line
        assert "texts embedded: 0;" in line
        assert "0 added, 0 changed" in line
    assert run(
        settings, "import", "openalex", *files("openalex/works-v2.jsonl.gz"),
        "--institution", NORTHHAVEN, "--full",
    ) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "1 added, 1 changed, 1 unchanged, 1 withdrawn" in out
    # the changed abstract and the added work, nothing else (their profiles' summaries are
    # unchanged and cached)
    assert "texts embedded: 2;" in out
    cat = catalogue(settings)
    try:
        assert not any(
            p.source_id == "W4300000003" for q in cat.iter_profiles() for e in q.evidence
            for p in e.provenance
        )  # fmt: skip
    finally:
        cat.close()


def test_an_erased_person_is_not_recreated_by_any_importer(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import_all(settings)
    assert run(settings, "delete", AISHA) == 0
    import_all(settings)
    assert (
        run(settings, "import", "pure", *files("pure/persons.json", "pure/research-outputs.json"))
        == 0
    )
    cat = catalogue(settings)
    try:
        names = {p.name for p in cat.iter_profiles()}
        assert "Aisha Rahman" not in names
        assert "Helen Clarke" in names  # others still come in
        aliases = SourceStore(cat.engine).aliases()
        assert AISHA not in aliases.values()
    finally:
        cat.close()
    assert "suppressed" in capsys.readouterr().out


def test_hidden_and_pinned_items_survive_reimport(settings: Settings) -> None:
    import_all(settings)
    cat = catalogue(settings)
    try:
        store = SourceStore(cat.engine)
        store.set_curation(AISHA, "doi:10.5555/nhr.2023.017", "hidden")
        store.set_curation(AISHA, "doi:10.5555/nhr.2024.001", "pinned")
    finally:
        cat.close()
    # the curation is applied when the profile is next assembled, e.g. by a newer snapshot
    assert (
        run(
            settings,
            "import",
            "openalex",
            *files("openalex/works-v2.jsonl.gz"),
            "--institution",
            NORTHHAVEN,
        )
        == 0
    )
    import_all(settings)
    cat = catalogue(settings)
    try:
        aisha = cat.get_profile(AISHA)
        assert "doi:10.5555/nhr.2023.017" not in {e.id for e in aisha.evidence}
        assert next(e for e in aisha.evidence if e.id == "doi:10.5555/nhr.2024.001").pinned
        chunk_texts = " ".join(cat.chunk_texts([r.id for r in cat.chunk_rows()]).values())
        assert "lactate" not in chunk_texts.lower()  # hidden: never embedded
    finally:
        cat.close()


def test_review_merge_and_split(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    import_all(settings)
    capsys.readouterr()
    assert run(settings, "people", "review") == 0
    out = capsys.readouterr().out
    assert "Daniel Murray" in out and "0.60" in out
    daniel_gtr = "gtr-c0ffee00-1111-4aaa-8bbb-000000000003"
    assert run(settings, "people", "merge", "openalex-A5000000005", daniel_gtr) == 0
    capsys.readouterr()
    assert run(settings, "people", "review") == 0
    assert "no candidate pairs" in capsys.readouterr().out
    # the decision is remembered: a re-import does not bring the merged profile back
    import_all(settings)
    cat = catalogue(settings)
    try:
        ids = set(cat.profile_ids())
        assert daniel_gtr not in ids
        daniel = cat.get_profile("openalex-A5000000005")
        assert {p.source for e in daniel.evidence for p in e.provenance} == {"openalex", "gtr"}
    finally:
        cat.close()
    assert run(settings, "people", "split", "openalex-A5000000005", daniel_gtr) == 0
    assert run(settings, "people", "split", AISHA) == 1  # nothing merged by name alone


def test_a_file_of_another_source_is_refused_naming_the_command(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, "import", "openalex", *files("orcid/0000-0003-4721-5802.json")) == 2
    assert "matcher import orcid" in capsys.readouterr().err


def test_bad_rows_are_reported_the_rest_kept_and_exit_1(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = DATA / "openalex" / "works-v1.jsonl"
    bad = tmp_path / "works.jsonl"
    lines = source.read_text().splitlines()
    bad.write_text("\n".join([lines[0], '{"id": "https://openalex.org/W1"}', *lines[1:]]) + "\n")
    assert run(settings, "import", "openalex", str(bad), "--institution", NORTHHAVEN, "--full") == 1
    captured = capsys.readouterr()
    assert f"{bad}:2: title: missing" in captured.err
    assert "3 added" in captured.out
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(gzip.compress(source.read_bytes())[:-30])
    assert (
        run(settings, "import", "openalex", str(truncated), "--institution", NORTHHAVEN, "--full")
        == 1
    )
    captured = capsys.readouterr()
    assert "truncated gzip" in captured.err or "corrupt gzip" in captured.err
    assert "0 withdrawn (withdrawal skipped" in captured.out


def test_a_newer_orcid_record_withdraws_only_its_own_leavers(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_all(settings)
    record = json.loads((DATA / "orcid" / "0000-0003-4721-5802.json").read_text())
    groups = record["activities-summary"]["works"]["group"]
    record["activities-summary"]["works"]["group"] = groups[:1]
    newer = tmp_path / "aisha.json"
    newer.write_text(json.dumps(record))
    capsys.readouterr()
    assert run(settings, "import", "orcid", str(newer)) == 0
    assert f"{len(groups) - 1} withdrawn" in capsys.readouterr().out
    cat = catalogue(settings)
    try:
        aisha = cat.get_profile(AISHA)
        assert {p.source for e in aisha.evidence for p in e.provenance} >= {"openalex", "gtr"}
    finally:
        cat.close()


def test_import_api_against_a_loopback_server(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.index.ingest.sources.test_fetch import JSON, Server

    body = (DATA / "orcid" / "0000-0003-4721-5802.json").read_bytes()

    def route(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if path == "/0000-0003-4721-5802/record":
            return 200, JSON, body
        return 404, JSON, b"{}"

    with Server(route) as server:
        status = run(
            settings, "import", "orcid", "--api", "--api-url", server.url,
            "--orcid", "0000-0003-4721-5802",
        )  # fmt: skip
    assert status == 0
    assert "1 created" in capsys.readouterr().out


def test_imported_people_are_unlisted_unless_the_office_lists_them(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import_all(settings)  # KE_MATCHER_IMPORT_CONSENT left at its default: unlisted
    assert "unlisted (not shown in searches)" in capsys.readouterr().out
    assert run(settings, "search", "early warning scores for sepsis", "--top", "3") == 0
    assert "Aisha Rahman" not in capsys.readouterr().out
    cat = catalogue(settings)
    try:
        assert not cat.get_profile(AISHA).consent
    finally:
        cat.close()
    # the office lists its imported people: the profiles that exist keep their consent
    listed = settings.model_copy(update={"import_consent": "listed"})
    import_all(listed)
    cat = catalogue(settings)
    try:
        assert not cat.get_profile(AISHA).consent
    finally:
        cat.close()


def test_search_shows_the_provenance_of_the_evidence(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings.model_copy(update={"import_consent": "listed"})  # the office's decision
    import_all(settings)
    capsys.readouterr()
    assert run(settings, "search", "early warning scores for sepsis", "--top", "3") == 0
    out = capsys.readouterr().out
    assert "Aisha Rahman" in out
    assert "openalex W4300000001, retrieved" in out


def test_the_office_lists_imported_people_by_identifier_and_reimport_keeps_it(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select

    from index.db.schema import profiles

    import_all(settings)
    capsys.readouterr()
    # all or nothing: one unknown name and nobody changes
    assert run(settings, "people", "list", "0000-0003-4721-5802", "orcid:0000-0001-0000-000X") != 0
    assert "not found, nobody changed: orcid:0000-0001-0000-000X" in capsys.readouterr().err
    assert (
        run(settings, "people", "list", "--dry-run", "https://orcid.org/0000-0003-4721-5802") == 0
    )
    assert "would make 1 listed" in capsys.readouterr().out

    def row() -> tuple[bool, str, str]:
        cat = catalogue(settings)
        try:
            with cat.engine.connect() as connection:
                found = connection.execute(
                    select(
                        profiles.c.consent, profiles.c.content_hash, profiles.c.updated_at
                    ).where(profiles.c.id == AISHA)
                ).one()
        finally:
            cat.close()
        return bool(found[0]), str(found[1]), str(found[2])

    assert not row()[0]
    listing = settings.data_dir / "decided.txt"
    listing.write_text("# the office's decision of 2026-12-03\n0000-0003-4721-5802  # Aisha\n\n")
    assert run(settings, "people", "list", "--file", str(listing)) == 0
    assert "1 people listed; 0 already were" in capsys.readouterr().out
    assert run(settings, "search", "early warning scores for sepsis", "--top", "3") == 0
    assert "Aisha Rahman" in capsys.readouterr().out
    listed = row()
    assert listed[0]
    import_all(settings)  # the same files again: the listed profile is not rewritten
    assert row() == listed
    assert run(settings, "people", "list", "--unlist", AISHA) == 0
    assert "1 people unlisted" in capsys.readouterr().out
    assert run(settings, "search", "early warning scores for sepsis", "--top", "3") == 0
    assert "Aisha Rahman" not in capsys.readouterr().out
