"""Explanations: the terms a brief shares with a profile's evidence, and readable snippets."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

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


_WORD = re.compile(r"[a-z0-9][a-z0-9\-]+")


def shared_terms(brief: str, documents: Sequence[str], *, limit: int = 8) -> list[list[str]]:
    """For each document, the terms it shares with the brief, most telling first.

    A TF-IDF model (words and two-word phrases, English stop words removed) is fitted on the
    brief and the documents together, so a term common to every document tells little. A shared
    phrase hides the single words it contains.

    Args:
        brief: the brief's text.
        documents: one text per matched profile (its best evidence joined).
        limit: at most this many terms per document.
    """
    if not documents:
        return []
    vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([brief, *documents])
    except ValueError:  # nothing but stop words
        return [[] for _ in documents]
    vocabulary = vectorizer.get_feature_names_out()
    brief_row = matrix[0].toarray().ravel()
    results: list[list[str]] = []
    for i in range(len(documents)):
        row = matrix[i + 1].toarray().ravel()
        weight = brief_row * row
        nonzero = np.flatnonzero(weight)
        ranked = nonzero[np.argsort(-weight[nonzero], kind="stable")]
        chosen: list[str] = []
        for index in ranked:
            term = str(vocabulary[index])
            if any(term in other.split() or term == other for other in chosen):
                continue
            if " " in term:
                chosen = [c for c in chosen if c not in term.split()]
            chosen.append(term)
            if len(chosen) >= limit:
                break
        results.append(chosen)
    return results


def snippet(text: str, terms: Sequence[str], *, max_chars: int = 240) -> str:
    """The sentence of ``text`` that holds the most of ``terms``, cut to ``max_chars``.

    Falls back to the opening of the text when no sentence holds a term.
    """
    sentences = [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]
    if not sentences:
        return ""
    words = [set(_WORD.findall(s.lower())) for s in sentences]
    wanted = [t.lower() for t in terms]

    def hits(i: int) -> int:
        lowered = sentences[i].lower()
        return sum(1 for t in wanted if (t in lowered if " " in t else t in words[i]))

    best = max(range(len(sentences)), key=lambda i: (hits(i), -i))
    chosen = sentences[best] if hits(best) else sentences[0]
    if len(chosen) <= max_chars:
        return chosen
    cut = chosen[: max_chars - 1].rsplit(" ", 1)[0]
    return cut + "…"
