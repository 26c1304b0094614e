"""What SQLite lets through and PostgreSQL would refuse must behave the same on both: unbounded
names, NUL characters, re-adding what is already there."""

from __future__ import annotations

import pytest

from index.db.engine import insert_ignoring_duplicates
from index.db.schema import embeddings
from matcher.errors import ProfileNotFoundError
from matcher.model import IntroductionStatus, Role
from service.container import Container

pytestmark = pytest.mark.both_backends

LONG_NAME = "Jo Bloggs, Knowledge Exchange Office, Faculty of Medical Sciences (Newcastle)"


def test_a_long_key_name_and_organisation_are_stored_whole(loaded: Container) -> None:
    key, _ = loaded.accounts.create_key(name=LONG_NAME, role=Role.KE_STAFF)
    organisation = "Royal Infirmary " * 15  # 240 characters
    created = loaded.introductions.create(
        profile_id="acad-falls",
        requester="Ward 7",
        requester_organisation=organisation,
        brief="falls",
        by=key.name,
    )
    moved = loaded.introductions.change_status(
        created.id, IntroductionStatus.CONTACTED, by=key.name, note="called"
    )
    assert moved.created_by == LONG_NAME and moved.requester_organisation == organisation
    assert [e.by for e in moved.events] == [LONG_NAME, LONG_NAME]


def test_nul_characters_do_not_break_a_write(loaded: Container) -> None:
    key, _ = loaded.accounts.create_key(name="nul\x00name", role=Role.KE_STAFF)
    created = loaded.introductions.create(
        profile_id="acad-falls",
        requester="Ward\x007",
        requester_organisation=None,
        brief="falls\x00",
        by=key.name,
        note="a\x00b",
    )
    # PostgreSQL text cannot hold NUL: it is dropped there, kept by SQLite
    assert created.requester in {"Ward7", "Ward\x007"}
    assert created.events[0].note in {"ab", "a\x00b"}


def test_adding_twice_and_to_an_erased_profile(loaded: Container) -> None:
    key, _ = loaded.accounts.create_key(name="k", role=Role.CLINICIAN)
    loaded.accounts.add_to_shortlist(key.id, "acad-falls")
    loaded.accounts.add_to_shortlist(key.id, "acad-falls")
    assert [e.profile_id for e in loaded.accounts.shortlist(key.id)] == ["acad-falls"]
    loaded.delete("acad-falls")
    assert loaded.accounts.shortlist(key.id) == []
    with pytest.raises(ProfileNotFoundError):
        loaded.accounts.add_to_shortlist(key.id, "acad-falls")
    with pytest.raises(ProfileNotFoundError):
        loaded.introductions.create(
            profile_id="acad-falls", requester="r", requester_organisation=None, brief="", by="k"
        )
    with loaded.catalogue.engine.begin() as connection:
        row = {"model_id": "m", "text_hash": "h", "vector": b"\x00\x01"}
        insert_ignoring_duplicates(connection, embeddings, [row])
        insert_ignoring_duplicates(connection, embeddings, [row, {**row, "text_hash": "h2"}])
    assert {"h", "h2"} <= loaded.catalogue.cached_hashes()
