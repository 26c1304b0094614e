"""The synthetic region of the benchmarks: exact sizes, real ingestion, vectors in the real cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.bench_scale import lua_string, wrk_script
from benchmarks.region import (
    briefs,
    cache_region_vectors,
    region_vectors,
    sample_vectors,
    write_region,
)
from index.db.catalogue import Catalogue
from index.encoders.tokens import token_counter
from index.ingest import ingest_files
from index.vectors.store import IndexStore
from matcher.calibration import GENERIC_BRIEFS
from tests.fakes import FakeEncoder


def _catalogue(path: Path) -> Catalogue:
    """A catalogue that chunks as the service's does: by the packaged model's tokens."""
    tokens = token_counter()
    return Catalogue(f"sqlite:///{path}", max_tokens=tokens.window, count=tokens.count)


def test_a_region_has_exactly_the_chunks_asked_for_and_ingests_cleanly(tmp_path: Path) -> None:
    region = write_region(tmp_path / "files", chunks=1_500, seed=3)
    catalogue = _catalogue(tmp_path / "catalogue.db")
    report = ingest_files(catalogue, region.files)
    assert report.errors == []
    counts = catalogue.counts()
    assert region.chunks == counts["chunks"] == 1_500
    assert counts["profiles"] == sum(region.profiles.values())
    assert all(counts.get(f"profiles_{kind}", 0) == n for kind, n in region.profiles.items())
    assert {row.item_id for row in catalogue.chunk_rows()} == set(region.item_topics)
    catalogue.close()


def test_a_region_is_the_same_on_every_run_and_grows_in_parts(tmp_path: Path) -> None:
    first = write_region(tmp_path / "a", chunks=400, seed=5)
    again = write_region(tmp_path / "b", chunks=400, seed=5)
    assert first.files[1].read_bytes() == again.files[1].read_bytes()
    other = write_region(tmp_path / "c", chunks=400, seed=6)
    assert other.files[1].read_bytes() != first.files[1].read_bytes()

    grown = write_region(tmp_path / "d", chunks=900, seed=5, after=first)
    assert grown.chunks == 900 and grown.last > first.last
    assert set(first.item_topics) < set(grown.item_topics)
    catalogue = _catalogue(tmp_path / "catalogue.db")
    assert ingest_files(catalogue, first.files).errors == []
    report = ingest_files(catalogue, grown.files)
    assert report.errors == [] and report.updated == 0
    assert catalogue.counts()["chunks"] == 900
    catalogue.close()


def test_made_vectors_are_unit_length_and_stay_near_their_topic() -> None:
    rng = np.random.default_rng(0)
    # three topics, each a cloud of real-looking texts around its own direction
    sample_topics = np.repeat(np.arange(3), 20)
    centres = rng.normal(size=(3, 32))
    sample = (centres[sample_topics] + 0.5 * rng.normal(size=(60, 32))).astype(np.float32)
    sample /= np.linalg.norm(sample, axis=1, keepdims=True)
    chunk_topics = rng.integers(3, size=500)
    vectors = region_vectors(chunk_topics, sample, sample_topics, seed=1, noise=0.25)
    assert vectors.shape == (500, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    centres = np.stack([sample[sample_topics == t].mean(axis=0) for t in range(3)])
    nearest = np.argmax(vectors @ centres.T, axis=1)
    assert (nearest == chunk_topics).mean() > 0.97
    # mixed and moved: no made vector is a copy of a sample vector
    assert float((vectors @ sample.T).max()) < 0.999


def test_the_index_is_built_from_the_cache_without_embedding_a_stored_chunk(
    tmp_path: Path,
) -> None:
    encoder = FakeEncoder(dimension=32)
    sample, sample_topics = sample_vectors(encoder, tmp_path / "work", per_topic=2, seed=1)
    assert sample.shape[0] == sample_topics.size and encoder.texts_embedded == sample.shape[0]
    # a second call reuses the stored sample
    sample_vectors(encoder, tmp_path / "work", per_topic=2, seed=1)
    assert encoder.texts_embedded == sample.shape[0]

    region = write_region(tmp_path / "files", chunks=300, seed=2)
    catalogue = _catalogue(tmp_path / "catalogue.db")
    ingest_files(catalogue, region.files)
    stored = cache_region_vectors(
        catalogue, encoder.model_id, region.item_topics, sample, sample_topics, seed=4
    )
    assert stored == len({row.text_hash for row in catalogue.chunk_rows()})
    before = encoder.texts_embedded
    report = IndexStore(tmp_path / "index").sync(catalogue, encoder)
    assert report.vector_count == 300 and report.embedded == 0
    # no stored chunk is embedded: only the calibration's generic briefs (a build from scratch
    # embeds them; they are not chunks, so they are not in the embedding cache)
    assert encoder.texts_embedded == before + len(GENERIC_BRIEFS)
    IndexStore(tmp_path / "index").sync(catalogue, encoder, force_rebuild=True)
    assert encoder.texts_embedded == before + 2 * len(GENERIC_BRIEFS)
    catalogue.close()


def test_briefs_are_varied_and_seeded() -> None:
    texts = briefs(50)
    assert len(texts) == 50 and len(set(texts)) > 40
    assert texts == briefs(50) and texts != briefs(50, seed=1)


def test_wrk_script_carries_any_brief_verbatim() -> None:
    tricky = 'a "quoted" ]] and ]=] brief'
    literal = lua_string(tricky)
    assert literal.startswith("[==[") and literal.endswith("]==]")
    assert literal[4:-4] == tricky
    script = wrk_script([{"text": tricky}], "secret-key", 10)
    assert "Bearer secret-key" in script and "limit = 10" in script
    assert "/api/v1/search" in script
