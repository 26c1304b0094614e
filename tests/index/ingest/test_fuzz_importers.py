"""Property-based fuzzing of each importer, end to end: the fixture records of a source with
random fields dropped or replaced by other JSON go through the reader and the importer into a
fresh catalogue.

Whatever the records, an import either completes (bad records reported as ReadErrors, the rest
kept) or refuses the file with a documented error (``WrongSourceError``, ``IngestError``) before
anything is written; it never raises anything else. It never half-writes: every staged person
belongs to a profile that exists, and importing the same file again changes nothing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from index.db.catalogue import Catalogue
from index.db.sources import SourceStore
from index.ingest.importer import ImportOptions, import_records
from index.ingest.sources import read_gtr, read_openalex, read_orcid, read_pure
from index.ingest.sources.model import Source
from index.ingest.sources.openalex import InstitutionFilter
from matcher.errors import IngestError

DATA = Path(__file__).resolve().parents[2] / "data" / "sources"
RETRIEVED = "2026-01-05T10:00:00Z"

FUZZ = settings(
    max_examples=6,
    deadline=None,
    # each example migrates a fresh catalogue and imports twice: no shrinking, to stay cheap
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Reader = Callable[[Path], Iterator[Any]]
READERS: dict[Source, Reader] = {
    Source.OPENALEX: lambda p: read_openalex(p, retrieved_at=RETRIEVED),
    Source.ORCID: lambda p: read_orcid(p, retrieved_at=RETRIEVED),
    Source.GTR: lambda p: read_gtr(p, retrieved_at=RETRIEVED),
    Source.PURE: lambda p: read_pure(p, organisation="05nrh1k22", retrieved_at=RETRIEVED),
}
FIXTURES = {
    Source.OPENALEX: "openalex/works-page-1.json",
    Source.ORCID: "orcid/0000-0003-4721-5802.json",
    Source.GTR: "gtr/projects.json",
    Source.PURE: "pure/research-outputs.json",
}
OTHER_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3_000) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside a JSON document (the root excluded)."""
    children: Any = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )  # fmt: skip
    for key, child in children:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


def mutated(document: Any, choices: list[tuple[int, bool, Any]]) -> Any:
    """``document`` with, for each choice (path number, drop?, replacement), the chosen field
    dropped or replaced."""
    document = json.loads(json.dumps(document))
    for number, drop, replacement in choices:
        every = list(paths(document))
        if not every:
            break
        *parents, last = every[number % len(every)]
        holder = document
        for key in parents:
            holder = holder[key]
        if drop and isinstance(holder, dict):
            del holder[last]
        else:
            holder[last] = replacement
    return document


def rows(catalogue: Catalogue) -> tuple[int, set[str], dict[tuple[str, str], Any]]:
    """What an import may change: the version, the profile ids and the staged people."""
    store = SourceStore(catalogue.engine)
    return catalogue.version, set(catalogue.profile_ids()), store.people()


def import_once(catalogue: Catalogue, source: Source, path: Path) -> Any:
    options = ImportOptions(
        institutions=InstitutionFilter.parse(["I4210000001"]), current_year=2026
    )
    return import_records(catalogue, source, READERS[source](path), options=options)


@pytest.mark.parametrize("source", list(FIXTURES), ids=lambda s: s.value)
@FUZZ
@given(
    choices=st.lists(
        st.tuples(st.integers(0, 10_000), st.booleans(), OTHER_JSON), min_size=1, max_size=4
    )
)
def test_an_import_completes_or_refuses_the_file_and_never_half_writes(
    tmp_path_factory: pytest.TempPathFactory, source: Source, choices: list[Any]
) -> None:
    directory = tmp_path_factory.mktemp(source.value)
    document = json.loads((DATA / FIXTURES[source]).read_text(encoding="utf-8"))
    path = directory / "records.json"
    path.write_text(json.dumps(mutated(document, choices)), encoding="utf-8")
    catalogue = Catalogue(f"sqlite:///{directory / 'catalogue.db'}")
    try:
        before = rows(catalogue)
        try:
            first = import_once(catalogue, source, path)
        except IngestError:  # refused whole (WrongSourceError is one): nothing was written
            assert rows(catalogue) == before
            return
        _version, profiles, people = rows(catalogue)
        assert {p.profile_id for p in people.values()} <= profiles  # no orphaned record
        assert first.people_created + first.people_updated >= 0
        # the same file again changes nothing, not even once (an authorship without
        # institutions of a person the first run made a profile of is theirs from that run on:
        # found by this test, OpenAlex, authorships[0].institutions = null)
        settled = rows(catalogue)
        again = import_once(catalogue, source, path)
        assert (again.people_created, again.people_updated) == (0, 0), (choices, again.summary())
        assert rows(catalogue) == settled
    finally:
        catalogue.close()


def test_the_mutations_reach_every_field() -> None:
    document = json.loads((DATA / FIXTURES[Source.ORCID]).read_text(encoding="utf-8"))
    every = list(paths(document))
    assert len(every) > 50
    changed = {
        json.dumps(mutated(document, [(n, True, None)]), sort_keys=True)
        for n in itertools.islice(range(len(every)), 20)
    }
    assert len(changed) == 20
