"""The Alembic migrations, on SQLite and PostgreSQL: up to head, down to base, up again, and the schema
they build is exactly the one the models describe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import service.tables  # noqa: F401
from service import migrate
from service.db import make_engine
from tests.support import db as testdb


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # noqa: ANN001
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    url = testdb.fresh_postgres_database(admin)
    yield url
    testdb.drop_postgres_database(admin, url)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                    SQLModel.metadata)
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_url: str) -> None:
    expected = set(SQLModel.metadata.tables)
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == expected
    migrate.downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == expected


def test_migrations_match_the_models(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    assert _diff(empty_url) == []
