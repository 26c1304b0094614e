"""The ONNX Runtime encoder against the torch one: same vectors, cached atomic export, int8."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

# Both are required dependencies: without one, this module fails instead of being skipped.
import onnx  # noqa: F401
import onnxruntime  # noqa: F401
import pytest

from index.encoders import onnx_runtime as onnx_encoder
from index.encoders.base import fingerprint, packaged_model_path
from index.encoders.onnx_runtime import (
    OnnxEncoder,
    export_onnx,
    onnx_file_name,
)
from index.encoders.sentence_transformer import SentenceTransformerEncoder
from matcher.errors import ModelUnavailableError

pytestmark = pytest.mark.model

Vectors = npt.NDArray[np.float32]

TOPIC_WORDS = (
    "machine learning retinal imaging sepsis detection falls older people wearable sensors "
    "clinical trials supply chain robotics battery chemistry genomics protein folding "
    "hospital diabetes tax law carbon capture offshore wind social care mental health "
    "antimicrobial resistance additive manufacturing cybersecurity natural language dementia"
)
TOPICS = TOPIC_WORDS.split()
ODD_TEXTS = [
    "a",
    "A",
    "?",
    "   padded on both sides   ",
    "tab\tand\nnew line",
    "UPPER CASE BRIEF ABOUT NHS WAITING LISTS",
    "Q&A: what's (really) new?! — e.g., 3.5% vs. 4/5; [draft] #AI @NHS",
    "C++/Rust/Go... & SQL; 'quotes' and \"double quotes\" <tags> {braces}",
    "café naïve façade résumé Zürich São Paulo",
    "日本語のテキスト処理と機械翻訳",
    "深度学习在医学影像中的应用",
    "Ελληνικά: μηχανική μάθηση",
    "Русский текст о нейронных сетях",
    "تعلم الآلة في الرعاية الصحية",
    "emoji 😀🚀🧬 in a brief 🏥",
    "ISO 9001:2015 and IEC 62304 compliance",
    "£1,250,000 grant over 36 months (2024-2027)",
    "COVID-19 vaccine uptake 2020–2023, n=12,345, p<0.001",
    "3.14159 2.71828 1.41421 42",
    "0000 1111 2222 3333",
]


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(TOPICS) for _ in range(rng.randint(low, high))).capitalize() + "."


def make_texts(seed: int) -> list[str]:
    """About 300 distinct texts: queries, paragraphs, abstracts past 256 tokens, odd strings."""
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(TOPICS) for _ in range(rng.randint(2, 8))) for _ in range(140)]
    texts += [" ".join(_sentence(rng, 6, 20) for _ in range(rng.randint(2, 6))) for _ in range(50)]
    texts += [" ".join(_sentence(rng, 8, 14) for _ in range(rng.randint(8, 12))) for _ in range(20)]
    texts += [
        " ".join(_sentence(rng, 10, 25) for _ in range(rng.randint(20, 30))) for _ in range(40)
    ]
    texts += [f"{rng.choice(TOPICS)} {odd} {rng.randint(0, 10**6)}" for odd in ODD_TEXTS]
    texts += ODD_TEXTS
    return list(dict.fromkeys(texts))


def cosines(a: Vectors, b: Vectors) -> Vectors:
    result: Vectors = (a * b).sum(axis=1)
    return result


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return make_texts(seed=7)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def encoder(cache_dir: Path) -> OnnxEncoder:
    return OnnxEncoder(cache_dir=cache_dir)


@pytest.fixture(scope="module")
def int8_encoder(cache_dir: Path) -> OnnxEncoder:
    return OnnxEncoder(cache_dir=cache_dir, quantize=True)


@pytest.fixture(scope="module")
def torch_vectors(real_encoder: SentenceTransformerEncoder, texts: list[str]) -> Vectors:
    return real_encoder.encode(texts)


@pytest.fixture(scope="module")
def onnx_vectors(encoder: OnnxEncoder, texts: list[str]) -> Vectors:
    return encoder.encode(texts)


def test_float32_vectors_match_torch(
    encoder: OnnxEncoder,
    real_encoder: SentenceTransformerEncoder,
    texts: list[str],
    onnx_vectors: Vectors,
    torch_vectors: Vectors,
) -> None:
    assert len(texts) >= 250
    assert onnx_vectors.shape == (len(texts), 384) == torch_vectors.shape
    assert onnx_vectors.dtype == np.float32 and onnx_vectors.flags.c_contiguous
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert cosines(onnx_vectors, torch_vectors).min() >= 0.9999
    assert encoder.model_id == real_encoder.model_id == fingerprint(packaged_model_path())
    assert encoder.encoder_name == "onnx"
    assert encoder.dimension == real_encoder.dimension == 384


def test_order_is_kept_whatever_the_batching(
    cache_dir: Path, texts: list[str], onnx_vectors: Vectors
) -> None:
    some = list(range(0, len(texts), 3))[::-1]
    small_batches = OnnxEncoder(cache_dir=cache_dir, batch_size=5)
    vectors = small_batches.encode([texts[i] for i in some])
    assert cosines(vectors, onnx_vectors[some]).min() >= 0.9999


def test_long_texts_are_truncated_at_max_seq_length(encoder: OnnxEncoder, texts: list[str]) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(encoder.model_path / "tokenizer.json"))
    tokenizer.no_truncation()
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    assert sum(length > 256 for length in lengths) >= 30
    assert sum(128 < length <= 256 for length in lengths) >= 5  # would differ if cut at 128
    longest = texts[int(np.argmax(lengths))]
    padded_out = longest + " and then some words the model never reads" * 50
    vectors = encoder.encode([longest, padded_out])
    assert float(vectors[0] @ vectors[1]) >= 0.99999


def test_empty_strings_match_torch(
    encoder: OnnxEncoder, real_encoder: SentenceTransformerEncoder
) -> None:
    edge = ["", " ", "\n", "a"]
    assert cosines(encoder.encode(edge), real_encoder.encode(edge)).min() >= 0.9999
    assert encoder.encode([]).shape == (0, 384)


def test_progress_counts_every_batch(cache_dir: Path, texts: list[str]) -> None:
    seen: list[int] = []
    OnnxEncoder(cache_dir=cache_dir, batch_size=7).encode(texts[:30], progress=seen.append)
    assert seen == [7, 7, 7, 7, 2]


def test_export_is_cached_and_leaves_no_temporary_files(
    encoder: OnnxEncoder, onnx_vectors: Vectors, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = encoder.onnx_path
    assert exported.parent == cache_dir and exported.is_file()
    assert exported.name == onnx_file_name(encoder.model_id)
    assert encoder.model_id.split("@")[1] in exported.name
    expected = {exported.name, onnx_file_name(encoder.model_id, quantized=True)}
    assert {file.name for file in cache_dir.iterdir()} <= expected
    before = exported.stat().st_mtime_ns

    def no_export(*args: object, **kwargs: object) -> Path:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_encoder, "export_onnx", no_export)
    again = OnnxEncoder(cache_dir=cache_dir)
    assert np.allclose(
        again.encode(["falls in older people"]),
        encoder.encode(["falls in older people"]),
        atol=1e-6,
    )
    assert exported.stat().st_mtime_ns == before


def test_session_is_created_once_under_concurrent_first_use(
    cache_dir: Path, encoder: OnnxEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = OnnxEncoder(cache_dir=cache_dir)
    opened: list[int] = []
    original = OnnxEncoder._open_session

    def counting(self: OnnxEncoder) -> Any:
        opened.append(1)
        return original(self)

    monkeypatch.setattr(OnnxEncoder, "_open_session", counting)
    results: list[Vectors] = []
    threads = [
        threading.Thread(target=lambda: results.append(fresh.encode(["tax law", "sepsis"])))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 1 and len(results) == 4
    assert all(np.allclose(result, results[0], atol=1e-6) for result in results)


def test_int8_is_close_to_torch_with_its_own_model_id(
    int8_encoder: OnnxEncoder, encoder: OnnxEncoder, texts: list[str], torch_vectors: Vectors
) -> None:
    vectors = int8_encoder.encode(texts)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = cosines(vectors, torch_vectors)
    assert similarity.mean() >= 0.99
    # A one-token text ("?") has no other tokens to average its rounding errors away.
    several_words = np.array([len(text.split()) > 1 for text in texts])
    # The worst several-word text: at least 0.98 on the hosts of earlier rounds, 0.974 on an
    # AVX2-only EPYC without VNNI (2026-12-02; int8 kernels differ by CPU). The mean above is
    # the closeness that search relies on.
    assert similarity[several_words].min() >= 0.97 and similarity.min() >= 0.96
    assert int8_encoder.model_id == encoder.model_id + "+onnx-int8"
    assert int8_encoder.encoder_name == "onnx-int8"
    assert int8_encoder.onnx_path.is_file() and int8_encoder.onnx_path != encoder.onnx_path
    assert int8_encoder.onnx_path.stat().st_size < encoder.onnx_path.stat().st_size


def test_a_corrupt_cached_file_is_exported_again(
    tmp_path: Path, encoder: OnnxEncoder, onnx_vectors: Vectors, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports: list[Path] = []

    def copy_export(model_path: Path, target_dir: Path) -> Path:
        exports.append(target_dir)
        target = target_dir / encoder.onnx_path.name
        target.write_bytes(encoder.onnx_path.read_bytes())
        return target

    monkeypatch.setattr(onnx_encoder, "export_onnx", copy_export)
    broken = OnnxEncoder(cache_dir=tmp_path)
    broken.onnx_path.write_bytes(b"not an onnx model")
    vectors = broken.encode(["sepsis detection"])
    assert exports == [tmp_path]
    assert float(vectors[0] @ encoder.encode(["sepsis detection"])[0]) >= 0.99999


def test_int8_is_made_again_from_a_fresh_export_if_the_cached_fp32_is_corrupt(
    tmp_path: Path, encoder: OnnxEncoder, onnx_vectors: Vectors, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports: list[Path] = []

    def copy_export(model_path: Path, target_dir: Path) -> Path:
        exports.append(target_dir)
        target = target_dir / encoder.onnx_path.name
        target.write_bytes(encoder.onnx_path.read_bytes())
        return target

    monkeypatch.setattr(onnx_encoder, "export_onnx", copy_export)
    (tmp_path / encoder.onnx_path.name).write_bytes(b"not an onnx model")
    int8 = OnnxEncoder(cache_dir=tmp_path, quantize=True)
    vectors = int8.encode(["sepsis detection"])
    assert exports == [tmp_path] and int8.onnx_path.is_file()
    assert float(vectors[0] @ encoder.encode(["sepsis detection"])[0]) >= 0.98
    assert not [file for file in tmp_path.iterdir() if file.name.endswith(".tmp")]


def test_a_failed_export_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(model: object, example: object, file: Path) -> None:
        file.write_bytes(b"half a model")
        raise RuntimeError("exporter crashed")

    monkeypatch.setattr(onnx_encoder, "_load_transformer", lambda path: object())
    monkeypatch.setattr(onnx_encoder, "_torch_export", half_written)
    with pytest.raises(ModelUnavailableError, match="exporter crashed"):
        export_onnx(packaged_model_path(), tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def _model_copy(tmp_path: Path, *, skip: str) -> Path:
    """The packaged model folder, linked file by file, without ``skip``."""
    source = packaged_model_path()
    copy = tmp_path / "model-copy"
    copy.mkdir()
    for item in source.iterdir():
        if item.name != skip:
            (copy / item.name).symlink_to(item)
    return copy


def test_missing_model_files_raise_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match=r"config\.json"):
        OnnxEncoder(tmp_path / "nowhere", cache_dir=tmp_path)
    with pytest.raises(ModelUnavailableError, match=r"tokenizer\.json"):
        OnnxEncoder(_model_copy(tmp_path, skip="tokenizer.json"), cache_dir=tmp_path)


def test_corrupt_weights_raise_model_unavailable(tmp_path: Path) -> None:
    model = _model_copy(tmp_path, skip="model.safetensors")
    (model / "model.safetensors").write_bytes(b"\x00" * 4096)
    broken = OnnxEncoder(model, cache_dir=tmp_path / "cache")
    with pytest.raises(ModelUnavailableError, match="cannot load the model"):
        broken.encode(["anything"])
    assert list((tmp_path / "cache").iterdir()) == []


def test_unsupported_pooling_is_refused(tmp_path: Path) -> None:
    model = _model_copy(tmp_path, skip="1_Pooling")
    (model / "1_Pooling").mkdir()
    (model / "1_Pooling" / "config.json").write_text(
        '{"word_embedding_dimension": 384, "pooling_mode_cls_token": true,'
        ' "pooling_mode_mean_tokens": true}'
    )
    with pytest.raises(ModelUnavailableError, match="unsupported pooling"):
        OnnxEncoder(model, cache_dir=tmp_path)


def test_bad_arguments_are_programmer_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        OnnxEncoder(cache_dir=tmp_path, batch_size=0)
    with pytest.raises(ValueError, match="threads"):
        OnnxEncoder(cache_dir=tmp_path, threads=0)


def test_import_loads_nothing_heavy() -> None:
    code = (
        "import sys, index.encoders.onnx_runtime;"
        "heavy = {'torch', 'onnxruntime', 'onnx', 'tokenizers', 'transformers'} & set(sys.modules);"
        "sys.exit(sorted(heavy) or 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[3])
