"""Embedding and batch matching on a local Ray give what the local path gives: the same cached
vectors and index, the same batch reports; a repeated run embeds nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import delete

import service.scale.ray_embed as ray_embed
from index.db.schema import embeddings
from service.batch.reports import write_reports
from service.batch.run import run_batch
from service.cli import main
from service.container import Container, build_container
from service.scale.ray_batch import ray_scorer
from service.scale.ray_embed import embed_on_ray
from service.settings import Settings
from tests.fakes import FakeEncoder

CALL = Path(__file__).parents[2] / "data" / "call.csv"


def _unbuilt_copy(loaded: Container, tmp_path: Path) -> Container:
    """A second data directory with the same catalogue but no cached vectors and no index."""
    source = loaded.settings.data_dir
    target = tmp_path / "ray-var"
    target.mkdir()
    with (
        closing(sqlite3.connect(source / "catalogue.db")) as old,
        closing(sqlite3.connect(target / "catalogue.db")) as new,
    ):
        old.backup(new)  # with what the write-ahead log still holds
    settings = Settings(data_dir=target, reload_seconds=0)
    copy = build_container(settings, encoder=FakeEncoder())
    with copy.catalogue.engine.begin() as connection:
        connection.execute(delete(embeddings))
    assert copy.store.current_dir() is None
    return copy


def test_build_on_ray_gives_the_local_vectors_and_index(
    local_ray: Any,
    loaded: Container,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = _unbuilt_copy(loaded, tmp_path)
    monkeypatch.setattr(ray_embed, "one_thread_encoder", lambda settings: FakeEncoder)
    try:
        assert main(["build", "--ray"], container=copy) == 0
        ray_line, build_line = capsys.readouterr().out.splitlines()[-2:]
        assert "by 1 encoder actors in 1 batches" in ray_line  # the demo fits in one batch
        assert "0 texts embedded" in build_line  # every vector came from the actors
        local, remote = loaded.engine.snapshot(), copy.engine.snapshot()
        assert np.array_equal(local.row_ids, remote.row_ids)
        assert np.array_equal(np.asarray(local.vectors), np.asarray(remote.vectors))
        assert local.manifest.vector_count == remote.manifest.vector_count
        assert local.manifest.index_type == remote.manifest.index_type
        assert local.manifest.calibration == remote.manifest.calibration
        hashes = copy.embedding_cache.cached_hashes()
        assert hashes == loaded.embedding_cache.cached_hashes()
        # a repeated run re-embeds nothing (and starts no actor)
        again = embed_on_ray(
            copy.settings, copy.catalogue, copy.encoder.model_id, encoder_factory=FakeEncoder
        )
        assert again.embedded == 0 and again.cached == len(hashes) and again.actors == 0
    finally:
        copy.close()


def test_an_interrupted_ray_build_embeds_only_what_it_had_not_written(
    local_ray: Any, loaded: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _unbuilt_copy(loaded, tmp_path)
    try:
        monkeypatch.setattr(ray_embed, "EMBED_BATCH", 4)  # several batches, two actors
        total = len(loaded.embedding_cache.cached_hashes())
        # what a run killed after some batches leaves: part of the cache written
        first = ray_embed.missing_batches(copy.catalogue, copy.encoder.model_id)[0][0]
        vectors = FakeEncoder().encode(copy.catalogue.chunk_texts(first["ids"]).values())
        copy.catalogue.cache_vectors(
            copy.encoder.model_id, dict(zip(first["hashes"], vectors, strict=True))
        )
        report = embed_on_ray(
            copy.settings, copy.catalogue, copy.encoder.model_id, encoder_factory=FakeEncoder
        )
        assert report.actors == 2
        assert report.cached == len(first["hashes"])
        assert report.embedded == total - len(first["hashes"])
    finally:
        copy.close()


def test_batch_on_ray_writes_the_local_reports(
    local_ray: Any, loaded: Container, tmp_path: Path
) -> None:
    local = write_reports(run_batch(loaded, CALL), tmp_path / "local")
    scorer = ray_scorer(loaded.settings, loaded.engine, None, encoder_factory=FakeEncoder)
    remote = write_reports(run_batch(loaded, CALL, scorer=scorer), tmp_path / "ray")
    assert set(local) == set(remote)
    assert local["csv"].read_bytes() == remote["csv"].read_bytes()
    for name in ("consortia.json",):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "ray" / name).read_bytes()
