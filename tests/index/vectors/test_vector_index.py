from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from index.vectors.store import CURRENT, IndexStore
from matcher.errors import IndexUnavailableError
from service.container import Container
from tests.conftest import DEMO_FILES
from tests.fakes import FakeEncoder

pytestmark = pytest.mark.both_backends


def test_unchanged_reingest_embeds_nothing(loaded: Container, fake_encoder: FakeEncoder) -> None:
    before = fake_encoder.texts_embedded
    version = loaded.store.current_manifest().version  # type: ignore[union-attr]
    report, sync = loaded.ingest(DEMO_FILES)
    assert report.unchanged == 6
    assert fake_encoder.texts_embedded == before
    assert sync.added == sync.removed == sync.embedded == 0
    assert loaded.store.current_manifest().version == version  # type: ignore[union-attr]


def test_update_embeds_only_new_texts(
    loaded: Container, fake_encoder: FakeEncoder, tmp_path: Path
) -> None:
    before = fake_encoder.texts_embedded
    changed = (
        DEMO_FILES[1]
        .read_text()
        .replace("Sensitivity was 0.91.", "Sensitivity was 0.93 and specificity 0.88.")
    )
    (tmp_path / "p.jsonl").write_text(changed)
    _, sync = loaded.ingest([tmp_path / "p.jsonl"])
    assert sync.embedded == 1  # only the changed abstract; the profile's other texts are cached
    assert fake_encoder.texts_embedded == before + 1
    assert sync.removed == sync.added == 4  # acad-falls: 3 items + summary re-added under new ids


def test_delete_removes_vectors_and_cache(loaded: Container) -> None:
    snap = loaded.engine.snapshot()
    rows = snap.rows_for_profiles(np.array([snap.profile_index["acad-retina"]]))
    ids = set(snap.row_ids[rows].tolist())
    cached_before = loaded.catalogue.cached_hashes()
    sync = loaded.delete("acad-retina")
    assert sync.removed == len(ids) == 3
    after = loaded.engine.snapshot()
    assert "acad-retina" not in after.profile_index
    assert not ids & set(after.row_ids.tolist())
    assert after.index.ntotal == snap.index.ntotal - 3
    assert len(loaded.catalogue.cached_hashes()) == len(cached_before) - 3


def test_failed_build_leaves_old_index_serving(
    loaded: Container, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = loaded.store
    old_dir = store.current_dir()
    loaded.catalogue.delete_profile("acad-retina")

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("index.vectors.snapshot.faiss.write_index", explode)
    with pytest.raises(OSError, match="disk full"):
        store.sync(loaded.catalogue, loaded.encoder)
    assert store.current_dir() == old_dir
    assert not list(store.root.glob(".build-*"))
    assert "acad-retina" in store.load().profile_index  # old version still whole and loadable
    monkeypatch.undo()
    report = store.sync(loaded.catalogue, loaded.encoder)
    assert report.removed == 3 and "acad-retina" not in store.load().profile_index


def test_swap_is_a_symlink_and_old_versions_are_collected(
    loaded: Container, tmp_path: Path
) -> None:
    for name in ("A", "B", "C"):
        changed = DEMO_FILES[1].read_text().replace("Dr Ada Fallow", f"Dr Ada {name}")
        (tmp_path / "p.jsonl").write_text(changed)
        loaded.ingest([tmp_path / "p.jsonl"])
    link = loaded.store.root / CURRENT
    assert link.is_symlink() and os.readlink(link) == "v000004"
    assert sorted(p.name for p in loaded.store.root.glob("v*")) == ["v000003", "v000004"]


def test_mismatch_is_detected_and_repaired(loaded: Container) -> None:
    store, catalogue = loaded.store, loaded.catalogue
    assert store.problem(catalogue, loaded.encoder) is None
    catalogue.delete_profile("clin-eye")  # catalogue moves on, index does not (a crash here)
    assert "catalogue version" in (store.problem(catalogue, loaded.encoder) or "")
    other = FakeEncoder(model_id="fake-bow@2")
    assert "model" in (store.problem(catalogue, other) or "")
    report = store.sync(catalogue, other)
    assert report.rebuilt and report.embedded == report.vector_count
    assert store.problem(catalogue, other) is None
    assert store.current_manifest().model_id == "fake-bow@2"  # type: ignore[union-attr]


def test_corrupt_index_is_rebuilt(loaded: Container) -> None:
    directory = loaded.store.current_dir()
    assert directory is not None
    (directory / "index.faiss").write_bytes(b"garbage")
    restarted = IndexStore(loaded.store.root)  # a new process: nothing loaded before
    with pytest.raises(IndexUnavailableError):
        restarted.load()
    report = restarted.sync(loaded.catalogue, loaded.encoder)
    assert report.rebuilt and report.embedded == 0  # all vectors from the cache
    assert restarted.load().size == report.vector_count


def test_a_loaded_version_is_shared_until_a_new_one_is_published(loaded: Container) -> None:
    store = loaded.store
    first = store.load()
    assert store.load() is first  # start-up check and first search: one load
    assert store.load(reuse=False) is not first  # a private copy for in-place changes
    loaded.delete(next(iter(first.profile_index)))
    assert store.load() is not first


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailableError, match="matcher build"):
        IndexStore(tmp_path / "idx").load()
