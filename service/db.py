"""The database engine, sessions, and the column types every table shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from service.config import Settings

T = TypeVar("T")


class UTCDateTime(sa.TypeDecorator):
    """Instants are stored in UTC and always come back aware: SQLite would otherwise drop the zone."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# An execution option: the transaction will write (see make_engine). Harmless on PostgreSQL.
WRITES = "tlc_writes"


def writing(engine: Engine) -> Engine:
    """The engine for transactions that read and then write: on SQLite they take the write lock at once."""
    return engine.execution_options(**{WRITES: True})


# Row locks this session's transaction holds (`hold`, `holds`), so that a second lock of the same row is not
# another round trip. Forgotten whenever a transaction or savepoint ends: a rolled-back savepoint releases
# the locks taken in it on PostgreSQL.
_HELD = "tlc_locks"


def hold(session: Session, key: str) -> None:
    session.info.setdefault(_HELD, set()).add(key)


def holds(session: Session, key: str) -> bool:
    return key in session.info.get(_HELD, ())


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_locks(session: OrmSession, _transaction) -> None:
    session.info.pop(_HELD, None)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # The driver's own transaction handling begins late (at the first write), so a read-then-write
            # transaction could read a state another one is about to replace: transactions are begun by the
            # "begin" hook below instead.
            dbapi_conn.isolation_level = None
            # Foreign keys are off by default in SQLite; WAL lets readers go on while one writer writes.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # A writing transaction holds SQLite's one write lock from its first read: what SELECT ... FOR
            # UPDATE does on PostgreSQL, which SQLite ignores (issue 10: 200 concurrent events kept 23 of their
            # deadlines). Read-only ones begin deferred, so that readers never wait for a writer (WAL).
            immediate = conn.get_execution_options().get(WRITES, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def engine_for(settings: Settings) -> Engine:
    url = settings.resolved_database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return make_engine(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One writing transaction: committed when the block ends normally, rolled back on any error."""
    with Session(writing(engine), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def run_in_transaction(engine: Engine, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`work(session, *args, **kwargs)` in one transaction (what each workflow activity does, in a thread)."""
    with session_scope(engine) as session:
        return work(session, *args, **kwargs)
