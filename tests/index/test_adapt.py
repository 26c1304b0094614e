"""Domain adaptation (index/encoders/adapt.py, ``matcher adapt``): fingerprints, the active model, and with
the real model: training on the tiny test pool, the manifest, search and the embedding cache."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.db.catalogue import Catalogue
from index.encoders.adapt import (
    ADAPTATION_FILE,
    AdaptationConfig,
    AdaptationError,
    AdaptationText,
    AdaptedModel,
    activate,
    active_model_path,
    adapt,
    adaptation_name,
    texts_hash,
)
from index.encoders.base import SentenceTransformerEncoder, fingerprint, packaged_model_path
from index.vectors.store import IndexStore
from matcher.briefs import make_brief
from matcher.errors import ModelUnavailableError
from service.cli import main
from service.container import build_container, encoder_model_path
from service.settings import Settings
from tests.conftest import DATA

TEXTS = [
    AdaptationText("a", "Falls in older adults", "Wearable sensors detect falls on wards."),
    AdaptationText("b", "Diabetic retinopathy screening", "Deep learning grades retinal images."),
]
POOL = [DATA / "organisations.csv", DATA / "profiles.jsonl", DATA / "smes.csv"]


def test_config_rejects_bad_values_and_names_the_options() -> None:
    with pytest.raises(ValueError, match="title-abstract, simcse, same-profile"):
        AdaptationConfig(objective="magic")
    with pytest.raises(ValueError):
        AdaptationConfig(learning_rate=0.5)
    with pytest.raises(ValueError):
        AdaptationConfig(epochs=0)


def test_fingerprint_covers_base_config_and_texts_but_not_their_order() -> None:
    config = AdaptationConfig()
    digest = texts_hash(TEXTS)
    name = adaptation_name("base@1", config, digest)
    assert name.startswith("base+adapt-simcse-")
    assert texts_hash(list(reversed(TEXTS)) + TEXTS[:1]) == digest
    assert adaptation_name("base@1", config, digest) == name
    others = {
        adaptation_name("base@2", config, digest),
        adaptation_name("base@1", replace(config, learning_rate=2e-5), digest),
        adaptation_name("base@1", replace(config, seed=1), digest),
        adaptation_name("base@1", config, texts_hash(TEXTS[:1])),
    }
    assert name not in others and len(others) == 4


def test_too_small_a_pool_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AdaptationError, match="at least 8 training pairs"):
        adapt(TEXTS, base_path=tmp_path, models_dir=tmp_path / "models")


def test_active_model_pointer_and_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    models = settings.model_cache_dir
    assert active_model_path(models) is None
    assert encoder_model_path(settings) is None  # the packaged model
    folder = models / "base+adapt-simcse-0123"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (models / "adapted.json").write_text(json.dumps({"model": folder.name}))
    assert active_model_path(models) == folder
    assert encoder_model_path(settings) == folder
    assert encoder_model_path(settings.model_copy(update={"adapted_model": "off"})) is None
    explicit = settings.model_copy(update={"adapted_model": tmp_path / "missing"})
    with pytest.raises(ModelUnavailableError, match="no adapted model"):
        encoder_model_path(explicit)
    (models / "adapted.json").write_text(json.dumps({"model": "gone"}))
    with pytest.raises(ModelUnavailableError, match="matcher adapt --off"):
        encoder_model_path(settings)
    activate(models, None)
    assert encoder_model_path(settings) is None


TINY = AdaptationConfig(
    objective="title-abstract", max_steps=2, batch_size=4, train_seq_length=32, learning_rate=1e-4
)
SYNTHETIC = [
    AdaptationText(f"p{i % 3}", f"Study {i} of falls", f"Sensors record gait event {i}.")
    for i in range(10)
]


@pytest.fixture(scope="module")
def tiny_adapted(tmp_path_factory: pytest.TempPathFactory) -> AdaptedModel:
    models = tmp_path_factory.mktemp("adapted") / "models"
    return adapt(SYNTHETIC, base_path=packaged_model_path(), models_dir=models, config=TINY)


@pytest.mark.model
def test_adaptation_is_seeded_and_reused(tiny_adapted: AdaptedModel, tmp_path: Path) -> None:
    base = packaged_model_path()
    second = adapt(SYNTHETIC, base_path=base, models_dir=tmp_path, config=TINY)
    assert not second.reused and second.steps == 2 and second.name == tiny_adapted.name
    assert fingerprint(second.path) == fingerprint(tiny_adapted.path)  # same weights, same id
    weights = (tiny_adapted.path / "model.safetensors").read_bytes()
    assert weights == (second.path / "model.safetensors").read_bytes()
    assert weights != (base / "model.safetensors").read_bytes()
    details = json.loads((second.path / ADAPTATION_FILE).read_text())
    assert details["base_model_id"] == fingerprint(base) and details["texts"] == 10
    again = adapt(SYNTHETIC, base_path=base, models_dir=tmp_path, config=TINY)
    assert again.reused and again.path == second.path
    # Same layout as the base model: the encoders read the same window and pooling.
    for name in ("sentence_bert_config.json", "1_Pooling/config.json", "tokenizer.json"):
        assert (second.path / name).read_bytes() == (base / name).read_bytes()


@pytest.mark.model
def test_matcher_adapt_versions_the_model_in_manifest_cache_and_search(
    tmp_path: Path, real_encoder: SentenceTransformerEncoder
) -> None:
    settings = Settings(data_dir=tmp_path / "var", encoder="torch", reload_seconds=0)
    assert main(["ingest", *map(str, POOL)], settings=settings) == 0
    store = IndexStore(settings.index_dir)
    before = store.current_manifest()
    assert before is not None
    base_id = before.model_id
    assert base_id == fingerprint(packaged_model_path())

    assert main(["adapt", "--lr", "1e-4"], settings=settings) == 0
    after = store.current_manifest()
    assert after is not None and after.model_id != base_id
    adapted_path = active_model_path(settings.model_cache_dir)
    assert adapted_path is not None
    assert after.model_id == fingerprint(adapted_path)
    assert after.model_id.startswith(f"{base_id.split('@')[0]}+adapt-simcse-")

    catalogue = Catalogue(settings.catalogue_url)
    try:
        hashes = [row.text_hash for row in catalogue.chunk_rows()]
        old = catalogue.cached_vectors(base_id, hashes)
        new = catalogue.cached_vectors(after.model_id, hashes)
    finally:
        catalogue.close()
    # Both models' vectors are cached, each under its own id, and they differ.
    assert set(old) == set(new) == set(hashes)
    assert all(not np.allclose(old[h], new[h], atol=1e-4) for h in hashes)

    container = build_container(settings)
    try:
        assert container.encoder.model_id == after.model_id
        brief = make_brief("detecting falls of older people with wearable sensors")
        result = container.engine.search(brief)
        best = next(m for ms in result.groups.values() for m in ms)
        query = container.encoder.encode([brief.text])[0]
        snapshot = container.engine.snapshot()
        assert snapshot.manifest.model_id == after.model_id
        # The evidence similarity is the adapted model's cosine, not the base model's.
        item = best.evidence[0]
        text = next(
            e.content
            for e in container.catalogue.get_profile(best.profile_id).evidence_with_summary()
            if e.id == item.item_id
        )
        adapted_vector = container.encoder.encode([text])[0]
        base_vector, base_query = real_encoder.encode([text, brief.text])
        assert item.similarity == pytest.approx(float(query @ adapted_vector), abs=2e-3)
        assert abs(float(base_query @ base_vector) - float(query @ adapted_vector)) > 1e-3
    finally:
        container.close()

    # Back to the base model: rebuilt from the cache, nothing embedded again.
    assert main(["adapt", "--off", "--no-build"], settings=settings) == 0
    container = build_container(settings)
    try:
        report = container.sync()
        assert report.rebuilt and report.embedded == 0 and report.reused == len(hashes)
        assert store.current_manifest().model_id == base_id  # type: ignore[union-attr]
    finally:
        container.close()


@pytest.mark.model
def test_onnx_encoder_runs_the_adapted_weights(
    tiny_adapted: AdaptedModel, real_encoder: SentenceTransformerEncoder, tmp_path: Path
) -> None:
    from index.encoders.onnx_runtime import OnnxEncoder

    onnx = OnnxEncoder(tiny_adapted.path, cache_dir=tmp_path)
    torch_adapted = SentenceTransformerEncoder(tiny_adapted.path)
    sample = ["gait sensors in older adults", "retinal image grading"]
    vectors = onnx.encode(sample)
    assert onnx.model_id == torch_adapted.model_id != real_encoder.model_id
    assert tiny_adapted.name.split("+")[1] in onnx.onnx_path.name  # exported from these weights
    np.testing.assert_allclose(vectors, torch_adapted.encode(sample), atol=1e-4)
    assert not np.allclose(vectors, real_encoder.encode(sample), atol=1e-3)


def test_benchmark_adaptation_reads_archives_only() -> None:
    from service.evaluation.goldstandard import _archive_texts, version_dirs

    folder = DATA / "goldstandard"
    versions = version_dirs(folder)
    texts = _archive_texts(versions, ["101", "202"])
    submissions = json.loads((versions[0] / "submissions.json").read_text())
    briefs = {str(s["content"]["title"]) for s in submissions.values()}
    assert texts and {t.group for t in texts} == {"101", "202"}
    assert not briefs & {t.title for t in texts}
    assert texts_hash(texts) == texts_hash(_archive_texts(list(reversed(versions)), ["202", "101"]))
