"""Shared fixtures: real databases (SQLite and PostgreSQL) and real Temporal servers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from tests.support import db as testdb
from tests.support import no_dns, servers

logging.getLogger("alembic").setLevel(logging.WARNING)
no_dns.install()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    return servers.postgres_url()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("db") / "tlc.sqlite3"
    engine = testdb.migrated_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_admin_url: str) -> Iterator[Engine]:
    url = testdb.fresh_postgres_database(postgres_admin_url)
    engine = testdb.migrated_engine(url)
    yield engine
    engine.dispose()
    testdb.drop_postgres_database(postgres_admin_url, url)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Each test that takes this runs twice: on SQLite and on PostgreSQL, both emptied first."""
    eng: Engine = request.getfixturevalue(f"{request.param}_engine")
    testdb.empty_all_tables(eng)
    yield eng


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal CLI dev server (the one `tlc dev` runs), one per test session."""
    env = await servers.start_dev_server()
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    """Temporal's Java time-skipping test server, one per test session."""
    env = await servers.start_time_skipping()
    yield env
    await env.shutdown()
