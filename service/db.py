"""The database engine, sessions, and the column types every table shares."""

from __future__ import annotations

import threading
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
    """The engine for transactions that read and then write: on SQLite they take the write lock at once.
    Made once per engine (each `execution_options` call builds a new engine proxy)."""
    found = engine.__dict__.get("_tlc_writing")
    if found is None:
        found = engine.__dict__["_tlc_writing"] = engine.execution_options(**{WRITES: True})
    return found


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


_BUSY_SECONDS = 30
_writer_locks: dict[str, threading.Lock] = {}
_holders: dict[int, threading.Lock] = {}  # id of a DBAPI connection in a writing transaction -> its lock


def _writer_lock(url: str) -> threading.Lock:
    """One lock per database file, shared by every engine of the process on it."""
    return _writer_locks.setdefault(url, threading.Lock())


def _release(conn: Any) -> None:
    # SQLAlchemy hands the dialect the pool's proxy of a connection or (closing) the driver's connection itself.
    lock = _holders.pop(id(getattr(conn, "dbapi_connection", conn)), None)
    if lock is not None:
        lock.release()


def _release_after(dialect: Any) -> None:
    """Free a connection's writer lock once its COMMIT or ROLLBACK has run (SQLAlchemy's commit and rollback
    events come before them), whichever thread ends the transaction, or when the connection is closed (an
    invalidated one is closed without either)."""
    def releasing(method: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(dbapi_conn: Any) -> None:
            try:
                method(dbapi_conn)
            finally:
                _release(dbapi_conn)
        return run

    for name in ("do_commit", "do_rollback", "do_close"):
        setattr(dialect, name, releasing(getattr(dialect, name)))


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # A pool as wide as the request threads that write: a connection beyond the pool's size is closed when
        # given back and the next one opened anew, its pragmas run again (issue 11: a tenth of an event at 8
        # clients went to opening and closing connections).
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": _BUSY_SECONDS},
                               pool_size=20, max_overflow=20)

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
            cur.execute(f"PRAGMA busy_timeout={_BUSY_SECONDS * 1000}")
            cur.close()

        writer = _writer_lock(url)

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # A writing transaction holds SQLite's one write lock from its first read: what SELECT ... FOR
            # UPDATE does on PostgreSQL, which SQLite ignores (issue 10: 200 concurrent events kept 23 of their
            # deadlines). Read-only ones begin deferred, so that readers never wait for a writer (WAL).
            if not conn.get_execution_options().get(WRITES, False):
                conn.exec_driver_sql("BEGIN")
                return
            # The process's writers queue on a lock of their own first: SQLite's busy handler makes a waiting
            # writer sleep in steps of up to 100 ms whoever else finished (issue 11: p99 1.4 s at 8 clients),
            # where the lock hands over at once. Other processes still meet the busy handler; a lock not got
            # in the busy timeout leaves the wait to it.
            dbapi_conn = conn.connection.dbapi_connection
            if writer.acquire(timeout=_BUSY_SECONDS):
                _holders[id(dbapi_conn)] = writer
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release(dbapi_conn)
                raise

        _release_after(engine.dialect)
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
