"""The manifest written beside every index version: what built it and from what.

``index_type`` is the ``faiss.index_factory`` string of the index (``IDMap2,Flat`` or
``IVF{nlist},SQ8`` with the actual ``nlist``) and ``metric`` its metric, so that
``faiss.index_factory(dimension, index_type, <metric>)`` builds an empty index of the same type
(see :mod:`index.vectors.build`). Format 1 wrote the metric into the type as well
(``IDMap2,Flat(IP)``, ``IVF4000,SQ8(IP)``), which ``index_factory`` does not read; such a
manifest is read as the current format, its type without the suffix.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

FORMAT_VERSION = 2
#: Formats still read: 1 wrote the metric into ``index_type`` as a ``(IP)`` suffix.
READABLE_FORMATS = (1, 2)
MANIFEST_NAME = "manifest.json"
_FORMAT_1_METRIC_SUFFIX = "(IP)"


@dataclass(frozen=True, slots=True)
class Manifest:
    """Build metadata of one index version.

    Attributes:
        version: increasing number of the index version.
        model_id: the encoder's model id; vectors of another model are not comparable.
        encoder: which implementation produced the vectors (``torch``).
        dimension: vector length.
        metric: always ``inner_product`` over unit vectors (cosine similarity).
        index_type: the ``faiss.index_factory`` string of the index (``IDMap2,Flat``,
            ``IVF{nlist},SQ8``).
        vector_count: number of vectors (chunks).
        profile_count: number of profiles with at least one vector.
        catalogue_version: the catalogue version the index reflects.
        created_at: ISO time of the build.
        libraries: versions of the libraries that built it.
        index_params: parameters of an approximate index (``nlist``, ``nprobe``).
        recall_at_k: recall@k of the index against exact search, measured at build time on a
            sample of the index's own vectors (1.0 for an exact index).
        recall_k: the k of that recall.
        format_version: the manifest format (:data:`FORMAT_VERSION`).
        calibration: per kind, the quantiles of the best scores of generic briefs
            (:meth:`matcher.calibration.Calibration.to_json`), measured when the version was
            built; ``None`` in a version built before calibrations were kept (the engine then
            measures it when it loads the version, and the next sync stores it).
        reranker: the learned re-ranker trained on this version (``matcher learn``): its file
            beside the manifest, its SHA-256, kind, features and training record; ``None``
            (the default) until one is trained, and the ranking profiles are then unchanged.
    """

    version: int
    model_id: str
    encoder: str
    dimension: int
    metric: str
    index_type: str
    vector_count: int
    profile_count: int
    catalogue_version: int
    created_at: str
    libraries: dict[str, str] = field(default_factory=dict)
    index_params: dict[str, int] = field(default_factory=dict)
    recall_at_k: float | None = None
    recall_k: int = 100
    format_version: int = FORMAT_VERSION
    calibration: dict[str, Any] | None = None
    reranker: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    def write(self, directory: Path) -> None:
        """Write ``manifest.json`` into ``directory``."""
        (directory / MANIFEST_NAME).write_text(json.dumps(self.to_json(), indent=2) + "\n")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """Read ``manifest.json`` from ``directory``; one of format 1 is read as the current
        format (its ``index_type`` without the metric suffix).

        Raises:
            ValueError: missing, unreadable or of a format not in :data:`READABLE_FORMATS`.
        """
        try:
            data = json.loads((directory / MANIFEST_NAME).read_text())
            manifest = cls(**data)
        except (OSError, json.JSONDecodeError, TypeError) as error:
            raise ValueError(f"unreadable manifest in {directory}: {error}") from error
        if manifest.format_version not in READABLE_FORMATS:
            raise ValueError(
                f"manifest format {manifest.format_version} is not one of "
                f"{', '.join(map(str, READABLE_FORMATS))}"
            )
        if manifest.format_version == 1:
            manifest = replace(
                manifest,
                index_type=manifest.index_type.removesuffix(_FORMAT_1_METRIC_SUFFIX),
                format_version=FORMAT_VERSION,
            )
        return manifest
