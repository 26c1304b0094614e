"""The reference encoder: the packaged sentence-transformers model on the CPU (torch)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.encoders.base import fingerprint, load_offline, packaged_model_path
from matcher.errors import ModelUnavailableError

#: Batches per call of the model: progress is reported after each call.
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
                self._model = load_sentence_transformer(self._path)
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


def load_sentence_transformer(model_path: Path) -> Any:
    """The sentence-transformers model in ``model_path`` on the CPU, loaded offline
    (:func:`index.encoders.base.load_offline`).

    Raises:
        ModelUnavailableError: the folder holds no model sentence-transformers can load.
    """

    def load(path: str) -> Any:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(path, device="cpu", local_files_only=True)

    return load_offline(model_path, load)
