"""Explanations: the terms a brief shares with a profile's evidence, and readable snippets."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[a-z][a-z0-9\-]+")

#: Words of how briefs and needs are phrased, not of what they are about ("we want a small
#: company as a partner for a project of two hours a week"): never a shared term.
BRIEF_STOP_WORDS = frozenset(
    """
    want wants wanted wanting need needs needed looking look seek seeking sought like would
    help helps helping hope hoping interested interest welcome offer offers offered able
    hour hours day days week weeks weekly month months year years time times session sessions
    small large big company companies partner partners partnership partnerships collaborator
    collaborators collaboration project projects test tests testing tested
    work works working worked team teams service services group groups staff
    support supporting make making use using used new start starting find finding provide
    budget innovation idea ideas advice expertise colleague colleagues last current
    based approach approaches develop developing developed develops evidence study
    studies design designing today tomorrow please thank thanks
    """.split()  # noqa: SIM905 (a list of words reads better as text)
)
#: A word found in more than this share of the pool's documents names no topic of its own
#: (with :class:`TermStatistics`); it is never shown as a shared term.
MAX_DOCUMENT_SHARE = 0.2
#: … once the pool has at least this many documents (in a handful of texts about one topic,
#: the topic itself is in most of them).
MIN_POOL_DOCUMENTS = 200


def _terms(text: str) -> list[str]:
    """Words (no stop words, no :data:`BRIEF_STOP_WORDS`) and two-word phrases of words that
    stand side by side in the text (a phrase never bridges a removed word: "falls in older"
    gives no "falls older")."""
    words = _TOKEN.findall(text.lower())
    keep = [w not in ENGLISH_STOP_WORDS and w not in BRIEF_STOP_WORDS for w in words]
    terms = [w for w, k in zip(words, keep, strict=True) if k]
    terms += [
        f"{a} {b}"
        for (a, ka), (b, kb) in zip(zip(words, keep), zip(words[1:], keep[1:]))  # noqa: B905
        if ka and kb
    ]
    return terms


@dataclass(frozen=True, slots=True)
class TermStatistics:
    """Document frequencies of words over a pool's evidence (or a sample of it).

    Attributes:
        documents: how many documents were counted.
        frequency: word → the number of those documents that contain it.
    """

    documents: int
    frequency: Mapping[str, int]

    @classmethod
    def of(cls, texts: Iterable[str]) -> TermStatistics:
        """Count the documents each word occurs in."""
        frequency: Counter[str] = Counter()
        documents = 0
        for text in texts:
            documents += 1
            frequency.update(set(_TOKEN.findall(text.lower())))
        return cls(documents, dict(frequency))

    def share(self, term: str) -> float:
        """The share of documents that hold the word (a phrase: at most its rarest word's, so
        "care homes" tells as much as "homes" although "care" alone tells little)."""
        if not self.documents:
            return 0.0
        return min(self.frequency.get(w, 0) for w in term.split()) / self.documents

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency, ``ln((1 + n) / (1 + df)) + 1`` (a phrase's
        document frequency taken as its rarest word's, an upper bound)."""
        df = min(self.frequency.get(w, 0) for w in term.split())
        return math.log((1 + self.documents) / (1 + df)) + 1


def shared_terms(
    brief: str,
    documents: Sequence[str],
    *,
    limit: int = 8,
    pool: TermStatistics | None = None,
) -> list[list[str]]:
    """For each document, the terms it shares with the brief, most telling first.

    Terms are words and two-word phrases (English stop words and the words of brief phrasing,
    :data:`BRIEF_STOP_WORDS`, removed). Without ``pool`` they are weighted as TF-IDF over the
    brief and the documents together (sublinear term frequency, smoothed IDF), so a term
    common to every document tells little; the order then equals that of a TF-IDF model fitted
    on all texts (ties: alphabetical). With ``pool`` the IDF is the pool's own, and a term
    found in more than :data:`MAX_DOCUMENT_SHARE` of the pool's documents is left out (it
    names no topic) once the pool has :data:`MIN_POOL_DOCUMENTS`. A shared phrase hides the single words it contains. Only the brief's
    terms are counted in the documents, which keeps this cheap on the search path.

    Args:
        brief: the brief's text.
        documents: one text per matched profile (its best evidence joined).
        limit: at most this many terms per document.
        pool: document frequencies of the pool's evidence.
    """
    if not documents:
        return []
    wanted = Counter(_terms(brief))
    if pool is not None and pool.documents >= MIN_POOL_DOCUMENTS:
        wanted = Counter({t: n for t, n in wanted.items() if pool.share(t) <= MAX_DOCUMENT_SHARE})
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
    if pool is None:
        idf = {t: math.log((1 + total) / (2 + frequency[t])) + 1 for t in frequency}
    else:
        idf = {t: pool.idf(t) for t in frequency}
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
