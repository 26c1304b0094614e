"""PostgreSQL for the tests: a fresh database per test on the server named by
``KE_MATCHER_TEST_PG_URL`` (``make test`` starts one with ``tests/pg_server.py``).

Without that variable PostgreSQL tests are skipped with the reason, unless
``KE_MATCHER_REQUIRE_PG=1`` (set by ``make test``), which turns the skip into a failure. A server
that is named but cannot be reached always fails the test.
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

PG_URL_ENV = "KE_MATCHER_TEST_PG_URL"
REQUIRE_PG_ENV = "KE_MATCHER_REQUIRE_PG"
BACKENDS = ("sqlite", "postgresql")


def server_url() -> str:
    """The test server's URL; skips (or, when PostgreSQL is required, fails) without one."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if url:
        return url
    reason = (
        f"PostgreSQL tests need {PG_URL_ENV}=postgresql+psycopg://user@host:port/db "
        "('make test' starts a throwaway server with tests/pg_server.py)"
    )
    if os.environ.get(REQUIRE_PG_ENV) == "1":
        pytest.fail(f"{REQUIRE_PG_ENV}=1 but {reason}")
    pytest.skip(reason)


def _database_url(base: str, name: str) -> str:
    return make_url(base).set(database=name).render_as_string(hide_password=False)


@functools.cache
def _migrated_template(base: str) -> str:
    """A database migrated to the newest revision once per test session, copied by every
    test's database (copying is much faster than migrating; the migrations themselves are
    tested in tests/index/db/test_migrations.py)."""
    from index.db.engine import make_engine, upgrade_schema

    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = "ke_template_" + secrets.token_hex(6)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(_database_url(base, name))
    upgrade_schema(engine)
    engine.dispose()

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    atexit.register(drop)
    return name


@contextmanager
def fresh_database(*, migrated: bool = True) -> Iterator[str]:
    """Create a database on the test server; yields its URL, drops it afterwards.

    Args:
        migrated: a copy of a database already at the newest revision; ``False``: empty.
    """
    base = server_url()
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = "ke_test_" + secrets.token_hex(6)
    try:
        template = f' TEMPLATE "{_migrated_template(base)}"' if migrated else ""
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{template}')
    except OperationalError as error:
        admin.dispose()
        pytest.fail(f"cannot reach the PostgreSQL test server at {base}: {error}")
    try:
        yield _database_url(base, name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
