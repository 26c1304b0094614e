"""API keys, web sessions and shortlists at the storage layer (no HTTP)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from index.db.accounts import KEY_PREFIX, AccountStore
from index.db.backup import sqlite_path
from index.db.catalogue import Catalogue
from index.db.clock import now
from matcher.errors import AuthenticationError, ProfileNotFoundError
from matcher.model import Role


@pytest.fixture
def accounts(catalogue: Catalogue) -> AccountStore:
    return AccountStore(catalogue.engine)


def test_a_created_key_authenticates_and_only_its_hash_is_stored(
    accounts: AccountStore, catalogue: Catalogue
) -> None:
    key, secret = accounts.create_key(name="Ann", role=Role.KE_STAFF)
    assert secret.startswith(KEY_PREFIX) and key.id.startswith("key_")
    assert accounts.authenticate(secret) == key
    assert key.role is Role.KE_STAFF and key.revoked_at is None
    with sqlite3.connect(sqlite_path(catalogue.url)) as raw:
        stored = raw.execute("SELECT key_hash FROM api_keys").fetchall()
    assert stored and all(secret not in row[0] for row in stored)


@pytest.mark.parametrize("secret", ["", "km_not-a-key", "x" * 201])
def test_an_unknown_secret_is_refused(accounts: AccountStore, secret: str) -> None:
    accounts.create_key(name="Ann", role=Role.ADMIN)
    with pytest.raises(AuthenticationError):
        accounts.authenticate(secret)


def test_a_revoked_key_no_longer_authenticates_and_its_sessions_end(
    accounts: AccountStore,
) -> None:
    key, secret = accounts.create_key(name="Ann", role=Role.CLINICIAN)
    token, session = accounts.open_session(key)
    assert accounts.session(token).csrf == session.csrf
    revoked = accounts.revoke_key(key.id)
    assert revoked.revoked_at is not None
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate(secret)
    with pytest.raises(AuthenticationError):
        accounts.session(token)
    with pytest.raises(AuthenticationError):
        accounts.revoke_key("key_nope")


def test_keys_are_listed_newest_first(accounts: AccountStore) -> None:
    first, _ = accounts.create_key(name="first", role=Role.ADMIN)
    second, _ = accounts.create_key(name="second", role=Role.ADMIN)
    listed = accounts.list_keys()
    assert {k.id for k in listed} == {first.id, second.id}
    assert [k.created_at for k in listed] == sorted((k.created_at for k in listed), reverse=True)


def test_a_session_expires_and_sign_out_ends_it(
    accounts: AccountStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _ = accounts.create_key(name="Ann", role=Role.CLINICIAN)
    token, _ = accounts.open_session(key)
    later = now() + timedelta(hours=13)
    monkeypatch.setattr("index.db.clock.now", lambda: later)
    with pytest.raises(AuthenticationError, match="expired"):
        accounts.session(token)
    monkeypatch.undo()
    assert accounts.session(token).key == key
    accounts.close_session(token)
    with pytest.raises(AuthenticationError):
        accounts.session(token)


def test_a_shortlist_keeps_each_profile_once_in_order(accounts: AccountStore) -> None:
    key, _ = accounts.create_key(name="Ann", role=Role.KE_STAFF)
    accounts.add_to_shortlist(key.id, "prof-b", brief="falls")
    accounts.add_to_shortlist(key.id, "prof-a")
    accounts.add_to_shortlist(key.id, "prof-b", brief="again")
    entries = accounts.shortlist(key.id)
    assert [(e.profile_id, e.brief) for e in entries] == [("prof-b", "falls"), ("prof-a", "")]
    accounts.remove_from_shortlist(key.id, "prof-b")
    accounts.remove_from_shortlist(key.id, "prof-b")  # absent is fine
    assert [e.profile_id for e in accounts.shortlist(key.id)] == ["prof-a"]
    with pytest.raises(ProfileNotFoundError):
        accounts.add_to_shortlist(key.id, "nobody")


def test_erasing_a_profile_takes_it_off_every_shortlist(
    accounts: AccountStore, catalogue: Catalogue
) -> None:
    key, _ = accounts.create_key(name="Ann", role=Role.KE_STAFF)
    accounts.add_to_shortlist(key.id, "prof-a")
    catalogue.delete_profile("prof-a")
    assert accounts.shortlist(key.id) == []
