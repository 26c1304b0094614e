"""A real catalogue on SQLite in the test's folder, with one organisation and two profiles, for
the stores that share its database (keys, introductions, the audit log)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from index.db.catalogue import Catalogue
from matcher.model import Organisation, OrganisationType, Profile, ProfileKind

PROFILE_IDS = ("prof-a", "prof-b")


@pytest.fixture
def catalogue(catalogue_url: str) -> Iterator[Catalogue]:
    opened = Catalogue(catalogue_url)
    opened.upsert_organisation(Organisation("org-1", "University A", OrganisationType.UNIVERSITY))
    for profile_id in PROFILE_IDS:
        opened.upsert_profile(
            Profile(
                id=profile_id,
                kind=ProfileKind.ACADEMIC,
                name=f"Dr {profile_id}",
                organisation_id="org-1",
                summary="wearable sensors for falls",
            )
        )
    yield opened
    opened.close()
