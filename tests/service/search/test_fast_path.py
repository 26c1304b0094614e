"""The fast search path ranks exactly as brute-force scoring of every vector, on the demo pool
(493 profiles; a fake encoder keeps it quick, the path and the index are the real ones)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.vectors.snapshot import Nearest
from matcher.briefs import make_brief
from matcher.model import Aggregation, ProfileKind
from matcher.ranking import (
    AggregationConfig,
    ProfileScores,
    score_items,
    score_profiles,
    top_profiles,
)
from service.container import Container, build_container
from service.search.engine import SearchEngine
from service.settings import Settings
from tests.fakes import FakeEncoder

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo"
DEMO_FILES = [
    DEMO / "organisations.csv",
    DEMO / "academics.jsonl",
    DEMO / "clinical_teams.jsonl",
    DEMO / "smes.csv",
]
BRIEFS = (
    "wearable sensors to detect falls in older inpatients",
    "retinal screening with deep learning in primary care",
    "battery life of home monitoring devices",
    "sepsis early warning scores in emergency departments",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    data_dir: Path = tmp_path_factory.mktemp("fast-path")
    container = build_container(
        Settings(data_dir=data_dir, reload_seconds=0), encoder=FakeEncoder()
    )
    container.ingest(DEMO_FILES)
    yield container
    container.close()


def brute_force(engine: SearchEngine, query: np.ndarray, kind: ProfileKind, top: int) -> list[int]:
    """The definition of the ranking: every vector of every consenting profile, scored exactly."""
    snap = engine.snapshot()
    rows = np.arange(snap.size, dtype=np.int64)
    items = score_items(snap.similarities(query, rows), snap.row_items)
    scores = score_profiles(items, snap.item_profiles, engine.aggregation)
    code = list(ProfileKind).index(kind)
    keep = (snap.kind_codes[scores.profiles] == code) & snap.consent[scores.profiles]
    best = top_profiles(ProfileScores(scores.profiles[keep], scores.scores[keep]), top)
    return [int(p) for p in best.profiles]


def brute_force_scores(
    engine: SearchEngine, query: np.ndarray, profiles: np.ndarray
) -> list[float]:
    snap = engine.snapshot()
    rows = np.arange(snap.size, dtype=np.int64)
    items = score_items(snap.similarities(query, rows), snap.row_items)
    scores = score_profiles(items, snap.item_profiles, engine.aggregation)
    table = dict(zip(scores.profiles.tolist(), scores.scores.tolist(), strict=True))
    return [table[int(p)] for p in profiles]


@pytest.mark.parametrize(
    "aggregation",
    [
        AggregationConfig(),
        AggregationConfig(method=Aggregation.MAX),
        AggregationConfig(method=Aggregation.MEAN),
        AggregationConfig(method=Aggregation.TOP_K_MEAN, k=5),
    ],
    ids=["top3", "max", "mean", "top5"],
)
@pytest.mark.parametrize("candidates", [1, 50, 400, 100_000])
def test_fast_path_ranks_as_brute_force_scoring(
    demo: Container,
    candidates: int,
    aggregation: AggregationConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether FAISS's nearest chunks suffice, a kind rare near the brief is searched on its own,
    or a kind falls back to scoring all its profiles, the ranking and the scores are the
    brute-force ones, for every aggregation; and profiles that cannot reach the top are not
    scored over all their vectors."""
    engine = demo.engine
    monkeypatch.setattr(engine, "candidate_chunks", candidates)
    monkeypatch.setattr(engine, "aggregation", aggregation)
    fully_scored: list[int] = []
    aggregate = engine._aggregate

    def counting(snap: object, query: np.ndarray, profiles: np.ndarray) -> ProfileScores:
        fully_scored.append(int(profiles.size))
        return aggregate(snap, query, profiles)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_aggregate", counting)
    snap = engine.snapshot()
    searched_alone: list[int] = []
    original = Nearest.of_kind

    def spy(self: Nearest, k: int, code: int) -> tuple[np.ndarray, np.ndarray]:
        searched_alone.append(code)
        return original(self, k, code)

    monkeypatch.setattr(Nearest, "of_kind", spy)
    # an exact index is scanned once per brief: a kind's own rows are selected from that one
    # product, never searched (or scanned) again
    scans: list[int] = []
    flat = snap._flat_vectors

    def counted() -> np.ndarray:
        scans.append(1)
        return flat()

    monkeypatch.setattr(snap, "_flat_vectors", counted)
    monkeypatch.setattr(snap, "search_kind", None)  # never called over an exact index
    for text in BRIEFS:
        brief = make_brief(text, top=5)
        query = engine.encode_briefs([brief.text])[0]
        fully_scored.clear()
        scans.clear()
        scored = engine.score(brief, query)
        assert len(scans) == 1
        for kind, scores in scored.groups.items():
            assert scores.profiles.tolist() == brute_force(engine, query, kind, 5), (text, kind)
            assert scores.scores.tolist() == pytest.approx(  # BLAS rounds subsets differently
                brute_force_scores(engine, query, scores.profiles), abs=1e-6
            )
        if candidates == 400 and aggregation.method is not Aggregation.MEAN:
            # the found rows settle most candidates: far fewer than all are scored in full
            assert sum(fully_scored) < scored.considered
    if candidates == 50:
        assert searched_alone  # the per-kind search really was exercised
    if candidates == 100_000:
        assert not searched_alone


def test_search_kind_returns_that_kinds_nearest_rows(demo: Container) -> None:
    engine = demo.engine
    snap = engine.snapshot()
    query = engine.encode_briefs([BRIEFS[0]])[0]
    for code in range(len(ProfileKind)):
        rows, sims = snap.search_kind(query, 20, code)
        assert np.allclose(sims, snap.similarities(query, rows), atol=1e-5)
        of_kind = np.flatnonzero(snap.kind_codes[snap.row_profiles] == code)
        assert rows.size == min(20, of_kind.size)
        assert (snap.kind_codes[snap.row_profiles[rows]] == code).all()
        exact = of_kind[np.argsort(-snap.similarities(query, of_kind), kind="stable")][:20]
        assert np.allclose(snap.similarities(query, rows), snap.similarities(query, exact))


def test_explanations_come_from_the_returned_profiles_best_items(demo: Container) -> None:
    """Evidence is the profile's best-scored items, best first, read without its whole record."""
    engine = demo.engine
    brief = make_brief(BRIEFS[0], top=5)
    result = engine.search(brief)
    query = engine.encode_briefs([brief.text])[0]
    snap = engine.snapshot()
    for match in result.matches:
        p = snap.profile_index[match.profile_id]
        rows = snap.rows_for_profiles(np.array([p], dtype=np.int64))
        items = score_items(snap.similarities(query, rows), snap.row_items[rows])
        expected = [
            snap.item_ids[int(i)] for i in items.items[np.argsort(-items.scores, kind="stable")][:3]
        ]
        assert [e.item_id for e in match.evidence] == expected
        sims = [e.similarity for e in match.evidence]
        assert sims == sorted(sims, reverse=True)
        profile = demo.catalogue.get_profile(match.profile_id)
        texts = {i.id: i.text for i in profile.evidence_with_summary()}
        for e in match.evidence:
            assert e.snippet.rstrip("…")[:40] in texts[e.item_id]


def test_nearest_rows_of_a_kind_equal_brute_force(demo: Container) -> None:
    """Over the exact index the per-kind rows are selected from one product: the same rows and
    similarities as sorting every row of the kind by its exact similarity."""
    engine = demo.engine
    snap = engine.snapshot()
    queries = engine.encode_briefs(list(BRIEFS))
    for query, nearest in zip(queries, snap.nearest(queries, 50), strict=True):
        every = snap.similarities(query, np.arange(snap.size, dtype=np.int64))
        rows, sims = nearest.first(50)
        # (BLAS rounds a product over a subset of rows differently in the last bit)
        assert sims.tolist() == pytest.approx(sorted(every.tolist(), reverse=True)[:50], abs=1e-6)
        for code in range(len(ProfileKind)):
            of_kind = snap.kind_rows[code]
            for k in (1, 20, of_kind.size, of_kind.size + 5):
                rows, sims = nearest.of_kind(k, code)
                assert rows.size == min(k, of_kind.size)
                assert (snap.kind_codes[snap.row_profiles[rows]] == code).all()
                np.testing.assert_allclose(sims, snap.similarities(query, rows), atol=1e-6)
                best = sorted(every[of_kind].tolist(), reverse=True)[:k]
                assert sims.tolist() == pytest.approx(best, abs=1e-6)


def test_batch_scoring_in_one_index_call_equals_one_by_one(
    demo: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """score_many searches a batch of briefs in one call; each brief's scores are those of
    scoring it alone."""
    engine = demo.engine
    monkeypatch.setattr(engine, "candidate_chunks", 50)  # the per-kind search is exercised
    briefs = [make_brief(text, top=5) for text in BRIEFS * 3]
    together = engine.score_many(briefs, batch_size=5)
    for brief, scored in zip(briefs, together, strict=True):
        alone = engine.score(brief)
        for kind, scores in alone.groups.items():
            assert scored.groups[kind].profiles.tolist() == scores.profiles.tolist()
            assert scored.groups[kind].scores.tolist() == pytest.approx(
                scores.scores.tolist(), abs=1e-6
            )
