"""SDG tags of clear texts with the real packaged model (goal and target text as shipped)."""

from __future__ import annotations

import pytest

from index.encoders.sentence_transformer import SentenceTransformerEncoder
from matcher.insight.sdg import goal_texts, tag_sdgs

pytestmark = pytest.mark.model

CLEAR = [
    (
        "A randomised trial of midwife-led continuity of care to reduce maternal deaths and "
        "complications in pregnancy and childbirth.",
        3,
    ),
    (
        "A nurse education programme: simulation training and continuing professional "
        "development for newly qualified nurses, with teaching by the university.",
        4,
    ),
    ("Reducing the carbon footprint of operating theatres towards net zero emissions.", 13),
    ("Domestic violence against women: routine enquiry in antenatal clinics.", 5),
    ("Safe drinking water and sanitation in rural communities.", 6),
]


def test_clear_texts_get_their_goal(real_encoder: SentenceTransformerEncoder) -> None:
    texts, numbers = goal_texts()
    goal_vectors = real_encoder.encode(texts)
    items = [text for text, _ in CLEAR]
    tags = tag_sdgs(real_encoder.encode(items), items, goal_vectors, numbers)
    for (text, expected), found in zip(CLEAR, tags, strict=True):
        goals = [t.goal for t in found]
        assert expected in goals[:2], (text, found)
    unrelated = tag_sdgs(
        real_encoder.encode(["Tips for learning to play the guitar"]),
        ["Tips for learning to play the guitar"],
        goal_vectors,
        numbers,
    )[0]
    assert not unrelated
