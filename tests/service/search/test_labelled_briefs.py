"""Quality on the demo with the real model: match strength says when nothing matches, and the
labelled briefs (tests/data/briefs_labelled.json) find their clinical teams and SMEs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from matcher.briefs import make_brief
from matcher.calibration import no_strong_match
from matcher.model import ProfileKind, Role
from service.app import create_app
from service.container import Container
from tests.service.search.labelled import evaluate

pytestmark = pytest.mark.model

#: The labelled set's hit rate (top 3 of each expected kind) measured when it was written:
#: 45 of 47 (the short stroke-unit brief still finds falls teams and SMEs first).
MIN_HIT_RATE = 0.95
MIN_STRONG_RATE = 0.9


def test_an_off_topic_brief_is_flagged_no_strong_match(demo_container: Container) -> None:
    result = demo_container.engine.search(make_brief("What is the capital of France?"))
    assert result.matches  # the pool still has nearest profiles …
    assert all(m.strength_label == "no_match" for m in result.matches)
    assert no_strong_match(result.matches)  # … but says none is a real match


def test_a_clearly_on_topic_brief_is_strong_in_every_kind(demo_container: Container) -> None:
    brief = make_brief("wearable sensors to detect falls in older inpatients", top=3)
    result = demo_container.engine.search(brief)
    for kind in ProfileKind:
        assert result.groups[kind][0].strength_label == "strong", kind
    assert not no_strong_match(result.matches)


def test_the_api_says_no_strong_match(demo_container: Container) -> None:
    _key, secret = demo_container.accounts.create_key(name="labelled", role=Role.CLINICIAN)
    with TestClient(create_app(demo_container), headers={"x-api-key": secret}) as client:
        off = client.post("/api/v1/search", json={"text": "What is the capital of France?"})
        on = client.post("/api/v1/search", json={"text": "wearable sensors to detect falls"})
    assert off.status_code == 200, off.text
    body = off.json()
    assert body["no_strong_match"] is True and "no strong match" in body["message"].lower()
    match = next(iter(body["results"].values()))[0]
    assert match["strength_label"] == "no_match" and 0 <= match["strength"] < 0.6
    assert on.json()["no_strong_match"] is False and on.json()["message"] is None


def test_labelled_briefs_find_their_teams_and_smes(demo_container: Container) -> None:
    outcome = evaluate(demo_container.engine)
    assert outcome.hit_rate >= MIN_HIT_RATE, outcome.misses
    assert outcome.strong_rate >= MIN_STRONG_RATE, outcome.misses
