"""The process's SQLite writer lock (service/db.py) is given back however a writing transaction ends: by a
commit, a rollback, an error, a session closed with its work undone, a connection invalidated or closed.
A lock kept by mistake would make every later writer of the process wait out the busy timeout."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service import db


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = db.make_engine(f"sqlite:///{tmp_path}/lock.sqlite3")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    yield eng
    eng.dispose()


def lock_of(engine: Engine) -> threading.Lock:
    return db._writer_lock(str(engine.url))


def free(engine: Engine) -> bool:
    return not lock_of(engine).locked() and not db._holders


def test_a_writing_transaction_holds_the_lock_until_it_commits(engine: Engine) -> None:
    with Session(db.writing(engine)) as s:
        s.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert lock_of(engine).locked()
        s.commit()
        assert free(engine)


def test_a_reading_transaction_does_not_take_it(engine: Engine) -> None:
    with Session(engine) as s:
        s.execute(sa.text("SELECT count(*) FROM t")).scalar_one()
        assert free(engine)


@pytest.mark.parametrize("end", ["rollback", "error", "close", "invalidate", "dispose"])
def test_every_other_end_gives_it_back(engine: Engine, end: str) -> None:
    s = Session(db.writing(engine))
    try:
        s.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert lock_of(engine).locked()
        if end == "rollback":
            s.rollback()
        elif end == "error":
            with pytest.raises(sa.exc.OperationalError):
                s.execute(sa.text("INSERT INTO no_such_table VALUES (1)"))
            s.rollback()
        elif end == "close":
            s.close()
        elif end == "invalidate":
            s.connection().invalidate()
            s.close()
        else:
            s.close()
            engine.dispose()
    finally:
        s.close()
    assert free(engine)
    with db.session_scope(engine) as again:  # and the next writer gets it
        again.execute(sa.text("INSERT INTO t VALUES (2)"))
    assert free(engine)


def test_writers_in_threads_each_get_it_in_turn(engine: Engine) -> None:
    def write(n: int) -> None:
        for _ in range(20):
            with db.session_scope(engine) as s:
                count = s.execute(sa.text("SELECT count(*) FROM t")).scalar_one()
                s.execute(sa.text("INSERT INTO t VALUES (:n)"), {"n": count})

    threads = [threading.Thread(target=write, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    with engine.connect() as conn:  # each read-then-write saw the one before it: 0, 1, ..., 119
        assert sorted(conn.exec_driver_sql("SELECT n FROM t").scalars()) == list(range(120))
    assert free(engine)
