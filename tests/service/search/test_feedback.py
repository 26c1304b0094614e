"""Users' feedback (issue 18 item 3): the API's search references, the feedback route and the
result card's form, introduction outcomes as labels, and ``matcher learn`` using the labels,
tested on a simulated feedback log whose generating rule is written down below."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

import service.cli.common as cli_common
from index.db.schema import feedback
from matcher.model import Role
from matcher.rerank import FEATURES, Reranker
from service.cli import main
from service.container import Container, build_container
from service.search.feedback import (
    RecentSearches,
    bid_brief,
    record_bid_outcomes,
    record_label,
    record_outcomes,
)
from service.search.rerank import (
    MIN_FEEDBACK_BRIEFS,
    MIN_FEEDBACK_LABELS,
    LexicalPool,
    candidate_features,
    feedback_rows,
    train,
)
from service.settings import Settings
from tests.conftest import DATA
from tests.fakes import FakeEncoder
from tests.service.http.test_api_v1 import client_for
from tests.service.web.test_pages import search, signed_in

BRIEF = "falls in older inpatients wearable sensors"


def test_recent_searches_expire_are_bounded_and_belong_to_their_key() -> None:
    now = [0.0]
    recent = RecentSearches(seconds=60, size=2, clock=lambda: now[0])
    vector = np.ones(4, np.float32)
    first = recent.remember("key-1", "a brief", vector)
    found = recent.get(first, "key-1")
    assert found is not None and found.text == "a brief"
    assert recent.get(first, "key-2") is None  # another key's search is not theirs to label
    recent.remember("key-1", "b", vector)
    recent.remember("key-1", "c", vector)
    assert recent.get(first, "key-1") is None and len(recent) == 2  # the oldest went
    now[0] = 61.0
    assert recent.get(recent.remember("key-1", "d", vector), "key-1") is not None
    assert len(recent) == 1  # the two older ones expired


def test_api_feedback_by_search_id_or_text_keeps_the_vector_not_the_text(
    loaded: Container,
) -> None:
    with client_for(loaded, Role.CLINICIAN) as client, client_for(loaded, Role.KE_STAFF) as other:
        answer = client.post("/api/v1/search", json={"text": BRIEF}).json()
        search_id = answer["search_id"]
        profile_id = answer["results"]["academic"][0]["profile_id"]
        body = {"search_id": search_id, "profile_id": profile_id, "relevant": True}
        given = client.post("/api/v1/feedback", json=body)
        assert given.status_code == 201, given.text
        assert given.json()["relevant"] is True and given.json()["source"] == "card"
        # the same result again: the label is replaced, not added
        assert client.post("/api/v1/feedback", json=body | {"relevant": False}).status_code == 201
        labels = loaded.feedback.labels()
        assert [(x.profile_id, x.relevant, x.role) for x in labels] == [
            (profile_id, False, "clinician")
        ]
        np.testing.assert_allclose(labels[0].vector, loaded.encoder.encode([BRIEF])[0], atol=1e-6)
        assert set(FEATURES) <= set(labels[0].features) and labels[0].brief_id is None
        with loaded.catalogue.engine.connect() as connection:
            row = connection.execute(select(feedback)).mappings().one()
        assert "inpatients" not in json.dumps({k: str(v) for k, v in row.items()})
        # the text instead of the reference: encoded again, the same brief
        by_text = {"text": BRIEF, "profile_id": profile_id, "relevant": True}
        assert other.post("/api/v1/feedback", json=by_text).status_code == 201
        assert loaded.feedback.summary().briefs == 1
        # bad input: a clear 4xx
        refused = {
            "neither": {"profile_id": profile_id, "relevant": True},
            "both": by_text | {"search_id": search_id},
            "not a boolean": by_text | {"relevant": "yes"},
            "empty text": by_text | {"text": ""},
        }
        for name, wrong in refused.items():
            assert client.post("/api/v1/feedback", json=wrong).status_code == 422, name
        unknown = client.post("/api/v1/feedback", json=by_text | {"profile_id": "nobody"})
        assert unknown.status_code == 404
        expired = client.post("/api/v1/feedback", json=body | {"search_id": "x" * 24})
        assert expired.status_code == 404 and "send the brief's text" in expired.json()["message"]
        # another key's reference is unknown to this key
        assert other.post("/api/v1/feedback", json=body).status_code == 404


def test_the_card_form_records_a_label_and_shows_the_choice(loaded: Container) -> None:
    client, csrf = signed_in(loaded, Role.CLINICIAN)
    with client:
        url, page = search(client, csrf, BRIEF, kind="academic")
        brief_id = url.split("brief=")[1].split("&")[0]
        assert 'action="/feedback"' in page
        assert 'Relevant<span class="sr-only"> for Dr Ada Fallow</span>' in page
        assert 'Not relevant<span class="sr-only"> for Dr Ada Fallow</span>' in page
        form = {"profile_id": "acad-falls", "brief_id": brief_id, "kind": "academic"}
        posted = client.post("/feedback", data=form | {"relevant": "1", "csrf": csrf})
        assert posted.status_code == 303
        location = posted.headers["location"]
        assert location.endswith("#feedback-acad-falls") and "kind=academic" in location
        shown = client.get(location).text
        assert "You marked Dr Ada Fallow relevant. Thank you." in shown
        assert 'aria-pressed="true" data-done="You marked Dr Ada Fallow relevant' in shown
        # the page's script gets a 204 and updates the card itself
        fetched = client.post(
            "/feedback",
            data=form | {"relevant": "0", "csrf": csrf},
            headers={"x-requested-with": "fetch"},
        )
        assert fetched.status_code == 204
        labels = loaded.feedback.labels()
        assert [(x.relevant, x.brief_id) for x in labels] == [(False, brief_id)]
        # a returning user sees their earlier choice on the same brief's results
        again = client.get(url).text
        assert "You marked Dr Ada Fallow not relevant for this brief before" in again
        assert 'aria-pressed="true" data-done="You marked Dr Ada Fallow not relevant' in again
        assert 'aria-pressed="false" data-done="You marked Dr Ada Fallow relevant' in again
        bad = form | {"relevant": "maybe", "csrf": csrf}
        assert client.post("/feedback", data=bad).status_code == 422
        gone = form | {"brief_id": "0" * 32, "relevant": "1", "csrf": csrf}
        assert client.post("/feedback", data=gone).status_code == 404
        assert client.post("/feedback", data=form | {"relevant": "1"}).status_code == 403


def test_introduction_outcomes_become_labels(loaded: Container) -> None:
    with client_for(loaded, Role.KE_STAFF) as staff:

        def propose(profile_id: str, brief: str) -> int:
            made = staff.post(
                "/api/v1/introductions",
                json={"profile_id": profile_id, "requester": "Ward 7", "brief": brief},
            )
            assert made.status_code == 201, made.text
            return int(made.json()["id"])

        def move(introduction: int, *statuses: str) -> None:
            for status in statuses:
                moved = staff.post(
                    f"/api/v1/introductions/{introduction}/status", json={"status": status}
                )
                assert moved.status_code == 200, moved.text

        won = propose("acad-falls", BRIEF)
        lost = propose("acad-falls", "pressure ulcers in care homes")
        silent = propose("acad-falls", "")
        move(won, "contacted", "met")
        assert loaded.feedback.labels() == []  # no outcome yet
        move(won, "collaborating")
        move(lost, "declined")
        move(silent, "declined")  # no brief: nothing to learn from
    labels = {x.introduction_id: x for x in loaded.feedback.labels()}
    assert set(labels) == {won, lost}
    assert labels[won].relevant and not labels[lost].relevant
    assert labels[won].source == "introduction"
    # outcomes missed (here: deleted) are recorded by learn's catch-up
    with loaded.catalogue.engine.begin() as connection:
        connection.execute(feedback.delete())
    assert record_outcomes(loaded.engine, loaded.feedback, loaded.introductions) == 2
    assert record_outcomes(loaded.engine, loaded.feedback, loaded.introductions) == 0


def test_a_returning_users_choice_is_theirs_and_of_that_brief_only(loaded: Container) -> None:
    clinician, csrf = signed_in(loaded, Role.CLINICIAN)
    with clinician:
        url, _ = search(clinician, csrf, BRIEF, kind="academic")
        brief_id = url.split("brief=")[1].split("&")[0]
        form = {"profile_id": "acad-falls", "brief_id": brief_id, "relevant": "1", "csrf": csrf}
        assert clinician.post("/feedback", data=form).status_code == 303
        other_brief, _ = search(
            clinician, csrf, "retinal screening in primary care", kind="academic"
        )
        assert "for this brief before" not in clinician.get(other_brief).text
    staff, staff_csrf = signed_in(loaded, Role.KE_STAFF)
    with staff:
        url, page = search(staff, staff_csrf, BRIEF, kind="academic")
        assert "for this brief before" not in page  # another person's choice is not shown


def test_funded_bids_label_their_members_once_and_unfunded_bids_none(loaded: Container) -> None:
    from index.db.bids import NewBid, Who
    from matcher.bids import BidMember, BidRole, BidStatus

    who = Who(by="Kim (KE)", actor="key_1")
    bids = loaded.bids

    def bid(name: str, theme: str, outcome: BidStatus) -> int:
        made = bids.create(
            NewBid(
                call_name=name,
                theme=theme,
                members=(
                    BidMember("acad-falls", BidRole.LEAD),
                    BidMember("clin-elderly", BidRole.NHS_PARTNER),
                ),
            ),
            who=who,
        )
        current = made
        for status in (BidStatus.INTERNAL_REVIEW, BidStatus.SUBMITTED, outcome):
            current = bids.change_status(current.id, current.version, status, who=who)
        return current.id

    funded = bid("Falls prevention call", "wearable sensors for older inpatients", BidStatus.FUNDED)
    bid("Eye health call", "retinal screening", BidStatus.NOT_FUNDED)
    assert record_bid_outcomes(loaded.engine, loaded.feedback, bids) == 2
    labels = [x for x in loaded.feedback.labels() if x.source == "bid"]
    assert sorted(x.profile_id for x in labels) == ["acad-falls", "clin-elderly"]
    assert all(x.relevant and x.given_by == f"bid {funded}" for x in labels)
    text = bid_brief(bids.get(funded))
    assert text == "Falls prevention call. wearable sensors for older inpatients"
    expected = loaded.engine.encode_briefs([text])[0]
    assert all(np.array_equal(x.vector, expected) for x in labels)  # the vector, never the text
    assert record_bid_outcomes(loaded.engine, loaded.feedback, bids) == 0  # recorded once


# --------------------------------------------------------------------- the simulated feedback log
#: The simulated pool: TOPICS × PER_TOPIC academics, each with ITEMS publications on its topic.
#: Half the profiles of each topic published recently (every item in 2019–2025), half long ago
#: (every item in 1995–2005).
TOPICS = 6
PER_TOPIC = 10
ITEMS = 4
RECENT_FROM = 2019
#: The rule the simulated users follow (and nothing else): shown the fast path's best
#: LOOKED_AT profiles for a brief, they mark **relevant** exactly those whose most similar item
#: to the brief is from RECENT_FROM or later, and **not relevant** the others.
LOOKED_AT = 8


def _vocabulary(rng: np.random.Generator, topic: int) -> list[str]:
    # letters only: the fake encoder's words
    return [f"zo{chr(97 + topic)}{chr(97 + i)}ka" for i in range(14)]


def _simulated_pool(path: Path, seed: int = 7) -> tuple[Path, dict[str, bool]]:
    """A JSON Lines pool following the rule above; each profile id → whether it is recent."""
    rng = np.random.default_rng(seed)
    recent: dict[str, bool] = {}
    lines = []
    for topic in range(TOPICS):
        words = _vocabulary(rng, topic)
        for k in range(PER_TOPIC):
            pid = f"acad-{topic}-{k}"
            recent[pid] = k % 2 == 0
            items = []
            for i in range(ITEMS):
                year = int(
                    rng.integers(RECENT_FROM, 2026) if recent[pid] else rng.integers(1995, 2006)
                )
                title = " ".join(rng.choice(words, 5, replace=False))
                text = " ".join(rng.choice(words, 12)) + " and common clinical words"
                items.append(
                    {
                        "id": f"p{i}",
                        "type": "publication",
                        "title": title,
                        "text": text,
                        "year": year,
                    }
                )
            lines.append(
                {
                    "record": "profile",
                    "id": pid,
                    "kind": "academic",
                    "name": f"Dr Topic{topic} Person{k}",
                    "organisation": "org-uni-a",
                    "consent": True,
                    "evidence": items,
                }
            )
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path, recent


def _briefs(seed: int, count: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [
        " ".join(rng.choice(_vocabulary(rng, int(rng.integers(TOPICS))), 4, replace=False))
        for _ in range(count)
    ]


def _recent_share(
    container: Container, model: Reranker, briefs: list[str], recent: dict[str, bool]
) -> float:
    """Mean share of recent profiles among the model's top 5 of each brief's 20 closest."""
    snap = container.engine.snapshot()
    lexicon = LexicalPool(snap, container.catalogue)
    shares = []
    for text in briefs:
        query = container.encoder.encode([text])[0]
        closest = container.engine._aggregate(
            snap, query, np.arange(len(snap.profiles), dtype=np.int64)
        )
        wanted = closest.profiles[np.argsort(-closest.scores)[:20]]
        found = candidate_features(snap, lexicon, text, query, wanted, year=2026)
        top = found.profiles[np.argsort(-model.score(found.rows))[:5]]
        shares.append(np.mean([recent[snap.profiles[int(p)].id] for p in top]))
    return float(np.mean(shares))


def test_learn_follows_a_simulated_feedback_log(container: Container, tmp_path: Path) -> None:
    """On the simulated pool and users above (and only there), the model trained with their
    labels puts more recent profiles in its top 5 of unseen briefs than the pool-only model."""
    pool, recent = _simulated_pool(tmp_path / "pool.jsonl")
    report, _ = container.ingest([DATA / "organisations.csv", pool])
    assert not report.errors
    snap = container.engine.snapshot()
    for text in _briefs(seed=1, count=12):
        query = container.encoder.encode([text])[0]
        scored = container.engine._aggregate(
            snap, query, np.arange(len(snap.profiles), dtype=np.int64)
        )
        for p in scored.profiles[np.argsort(-scored.scores)[:LOOKED_AT]]:
            profile_id = snap.profiles[int(p)].id
            record_label(
                container.engine,
                container.feedback,
                profile_id=profile_id,
                relevant=recent[profile_id],
                text=text,
                vector=query,
                given_by="simulated",
                role="clinician",
            )
    rows = feedback_rows(container.feedback.labels(), model_id=snap.manifest.model_id)
    assert rows.used and rows.rows.shape[0] >= MIN_FEEDBACK_LABELS
    assert rows.briefs >= MIN_FEEDBACK_BRIEFS
    pool_only = train(snap, container.catalogue, container.encoder, items=60)
    with_users = train(snap, container.catalogue, container.encoder, items=60, feedback=rows)
    assert with_users.record["feedback_rows"] == rows.rows.shape[0]
    unseen = _briefs(seed=2, count=20)
    before = _recent_share(container, pool_only.reranker, unseen, recent)
    after = _recent_share(container, with_users.reranker, unseen, recent)
    assert after >= before + 0.2, (before, after)
    # too few labels: said, and the pool alone is used
    few = feedback_rows(
        container.feedback.labels()[: MIN_FEEDBACK_LABELS - 1], model_id=snap.manifest.model_id
    )
    assert not few.used and "trained on the pool only" in few.message
    alone = train(snap, container.catalogue, container.encoder, items=60, feedback=few)
    assert alone.record["feedback_rows"] == 0


def test_cli_learn_says_when_feedback_is_below_the_threshold(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    encoder = FakeEncoder()
    monkeypatch.setattr(
        cli_common, "build_container", lambda s: build_container(s, encoder=encoder)
    )
    from tests.conftest import DEMO_FILES

    assert main(["ingest", *map(str, DEMO_FILES)], settings=settings) == 0
    capsys.readouterr()
    assert main(["learn", "--items", "20"], settings=settings) == 0
    out = capsys.readouterr().out
    assert "0 feedback labels from 0 briefs: below the threshold (50 labels from 10 briefs)" in out
    assert "and 0 feedback labels" in out
