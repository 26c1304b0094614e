"""Token counts as the model sees them: the chunker's measure of a text's length.

The encoders read at most the model's window (``max_seq_length`` in
``sentence_bert_config.json``: 256 word pieces for the packaged all-MiniLM-L6-v2, [CLS] and [SEP]
included) and silently drop the rest, so texts are chunked by this count, not by words. The
count comes from the model folder's own fast tokenizer (``tokenizer.json``, Rust ``tokenizers``);
no hub is contacted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.encoders.base import packaged_model_path
from index.encoders.onnx_runtime import ModelSettings
from matcher.errors import ModelUnavailableError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TokenCounter:
    """Counts a text's word pieces, special tokens included, with the model's own tokenizer.

    Attributes:
        tokenizer: the model's fast tokenizer, with truncation and padding switched off.
        window: the most tokens the model reads (its ``max_seq_length``).
        lower_case: the model lower-cases texts before tokenising (``do_lower_case``).
    """

    tokenizer: Tokenizer
    window: int
    lower_case: bool = False

    def count(self, text: str) -> int:
        """The number of tokens the model would be given for ``text`` if it had no window."""
        text = text.lower() if self.lower_case else text
        return len(self.tokenizer.encode(text, add_special_tokens=True).ids)

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """:meth:`count` of each text, in one batch (the tokenizer's own threads)."""
        texts = [text.lower() for text in texts] if self.lower_case else list(texts)
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=True)
        return [len(encoding.ids) for encoding in encodings]

    def limit(self, requested: int | None = None) -> int:
        """The chunk size to use: ``requested`` tokens, or the window when unset or larger.

        A chunk longer than the window would lose its tail inside the encoder, so a larger
        request is lowered to the window (with a warning).
        """
        if requested is None:
            return self.window
        if requested > self.window:
            logger.warning(
                "chunks of %d tokens would be cut off at the model's window; using %d",
                requested,
                self.window,
            )
            return self.window
        return requested


def token_counter(model_path: Path | None = None) -> TokenCounter:
    """A :class:`TokenCounter` for the model in ``model_path`` (the packaged one if omitted).

    Raises:
        ModelUnavailableError: the folder holds no readable model config or ``tokenizer.json``.
    """
    from tokenizers import Tokenizer

    path = model_path or packaged_model_path()
    model = ModelSettings.read(path)
    file = path / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(file))
    except Exception as error:  # a missing or unreadable file is the same to a user
        raise ModelUnavailableError(f"cannot load the tokenizer {file}: {error}") from error
    # tokenizer.json truncates at 128 and pads to it: neither belongs in a count
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return TokenCounter(tokenizer, window=model.max_seq_length, lower_case=model.do_lower_case)
