from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.briefs import make_brief
from matcher.errors import InvalidBriefError
from matcher.explain import _terms, shared_terms, snippet
from matcher.model import ProfileKind
from matcher.text import chunk, content_hash, normalise


def test_short_text_is_one_chunk() -> None:
    assert chunk("One sentence. Two sentences.") == ["One sentence. Two sentences."]


def test_long_text_splits_on_sentences_within_limit() -> None:
    text = " ".join(f"Sentence number {i} has five words." for i in range(20))
    pieces = chunk(text, max_tokens=20)
    assert len(pieces) > 1
    assert all(len(p.split()) <= 20 for p in pieces)
    assert " ".join(pieces) == normalise(text)


def test_overlong_sentence_is_cut_on_words() -> None:
    pieces = chunk("word " * 45, max_tokens=20)
    assert [len(p.split()) for p in pieces] == [20, 20, 5]


def _pieces(text: str) -> int:
    """A fake token count: [CLS] and [SEP], then one piece per four letters of each word."""
    return 2 + sum(-(-len(word) // 4) for word in text.split())


def test_a_text_that_fits_the_count_is_one_chunk_and_counted_once() -> None:
    calls: list[str] = []

    def count(text: str) -> int:
        calls.append(text)
        return _pieces(text)

    assert chunk("Short words. Kept whole.", max_tokens=10, count=count) == [
        "Short words. Kept whole."
    ]
    assert len(calls) == 1


def test_chunks_respect_the_count_not_the_words() -> None:
    sentences = [f"Interdisciplinary collaboration number {i} continues." for i in range(12)]
    text = " ".join(sentences)
    pieces = chunk(text, max_tokens=30, count=_pieces)
    assert all(_pieces(p) <= 30 for p in pieces)
    assert " ".join(pieces) == text
    # whole sentences only, packed greedily: the next sentence would not have fitted
    assert all(p.endswith("continues.") for p in pieces)
    for piece, following in pairwise(pieces):
        first_of_next = following.split(" continues.")[0] + " continues."
        assert _pieces(f"{piece} {first_of_next}") > 30
    # counted by words, the same limit would have kept far more per chunk
    assert len(chunk(text, max_tokens=30)) < len(pieces)


def test_an_overlong_sentence_is_cut_where_the_count_says() -> None:
    words = [("pharmacokinetics" if i % 3 else "of") for i in range(40)]
    sentence = " ".join(words) + "."
    pieces = chunk(sentence, max_tokens=20, count=_pieces)
    assert " ".join(pieces) == sentence
    assert all(_pieces(p) <= 20 for p in pieces)
    rest = " ".join(pieces).split()
    taken = 0
    for piece in pieces[:-1]:
        taken += len(piece.split())
        # each piece is as long as the count allows: one more word would overflow
        assert _pieces(" ".join([*piece.split(), rest[taken]])) > 20


def test_a_single_word_over_the_limit_is_a_chunk_of_its_own() -> None:
    pieces = chunk("a b " + "x" * 100 + " c d.", max_tokens=5, count=_pieces)
    assert pieces == ["a b", "x" * 100, "c d."]


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        chunk("text", max_tokens=0)


@given(
    st.lists(
        st.lists(st.text("abcdefghij", min_size=1, max_size=30), min_size=1, max_size=25),
        min_size=1,
        max_size=20,
    ),
    st.integers(min_value=3, max_value=60),
)
@settings(max_examples=60, deadline=None)
def test_chunking_by_a_count_keeps_every_word_within_the_limit(
    sentences: list[list[str]], limit: int
) -> None:
    text = " ".join(" ".join(words) + "." for words in sentences)
    pieces = chunk(text, max_tokens=limit, count=_pieces)
    assert " ".join(pieces) == text
    assert all(_pieces(p) <= limit or len(p.split()) == 1 for p in pieces)


def test_normalise_and_hash() -> None:
    assert normalise("  a\tb\n\x00c  ") == "a b c"
    assert content_hash("a") == content_hash("a") != content_hash("b")


def test_brief_validation_messages_name_the_field() -> None:
    with pytest.raises(InvalidBriefError) as empty:
        make_brief("   ")
    assert empty.value.field == "text"
    with pytest.raises(InvalidBriefError, match="limit is 50"):
        make_brief("x" * 51, max_chars=50)
    with pytest.raises(InvalidBriefError) as kind:
        make_brief("falls in hospital", kinds=["robot"])
    assert kind.value.field == "kinds" and "academic" in str(kind.value)
    with pytest.raises(InvalidBriefError) as top:
        make_brief("falls in hospital", top=0)
    assert top.value.field == "top"


def test_brief_is_normalised_with_filters() -> None:
    brief = make_brief("  falls \n in hospital ", kinds=["sme"], regions=["North West"])
    assert brief.text == "falls in hospital"
    assert brief.filters.kinds == frozenset({ProfileKind.SME})


def test_shared_terms_prefers_phrases_and_ignores_stop_words() -> None:
    terms = shared_terms(
        "wearable sensors to detect falls in older inpatients",
        ["Wearable sensors detect falls on wards.", "Retinal screening with deep learning."],
    )
    assert "wearable sensors" in terms[0]
    assert "wearable" not in terms[0]  # hidden by the phrase
    assert "to" not in terms[0]
    assert terms[1] == []


def test_snippet_picks_the_sentence_with_terms() -> None:
    text = "We recruited patients. Falls were detected by wearable sensors. Costs fell."
    assert snippet(text, ["falls", "wearable"]) == "Falls were detected by wearable sensors."
    assert snippet("A" * 300, [], max_chars=50).endswith("…")


def test_phrases_never_bridge_a_removed_stop_word() -> None:
    terms = shared_terms("falls in older inpatients", ["Falls in older inpatients on wards."])[0]
    assert "older inpatients" in terms
    assert "falls older" not in terms


_VOCAB = [
    "falls",
    "older",
    "people",
    "sensors",
    "wearable",
    "the",
    "in",
    "sepsis",
    "care",
    "care-home",
]


def _reference_shared_terms(brief: str, documents: list[str], limit: int = 8) -> list[list[str]]:
    """The definition: a TF-IDF model fitted on the brief and the documents (scikit-learn)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True)
    matrix = vectorizer.fit_transform([brief, *documents])
    vocabulary = vectorizer.get_feature_names_out()
    brief_row = matrix[0].toarray().ravel()
    results = []
    for i in range(len(documents)):
        weight = brief_row * matrix[i + 1].toarray().ravel()
        nonzero = np.flatnonzero(weight)
        # round away float noise so that ties fall back to alphabetical order, as specified
        ranked = sorted(nonzero, key=lambda j: (-round(float(weight[j]), 9), str(vocabulary[j])))
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


@given(
    st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=12),
    st.lists(st.lists(st.sampled_from(_VOCAB), max_size=25), min_size=1, max_size=5),
)
@settings(max_examples=150, deadline=None)
def test_shared_terms_equal_a_fitted_tfidf_model(brief: list[str], docs: list[list[str]]) -> None:
    brief_text = " ".join(brief)
    documents = [" ".join(d) for d in docs]
    if not _terms(brief_text):
        assert shared_terms(brief_text, documents) == [[] for _ in documents]
        return
    assert shared_terms(brief_text, documents) == _reference_shared_terms(brief_text, documents)


def test_snippet_counts_words_only_as_whole_words() -> None:
    text = "Careful planning helped. Care homes joined the study."
    assert snippet(text, ["care"]) == "Care homes joined the study."


@given(st.text(max_size=400), st.lists(st.text(min_size=1, max_size=12), max_size=6))
@settings(max_examples=200, deadline=None)
def test_snippet_is_a_sentence_of_the_text_whatever_the_input(text: str, terms: list[str]) -> None:
    shown = snippet(text, terms, max_chars=80)
    assert len(shown) <= 80
    assert shown.rstrip("…") in text.strip() or not text.strip()


def test_snippet_survives_text_that_lengthens_when_lower_cased() -> None:
    text = "İİİİ first part. Second sentence about falls."
    assert snippet(text, ["falls"]) in text
