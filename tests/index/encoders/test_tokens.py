"""The packaged model's token count and chunking to its window (real tokenizer, no weights)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from index.encoders.tokens import TokenCounter, token_counter
from matcher.errors import ModelUnavailableError
from matcher.text import chunk, normalise
from service.container import Container
from tests.conftest import DEMO_FILES

WINDOW = 256

# words of varied length, some of them several word pieces each, for made-up abstracts
VOCABULARY = [
    "the",
    "of",
    "and",
    "in",
    "a",
    "to",
    "for",
    "with",
    "on",
    "patients",
    "clinical",
    "outcomes",
    "cohort",
    "randomised",
    "trial",
    "immunohistochemistry",
    "pharmacokinetic",
    "electroencephalography",
    "neurodegeneration",
    "photoacoustic",
    "microfluidic",
    "bioinformatics",
    "epidemiological",
    "multimorbidity",
    "telemonitoring",
    "wearable",
    "sensors",
    "falls",
    "frailty",
    "hospital",
    "admissions",
    "machine",
    "learning",
    "model",
    "validation",
    "cardiovascular",
    "respiratory",
    "paediatric",
    "oncology",
    "genomic",
    "sequencing",
    "interventions",
]


@pytest.fixture(scope="module")
def tokens() -> TokenCounter:
    return token_counter()


def made_up_text(words: int, *, seed: int = 1) -> str:
    """About ``words`` words in sentences of 8 to 30 words (never copied from any source)."""
    rng = random.Random(seed)
    sentences: list[str] = []
    written = 0
    while written < words:
        length = min(rng.randint(8, 30), words - written)
        sentence = " ".join(rng.choice(VOCABULARY) for _ in range(length))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        written += length
    return " ".join(sentences)


def test_the_count_includes_the_special_tokens_and_is_not_truncated(tokens: TokenCounter) -> None:
    assert tokens.window == WINDOW
    assert tokens.count("") == 2  # [CLS] and [SEP]
    assert tokens.count("falls in hospital") == 5
    # tokenizer.json truncates at 128 and pads to it; the count does neither
    long = made_up_text(400)
    assert tokens.count(long) > 400
    assert tokens.count_many(["", "falls in hospital", long]) == [2, 5, tokens.count(long)]


def test_the_limit_is_the_window_unless_a_smaller_one_is_asked_for(tokens: TokenCounter) -> None:
    assert tokens.limit(None) == WINDOW
    assert tokens.limit(100) == 100
    assert tokens.limit(1_000) == WINDOW


def test_a_long_text_is_split_into_chunks_that_fit_the_window(tokens: TokenCounter) -> None:
    text = made_up_text(400)
    assert len(text.split()) == 400
    pieces = chunk(text, max_tokens=tokens.window, count=tokens.count)
    assert len(pieces) > 1
    assert all(tokens.count(piece) <= tokens.window for piece in pieces)
    assert " ".join(pieces) == normalise(text)  # every word kept, in order


def test_a_short_text_stays_whole(tokens: TokenCounter) -> None:
    text = made_up_text(60)
    assert chunk(text, max_tokens=tokens.window, count=tokens.count) == [text]


def test_chunks_of_300_words_overflow_the_window(tokens: TokenCounter) -> None:
    # the old setting (300 words) made chunks that the model cut short: the test above fails on it
    pieces = chunk(made_up_text(400), max_tokens=300)
    assert max(tokens.count(piece) for piece in pieces) > tokens.window


def test_a_folder_without_a_tokenizer_is_reported(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"hidden_size": 8}))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_mean_tokens": True, "word_embedding_dimension": 8})
    )
    with pytest.raises(ModelUnavailableError, match="tokenizer"):
        token_counter(tmp_path)


def test_the_container_chunks_evidence_to_the_window(
    container: Container, tokens: TokenCounter, tmp_path: Path
) -> None:
    profile = {
        "record": "profile",
        "id": "long-abstract",
        "kind": "academic",
        "name": "A",
        "organisation": "org-uni-a",
        "evidence": [
            {"id": "p1", "type": "publication", "title": "Long", "text": made_up_text(400)}
        ],
    }
    file = tmp_path / "long.jsonl"
    file.write_text(json.dumps(profile) + "\n")
    report, _ = container.ingest([DEMO_FILES[0], file])
    assert report.errors == []
    rows = [r for r in container.catalogue.chunk_rows() if r.profile_id == "long-abstract"]
    texts = container.catalogue.chunk_texts([r.id for r in rows])
    assert len(rows) >= 2  # the profile's one long item became several chunks
    assert all(tokens.count(text) <= tokens.window for text in texts.values())
