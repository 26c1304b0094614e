"""Explanations: the terms a brief shares with a profile's evidence, and readable snippets."""

from __future__ import annotations

import bisect
import functools
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
#: Evidence items whose analysis (:func:`analyse_item`) is kept in memory, the most recently
#: explained: a few KB each.
ANALYSED_ITEMS = 30_000


def _terms(text: str) -> list[str]:
    """Words (no stop words, no :data:`BRIEF_STOP_WORDS`) and two-word phrases of words that
    stand side by side in the text (a phrase never bridges a removed word: "falls in older"
    gives no "falls older")."""
    return _terms_of_tokens(_TOKEN.findall(text.lower()))


def _terms_of_tokens(words: list[str]) -> list[str]:
    """:func:`_terms` of a text's lower-cased tokens."""
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


@dataclass(frozen=True, slots=True)
class ItemTerms:
    """What shared terms need of one text, whatever the brief: how often each of its terms
    occurs (words that are no stop words, and two-word phrases of such words side by side, as
    :func:`_terms` makes them), and its first and last word (a document joins several texts
    with spaces, so a phrase may span two of them).

    Built once per evidence text (:func:`analyse_item`); at query time only the brief's terms
    are looked up in it.
    """

    counts: Mapping[str, int]
    first: str | None
    last: str | None

    @classmethod
    def of(cls, text: str) -> ItemTerms:
        """Count the terms of ``text``."""
        tokens = _TOKEN.findall(text.lower())
        return cls(
            counts=Counter(_terms_of_tokens(tokens)),
            first=tokens[0] if tokens else None,
            last=tokens[-1] if tokens else None,
        )


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
    names no topic) once the pool has :data:`MIN_POOL_DOCUMENTS`. A shared phrase hides the
    single words it contains. Only the brief's terms are counted in the documents, which keeps
    this cheap on the search path.

    Args:
        brief: the brief's text.
        documents: one text per matched profile (its best evidence joined).
        limit: at most this many terms per document.
        pool: document frequencies of the pool's evidence.
    """
    return shared_terms_of(
        brief, [[ItemTerms.of(document)] for document in documents], limit=limit, pool=pool
    )


def shared_terms_of(
    brief: str,
    documents: Sequence[Sequence[ItemTerms]],
    *,
    limit: int = 8,
    pool: TermStatistics | None = None,
) -> list[list[str]]:
    """:func:`shared_terms` of documents given as the analyses of the texts they join (with
    single spaces, in order): the same terms as :func:`shared_terms` of the joined texts,
    without reading the texts again."""
    if not documents:
        return []
    wanted = Counter(_terms(brief))
    if pool is not None and pool.documents >= MIN_POOL_DOCUMENTS:
        wanted = Counter({t: n for t, n in wanted.items() if pool.share(t) <= MAX_DOCUMENT_SHARE})
    if not wanted:  # nothing but stop words
        return [[] for _ in documents]
    keys = set(wanted)
    counts = [_found_terms(parts, keys) for parts in documents]
    return _ranked(wanted, counts, len(documents), limit=limit, pool=pool)


def _found_terms(parts: Sequence[ItemTerms], wanted: set[str]) -> dict[str, int]:
    """How often each wanted term occurs in a document made of ``parts`` (a phrase: its two
    words side by side, inside one part or across the space that joins two)."""
    found: dict[str, int] = {}
    for part in parts:
        counts = part.counts
        for term in wanted.intersection(counts):
            found[term] = found.get(term, 0) + counts[term]
    if len(parts) > 1:
        spoken = [part for part in parts if part.first is not None]
        for before, after in itertools.pairwise(spoken):
            term = f"{before.last} {after.first}"
            if term in wanted:
                found[term] = found.get(term, 0) + 1
    return found


def _ranked(
    wanted: Counter[str],
    counts: list[dict[str, int]],
    documents: int,
    *,
    limit: int,
    pool: TermStatistics | None,
) -> list[list[str]]:
    """Each document's found terms weighted (TF-IDF, squared IDF) and chosen, a shared phrase
    hiding the words it contains."""
    frequency = Counter(term for found in counts for term in found)
    total = documents + 1
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


@dataclass(frozen=True, slots=True)
class SnippetText:
    """What a snippet needs of a text, whatever the brief: the text stripped and lower-cased,
    and where its sentences start (:func:`snippet_of` then only finds the terms).

    Attributes:
        lowered: the stripped text lower-cased (where terms are looked for).
        bounds: the start of every sentence, then the stripped text's length + 1.
        sentences: the sentences, stripped.
        first: the first sentence that is not empty, or ``None`` when there is none.
    """

    lowered: str
    bounds: tuple[int, ...]
    sentences: tuple[str, ...]
    first: int | None

    @classmethod
    def of(cls, text: str) -> SnippetText:
        """Split ``text`` into sentences (after ``.``, ``!`` or ``?`` and white space)."""
        stripped = text.strip()
        bounds = (0, *(m.end() for m in _SENTENCE.finditer(stripped)), len(stripped) + 1)
        sentences = tuple(stripped[a:b].strip() for a, b in itertools.pairwise(bounds))
        first = next((i for i, sentence in enumerate(sentences) if sentence), None)
        return cls(stripped.lower(), bounds, sentences, first)


def snippet(text: str, terms: Sequence[str], *, max_chars: int = 240) -> str:
    """The sentence of ``text`` that holds the most of ``terms``, cut to ``max_chars``.

    A word counts where it stands as a whole word; a phrase wherever it occurs. Falls back to
    the opening of the text when no sentence holds a term.
    """
    return snippet_of(SnippetText.of(text), terms, max_chars=max_chars)


def snippet_of(text: SnippetText, terms: Sequence[str], *, max_chars: int = 240) -> str:
    """:func:`snippet` of a text analysed beforehand (only the terms are looked for)."""
    if text.first is None:
        return ""
    sentences = text.sentences
    best = text.first
    if len(sentences) > 1:
        lowered, bounds, last = text.lowered, text.bounds, len(sentences) - 1
        found: dict[int, set[str]] = {}
        for term in dict.fromkeys(t.lower() for t in terms):
            if not term or term not in lowered:
                continue
            for at in _whole_occurrences(lowered, term):
                # (clamped: lower-casing a few characters, such as 'İ', lengthens the text)
                found.setdefault(min(bisect.bisect_right(bounds, at) - 1, last), set()).add(term)
        if found:
            best = max(found, key=lambda i: (len(found[i]), -i))
    chosen = sentences[best]
    if len(chosen) <= max_chars:
        return chosen
    cut = chosen[: max_chars - 1].rsplit(" ", 1)[0]
    return cut + "…"


@dataclass(frozen=True, slots=True)
class AnalysedItem:
    """An evidence item's text as explanations read it, prepared once (:func:`analyse_item`).

    Attributes:
        terms: of ``"{title}. {text}"``, the part of a matched profile's document it gives.
        snippet: of the text its snippet is cut from.
    """

    terms: ItemTerms
    snippet: SnippetText


@functools.lru_cache(maxsize=ANALYSED_ITEMS)
def analyse_item(title: str, text: str) -> AnalysedItem:
    """The analysis of an evidence item with this title and snippet text (the item's text, or
    its title when it has none), kept for the next :data:`ANALYSED_ITEMS` items explained: it
    depends on the texts only, never on the brief."""
    return AnalysedItem(ItemTerms.of(f"{title}. {text}"), SnippetText.of(text))


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
