"""Briefs saved for the search pages' results URLs: by id, one row per key and text, purged."""

from __future__ import annotations

from sqlalchemy import update

from index.db.accounts import AccountStore
from index.db.briefs import BriefStore
from index.db.catalogue import Catalogue
from index.db.schema import saved_briefs
from matcher.model import Role


def test_a_brief_is_saved_once_by_id_and_expires(catalogue: Catalogue) -> None:
    accounts = AccountStore(catalogue.engine)
    key = accounts.create_key(name="k", role=Role.CLINICIAN)[0]
    other = accounts.create_key(name="o", role=Role.CLINICIAN)[0]
    briefs = BriefStore(catalogue.engine)
    first = briefs.save(key.id, "falls in older inpatients")
    assert briefs.save(key.id, "falls in older inpatients") == first  # no second row
    assert briefs.save(other.id, "falls in older inpatients") != first
    assert briefs.get(first) == "falls in older inpatients"
    assert briefs.get("0" * 32) is None
    with catalogue.engine.begin() as connection:  # unused for longer than the retention
        connection.execute(update(saved_briefs).values(created_at="2000-01-01T00:00:00+00:00"))
    fresh = briefs.save(key.id, "another brief")
    assert briefs.get(first) is None and briefs.get(fresh) == "another brief"
