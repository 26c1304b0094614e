"""Explanations: the terms a brief shares with a profile's evidence, and readable snippets."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[a-z][a-z0-9\-]+")


def _terms(text: str) -> list[str]:
    """Words (no stop words) and two-word phrases of words that stand side by side in the text
    (a phrase never bridges a removed stop word: "falls in older" gives no "falls older")."""
    words = _TOKEN.findall(text.lower())
    keep = [w not in ENGLISH_STOP_WORDS for w in words]
    terms = [w for w, k in zip(words, keep, strict=True) if k]
    terms += [
        f"{a} {b}"
        for (a, ka), (b, kb) in zip(zip(words, keep), zip(words[1:], keep[1:]))  # noqa: B905
        if ka and kb
    ]
    return terms


def shared_terms(brief: str, documents: Sequence[str], *, limit: int = 8) -> list[list[str]]:
    """For each document, the terms it shares with the brief, most telling first.

    Terms are words and two-word phrases (English stop words removed), weighted as TF-IDF over
    the brief and the documents together (sublinear term frequency, smoothed IDF), so a term
    common to every document tells little. A shared phrase hides the single words it contains.
    Only the brief's terms are counted in the documents, which keeps this cheap on the search
    path; the order equals that of a TF-IDF model fitted on all texts (ties: alphabetical).

    Args:
        brief: the brief's text.
        documents: one text per matched profile (its best evidence joined).
        limit: at most this many terms per document.
    """
    if not documents:
        return []
    wanted = Counter(_terms(brief))
    if not wanted:  # nothing but stop words
        return [[] for _ in documents]
    counts: list[dict[str, int]] = []
    for document in documents:
        tokens = _TOKEN.findall(document.lower())
        words = Counter(tokens)
        marked = ""  # "<w1><w2>…": a phrase is "<a><b>" in it, never across another word
        found: dict[str, int] = {}
        for term in wanted:
            if " " in term:
                first, second = term.split(" ")
                if first not in words or second not in words:
                    continue
                marked = marked or "<" + "><".join(tokens) + ">"
                n = _occurrences(marked, f"<{first}><{second}>", step=len(first) + 2)
            else:
                n = words.get(term, 0)
            if n:
                found[term] = n
        counts.append(found)
    frequency = Counter(term for found in counts for term in found)
    total = len(documents) + 1
    idf = {t: math.log((1 + total) / (2 + frequency[t])) + 1 for t in frequency}
    results: list[list[str]] = []
    for found in counts:
        weight = {
            t: (1 + math.log(wanted[t])) * (1 + math.log(n)) * idf[t] ** 2 for t, n in found.items()
        }
        chosen: list[str] = []
        for term in sorted(weight, key=lambda t: (-weight[t], t)):
            if any(term in other.split() or term == other for other in chosen):
                continue
            if " " in term:
                chosen = [c for c in chosen if c not in term.split()]
            chosen.append(term)
            if len(chosen) >= limit:
                break
        results.append(chosen)
    return results


def _occurrences(text: str, needle: str, *, step: int) -> int:
    """Occurrences of ``needle`` in ``text``, the next one searched ``step`` characters on
    (so "<a><a>" is found twice in "<a><a><a>")."""
    count, at = 0, text.find(needle)
    while at >= 0:
        count += 1
        at = text.find(needle, at + step)
    return count


def snippet(text: str, terms: Sequence[str], *, max_chars: int = 240) -> str:
    """The sentence of ``text`` that holds the most of ``terms``, cut to ``max_chars``.

    A word counts where it stands as a whole word; a phrase wherever it occurs. Falls back to
    the opening of the text when no sentence holds a term.
    """
    stripped = text.strip()
    lowered = stripped.lower()
    wanted = [t for t in dict.fromkeys(t.lower() for t in terms) if t and t in lowered]
    bounds = [0, *(m.end() for m in _SENTENCE.finditer(stripped)), len(stripped) + 1]
    sentences = [stripped[a:b].strip() for a, b in itertools.pairwise(bounds)]
    if not any(sentences):
        return ""
    best = next(i for i, sentence in enumerate(sentences) if sentence)
    if wanted:
        found: list[set[str]] = [set() for _ in sentences]
        for term in wanted:
            for at in _whole_occurrences(lowered, term):
                # (clamped: lower-casing a few characters, such as 'İ', lengthens the text)
                found[min(bisect.bisect_right(bounds, at) - 1, len(sentences) - 1)].add(term)
        counts = [len(f) for f in found]
        if max(counts):
            best = max(range(len(sentences)), key=lambda i: (counts[i], -i))
    chosen = sentences[best]
    if len(chosen) <= max_chars:
        return chosen
    cut = chosen[: max_chars - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _whole_occurrences(text: str, term: str) -> Iterator[int]:
    """Where ``term`` starts in ``text``: a phrase anywhere, a single word only as a whole word."""
    at = text.find(term)
    while at >= 0:
        end = at + len(term)
        if " " in term or (
            (at == 0 or text[at - 1] not in _WORD_CHARS)
            and (end == len(text) or text[end] not in _WORD_CHARS)
        ):
            yield at
        at = text.find(term, at + 1)


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
