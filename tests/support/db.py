"""Test databases built the way production builds them: `alembic upgrade head`, then emptied per test."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

import service.tables  # noqa: F401
from service import migrate
from service.db import make_engine


def fresh_postgres_database(admin_url: str) -> str:
    """A new, empty database on the test cluster, so that parallel or repeated runs never collide."""
    name = f"tlc_t_{uuid.uuid4().hex[:12]}"
    engine = make_engine(admin_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return str(sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = sa.engine.make_url(url).database
    engine = make_engine(admin_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def migrated_engine(url: str) -> Engine:
    migrate.upgrade(url)
    return make_engine(url)


def empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


def count_rows(bind: Engine | Connection, table: str) -> int:
    """Rows in `table`, as the test's own transaction sees them."""
    with Session(bind) as s:
        return s.execute(sa.text(f"select count(*) from {table}")).scalar_one()
