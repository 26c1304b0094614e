"""The packaged sentence-transformers model run by ONNX Runtime instead of torch.

The transformer is exported from the model's own weights on this machine (:func:`export_onnx`,
torch's TorchScript-based exporter) and cached beside other derived files; tokenisation uses the
model's fast tokenizer and pooling follows the model's ``1_Pooling/config.json``, so the float32
vectors match :class:`index.encoders.sentence_transformer.SentenceTransformerEncoder` to float
rounding and share its model id (and so its embedding cache). The int8 variant (dynamic
quantisation of the weights) is faster and slightly different, so it gets a model id of its own.

Nothing heavy is imported until the first :meth:`OnnxEncoder.encode`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from index.encoders.base import fingerprint, load_offline, packaged_model_path
from matcher.errors import ModelUnavailableError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

ONNX_OPSET = 17
INT8_SUFFIX = "+onnx-int8"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"
POOLING_MODES = ("mean", "cls", "max", "mean_sqrt_len")


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """What, besides the weights, decides a sentence-transformers model's vectors.

    Attributes:
        max_seq_length: longer inputs are truncated to this many tokens.
        do_lower_case: lower-case texts before tokenising (on top of the tokenizer's own rules).
        pooling: one of :data:`POOLING_MODES`.
        dimension: length of the pooled vectors.
    """

    max_seq_length: int
    do_lower_case: bool
    pooling: str
    dimension: int

    @classmethod
    def read(cls, model_path: Path) -> ModelSettings:
        """Read ``config.json``, ``sentence_bert_config.json`` and the pooling config.

        Raises:
            ModelUnavailableError: a file is missing or malformed, or the pooling is not supported.
        """
        config = _read_json(model_path / "config.json")
        sbert = (
            _read_json(model_path / "sentence_bert_config.json")
            if (model_path / "sentence_bert_config.json").is_file()
            else {}
        )
        pooling_config = _read_json(model_path / _pooling_folder(model_path) / "config.json")
        # pooling_mode_mean_tokens, pooling_mode_cls_token, ...: exactly one may be on.
        modes = [
            key.removeprefix("pooling_mode_").removesuffix("_tokens").removesuffix("_token")
            for key, on in pooling_config.items()
            if key.startswith("pooling_mode_") and on is True
        ]
        if len(modes) != 1 or modes[0] not in POOLING_MODES:
            raise ModelUnavailableError(
                f"unsupported pooling in {model_path}: {pooling_config}; "
                f"exactly one of {', '.join(POOLING_MODES)} is supported"
            )
        try:
            max_positions = int(config.get("max_position_embeddings", 512))
            return cls(
                max_seq_length=int(sbert.get("max_seq_length") or min(max_positions, 512)),
                do_lower_case=bool(sbert.get("do_lower_case", False)),
                pooling=modes[0],
                dimension=int(
                    pooling_config.get("word_embedding_dimension") or config["hidden_size"]
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ModelUnavailableError(
                f"malformed model config in {model_path}: {error}"
            ) from error


def onnx_file_name(model_id: str, *, quantized: bool = False) -> str:
    """The cache file name for a model id: safe characters only, opset and precision included."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model_id).strip("-")
    return f"{slug}.opset{ONNX_OPSET}.{'int8' if quantized else 'fp32'}.onnx"


def export_onnx(model_path: Path, target_dir: Path) -> Path:
    """Export the transformer in ``model_path`` to ONNX, atomically, and return the file.

    The graph takes ``input_ids``, ``attention_mask`` and ``token_type_ids`` (int64, dynamic batch
    and sequence axes) and returns ``last_hidden_state``; pooling is left to the caller. The file
    is written to a temporary name in ``target_dir`` and renamed into place, so readers never see
    half a file. An existing file is replaced.

    Args:
        model_path: a sentence-transformers model folder (config.json, weights, tokenizer).
        target_dir: where to put the file; created if missing.

    Raises:
        ModelUnavailableError: the model cannot be loaded or exported.
    """
    target = target_dir / onnx_file_name(fingerprint(model_path))
    started = time.perf_counter()
    model = _load_transformer(model_path)
    # A padded row in the example input makes the trace keep the masking path.
    example = _example_inputs()
    with _atomic_file(target) as temporary:
        try:
            _torch_export(model, example, temporary)
        except Exception as error:
            raise ModelUnavailableError(
                f"cannot export the model at {model_path} to ONNX: {error}"
            ) from error
    logger.info("exported %s to %s in %.1f s", model_path, target, time.perf_counter() - started)
    return target


def quantize_onnx(source: Path, target: Path) -> Path:
    """Write an int8 copy of ``source`` to ``target``, atomically, and return ``target``.

    Dynamic quantisation of the MatMul weights only (QInt8, one scale per output channel):
    per-tensor scales, or quantised embedding tables, cost too much accuracy for a model this
    small (cosine to the float32 vectors drops below 0.9 for some texts).

    Raises:
        ModelUnavailableError: ``source`` is not a model ONNX Runtime can quantise.
    """
    from onnxruntime.quantization import (  # type: ignore[import-untyped]
        QuantType,
        quantize_dynamic,
    )

    started = time.perf_counter()
    with _atomic_file(target) as temporary, _quiet_quantizer():
        try:
            quantize_dynamic(
                source,
                temporary,
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
        except Exception as error:
            raise ModelUnavailableError(f"cannot quantise {source}: {error}") from error
    logger.info("quantised %s to %s in %.1f s", source, target, time.perf_counter() - started)
    return target


def default_threads() -> int:
    """CPUs this process may use, capped at 8 (more threads rarely help a model this small)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, 8))


@dataclass(frozen=True, slots=True)
class _Runtime:
    session: Any
    tokenizer: Tokenizer
    input_names: tuple[str, ...]


class OnnxEncoder:
    """The packaged model on ONNX Runtime (CPU): same vectors as the torch encoder, less overhead.

    The ONNX file is exported into ``cache_dir`` on the first :meth:`encode` unless it is already
    there; a cached file that ONNX Runtime cannot load is exported again.

    Args:
        model_path: folder holding the model; the packaged all-MiniLM-L6-v2 when omitted.
        cache_dir: where the exported (and quantised) ONNX files are kept.
        batch_size: texts per forward pass (texts are sorted by length first). Small batches pad
            less: on 600 demo texts (2 cores) ONNX Runtime did 49 docs/s at 8 against 35 at 64,
            torch 41.5 against 34.6.
        threads: ONNX Runtime intra-op threads; :func:`default_threads` when omitted.
        quantize: run an int8 (dynamically quantised) copy; faster, vectors differ slightly.

    Raises:
        ModelUnavailableError: the model folder is missing files or its config is malformed.
        ValueError: ``batch_size`` or ``threads`` is not positive.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        cache_dir: Path,
        batch_size: int = 8,
        threads: int | None = None,
        quantize: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be a positive integer or None, got {threads}")
        self._path = model_path or packaged_model_path()
        for required in ("config.json", "tokenizer.json"):
            if not (self._path / required).is_file():
                raise ModelUnavailableError(f"no {required} under {self._path}")
        self._settings = ModelSettings.read(self._path)
        self._cache_dir = cache_dir
        self._batch_size = batch_size
        self._threads = threads or default_threads()
        self._quantize = quantize
        self._fingerprint = fingerprint(self._path)
        self._model_id = self._fingerprint + (INT8_SUFFIX if quantize else "")
        self._runtime: _Runtime | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The torch encoder's id for float32 (same vectors); with ``+onnx-int8`` when quantised."""
        return self._model_id

    @property
    def dimension(self) -> int:
        """Read from the model's config; loads nothing."""
        return self._settings.dimension

    @property
    def encoder_name(self) -> str:
        """``onnx`` or ``onnx-int8`` (the torch encoder is ``torch``)."""
        return "onnx-int8" if self._quantize else "onnx"

    @property
    def model_path(self) -> Path:
        """Where the weights are read from."""
        return self._path

    @property
    def onnx_path(self) -> Path:
        """The ONNX file this encoder runs (it may not exist before the first encode)."""
        return self._cache_dir / onnx_file_name(self._fingerprint, quantized=self._quantize)

    def encode(
        self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        """Embed texts in batches of similar length, unit length, in the order given.

        Raises:
            ModelUnavailableError: the model cannot be exported or loaded.
        """
        runtime = self._load()
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Longest first, as sentence-transformers does: batches of similar length pad less.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            out[rows] = self._encode_batch(runtime, [texts[i] for i in rows])
            if progress is not None:
                progress(len(rows))
        return out

    def _encode_batch(self, runtime: _Runtime, texts: list[str]) -> npt.NDArray[np.float32]:
        if self._settings.do_lower_case:
            texts = [text.lower() for text in texts]
        encodings = runtime.tokenizer.encode_batch(texts)
        columns = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        feeds = {name: columns[name] for name in runtime.input_names}
        hidden = np.asarray(runtime.session.run([OUTPUT_NAME], feeds)[0], dtype=np.float32)
        pooled = _pool(hidden, columns["attention_mask"], self._settings.pooling)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: npt.NDArray[np.float32] = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    def _load(self) -> _Runtime:
        with self._lock:
            if self._runtime is None:
                tokenizer = self._load_tokenizer()
                session = self._load_session()
                names = tuple(str(i.name) for i in session.get_inputs())
                unknown = set(names) - set(INPUT_NAMES)
                if unknown:
                    raise ModelUnavailableError(
                        f"{self.onnx_path} wants inputs {sorted(unknown)}; "
                        f"only {', '.join(INPUT_NAMES)} are provided"
                    )
                self._runtime = _Runtime(session=session, tokenizer=tokenizer, input_names=names)
            return self._runtime

    def _load_tokenizer(self) -> Tokenizer:
        from tokenizers import Tokenizer

        file = self._path / "tokenizer.json"
        try:
            tokenizer = Tokenizer.from_file(str(file))
        except Exception as error:
            raise ModelUnavailableError(f"cannot load the tokenizer {file}: {error}") from error
        # tokenizer.json pads every input to a fixed length and truncates at 128; the model
        # reads up to max_seq_length tokens and pads each batch to its longest text.
        pad_token = str((tokenizer.padding or {}).get("pad_token", "[PAD]"))
        pad_id = tokenizer.token_to_id(pad_token)
        if pad_id is None:
            raise ModelUnavailableError(f"the tokenizer {file} has no padding token {pad_token!r}")
        tokenizer.enable_truncation(max_length=self._settings.max_seq_length)
        tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)
        return tokenizer

    def _load_session(self) -> Any:
        fresh = not self.onnx_path.is_file()
        if fresh:
            self._export()
        try:
            return self._open_session()
        except ModelUnavailableError:
            if fresh:
                raise
            logger.warning("cannot load the cached %s; exporting it again", self.onnx_path)
            self._export()
            return self._open_session()

    def _export(self) -> None:
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        full = self._cache_dir / onnx_file_name(self._fingerprint)
        if not self._quantize:
            export_onnx(self._path, self._cache_dir)
        elif not full.is_file():
            quantize_onnx(export_onnx(self._path, self._cache_dir), self.onnx_path)
        else:
            try:  # the int8 model is made from the cached float32 one ...
                quantize_onnx(full, self.onnx_path)
            except ModelUnavailableError:  # ... unless that one is damaged too
                logger.warning("cannot quantise the cached %s; exporting it again", full)
                quantize_onnx(export_onnx(self._path, self._cache_dir), self.onnx_path)

    def _open_session(self) -> Any:
        import onnxruntime as ort  # type: ignore[import-untyped]

        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: a spinning pool holds both cores after every
        # call, starving the server's other requests (measured: same p50, lower p99).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: the optimiser's notes are not for users
        try:
            return ort.InferenceSession(
                str(self.onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:
            raise ModelUnavailableError(f"cannot load {self.onnx_path}: {error}") from error


def _pool(
    hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64], mode: str
) -> npt.NDArray[np.float32]:
    """Sentence-transformers' pooling over the tokens the attention mask keeps."""
    weights = mask[:, :, None].astype(np.float32)
    counts = np.maximum(weights.sum(axis=1), np.float32(1e-9))
    pooled: npt.NDArray[np.float32]
    if mode == "cls":
        pooled = hidden[:, 0]
    elif mode == "max":
        pooled = np.where(weights > 0, hidden, np.float32(-1e9)).max(axis=1)
    elif mode == "mean_sqrt_len":
        pooled = (hidden * weights).sum(axis=1) / np.sqrt(counts)
    else:
        pooled = (hidden * weights).sum(axis=1) / counts
    return pooled.astype(np.float32, copy=False)


def _pooling_folder(model_path: Path) -> str:
    modules_file = model_path / "modules.json"
    if modules_file.is_file():
        modules = _read_json(modules_file)
        for module in modules if isinstance(modules, list) else []:
            if str(module.get("type", "")).endswith(".Pooling"):
                return str(module.get("path") or "1_Pooling")
    return "1_Pooling"


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelUnavailableError(f"cannot read {file}: {error}") from error


class _BelowError(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR


@contextmanager
def _quiet_quantizer() -> Iterator[None]:
    """Hold back the quantiser's notes (it logs one line per tensor on the root logger)."""
    root = logging.getLogger()
    quiet = _BelowError()
    root.addFilter(quiet)
    try:
        yield
    finally:
        root.removeFilter(quiet)


@contextmanager
def _atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _load_transformer(model_path: Path) -> Any:
    def load(path: str) -> Any:
        from transformers import AutoModel

        # Eager attention traces to plain MatMul/Softmax, which ONNX Runtime fuses itself.
        return AutoModel.from_pretrained(path, local_files_only=True, attn_implementation="eager")

    return load_offline(model_path, load).eval()


def _example_inputs() -> tuple[Any, Any, Any]:
    import torch

    input_ids = torch.full((2, 16), 1000, dtype=torch.int64)
    attention_mask = torch.ones((2, 16), dtype=torch.int64)
    attention_mask[1, 10:] = 0
    return input_ids, attention_mask, torch.zeros((2, 16), dtype=torch.int64)


def _torch_export(model: Any, example: tuple[Any, Any, Any], file: Path) -> None:
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            outputs = self.inner(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                return_dict=False,
            )
            return outputs[0]

    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter is deprecated in favour of torch.export, which needs
        # onnxscript; its tracer warnings are about shape checks that hold for any input.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(model),
            example,
            str(file),
            input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME],
            dynamic_axes=axes,
            opset_version=ONNX_OPSET,
            dynamo=False,
        )
