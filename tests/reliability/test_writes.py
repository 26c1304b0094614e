"""Writes that must not undo other acknowledged writes (found by the load test)."""

from __future__ import annotations

import threading
from dataclasses import replace

from matcher.model import Role
from service.container import Container


def test_updating_a_profile_keeps_its_introductions_and_shortlist_entries(
    loaded: Container,
) -> None:
    profile = loaded.catalogue.get_profile("acad-falls")
    introduction = loaded.introductions.create(
        profile_id=profile.id,
        requester="A. Clinician",
        requester_organisation=None,
        brief="",
        by="t",
    )
    key, _secret = loaded.accounts.create_key(name="staff", role=Role.KE_STAFF)
    loaded.accounts.add_to_shortlist(key.id, profile.id)

    outcome, _sync = loaded.upsert_profile(replace(profile, summary="A new summary of the work."))

    assert outcome.status == "updated"
    assert loaded.catalogue.get_profile(profile.id).summary == "A new summary of the work."
    assert loaded.introductions.get(introduction.id).profile_id == profile.id
    assert [e.profile_id for e in loaded.accounts.shortlist(key.id)] == [profile.id]


def test_concurrent_writes_to_one_profile_never_fail_and_the_index_catches_up(
    loaded: Container,
) -> None:
    # Each write commits, then syncs the index; a sync that read chunks another write has
    # since replaced used to fail with KeyError (a 500 for a write that had been committed).
    base = loaded.catalogue.get_profile("acad-falls")
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        for step in range(25):
            changed = replace(
                base,
                summary=f"writer {number} step {step}",
                evidence=tuple(replace(e, text=f"{e.text} {number}/{step}") for e in base.evidence),
            )
            try:
                loaded.upsert_profile(changed)
            except BaseException as error:
                failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures, failures[:3]
    assert loaded.store.problem(loaded.catalogue, loaded.encoder) is None
    final = loaded.catalogue.get_profile("acad-falls").summary
    assert final.startswith("writer ") and final.endswith("step 24")
