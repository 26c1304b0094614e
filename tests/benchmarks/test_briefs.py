"""The benchmarks' briefs: the held-out ones share no sentence with the demo pool, the in-pool
ones are the demo's needs and challenges, and the check between them can fail."""

from __future__ import annotations

import json

import pytest

from benchmarks.briefs import (
    DEMO,
    demo_briefs,
    demo_texts,
    generated_briefs,
    held_out_briefs,
    in_pool,
    require_outside,
    written_briefs,
)


def test_the_written_and_generated_briefs_share_no_sentence_with_the_demo_pool() -> None:
    pool = demo_texts()
    written = written_briefs()
    assert len(written) == 60 and len(set(written)) == 60
    generated = generated_briefs(1_000)
    assert len(set(generated)) == 1_000
    assert in_pool(written, pool) == []
    assert in_pool(generated, pool) == []
    require_outside(held_out_briefs(1_000), pool)


def test_generated_briefs_are_the_same_for_one_seed_and_differ_for_another() -> None:
    assert generated_briefs(50) == generated_briefs(50)
    assert generated_briefs(50, seed=1) != generated_briefs(50)
    assert generated_briefs(20) == generated_briefs(50)[:20]
    held_out = held_out_briefs(100)
    assert held_out[:60] == written_briefs() and len(held_out) == 100
    with pytest.raises(ValueError, match="0 or more"):
        generated_briefs(-1)


def test_a_brief_copied_from_the_pool_is_caught() -> None:
    pool = demo_texts()
    need = json.loads((DEMO / "clinical_teams.jsonl").read_text().splitlines()[0])["evidence"][0]
    copied_title = need["title"]
    one_sentence = f"We run a new service. {need['text'].split('. ')[1]}."
    assert in_pool([copied_title, one_sentence, "Nothing like the pool at all."], pool) == [
        copied_title,
        one_sentence,
    ]
    with pytest.raises(SystemExit, match="1 briefs share a sentence"):
        require_outside([copied_title], pool)


def test_the_in_pool_briefs_are_the_demos_clinical_needs_and_sme_challenges() -> None:
    briefs = demo_briefs(2_000)
    pool = set(demo_texts())
    titles = {b for b in briefs if b in pool}
    needs = {
        item["title"]
        for line in (DEMO / "clinical_teams.jsonl").read_text().splitlines()
        for item in json.loads(line)["evidence"]
    }
    assert titles & needs, "clinical needs are among the in-pool briefs"
    assert titles - needs, "SME challenges are among the in-pool briefs too"
    assert len(in_pool(briefs, pool)) == len(briefs)
