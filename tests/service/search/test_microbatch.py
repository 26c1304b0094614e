"""Micro-batching (service.search.microbatch): concurrent callers share one call of a step and
each gets the answer it would have got alone; concurrent searches through the real model and
the real index answer as one-by-one searches do."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from index.encoders.sentence_transformer import SentenceTransformerEncoder
from matcher.briefs import make_brief
from matcher.model import SearchResult
from service.container import Container
from service.search.engine import SearchEngine
from service.search.microbatch import MicroBatcher


class SlowStep:
    """Doubles numbers, slowly enough that concurrent callers queue; records its batches."""

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds = seconds
        self.batches: list[list[int]] = []
        self.lock = threading.Lock()

    def __call__(self, items: list[int]) -> list[int]:
        with self.lock:
            self.batches.append(list(items))
        time.sleep(self.seconds)
        return [2 * i for i in items]


def run_concurrently(batcher: MicroBatcher[int, int], items: list[int]) -> list[int]:
    start = threading.Barrier(len(items))

    def call(item: int) -> int:
        start.wait()
        return batcher(item)

    with ThreadPoolExecutor(len(items)) as pool:
        return list(pool.map(call, items))


def test_concurrent_callers_share_calls_and_each_gets_its_own_answer() -> None:
    step = SlowStep()
    batcher = MicroBatcher(step, max_batch=16)
    items = list(range(12))
    assert run_concurrently(batcher, items) == [2 * i for i in items]
    # the first caller runs alone (nobody waits when the step is idle); those who arrived
    # while it ran are answered together
    assert len(step.batches) < len(items)
    assert sorted(i for batch in step.batches for i in batch) == items
    assert batcher.stats.items == len(items) and batcher.stats.calls == len(step.batches)
    assert batcher.stats.largest > 1


def test_no_batch_exceeds_max_batch_and_max_batch_one_runs_each_alone() -> None:
    step = SlowStep()
    assert run_concurrently(MicroBatcher(step, max_batch=3), list(range(10))) == [
        2 * i for i in range(10)
    ]
    assert max(len(b) for b in step.batches) <= 3
    alone = SlowStep(0.01)
    run_concurrently(MicroBatcher(alone, max_batch=1), list(range(6)))
    assert [len(b) for b in alone.batches] == [1] * 6


def test_max_wait_holds_the_first_caller_for_companions() -> None:
    step = SlowStep(0.0)
    batcher = MicroBatcher(step, max_batch=5, max_wait=2.0)
    assert run_concurrently(batcher, [1, 2, 3, 4, 5]) == [2, 4, 6, 8, 10]
    assert step.batches and len(step.batches[0]) == 5  # full before the wait ran out


def test_one_caller_of_an_idle_step_does_not_wait() -> None:
    batcher = MicroBatcher(SlowStep(0.0), max_batch=16)
    started = time.perf_counter()
    assert batcher(21) == 42
    assert time.perf_counter() - started < 0.5


def test_the_steps_error_reaches_every_caller_of_its_batch_and_the_next_batch_runs() -> None:
    failures = 0

    def step(items: list[int]) -> list[int]:
        nonlocal failures
        if 13 in items:
            failures += 1
            raise ValueError("unlucky")
        return items

    batcher = MicroBatcher(step, max_batch=4, max_wait=1.0)
    errors: list[str] = []

    def call(item: int) -> int | None:
        try:
            return batcher(item)
        except ValueError as error:
            errors.append(str(error))
            return None

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(call, [13, 1, 2, 3]))
    assert answers == [None] * 4 and errors == ["unlucky"] * 4 and failures == 1
    assert batcher(7) == 7  # not stuck after a failed batch


def test_a_step_that_answers_too_few_is_an_error() -> None:
    batcher = MicroBatcher(lambda items: items[:1], max_batch=4, max_wait=1.0)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(batcher, i) for i in (1, 2)]
    outcomes = []
    for future in futures:
        try:
            outcomes.append(future.result())
        except RuntimeError as error:
            outcomes.append(str(error))
    assert any("answered 1 of 2" in str(o) for o in outcomes) or outcomes == [1, 2]


@pytest.mark.parametrize("bad", [{"max_batch": 0}, {"concurrency": 0}, {"max_wait": -1.0}])
def test_bad_settings_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        MicroBatcher(lambda items: items, **bad)


BRIEFS = (
    "wearable sensors to detect falls in older inpatients",
    "retinal screening with deep learning in primary care",
    "battery life of home monitoring devices",
    "sepsis early warning scores in emergency departments",
    "Reducing hospital readmissions after heart failure with remote monitoring at home",
    "natural language processing of discharge letters",
    "dementia-friendly wards",
    "We are an SME making a low-cost spirometer and need a clinical partner to validate it "
    "against hospital lung function tests in COPD clinics.",
)


def answer(result: SearchResult) -> tuple[list[Any], list[float]]:
    """Everything a search answers, and its scores apart: the torch model pads a batch, and the
    one matrix product of a batch rounds otherwise than one query's, in the last float32 bits
    (about 1e-7), so scores are compared to 1e-5 and everything else exactly."""
    fields: list[Any] = []
    scores: list[float] = []
    for kind, matches in sorted(result.groups.items()):
        for m in matches:
            fields.append(
                (kind, m.profile_id, m.rank, m.strength_label, m.shared_terms, m.conflicts)
            )
            fields.extend((e.item_id, e.snippet, e.title) for e in m.evidence)
            scores.append(m.score)
            scores.extend(e.similarity for e in m.evidence)
    for kind, matches in sorted(result.lanes.items()):
        fields.extend(("lane", kind, m.profile_id) for m in matches)
    return fields, scores


@pytest.mark.model
def test_micro_batched_searches_answer_as_one_by_one(demo_container: Container) -> None:
    """The real model (not one remembering vectors) and the real index: eight concurrent
    searches made one encoder call and one index search, and each answer equals that of the
    same brief searched alone."""
    base = demo_container.engine
    engine = SearchEngine(
        demo_container.catalogue,
        demo_container.store,
        SentenceTransformerEncoder(),
        reload_seconds=0,
        micro_batch=len(BRIEFS),
        micro_batch_wait=5.0,  # every brief in one batch: the first waits for the others
    )
    assert engine.encoder.model_id == base.encoder.model_id
    briefs = [make_brief(text, top=5) for text in BRIEFS]
    start = threading.Barrier(len(briefs))

    def search(brief: Any) -> SearchResult:
        start.wait()
        return engine.search(brief)

    with ThreadPoolExecutor(len(briefs)) as pool:
        together = list(pool.map(search, briefs))
    stats = engine.batching
    assert stats["encode"].largest == len(briefs) and stats["encode"].calls == 1
    assert stats["nearest"].largest > 1
    engine._encode_one.max_wait = engine._nearest_one.max_wait = 0.0
    for brief, batched in zip(briefs, together, strict=True):
        (fields, scores), (fields_alone, scores_alone) = (
            answer(batched),
            answer(engine.search(brief)),
        )
        assert fields == fields_alone, brief.text
        assert scores == pytest.approx(scores_alone, abs=1e-5), brief.text
        assert fields  # something was found
    assert engine.batching["encode"].calls == 1 + len(briefs)  # the second round ran alone
