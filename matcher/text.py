"""Text handling: normalisation, content hashes and chunking of texts that overflow the model."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

#: How long a piece of text is: a number of tokens (or, by default, of words).
Count = Callable[[str], int]

#: The chunk limit for callers that count words: all-MiniLM-L6-v2 reads 256 word pieces and
#: ~180 words stay safely inside that window. Callers that have the model's tokenizer count its
#: word pieces instead (:mod:`index.encoders.tokens`) and chunk to the window itself.
DEFAULT_MAX_WORDS = 180


def normalise(text: str) -> str:
    """Unicode NFC, control characters dropped, runs of white space folded to one space."""
    # most strings an importer reads are already normal: printable ASCII (no tab, newline or
    # control character) with single inner spaces and none at either end
    if (
        text.isascii()
        and text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    ):
        return text
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    # the per-character pass only when some character is neither printable nor a space (the
    # importers normalise millions of strings; almost none has one)
    if not _SPACE.sub(" ", text).isprintable():
        text = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    """A stable hash of a text, the embedding cache's key together with the model id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    """The number of white-space separated words: :func:`chunk`'s count when none is given."""
    return len(text.split())


def chunk(
    text: str, *, max_tokens: int = DEFAULT_MAX_WORDS, count: Count = word_count
) -> list[str]:
    """Split ``text`` into chunks of at most ``max_tokens``, as ``count`` measures them.

    Texts that fit are returned whole (embedding title + abstract whole measured better than
    windows); only what overflows is split, on sentence boundaries, sentences packed greedily.
    A single sentence longer than the limit is cut on word boundaries, each piece as long as the
    count allows. Joining the chunks with single spaces gives the normalised text back, so no
    word is lost; only a single word longer than the limit on its own exceeds it.

    Args:
        text: any text; it is normalised first (:func:`normalise`).
        max_tokens: the longest chunk, in the unit of ``count``.
        count: the length of a piece of text; it must not shrink when words are added (a
            tokenizer's count with special tokens does not). Words by default.

    Raises:
        ValueError: ``max_tokens`` is below 1.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    text = normalise(text)
    if not text:
        return []
    if count(text) <= max_tokens:
        return [text]
    chunks: list[str] = []
    current = ""
    for sentence in _SENTENCE.split(text):
        joined = f"{current} {sentence}" if current else sentence
        if count(joined) <= max_tokens:
            current = joined
            continue
        if current:
            chunks.append(current)
        if count(sentence) <= max_tokens:
            current = sentence
            continue
        *full, current = _cut(sentence.split(), max_tokens=max_tokens, count=count)
        chunks.extend(full)
    if current:
        chunks.append(current)
    return chunks


def _cut(words: list[str], *, max_tokens: int, count: Count) -> list[str]:
    """Cut an over-long run of words into pieces that fit, each as long as possible."""
    pieces: list[str] = []
    while words:
        # the longest prefix that fits, by binary search: the count grows with the prefix
        fits, over = 1, len(words) + 1
        while over - fits > 1:
            middle = (fits + over) // 2
            if count(" ".join(words[:middle])) <= max_tokens:
                fits = middle
            else:
                over = middle
        pieces.append(" ".join(words[:fits]))
        words = words[fits:]
    return pieces
