"""A fake encoder for unit tests: hashed bag of words, deterministic and fast."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"[a-z]+")


class FakeEncoder:
    """Texts sharing words get similar vectors; never use it as proof that search works."""

    def __init__(self, dimension: int = 64, model_id: str = "fake-bow@1") -> None:
        self._dimension = dimension
        self._model_id = model_id
        self.calls: list[int] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def encoder_name(self) -> str:
        return "fake"

    def encode(
        self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest(), 16)
                out[i, h % self._dimension] += 1.0 if (h >> 8) % 2 else -1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
            if not norm:
                out[i, 0] = 1.0
        return out

    @property
    def texts_embedded(self) -> int:
        return sum(self.calls)
