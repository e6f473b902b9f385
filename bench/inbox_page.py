"""The inbox page at ministry scale (issue 11): its SQL, as the service builds it, against a hand-fitted query.

100 000 cases are bulk-inserted with plain SQL into a database built by the migrations (SQLite, and
PostgreSQL when TLC_TEST_POSTGRES_URL names a cluster, in a database of its own dropped afterwards). Then,
interleaved, the service's page query (an officer's, each sort, first page and a page deep in the keyset) and
a baseline written by hand on an index made for it alone: the ratio says whether the service's query is as good
as a fitted one, the absolute time whether a page meets the < 2 ms goal. `python bench/inbox_page.py` appends
a line per database and query to bench/RESULTS.md.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from service.auth.tokens import Principal
from service.consultations.service import page_query
from tests.support import bulk
from tests.support import db as testdb

CASES = 100_000
OFFICER = Principal(sub="bench", role="ministry_officer", org="meti")
DEEP = {"age": (date(2028, 1, 1), "case-0050000"), "target": (date(2028, 2, 1), "case-0050000")}
COLUMN = {"age": "submitted_on", "target": "review_target_on"}


def fitted(conn: sa.Connection, sort: str, deep: bool) -> list:
    col = COLUMN[sort]
    cursor = f"AND ({col}, id) > (:day, :id) " if deep else ""
    day, last = DEEP[sort]
    return conn.execute(sa.text(f"SELECT * FROM consultation_case WHERE ministry = :m {cursor}"
                                f"ORDER BY {col}, id LIMIT 51"), {"m": "meti", "day": day, "id": last}).all()


def service(conn: sa.Connection, sort: str, deep: bool) -> list:
    day, last = DEEP[sort]
    return conn.execute(page_query(OFFICER, sort=sort, after=f"{day.isoformat()}|{last}" if deep else None,
                                   limit=50)).all()


def interleaved(conn: sa.Connection, sort: str, deep: bool, rounds: int = 15, n: int = 40) -> tuple[float, float]:
    """Median ms per page of the service's query and of the fitted one, alternating rounds of n pages."""
    assert len(service(conn, sort, deep)) == len(fitted(conn, sort, deep)) == 51
    ours, base = [], []
    for _ in range(rounds):
        for fn, into in ((service, ours), (fitted, base)):
            t = time.perf_counter()
            for _ in range(n):
                fn(conn, sort, deep)
            into.append((time.perf_counter() - t) / n * 1000)
    return statistics.median(ours), statistics.median(base)


def run(url: str, label: str) -> list[str]:
    engine = testdb.migrated_engine(url)
    try:
        bulk.seed(engine, cases=CASES, contracts=2000, per_contract=1)
        with engine.begin() as conn:
            for sort, col in COLUMN.items():
                conn.exec_driver_sql(f"CREATE INDEX bench_fit_{sort} ON consultation_case (ministry, {col}, id)")
            conn.exec_driver_sql("ANALYZE")
        lines = []
        with engine.connect() as conn:
            for sort in COLUMN:
                for deep in (False, True):
                    ours, base = interleaved(conn, sort, deep)
                    what = f"inbox page ({label}, {CASES // 1000}k cases, sort {sort}, {'deep' if deep else 'first'} page)"
                    lines.append(f"| {date.today().isoformat()} | {what}: service's SQL vs hand-fitted index "
                                 f"| {ours / base:.2f}x | {ours:.3f} ms vs {base:.3f} ms per page "
                                 f"(median of 15 × 40, interleaved; goal < 2 ms) |")
                    print(lines[-1])
        return lines
    finally:
        engine.dispose()


def main() -> None:
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        lines += run(f"sqlite:///{tmp}/bench.sqlite3", f"SQLite {sqlite3.sqlite_version}")
    admin = os.environ.get("TLC_TEST_POSTGRES_URL")
    if admin:
        url = testdb.fresh_postgres_database(admin)
        try:
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                version = conn.exec_driver_sql("SHOW server_version").scalar_one().split()[0]
            engine.dispose()
            lines += run(url, f"PostgreSQL {version}")
        finally:
            testdb.drop_postgres_database(admin, url)
    with (Path(__file__).parent / "RESULTS.md").open("a") as f:
        f.writelines(line + "\n" for line in lines)


if __name__ == "__main__":
    main()
