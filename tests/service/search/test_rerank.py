"""The re-ranker on an index version: features from the index, pseudo-brief training, the
model beside the version and in its manifest, the profiles that use it, ``matcher learn``."""

from __future__ import annotations

import numpy as np
import pytest

import service.cli.common as cli_common
from index.vectors.manifest import Manifest
from matcher.briefs import make_brief
from matcher.fusion import RankingProfile
from matcher.model import ProfileKind
from matcher.rerank import FEATURES
from service.cli import main
from service.container import Container, build_container
from service.search.engine import SearchEngine
from service.search.rerank import (
    MODEL_FILE,
    LexicalPool,
    RerankerCache,
    candidate_features,
    pseudo_briefs,
    save,
    train,
)
from service.settings import Settings
from tests.conftest import DEMO_FILES
from tests.fakes import FakeEncoder


def test_features_come_from_the_index(loaded: Container) -> None:
    snap = loaded.engine.snapshot()
    lexicon = LexicalPool(snap, loaded.catalogue)
    text = "falls in older inpatients wearable sensors"
    query = loaded.encoder.encode([text])[0]
    everyone = np.arange(len(snap.profiles), dtype=np.int64)
    found = candidate_features(snap, lexicon, text, query, everyone, year=2026)
    assert found.rows.shape == (found.profiles.size, len(FEATURES))
    column = FEATURES.index("sim_mean3")
    # the mean of the 3 closest items is the fast profile's own score, profile by profile
    fast = loaded.engine._aggregate(snap, query, found.profiles)
    np.testing.assert_allclose(found.rows[:, column], fast.scores, atol=1e-6)
    assert (found.rows[:, FEATURES.index("gap_1")] <= 0).all()
    falls = snap.profile_index["acad-falls"]
    at = int(np.flatnonzero(found.profiles == falls)[0])
    assert found.rows[at, FEATURES.index("lex_1")] == 1.0  # the best BM25 item is theirs


def test_pseudo_briefs_leave_their_item_out(loaded: Container) -> None:
    snap = loaded.engine.snapshot()
    lexicon = LexicalPool(snap, loaded.catalogue)
    data = pseudo_briefs(snap, lexicon, loaded.encoder, items=30, candidates=10, seed=1)
    assert set(data.shapes) <= {"whole", "title", "sentence"} and data.shapes["whole"] > 0
    for group in np.unique(data.groups):
        labels = data.labels[data.groups == group]
        assert labels.sum() == 1 and labels.size <= 10  # one positive: the item's own profile
        weights = data.weights[data.groups == group]
        assert weights[labels == 0].sum() == pytest.approx(1.0)
    # a whole item as its own brief would be similarity 1 if it were not left out
    assert data.rows[:, FEATURES.index("sim_1")].max() < 0.999


def test_trained_model_is_versioned_and_used_only_by_the_chosen_profiles(
    loaded: Container,
) -> None:
    snap = loaded.engine.snapshot()
    assert RerankerCache().model(snap) is None
    learned = train(snap, loaded.catalogue, loaded.encoder, items=40)
    assert snap.path is not None
    manifest = save(snap.path, learned)
    assert (snap.path / MODEL_FILE).is_file()
    record = Manifest.read(snap.path).reranker
    assert record is not None and record["kind"] == "logistic" and len(record["sha256"]) == 64
    assert manifest.reranker == record
    engine = SearchEngine(
        loaded.catalogue,
        loaded.store,
        loaded.encoder,
        reranked=frozenset({RankingProfile.FAST}),
    )
    brief = make_brief("falls in older inpatients", kinds=[ProfileKind.ACADEMIC.value], top=5)
    learned_scores = engine.score(brief).groups[ProfileKind.ACADEMIC]
    plain = loaded.engine.score(brief).groups[ProfileKind.ACADEMIC]  # RERANKED: not fast
    # the same candidates (every academic profile the fast path finds), other scores
    assert learned_scores.profiles.size == plain.profiles.size > 0
    assert set(learned_scores.profiles) == set(plain.profiles)
    assert not np.allclose(np.sort(learned_scores.scores), np.sort(plain.scores))
    off = SearchEngine(
        loaded.catalogue,
        loaded.store,
        loaded.encoder,
        rerank=False,
        reranked=frozenset({RankingProfile.FAST}),
    )
    np.testing.assert_allclose(off.score(brief).groups[ProfileKind.ACADEMIC].scores, plain.scores)
    # a model file that does not match its manifest is not used
    (snap.path / MODEL_FILE).write_bytes(b"changed")
    assert RerankerCache().model(engine.reload()) is None


def test_cli_learn_and_off(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    encoder = FakeEncoder()
    monkeypatch.setattr(
        cli_common, "build_container", lambda s: build_container(s, encoder=encoder)
    )
    assert main(["ingest", *map(str, DEMO_FILES)], settings=settings) == 0
    capsys.readouterr()
    assert main(["learn", "--items", "20", "--kind", "boosting"], settings=settings) == 0
    assert "re-ranker (boosting) trained on index version" in capsys.readouterr().out
    current = next(p for p in sorted(settings.index_dir.glob("*")) if (p / MODEL_FILE).exists())
    assert Manifest.read(current).reranker is not None
    assert main(["learn", "--off"], settings=settings) == 0
    assert Manifest.read(current).reranker is None and not (current / MODEL_FILE).exists()


def test_since_keeps_only_profiles_with_recent_evidence(loaded: Container) -> None:
    from matcher.errors import InvalidBriefError
    from matcher.model import Role
    from tests.service.http.test_api_v1 import client_for

    snap = loaded.engine.snapshot()
    years = RerankerCache().lexicon(snap, loaded.catalogue).years
    known = years[~np.isnan(years)]
    assert known.size, "the demo data has dated evidence"
    cut = int(np.median(known)) + 1
    recent = {snap.profiles[int(p)].id for p in np.unique(snap.item_profiles[years >= cut])}
    brief = make_brief("falls in older inpatients", top=50, since=cut)
    found = loaded.engine.score(brief).groups
    returned = {snap.profiles[int(p)].id for g in found.values() for p in g.profiles}
    assert returned and returned <= recent
    everyone = loaded.engine.score(make_brief("falls in older inpatients", top=50)).groups
    assert len(returned) < sum(g.profiles.size for g in everyone.values())
    with pytest.raises(InvalidBriefError, match="since"):
        make_brief("falls in older inpatients", since=1800)
    with client_for(loaded, Role.CLINICIAN) as client:
        answer = client.post("/api/v1/search", json={"text": "falls in older", "since": cut})
        assert answer.status_code == 200
        ids = {m["profile_id"] for ms in answer.json()["results"].values() for m in ms}
        assert ids <= recent
        assert (
            client.post("/api/v1/search", json={"text": "falls", "since": 1800}).status_code == 422
        )
