"""Users' labels: kept with the brief's vector (never its text), one per person, brief and
profile, one per introduction, erased with their profile; on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from index.db.catalogue import Catalogue
from index.db.feedback import FeedbackLabel, FeedbackStore, brief_ref
from index.db.introductions import IntroductionStore
from index.db.schema import feedback


def label(
    relevant: bool, *, profile: str = "prof-a", seed: int = 0, **more: object
) -> FeedbackLabel:
    vector = np.random.default_rng(seed).standard_normal(8).astype(np.float32)
    fields: dict[str, object] = {
        "profile_id": profile,
        "relevant": relevant,
        "source": "card",
        "vector": vector,
        "model_id": "fake-bow@1",
        "features": {"sim_1": 0.5, "age": 3.0},
        "given_by": "key-1",
        "role": "clinician",
        "index_version": 1,
    } | more
    return FeedbackLabel(**fields)  # type: ignore[arg-type]


@pytest.mark.both_backends
def test_labels_keep_vectors_and_replace_their_earlier_self(catalogue: Catalogue) -> None:
    store = FeedbackStore(catalogue.engine)
    first = store.record(label(True))
    assert store.record(label(False)) == first  # the same person, brief and profile: replaced
    other = store.record(label(True, given_by="key-2"))
    assert other != first
    store.record(label(True, profile="prof-b", seed=1, brief_id="b" * 32))
    found = store.labels()
    assert [(x.profile_id, x.relevant, x.given_by) for x in found] == [
        ("prof-a", False, "key-1"),
        ("prof-a", True, "key-2"),
        ("prof-b", True, "key-1"),
    ]
    np.testing.assert_array_equal(found[0].vector, label(True).vector)
    assert found[0].features == {"sim_1": 0.5, "age": 3.0}
    assert found[0].brief_ref == brief_ref(label(True).vector) and found[2].brief_id == "b" * 32
    assert store.labels(model_id="another@1") == []
    summary = store.summary()
    assert (summary.labels, summary.briefs, summary.relevant) == (3, 2, 2)
    # the columns hold no text of the brief: there is none to hold
    assert "text" not in feedback.c
    with pytest.raises(ValueError, match="source"):
        store.record(label(True, source="email"))


@pytest.mark.both_backends
def test_an_introduction_has_one_label_and_erasure_takes_them(catalogue: Catalogue) -> None:
    store = FeedbackStore(catalogue.engine)
    made = IntroductionStore(catalogue.engine).create(
        profile_id="prof-a",
        requester="Ward 7",
        requester_organisation=None,
        brief="falls in older inpatients",
        by="staff",
    )
    first = store.record(label(True, source="introduction", introduction_id=made.id))
    assert store.record(label(False, source="introduction", introduction_id=made.id)) == first
    assert store.recorded_introductions() == {made.id}
    assert [x.relevant for x in store.labels()] == [True]  # an outcome is recorded once
    store.record(label(True, profile="prof-b"))
    catalogue.delete_profile("prof-a")
    assert [x.profile_id for x in store.labels()] == ["prof-b"]
    with catalogue.engine.connect() as connection:
        assert connection.execute(select(feedback.c.profile_id)).scalars().all() == ["prof-b"]
