"""Property-based tests of the whole HTTP surface against its own OpenAPI schema (schemathesis):
no server error, and no answer that contradicts the schema. Bounded: a few examples per route."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from matcher.model import Role
from service.app import create_app
from service.container import build_container
from service.settings import Settings
from tests.conftest import DEMO_FILES
from tests.fakes import FakeEncoder

APP = create_app(settings=Settings())
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def admin_headers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    directory: Path = tmp_path_factory.mktemp("fuzz")
    container = build_container(
        Settings(data_dir=directory, reload_seconds=0), encoder=FakeEncoder()
    )
    container.ingest(DEMO_FILES)
    _key, secret = container.accounts.create_key(name="fuzzer", role=Role.ADMIN)
    APP.state.container = container
    yield {"authorization": f"Bearer {secret}"}
    container.close()


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_route_never_errors_and_matches_its_schema(
    label: str, admin_headers: dict[str, str]
) -> None:
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: Any) -> None:
        # Rejecting a schema-valid request is allowed (an unknown id is a 404, a brief of only
        # punctuation is a 422); a server error or an answer outside the schema is not.
        case.call_and_validate(headers=admin_headers, excluded_checks=[positive_data_acceptance])

    check()


def test_every_route_is_fuzzed() -> None:
    assert len(OPERATIONS) >= 20
