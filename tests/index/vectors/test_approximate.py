"""The approximate index: chosen by size, tuned to a measured recall, checked against exact search
on seeded synthetic vectors (as in faiss's own SyntheticDataset tests)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index.vectors.build import (
    EXACT_INDEX_TYPE,
    IndexPolicy,
    build_ivf,
    measure_recall,
    tuning_queries,
)
from index.vectors.snapshot import FLOAT16_FILE, INDEX_FILE, REFINE, is_quantised
from index.vectors.store import IndexStore
from matcher.briefs import make_brief
from service.container import Container, build_container
from service.search.engine import SearchEngine
from service.settings import Settings
from tests.conftest import DEMO_FILES
from tests.fakes import FakeEncoder


def clustered(n: int, d: int = 64, clusters: int = 50, seed: int = 7) -> np.ndarray:
    centres = np.random.default_rng(1).normal(size=(clusters, d))  # one distribution
    rng = np.random.default_rng(seed)  # different draws from it
    points = centres[rng.integers(0, clusters, n)] + 0.5 * rng.normal(size=(n, d))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32)


def test_ivf_reaches_the_target_recall_on_held_out_queries() -> None:
    vectors = clustered(20_000)
    ids = np.arange(100, 20_100, dtype=np.int64)
    policy = IndexPolicy(exact_max_vectors=1_000, target_recall=0.99, seed=3)
    built = build_ivf(vectors, ids, policy)
    assert built.index_type.startswith("IVF") and built.recall >= 0.99
    assert 1 <= built.params["nprobe"] <= built.params["nlist"]
    # fresh queries that were never in the sample used for tuning
    held = clustered(300, seed=99)
    assert measure_recall(built.index, vectors, ids, held, 100) >= 0.98
    # and tuning is honest: the next smaller nprobe misses the target on the tuning queries
    if built.params["nprobe"] > 1:
        built.index.nprobe = built.params["nprobe"] // 2
        queries = tuning_queries(vectors, policy)
        assert measure_recall(built.index, vectors, ids, queries, 100) < 0.99


def approximate_demo(data_dir: Path) -> Container:
    """The demo pool (fake encoder) in a store whose threshold makes its index approximate."""
    settings = Settings(data_dir=data_dir, reload_seconds=0)
    container = build_container(settings, encoder=FakeEncoder())
    container.store = IndexStore(settings.index_dir, policy=IndexPolicy(exact_max_vectors=5))
    container.engine.store = container.store
    container.ingest(DEMO_FILES)
    return container


def test_store_switches_to_ivf_above_the_threshold_and_records_it(tmp_path: Path) -> None:
    container = approximate_demo(tmp_path)
    manifest = container.store.current_manifest()
    assert manifest is not None and manifest.index_type.startswith("IVF")
    assert manifest.recall_at_k is not None and manifest.recall_at_k >= 0.99
    assert {"nlist", "nprobe", "trained_on"} <= set(manifest.index_params)
    snap = container.store.load()
    assert faiss.extract_index_ivf(snap.index).nprobe == manifest.index_params["nprobe"]
    # incremental delete keeps working on the IVF index
    container.delete("acad-retina")
    assert "acad-retina" not in container.store.load().profile_index
    container.close()


def test_search_path_over_the_approximate_index_gives_the_exact_ranking(tmp_path: Path) -> None:
    exact = build_container(
        Settings(data_dir=tmp_path / "a", reload_seconds=0), encoder=FakeEncoder()
    )
    exact.ingest(DEMO_FILES)
    assert exact.store.current_manifest().index_type == EXACT_INDEX_TYPE  # type: ignore[union-attr]
    approx_store = IndexStore(tmp_path / "b", policy=IndexPolicy(exact_max_vectors=5))
    approx_store.sync(exact.catalogue, exact.encoder)
    approx = SearchEngine(exact.catalogue, approx_store, exact.encoder, reload_seconds=0)
    for text in (
        "falls older inpatients wearable",
        "retinal screening deep learning",
        "battery life",
    ):
        brief = make_brief(text, top=3)
        a = exact.engine.search(brief).matches
        b = approx.search(brief).matches
        assert [m.profile_id for m in a] == [m.profile_id for m in b]
        # the approximate index re-scores from a float16 copy of the vectors
        assert [m.score for m in b] == pytest.approx([m.score for m in a], abs=2e-4)
    exact.close()


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_indexes_stay_exact(tmp_path: Path, n: int) -> None:
    store = IndexStore(tmp_path)
    assert store.policy.exact_max_vectors > n


def test_approximate_index_is_quantised_and_search_returns_exact_similarities(
    tmp_path: Path,
) -> None:
    vectors = clustered(20_000)
    ids = np.arange(20_000, dtype=np.int64)
    built = build_ivf(vectors, ids, IndexPolicy(exact_max_vectors=1_000, seed=3))
    assert is_quantised(built.index) and "SQ8" in built.index_type
    # 8-bit codes: about a quarter of IVF-Flat's float copy of the vectors
    assert faiss.serialize_index(built.index).size < 0.35 * vectors.nbytes
    held = clustered(300, seed=99)
    assert measure_recall(built.index, vectors, ids, held, 100, refine=REFINE) >= 0.98
    # the codes are lossy: FAISS's own similarities differ from the exact ones
    sims, found = built.index.search(held[:1], 50)
    assert not np.allclose(sims[0], vectors[found[0]] @ held[0], atol=1e-5)

    # ... but a snapshot re-scores what FAISS found: exact similarities, best first
    container = approximate_demo(tmp_path)
    snap = container.store.load()
    assert is_quantised(snap.index)
    query = container.encoder.encode(["wearable sensors for falls in older people"])[0]
    for rows, found_sims in (snap.search(query, 8), snap.search_kind(query, 8, 0)):
        assert rows.size == 8
        np.testing.assert_array_equal(found_sims, snap.similarities(query, rows))
        assert np.all(np.diff(found_sims) <= 0)
    # the float16 copy keeps similarities within float16 rounding of the float32 vectors
    rows = np.arange(snap.size)
    np.testing.assert_allclose(
        snap.similarities(query, rows), np.asarray(snap.vectors) @ query, rtol=0, atol=2e-3
    )
    # the copy is written with the version; without it (an older version) it is made on load
    assert snap.path is not None and (snap.path / FLOAT16_FILE).is_file()
    before = snap.similarities(query, rows)
    (snap.path / FLOAT16_FILE).unlink()
    again = container.store.load(reuse=False)
    np.testing.assert_array_equal(again.similarities(query, rows), before)
    # and the 10 best of all are those of an exhaustive scan (this small index is fully probed)
    everything = snap.similarities(query, np.arange(snap.size))
    top = np.sort(everything)[::-1][:10]
    np.testing.assert_allclose(snap.search(query, 10)[1], top, rtol=0, atol=1e-6)
    container.close()


def mapped_files() -> set[str]:
    """The files this process has memory-mapped now."""
    lines = Path("/proc/self/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}


@pytest.mark.parametrize("policy", [IndexPolicy(exact_max_vectors=5), IndexPolicy()])
def test_a_shared_snapshot_answers_as_a_private_one(tmp_path: Path, policy: IndexPolicy) -> None:
    # the served version is memory-mapped (IVF-SQ8 with its float16 copy, or an exact index);
    # every search and kind search finds the same rows with the same similarities
    container = approximate_demo(tmp_path)
    store = IndexStore(container.store.root, policy=policy)
    store.sync(container.catalogue, container.encoder, force_rebuild=True)
    shared = store.load()
    assert is_quantised(shared.index) == (policy.exact_max_vectors == 5)
    private = store.load(reuse=False)
    assert shared.shared and not private.shared
    # the shared one's index file (and float16 copy) are mapped, not read into the process
    assert shared.path is not None
    files = {str(shared.path / INDEX_FILE), str(shared.path / FLOAT16_FILE)}
    expected = files if is_quantised(shared.index) else {str(shared.path / INDEX_FILE)}
    assert expected <= mapped_files()
    assert store.load() is shared  # reused while current
    if is_quantised(shared.index):
        assert isinstance(shared._scoring, np.memmap)
        assert not isinstance(private._scoring, np.memmap)
    queries = container.encoder.encode(
        ["wearable sensors for falls", "retinal screening", "battery life", "sepsis in the ED"]
    )
    for query in queries:
        for k in (1, 8, 40):
            for a, b in zip(shared.search(query, k), private.search(query, k), strict=True):
                np.testing.assert_array_equal(a, b)
            for kind in range(3):
                for a, b in zip(
                    shared.search_kind(query, k, kind),
                    private.search_kind(query, k, kind),
                    strict=True,
                ):
                    np.testing.assert_array_equal(a, b)
    # a later sync still changes its own private copy and publishes a new version
    container.store = container.engine.store = store
    container.delete("acad-retina")
    assert store.current_manifest().version > shared.manifest.version  # type: ignore[union-attr]
    assert "acad-retina" not in store.load().profile_index
    assert "acad-retina" in shared.profile_index  # the old snapshot is left as it was
    container.close()
