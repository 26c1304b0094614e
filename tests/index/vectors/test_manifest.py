"""The manifest's index type is the faiss factory string of what was built, and manifests
written by the first format (the metric as a ``(IP)`` suffix) still load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import pytest

from index.vectors.build import (
    EXACT_INDEX_TYPE,
    IndexPolicy,
    build_ivf,
    faiss_metric,
    new_exact_index,
)
from index.vectors.manifest import FORMAT_VERSION, MANIFEST_NAME, Manifest
from index.vectors.snapshot import INDEX_FILE
from index.vectors.store import IndexStore
from service.container import Container
from tests.index.vectors.test_approximate import approximate_demo, clustered


def describe(index: Any) -> tuple[object, ...]:
    """What makes two indexes of the same type and parameters (not the same contents)."""
    # A round trip through serialisation gives every part its most specific class (the
    # factory's "Flat" with an inner-product metric reads back as IndexFlatIP).
    copy = faiss.deserialize_index(faiss.serialize_index(index))
    return _parts(copy)


def _parts(owner: Any) -> tuple[object, ...]:
    index = faiss.downcast_index(owner)  # a view: ``owner`` keeps the memory alive meanwhile
    parts: list[object] = [type(index).__name__, index.d, index.metric_type]
    if isinstance(index, faiss.IndexIDMap2):
        parts.append(_parts(index.index))
    if isinstance(index, faiss.IndexIVF):
        parts += [index.nlist, _parts(index.quantizer)]
    if isinstance(index, faiss.IndexIVFScalarQuantizer):
        parts += [index.sq.qtype, index.by_residual]
    return tuple(parts)


def rebuilt_from(manifest: Manifest) -> Any:
    return faiss.index_factory(
        manifest.dimension, manifest.index_type, faiss_metric(manifest.metric)
    )


def saved_index(store: IndexStore) -> Any:
    directory = store.current_dir()
    assert directory is not None
    return faiss.read_index(str(directory / INDEX_FILE))


def test_the_exact_index_type_is_its_factory_string(loaded: Container) -> None:
    manifest = loaded.store.current_manifest()
    assert manifest is not None
    assert manifest.index_type == EXACT_INDEX_TYPE == "IDMap2,Flat"
    assert manifest.metric == "inner_product"
    rebuilt = rebuilt_from(manifest)
    assert describe(rebuilt) == describe(saved_index(loaded.store))
    assert describe(rebuilt) == describe(new_exact_index(manifest.dimension))
    assert rebuilt.metric_type == faiss.METRIC_INNER_PRODUCT


def test_the_ivf_index_type_is_its_factory_string_with_the_actual_nlist(tmp_path: Path) -> None:
    container = approximate_demo(tmp_path)
    manifest = container.store.current_manifest()
    assert manifest is not None
    assert manifest.index_type == f"IVF{manifest.index_params['nlist']},SQ8"
    saved = saved_index(container.store)
    assert describe(rebuilt_from(manifest)) == describe(saved)
    assert faiss.extract_index_ivf(saved).nlist == manifest.index_params["nlist"]
    container.close()


def test_build_ivf_is_built_from_the_string_it_reports() -> None:
    vectors = clustered(5_000, d=32)
    built = build_ivf(vectors, np.arange(5_000, dtype=np.int64), IndexPolicy(seed=3))
    nlist = max(16, int(4 * np.sqrt(5_000)))
    assert built.index_type == f"IVF{nlist},SQ8" and built.params["nlist"] == nlist
    rebuilt = faiss.index_factory(32, built.index_type, faiss.METRIC_INNER_PRODUCT)
    assert describe(rebuilt) == describe(built.index)


def test_an_unknown_metric_is_a_programmer_error() -> None:
    with pytest.raises(ValueError, match="inner_product"):
        faiss_metric("cosine")


def _rewrite_as_format_1(directory: Path, index_type: str) -> None:
    """The manifest as the first format wrote it: the metric also in the type."""
    data = json.loads((directory / MANIFEST_NAME).read_text())
    data.update(format_version=1, index_type=index_type)
    (directory / MANIFEST_NAME).write_text(json.dumps(data, indent=2) + "\n")


def test_an_exact_version_written_in_format_1_still_loads_and_is_updated_in_place(
    loaded: Container,
) -> None:
    store = loaded.store
    directory = store.current_dir()
    assert directory is not None and FORMAT_VERSION == 2
    _rewrite_as_format_1(directory, "IDMap2,Flat(IP)")
    restarted = IndexStore(store.root)  # a new process: nothing loaded before
    manifest = restarted.current_manifest()
    assert manifest is not None
    assert manifest.index_type == EXACT_INDEX_TYPE and manifest.format_version == FORMAT_VERSION
    assert restarted.problem(loaded.catalogue, loaded.encoder) is None  # no rebuild needed
    snapshot = restarted.load()
    assert snapshot.size == manifest.vector_count
    assert describe(rebuilt_from(manifest)) == describe(snapshot.index)
    loaded.catalogue.delete_profile("acad-retina")
    report = restarted.sync(loaded.catalogue, loaded.encoder)
    assert not report.rebuilt and report.removed == 3  # the old index, changed in place
    assert "acad-retina" not in restarted.load().profile_index


def test_an_ivf_version_written_in_format_1_still_loads(tmp_path: Path) -> None:
    container = approximate_demo(tmp_path)
    directory = container.store.current_dir()
    before = container.store.current_manifest()
    assert directory is not None and before is not None
    _rewrite_as_format_1(directory, f"{before.index_type}(IP)")
    restarted = IndexStore(container.store.root, policy=container.store.policy)
    manifest = restarted.current_manifest()
    assert manifest is not None and manifest.index_type == before.index_type
    snapshot = restarted.load()
    assert faiss.extract_index_ivf(snapshot.index).nprobe == manifest.index_params["nprobe"]
    assert describe(rebuilt_from(manifest)) == describe(snapshot.index)
    container.close()


def test_a_manifest_of_an_unknown_format_is_unreadable(loaded: Container) -> None:
    directory = loaded.store.current_dir()
    assert directory is not None
    data = json.loads((directory / MANIFEST_NAME).read_text())
    data["format_version"] = 99
    (directory / MANIFEST_NAME).write_text(json.dumps(data))
    with pytest.raises(ValueError, match="format 99"):
        Manifest.read(directory)
    assert IndexStore(loaded.store.root).current_manifest() is None
