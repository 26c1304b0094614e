"""The profile-sharded index on Ray Serve answers exactly as the single index: for every kind,
every aggregation and the filters, through the engine and over HTTP.

One Serve application (two shards and the router over the demo region, fake encoder) is started
once for the module and shut down at its end: Serve's start-up is the slow part.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from matcher.briefs import make_brief
from matcher.fusion import RankingProfile
from matcher.model import Aggregation, Brief
from matcher.ranking import AggregationConfig
from matcher.shard_merge import shard_of
from service.app import create_app
from service.cli import main
from service.container import Container, build_container
from service.scale.router import ShardRequest
from service.scale.shards import load_shard
from service.search.engine import ScoredBrief, SearchEngine
from service.settings import Settings
from tests.fakes import FakeEncoder

DEMO = Path(__file__).parents[3] / "data" / "demo"
#: The demo's files and how many of their first lines the pool takes (about 120 profiles and
#: 700 chunks of every kind: enough for ties, bounds and filters; small enough to ingest fast).
DEMO_PART = {
    "organisations.csv": None,
    "academics.jsonl": 60,
    "clinical_teams.jsonl": 30,
    "smes.csv": 31,  # the header and 30 SMEs
}
SHARDS = 2
TEXTS = (
    "wearable sensors to detect falls in older inpatients",
    "remote monitoring of COPD at home",
    "deep learning for retinal images in diabetes screening",
    "reducing waiting times in emergency departments",
    "low-carbon manufacturing and supply chains",
)
AGGREGATIONS = [
    AggregationConfig(Aggregation.MAX),
    AggregationConfig(Aggregation.MEAN),
    AggregationConfig(Aggregation.TOP_K_MEAN, k=3),
    AggregationConfig(Aggregation.TOP_K_MEAN, k=2),
]


@pytest.fixture(scope="module")
def sharded(
    local_ray: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Container, Any]]:
    """The demo region with the fake encoder, and the router of its two shards on Serve."""
    from ray import serve

    from service.scale.ray_serve import sharded_search

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("shards"), reload_seconds=0, anonymous_search=True
    )
    container = build_container(settings, encoder=FakeEncoder())
    files = []
    for name, lines in DEMO_PART.items():
        text = (DEMO / name).read_text(encoding="utf-8").splitlines(keepends=True)
        files.append(settings.data_dir / name)
        files[-1].write_text("".join(text[:lines]), encoding="utf-8")
    report, _ = container.ingest(files)
    assert not report.errors, report.errors[:3]
    try:
        with sharded_search(
            settings, container.engine, SHARDS, encoder_factory=FakeEncoder
        ) as client:
            yield container, client
    finally:
        serve.shutdown()  # type: ignore[no-untyped-call]
        container.close()


def _briefs(container: Container) -> list[Brief]:
    """Briefs of every shape: all kinds and one, small and large ``top``, each filter."""
    snap = container.engine.snapshot()
    first = snap.profiles[0]
    briefs = [make_brief(text, top=top) for text in TEXTS for top in (1, 3, 10)]
    briefs += [
        make_brief(TEXTS[0], kinds=["academic"], top=5),
        make_brief(TEXTS[1], kinds=["sme", "clinical_team"], top=4),
        make_brief(TEXTS[2], organisations=[first.organisation_id], top=5),
        make_brief(TEXTS[3], regions=[first.region], top=5),
        make_brief(TEXTS[3], units=[first.unit], top=5),
        make_brief(TEXTS[0], exclude_profiles=[p.id for p in snap.profiles[:40]], top=5),
        make_brief(TEXTS[4], exclude_organisations=[first.organisation_id], top=5),
        make_brief(TEXTS[2], requester_organisation=first.organisation_id, top=5),
        make_brief(TEXTS[1], since=2020, top=5),
        make_brief(TEXTS[1], sdgs=[3], top=5),
    ]
    return briefs


def _assert_equal(split: ScoredBrief, single: ScoredBrief, brief: Brief) -> None:
    """The same kinds in the same order, the same profiles in the same order, the same scores:
    to float32 rounding, since BLAS rounds a dot product's last bit by the row's place in the
    matrix, which differs between a shard's rows and the whole index's (1 ulp, ~3e-8)."""
    assert list(split.groups) == list(single.groups), brief
    for kind, scores in single.groups.items():
        assert split.groups[kind].profiles.tolist() == scores.profiles.tolist(), (kind, brief)
        np.testing.assert_allclose(split.groups[kind].scores, scores.scores, rtol=0, atol=1e-6)


def _both(engine: SearchEngine, client: Any, brief: Brief, **options: Any) -> tuple[Any, Any]:
    engine.shards = None
    single = engine.score(brief, **options)
    engine.shards = client
    try:
        return single, engine.score(brief, **options)
    finally:
        engine.shards = None


@pytest.mark.parametrize("aggregation", AGGREGATIONS, ids=lambda a: a.key)
def test_sharded_scores_equal_the_single_index(
    sharded: tuple[Container, Any], aggregation: AggregationConfig
) -> None:
    container, client = sharded
    engine = SearchEngine(
        container.catalogue,
        container.store,
        container.encoder,
        aggregation=aggregation,
        reload_seconds=0,
        goal_profiles=container.engine.goal_profiles,
    )
    kinds_seen = set()
    for brief in _briefs(container):
        single, split = _both(engine, client, brief)
        _assert_equal(split, single, brief)
        kinds_seen |= {k for k, s in single.groups.items() if s.profiles.size}
    assert len(kinds_seen) == 3


def test_the_thorough_profile_fuses_the_merged_shortlist(sharded: tuple[Container, Any]) -> None:
    container, client = sharded
    brief = make_brief(TEXTS[0], top=5)
    single, split = _both(container.engine, client, brief, profile=RankingProfile.THOROUGH)
    _assert_equal(split, single, brief)


def test_the_search_api_answers_the_same(sharded: tuple[Container, Any]) -> None:
    container, client = sharded
    http = TestClient(create_app(container))
    body = {"text": TEXTS[2], "top": 4, "exclude_profiles": ["nobody"]}
    answers = []
    for shards in (None, client):
        container.engine.shards = shards
        response = http.post("/api/v1/search", json=body)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    container.engine.shards = None
    single, split = answers
    scores = [_scores(answer) for answer in answers]
    assert scores[0] and scores[0].keys() == scores[1].keys()
    for key, score in scores[0].items():  # the last of 6 decimals may round the other way
        assert abs(scores[1][key] - score) <= 2e-6, key
    assert _without_scores(split) == _without_scores(single)


def _scores(answer: Any) -> dict[tuple[str, int], float]:
    return {
        (kind, match["rank"]): match["score"]
        for kind, matches in answer["results"].items()
        for match in matches
    }


def _without_scores(answer: Any) -> Any:
    groups = {
        kind: [{k: v for k, v in m.items() if k != "score"} for m in matches]
        for kind, matches in answer["results"].items()
    }
    # candidates_considered counts what the shards scored (their sum), not what one index did;
    # a sharded front shows no exact-match lane (it needs the front's own nearest chunks)
    skipped = {"took_ms", "candidates_considered", "exact_matches"}
    return {**{k: v for k, v in answer.items() if k not in skipped}, "results": groups}


def test_the_router_encodes_a_brief_sent_without_its_vector(
    sharded: tuple[Container, Any],
) -> None:
    container, client = sharded
    brief = make_brief(TEXTS[1], top=3)
    aggregation = container.engine.aggregation
    vector = container.encoder.encode([brief.text])[0]
    with_vector = client.ask(ShardRequest(brief, vector, 3, aggregation))
    without = client.ask(ShardRequest(brief, None, 3, aggregation))
    assert with_vector.groups == without.groups
    assert with_vector.version == container.engine.snapshot().manifest.version
    assert with_vector.merge_ms >= 0


def test_shards_cut_the_version_by_profile(sharded: tuple[Container, Any]) -> None:
    container, _ = sharded
    snap = container.engine.snapshot()
    assert snap.path is not None
    parts = [load_shard(snap.path, s, SHARDS) for s in range(SHARDS)]
    assert sum(p.size for p in parts) == snap.size
    assert sorted(np.concatenate([p.row_ids for p in parts]).tolist()) == sorted(
        snap.row_ids.tolist()
    )
    for s, part in enumerate(parts):
        assert all(shard_of(p.id, SHARDS) == s for p in part.profiles)
        assert [snap.profiles[int(i)].id for i in part.positions] == [p.id for p in part.profiles]
        # every chunk of a profile: the shard's rows of a profile are all its rows
        for p in (0, len(part.profiles) - 1):
            whole = snap.rows_for_profiles(np.array([part.positions[p]], np.int64))
            own = part.rows_for_profiles(np.array([p], np.int64))
            assert sorted(part.row_ids[own].tolist()) == sorted(snap.row_ids[whole].tolist())


def test_serve_shards_runs_the_service_over_the_router(
    sharded: tuple[Container, Any], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import contextlib

    import uvicorn

    import service.scale.ray_serve as ray_serve

    container, client = sharded
    seen: dict[str, Any] = {}

    @contextlib.contextmanager
    def started(settings: Settings, engine: SearchEngine, shards: int, **options: Any) -> Any:
        seen.update(shards=shards, address=options.get("address"))
        engine.shards = client  # the module's application stands in for a second start
        yield client
        engine.shards = None

    def run(app: Any, **_: Any) -> None:
        seen["delegating"] = container.engine.shards is client

    monkeypatch.setattr(ray_serve, "sharded_search", started)
    monkeypatch.setattr(uvicorn, "run", run)
    assert main(["serve", "--shards", "2", "--ray", "10.0.0.5:6379"], container=container) == 0
    assert seen == {"shards": 2, "address": "10.0.0.5:6379", "delegating": True}
    assert "searching 2 shards on Ray Serve" in capsys.readouterr().out
    assert container.engine.shards is None


def test_shards_without_the_ray_extra_say_how_to_install_it(
    container: Container, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as when not installed
    assert main(["serve", "--shards", "2"], container=container) != 0
    assert "pip install 'ke-matcher[ray]'" in capsys.readouterr().err


def test_ray_without_shards_and_shards_with_workers_are_refused(
    container: Container, capsys: Any
) -> None:
    assert main(["serve", "--ray"], container=container) != 0
    assert "--ray needs --shards" in capsys.readouterr().err
    assert main(["serve", "--shards", "2", "--workers", "2"], container=container) != 0
    assert "leave out --workers" in capsys.readouterr().err


def test_shards_of_an_approximate_version_keep_its_quantiser_and_answer_the_same(
    tmp_path: Path,
) -> None:
    """Without Ray: the shards' scorers in this process, over an IVF version (the demo pool of
    tests/data with the store's threshold below its size)."""
    import faiss

    from index.vectors.build import IndexPolicy
    from index.vectors.store import IndexStore
    from service.scale.router import merge_answers
    from service.scale.shards import ShardScorer, as_scored
    from tests.conftest import DEMO_FILES

    settings = Settings(data_dir=tmp_path, reload_seconds=0)
    container = build_container(settings, encoder=FakeEncoder())
    container.store = IndexStore(settings.index_dir, policy=IndexPolicy(exact_max_vectors=5))
    container.engine.store = container.store
    container.ingest(DEMO_FILES)
    try:
        snap = container.engine.snapshot()
        assert snap.manifest.index_type.startswith("IVF")
        encoder = container.encoder
        scorers = [
            ShardScorer(settings, s, SHARDS, encoder.model_id, encoder.dimension)
            for s in range(SHARDS)
        ]
        part = scorers[0].store.load()
        whole = faiss.extract_index_ivf(snap.index)
        own = faiss.extract_index_ivf(part.index)
        assert own.nlist == whole.nlist and own.nprobe == whole.nprobe
        assert 0 < part.index.ntotal < snap.index.ntotal

        def in_process(snap: Any, brief: Brief, query: Any, top: int, aggregation: Any) -> Any:
            request = ShardRequest(brief, query, top, aggregation)
            return as_scored(snap, brief, merge_answers([s.answer(request) for s in scorers], top))

        for text in ("falls in older adults", "retinal screening with deep learning"):
            for top in (1, 3):
                brief = make_brief(text, top=top)
                single, split = _both(container.engine, in_process, brief)
                _assert_equal(split, single, brief)
    finally:
        container.close()


def test_a_failed_router_leaves_the_front_to_score_locally(
    loaded: Container, caplog: pytest.LogCaptureFixture
) -> None:
    from service.scale.ray_serve import RouterClient

    class Down:
        class score:  # noqa: N801 - stands in for a handle's method
            @staticmethod
            def remote(request: Any) -> Any:
                raise TimeoutError("the router did not answer")

    brief = make_brief("falls in older adults", top=3)
    single, split = _both(loaded.engine, RouterClient(Down()), brief)
    _assert_equal(split, single, brief)
    assert "sharded search failed (TimeoutError); scored locally" in caplog.text


def test_a_caller_inside_an_event_loop_gets_the_shards_answer(
    sharded: tuple[Container, Any],
) -> None:
    """Serve refuses a blocking wait on a thread that runs an asyncio loop (Playwright's sync
    API, Jupyter); the router client waits on a thread of its own there."""
    container, client = sharded
    engine = container.engine
    brief = make_brief(TEXTS[0], top=5)

    async def inside_a_loop() -> ScoredBrief:
        return engine.score(brief)

    single = engine.score(brief)
    answers: list[ScoredBrief] = []
    engine.shards = client
    try:  # a thread of its own, so that its loop is the only one (pytest's may run here)
        thread = threading.Thread(target=lambda: answers.append(asyncio.run(inside_a_loop())))
        thread.start()
        thread.join(timeout=120)
    finally:
        engine.shards = None
    assert answers, "no answer from inside the event loop"
    _assert_equal(answers[0], single, brief)
