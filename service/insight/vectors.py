"""Item vectors of an index version: the mean of each evidence item's chunk vectors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.vectors.store import IndexSnapshot


@dataclass(frozen=True, slots=True)
class ItemVectors:
    """One unit vector per evidence item of a snapshot.

    Attributes:
        keys: (profile id, item id) of each row.
        vectors: the items' unit vectors (mean of their chunks, normalised).
        profiles: each row's profile (snapshot index).
    """

    keys: list[tuple[str, str]]
    vectors: npt.NDArray[np.float32]
    profiles: npt.NDArray[np.int64]

    def position(self) -> dict[tuple[str, str], int]:
        """Row of each (profile id, item id)."""
        return {key: i for i, key in enumerate(self.keys)}


def item_vectors(snap: IndexSnapshot) -> ItemVectors:
    """Every item's vector in ``snap`` (items without a vector are absent)."""
    items = snap.item_ids
    dimension = int(snap.manifest.dimension)
    if snap.size == 0:
        return ItemVectors([], np.empty((0, dimension), np.float32), np.empty(0, np.int64))
    sums = np.zeros((len(items), dimension), dtype=np.float64)
    np.add.at(sums, snap.row_items, np.asarray(snap.vectors, dtype=np.float32))
    present = np.flatnonzero(np.bincount(snap.row_items, minlength=len(items)) > 0)
    vectors = sums[present]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    profiles = snap.item_profiles[present].astype(np.int64)
    keys = [
        (snap.profiles[int(p)].id, items[int(i)]) for i, p in zip(present, profiles, strict=True)
    ]
    return ItemVectors(keys, vectors.astype(np.float32), profiles)
