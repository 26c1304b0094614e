from __future__ import annotations

import pytest

from matcher.briefs import make_brief
from matcher.errors import InvalidBriefError
from matcher.explain import shared_terms, snippet
from matcher.model import ProfileKind
from matcher.text import chunk, content_hash, normalise


def test_short_text_is_one_chunk() -> None:
    assert chunk("One sentence. Two sentences.") == ["One sentence. Two sentences."]


def test_long_text_splits_on_sentences_within_limit() -> None:
    text = " ".join(f"Sentence number {i} has five words." for i in range(20))
    pieces = chunk(text, max_words=20)
    assert len(pieces) > 1
    assert all(len(p.split()) <= 20 for p in pieces)
    assert " ".join(pieces) == normalise(text)


def test_overlong_sentence_is_cut_on_words() -> None:
    pieces = chunk("word " * 45, max_words=20)
    assert [len(p.split()) for p in pieces] == [20, 20, 5]


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
