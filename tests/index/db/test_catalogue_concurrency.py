"""Several processes writing one catalogue: no lost version bump, no half-written profile, no
"database is locked" and no duplicate-key error reaching the caller."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from index.db.catalogue import Catalogue
from index.ingest.profiles import ingest_files
from matcher.model import EvidenceItem, EvidenceType, Profile, ProfileKind

pytestmark = pytest.mark.both_backends

WRITES = 15
# not tests.conftest: the worker processes import this module and should stay light
ORGANISATIONS = Path(__file__).parents[2] / "data" / "organisations.csv"


def _profile(worker: int, n: int) -> Profile:
    return Profile(
        id=f"p-{worker}-{n % 5}",
        kind=ProfileKind.ACADEMIC,
        name=f"Person {worker} {n}",
        organisation_id="org-uni-a",
        summary=f"revision {n} of worker {worker}",
        evidence=(
            EvidenceItem(
                id="e1", type=EvidenceType.PUBLICATION, title=f"paper {n}", text="shared text"
            ),
        ),
    )


def _write_many(url: str, worker: int) -> int:
    """Upsert, cache and delete from one process; returns how many writes changed something."""
    catalogue = Catalogue(url)
    changed = 0
    try:
        for n in range(WRITES):
            outcome = catalogue.upsert_profile(_profile(worker, n))
            changed += outcome.status != "unchanged"
            # every worker caches the same text's vector: concurrent inserts of one key
            catalogue.cache_vectors("m", {"h-shared": np.ones(4, np.float32)})
            if n % 5 == 4:
                catalogue.delete_profile(f"p-{worker}-{n % 5}")
                changed += 1
    finally:
        catalogue.close()
    return changed


def test_concurrent_writers_lose_nothing(catalogue_url: str) -> None:
    catalogue = Catalogue(catalogue_url)
    try:
        ingest_files(catalogue, [ORGANISATIONS])
        start = catalogue.version
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=3, mp_context=context) as pool:
            changed = sum(pool.map(_write_many, [catalogue_url] * 3, range(3)))
        assert changed == 3 * WRITES + 3 * (WRITES // 5)
        # every change bumped the version exactly once, whatever the interleaving
        assert catalogue.version == start + changed
        ids = catalogue.profile_ids()
        assert ids == sorted(f"p-{w}-{i}" for w in range(3) for i in range(4))
        for profile in catalogue.get_profiles(ids).values():
            assert [e.id for e in profile.evidence] == ["e1"]
        version, rows, metas = catalogue.index_source()
        assert version == catalogue.version
        assert {r.profile_id for r in rows} == {m.id for m in metas} == set(ids)
    finally:
        catalogue.close()
