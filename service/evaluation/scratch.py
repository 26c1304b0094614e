"""The scratch container both evaluation tasks run in: a temporary catalogue and index that
hold only the benchmark's researchers, deleted afterwards."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.encoders.base import Encoder
from matcher.model import Organisation, OrganisationType
from service.container import Container, build_container
from service.evaluation.archive import ORGANISATION_ID
from service.settings import Settings


@contextmanager
def scratch_container(settings: Settings, encoder: Encoder, *, prefix: str) -> Iterator[Container]:
    """A container over a temporary SQLite catalogue holding the benchmark's organisation, for
    one evaluation run; closed and deleted afterwards.

    Args:
        settings: the configured settings; the data directory and database are replaced.
        encoder: the encoder the run scores with.
        prefix: the temporary directory's name prefix.
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        run_settings = settings.model_copy(update={"data_dir": Path(scratch), "database_url": None})
        container = build_container(run_settings, encoder=encoder)
        try:
            container.catalogue.upsert_organisation(
                Organisation(
                    id=ORGANISATION_ID,
                    name="Benchmark researchers",
                    type=OrganisationType.UNIVERSITY,
                )
            )
            yield container
        finally:
            container.close()
