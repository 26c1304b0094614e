"""Two service replicas over one catalogue and one index directory: a version built by one is
served by the other without a restart, and a profile erased through one is gone from both."""

from __future__ import annotations

import pytest

from matcher.model import Brief
from service.container import Container, build_container
from service.settings import Settings
from tests.conftest import DEMO_FILES
from tests.fakes import FakeEncoder


@pytest.mark.both_backends
def test_every_replica_picks_up_a_new_index_version(settings: Settings) -> None:
    first = build_container(settings, encoder=FakeEncoder())
    second: Container = build_container(settings, encoder=FakeEncoder())
    try:
        first.ingest(DEMO_FILES)
        version = first.engine.snapshot().manifest.version
        assert second.engine.snapshot().manifest.version == version
        brief = Brief(text="retina imaging")
        found = [m.profile_id for m in second.engine.search(brief).matches]
        assert found
        gone = found[0]
        first.delete(gone)
        assert second.engine.snapshot().manifest.version > version
        assert gone not in {m.profile_id for m in second.engine.search(brief).matches}
    finally:
        first.close()
        second.close()
