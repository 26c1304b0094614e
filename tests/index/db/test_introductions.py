"""Brokered introductions at the storage layer: creation, the allowed moves, history, and at
most one open introduction per profile and brief (also under concurrent proposals)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from index.db.catalogue import Catalogue
from index.db.introductions import DuplicateIntroductionError, IntroductionStore
from index.db.schema import OPEN_STATUSES, introductions
from matcher.errors import IntroductionNotFoundError, InvalidTransitionError, ProfileNotFoundError
from matcher.model import (
    OPEN_INTRODUCTION_STATUSES,
    Introduction,
    IntroductionStatus,
    brief_key,
)


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


# ------------------------------------------------- one open introduction per profile and brief


def test_the_same_introduction_is_not_proposed_twice_while_open(store: IntroductionStore) -> None:
    first = propose(store)
    with pytest.raises(DuplicateIntroductionError) as refused:
        store.create(
            profile_id="prof-a",
            requester="Someone else",
            requester_organisation=None,
            brief="  Falls in OLDER\ninpatients ",  # the same brief: case and spacing ignored
            by="key_other",
        )
    assert refused.value.existing_id == first.id
    assert [i.id for i in store.find()] == [first.id]
    assert store.open_for(["prof-a", "prof-b"], "falls in older inpatients") == {"prof-a": first.id}
    # another brief, or another profile, is another introduction
    other = propose(store, "prof-b")
    assert store.open_for(["prof-a", "prof-b"], "falls in older inpatients") == {
        "prof-a": first.id,
        "prof-b": other.id,
    }


@pytest.mark.parametrize(
    "path",
    [
        (IntroductionStatus.CONTACTED, IntroductionStatus.MET),  # still open: refused
        (IntroductionStatus.DECLINED,),  # closed: may be proposed again
        (
            IntroductionStatus.CONTACTED,
            IntroductionStatus.MET,
            IntroductionStatus.COLLABORATING,
        ),
    ],
)
def test_only_open_introductions_count(
    store: IntroductionStore, path: tuple[IntroductionStatus, ...]
) -> None:
    first = propose(store)
    for status in path:
        store.change_status(first.id, status, by="key_staff")
    if path[-1] in OPEN_INTRODUCTION_STATUSES:
        with pytest.raises(DuplicateIntroductionError):
            propose(store)
    else:
        again = propose(store)
        assert again.id != first.id and store.open_for(["prof-a"], again.brief) == {
            "prof-a": again.id
        }


def test_introductions_without_a_brief_are_not_compared(store: IntroductionStore) -> None:
    for requester in ("Ward 7", "Ward 9"):
        store.create(
            profile_id="prof-a", requester=requester, requester_organisation=None, brief="", by="k"
        )
    assert len(store.find(profile_id="prof-a")) == 2
    assert store.open_for(["prof-a"], "") == {}


def test_the_database_refuses_a_second_open_row(
    store: IntroductionStore, catalogue: Catalogue
) -> None:
    """The partial unique index holds even for a writer that skips the store's check."""
    first = propose(store)
    row = {
        "profile_id": "prof-a",
        "requester": "r",
        "brief": first.brief,
        "brief_key": brief_key(first.brief),
        "status": "contacted",
        "created_by": "k",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }
    with pytest.raises(IntegrityError), catalogue.engine.begin() as connection:
        connection.execute(insert(introductions).values(**row))
    with catalogue.engine.begin() as connection:  # a closed one is allowed
        connection.execute(insert(introductions).values(**{**row, "status": "declined"}))


def test_concurrent_proposals_record_one_introduction(store: IntroductionStore) -> None:
    start = threading.Barrier(6)
    outcomes: list[object] = []

    def proposer(n: int) -> None:
        start.wait()
        try:
            outcomes.append(
                store.create(
                    profile_id="prof-a",
                    requester=f"r{n}",
                    requester_organisation=None,
                    brief="falls in older inpatients",
                    by=f"k{n}",
                )
            )
        except DuplicateIntroductionError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=proposer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = [o for o in outcomes if isinstance(o, Introduction)]
    refused = [o for o in outcomes if isinstance(o, DuplicateIntroductionError)]
    assert len(created) == 1 and len(refused) == 5
    assert {e.existing_id for e in refused} == {created[0].id}
    assert len(store.find(profile_id="prof-a")) == 1


def test_the_schema_spells_the_open_statuses_of_the_model() -> None:
    assert set(OPEN_STATUSES) == {s.value for s in OPEN_INTRODUCTION_STATUSES}
