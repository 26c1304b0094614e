"""Brokered introductions at the storage layer: creation, the allowed moves, and history."""

from __future__ import annotations

import pytest

from index.db.catalogue import Catalogue
from index.db.introductions import IntroductionStore
from matcher.errors import IntroductionNotFoundError, InvalidTransitionError, ProfileNotFoundError
from matcher.model import Introduction, IntroductionStatus


@pytest.fixture
def store(catalogue: Catalogue) -> IntroductionStore:
    return IntroductionStore(catalogue.engine)


def propose(store: IntroductionStore, profile_id: str = "prof-a") -> Introduction:
    return store.create(
        profile_id=profile_id,
        requester="Dr Who",
        requester_organisation="org-1",
        brief="falls in older inpatients",
        by="key_staff",
        note="first contact",
    )


def test_a_new_introduction_is_proposed_with_one_event(store: IntroductionStore) -> None:
    created = propose(store)
    assert created.status is IntroductionStatus.PROPOSED
    assert (created.profile_id, created.requester, created.created_by) == (
        "prof-a",
        "Dr Who",
        "key_staff",
    )
    assert [(e.action, e.status, e.note, e.by) for e in created.events] == [
        ("created", IntroductionStatus.PROPOSED, "first contact", "key_staff")
    ]
    assert store.get(created.id) == created


def test_an_introduction_to_an_unknown_profile_is_refused(store: IntroductionStore) -> None:
    with pytest.raises(ProfileNotFoundError):
        propose(store, "nobody")
    assert store.find() == []


def test_moves_along_the_path_are_recorded(store: IntroductionStore) -> None:
    created = propose(store)
    for status in (
        IntroductionStatus.CONTACTED,
        IntroductionStatus.MET,
        IntroductionStatus.COLLABORATING,
    ):
        moved = store.change_status(created.id, status, by="key_staff", note=status.value)
        assert moved.status is status
    assert [e.status for e in moved.events] == [
        IntroductionStatus.PROPOSED,
        IntroductionStatus.CONTACTED,
        IntroductionStatus.MET,
        IntroductionStatus.COLLABORATING,
    ]
    assert [e.action for e in moved.events] == ["created", "status", "status", "status"]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), IntroductionStatus.MET),  # proposed → met skips contacted
        ((IntroductionStatus.DECLINED,), IntroductionStatus.CONTACTED),  # declined is final
        ((), IntroductionStatus.PROPOSED),  # no move to where it is
    ],
)
def test_a_move_not_allowed_is_refused_and_changes_nothing(
    store: IntroductionStore,
    path: tuple[IntroductionStatus, ...],
    target: IntroductionStatus,
) -> None:
    created = propose(store)
    for status in path:
        store.change_status(created.id, status, by="key_staff")
    before = store.get(created.id)
    with pytest.raises(InvalidTransitionError, match="allowed"):
        store.change_status(created.id, target, by="key_staff")
    assert store.get(created.id) == before


def test_unknown_introductions_are_not_found(store: IntroductionStore) -> None:
    with pytest.raises(IntroductionNotFoundError):
        store.get(999)
    with pytest.raises(IntroductionNotFoundError):
        store.change_status(999, IntroductionStatus.CONTACTED, by="key_staff")
    with pytest.raises(IntroductionNotFoundError):
        store.add_note(999, "hello", by="key_staff")


def test_a_note_is_added_to_the_history_without_a_status(store: IntroductionStore) -> None:
    created = propose(store)
    noted = store.add_note(created.id, "left a message", by="key_other")
    assert noted.status is IntroductionStatus.PROPOSED
    assert (noted.events[-1].action, noted.events[-1].status, noted.events[-1].by) == (
        "note",
        None,
        "key_other",
    )
    assert noted.events[-1].note == "left a message"


def test_find_filters_and_lists_newest_first(store: IntroductionStore) -> None:
    first = propose(store, "prof-a")
    second = propose(store, "prof-b")
    store.change_status(second.id, IntroductionStatus.DECLINED, by="key_staff")
    assert [i.id for i in store.find()] == [second.id, first.id]
    assert [i.id for i in store.find(profile_id="prof-a")] == [first.id]
    assert [i.id for i in store.find(status=IntroductionStatus.DECLINED)] == [second.id]
    assert store.find(created_by="key_nobody") == []
    assert [i.id for i in store.find(limit=1)] == [second.id]


def test_erasing_a_profile_erases_its_introductions(
    store: IntroductionStore, catalogue: Catalogue
) -> None:
    created = propose(store)
    catalogue.delete_profile("prof-a")
    with pytest.raises(IntroductionNotFoundError):
        store.get(created.id)
