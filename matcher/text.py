"""Text handling: normalisation, content hashes and chunking of texts that overflow the model."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

#: all-MiniLM-L6-v2 reads 256 word pieces; ~180 words stay safely inside that window.
DEFAULT_MAX_WORDS = 180


def normalise(text: str) -> str:
    """Unicode NFC, control characters dropped, runs of white space folded to one space."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    """A stable hash of a text, the embedding cache's key together with the model id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunk(text: str, *, max_words: int = DEFAULT_MAX_WORDS) -> list[str]:
    """Split ``text`` into chunks of at most ``max_words`` words, on sentence boundaries.

    Texts that fit are returned whole (embedding title + abstract whole measured better than
    windows); only what overflows is split. A single sentence longer than the limit is cut on
    word boundaries.
    """
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, got {max_words}")
    text = normalise(text)
    if not text:
        return []
    if len(text.split()) <= max_words:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE.split(text):
        words = sentence.split()
        while len(words) > max_words:
            if current:
                chunks.append(" ".join(current))
                current = []
            chunks.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if len(current) + len(words) > max_words and current:
            chunks.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        chunks.append(" ".join(current))
    return chunks
