"""The real model for the tests, remembering what it has embedded this session."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from index.encoders.sentence_transformer import SentenceTransformerEncoder


class RememberingEncoder(SentenceTransformerEncoder):
    """The packaged model (torch) that embeds each distinct text once per test session.

    Many integration and browser tests ingest the same demo region; a text's vector does not
    change, so the second ingest takes the vectors the model gave the first time. Every vector
    is still the real model's. (Tests of the encoders themselves build their own
    :class:`SentenceTransformerEncoder`.)
    """

    def __init__(self) -> None:
        super().__init__()
        self._seen: dict[str, npt.NDArray[np.float32]] = {}
        #: texts the model itself embedded, for the session's report
        self.embedded = 0

    def encode(
        self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        """The model's vectors of ``texts``, embedding only those not seen before."""
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        missing = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if missing:
            self._seen.update(zip(missing, super().encode(missing), strict=True))
            self.embedded += len(missing)
        if progress is not None:
            progress(len(texts))
        return np.ascontiguousarray(np.stack([self._seen[t] for t in texts]))
