"""Each part of the catalogue works alone over one engine, and they share one version."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine

from index.db.embedding_cache import EmbeddingCache
from index.db.index_source import IndexSource
from index.db.organisations import OrganisationStore
from index.db.profiles import ProfileStore
from index.db.versioning import CatalogueVersion, open_catalogue_engine
from matcher.model import (
    EvidenceItem,
    EvidenceType,
    Organisation,
    OrganisationType,
    Profile,
    ProfileKind,
)

PROFILE = Profile(
    id="p1",
    kind=ProfileKind.SME,
    name="Steps Ltd",
    organisation_id="org-1",
    region="Glasgow",
    evidence=(EvidenceItem("e1", EvidenceType.CHALLENGE, "Fall sensor", "a hip-worn sensor"),),
)


@pytest.fixture
def engine(catalogue_url: str) -> Iterator[Engine]:
    opened = open_catalogue_engine(catalogue_url)
    yield opened
    opened.dispose()


def test_writes_of_every_part_bump_the_one_version(engine: Engine) -> None:
    versions = CatalogueVersion(engine)
    assert versions.current == 0
    organisations = OrganisationStore(engine)
    outcome = organisations.upsert_organisation(
        Organisation("org-1", "Steps", OrganisationType.SME)
    )
    assert (outcome.status, versions.current) == ("added", 1)
    assert (
        organisations.upsert_organisation(
            Organisation("org-1", "Steps", OrganisationType.SME)
        ).status
        == "unchanged"
    )
    assert versions.current == 1
    profiles = ProfileStore(engine)
    assert profiles.upsert_profile(PROFILE).status == "added"
    assert versions.current == 2
    assert organisations.organisation_ids() == {"org-1"}
    assert profiles.get_profile("p1").evidence == PROFILE.evidence


def test_the_index_source_sees_what_the_profile_store_wrote(engine: Engine) -> None:
    OrganisationStore(engine).upsert_organisation(
        Organisation("org-1", "Steps", OrganisationType.SME)
    )
    ProfileStore(engine).upsert_profile(PROFILE)
    version, rows, metas = IndexSource(engine).index_source()
    assert version == CatalogueVersion(engine).current
    assert {(r.profile_id, r.item_id) for r in rows} == {("p1", "e1")}
    assert [(m.id, m.region, m.kind) for m in metas] == [("p1", "Glasgow", ProfileKind.SME)]
    texts = IndexSource(engine).chunk_texts([r.id for r in rows])
    assert any("hip-worn sensor" in text for text in texts.values())


def test_the_cache_keeps_only_vectors_of_texts_in_use_and_forgets_erased_ones(
    engine: Engine,
) -> None:
    OrganisationStore(engine).upsert_organisation(
        Organisation("org-1", "Steps", OrganisationType.SME)
    )
    profiles = ProfileStore(engine)
    profiles.upsert_profile(PROFILE)
    cache = EmbeddingCache(engine)
    used = IndexSource(engine).chunk_rows()[0].text_hash
    vector = np.ones(4, np.float32)
    cache.cache_vectors("m", {used: vector, "not-a-chunk": vector}, only_in_use=True)
    assert cache.cached_hashes() == {used}
    assert np.array_equal(cache.cached_vectors("m", [used, "x"])[used], vector)
    assert cache.cached_vectors("other-model", [used]) == {}
    profiles.delete_profile("p1")
    assert cache.cached_hashes() == set()
