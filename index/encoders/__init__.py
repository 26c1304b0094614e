"""Encoders: texts → L2-normalised float32 vectors (n, d), by room.

- :mod:`index.encoders.base`: the :class:`Encoder` interface, the packaged model's path, the
  model id (:func:`fingerprint`) and :func:`load_offline`, which every model load goes through.
- :mod:`index.encoders.sentence_transformer`: the reference encoder (sentence-transformers on
  torch).
- :mod:`index.encoders.onnx_runtime`: the same model exported to ONNX and run by ONNX Runtime
  (float32, or int8 with a model id of its own).
- :mod:`index.encoders.adapt`: domain adaptation of the model on the pool's own texts (its
  ``adapt`` function is not re-exported here, so that ``index.encoders.adapt`` stays the module).

Importing any of them loads nothing heavy (torch, transformers, onnxruntime load on first use).
"""

from __future__ import annotations

from index.encoders.adapt import (
    AdaptationConfig,
    AdaptationError,
    AdaptationText,
    AdaptedModel,
    activate,
    active_model_path,
    texts_from_profiles,
)
from index.encoders.base import (
    DEFAULT_MODEL_PACKAGE,
    Encoder,
    fingerprint,
    load_offline,
    packaged_model_path,
)
from index.encoders.onnx_runtime import OnnxEncoder, export_onnx, quantize_onnx
from index.encoders.sentence_transformer import (
    SentenceTransformerEncoder,
    load_sentence_transformer,
)

__all__ = [  # noqa: RUF022 (grouped by module, as sentence-transformers' util package)
    # base: the interface and where models come from
    "DEFAULT_MODEL_PACKAGE",
    "Encoder",
    "fingerprint",
    "load_offline",
    "packaged_model_path",
    # sentence_transformer: the reference encoder
    "SentenceTransformerEncoder",
    "load_sentence_transformer",
    # onnx_runtime: the ONNX Runtime encoder
    "OnnxEncoder",
    "export_onnx",
    "quantize_onnx",
    # adapt: domain adaptation
    "AdaptationConfig",
    "AdaptationError",
    "AdaptationText",
    "AdaptedModel",
    "activate",
    "active_model_path",
    "texts_from_profiles",
]
