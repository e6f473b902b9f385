"""A whole list import (issue 13: "measure an import of a generated file of that size"): tlc's
`service.screening.service.import_version` of a generated 30,000-record Consolidated Screening List (parse, the diff
against the previous version, the entries written, the re-screening's outbox row, one transaction) against a
baseline of the same file parsed and its rows written with one bare executemany INSERT, in the same run,
interleaved, on SQLite and PostgreSQL. Each round imports into emptied tables: first the list (nothing before it),
then a second version with 1% of the records changed, 1% removed and 1% added (the diff against 30,000 entries).
Also the matcher's build over the imported version (the first screening after an import pays it once per process).

    python bench/list_import_db.py                         # 30,000 records, 2 rounds, SQLite and PostgreSQL
    python bench/list_import_db.py --records 5000 --rounds 1 --no-write --sqlite-only
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from sqlmodel import Session

from bench.common import record
from service.auth.tokens import Principal
from service.db import run_in_transaction
from service.rules.screening.matching import Matcher
from service.screening import service as screening
from service.screening.formats import parse
from service.screening.models import ListEntryRow
from tests.support import db as testdb
from tests.support.list_files import csl_csv, generate_csl

ADMIN = Principal(sub="bench", role="admin", org="admin")
REPO = Path(__file__).resolve().parents[1]


def next_version(records: list[dict], seed_from: int) -> list[dict]:
    """1% changed (an alias more), 1% removed, 1% added."""
    n = len(records)
    step = 100
    out = [dict(r, alt_names=[*r.get("alt_names", []), "Added Alias"]) if i % step == 1 else r
           for i, r in enumerate(records) if i % step != 2]
    out += generate_csl(n // step, seed=seed_from)
    return out


def tlc_import(engine, files: list[bytes]) -> float:
    testdb.empty_all_tables(engine)
    gc.collect()
    t = time.perf_counter()
    for i, data in enumerate(files):
        run_in_transaction(engine, lambda s, d=data, i=i: screening.import_version(
            s, principal=ADMIN, source="csl", filename=f"v{i}.csv", data=d))
    return time.perf_counter() - t


def bare_import(engine, files: list[bytes]) -> float:
    testdb.empty_all_tables(engine)
    gc.collect()
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO list_version (id, source, number, filename, sha256, entry_count, diff, "
                             "imported_by, imported_at) VALUES ('b', 'csl', 1, 'f', 'x', 0, '{}', 'b', "
                             "CURRENT_TIMESTAMP)"))
    for i, data in enumerate(files):
        entries = parse("csl", data).entries
        with engine.begin() as conn:
            conn.execute(sa.insert(ListEntryRow.__table__), [  # type: ignore[attr-defined]
                {"version_id": "b", "key": f"{i}:{e.key}", "kind": e.kind, "name": e.name, "aliases": list(e.aliases),
                 "countries": list(e.countries), "details": e.details} for e in entries])
    return time.perf_counter() - t


def figure(db: str, engine, files: list[bytes], n: int, rounds: int) -> list[str]:
    ours: list[float] = []
    base: list[float] = []
    runs: list[tuple[list[float], Callable]] = [(ours, tlc_import), (base, bare_import)]
    for r in range(rounds):
        for times, fn in (runs if r % 2 == 0 else runs[::-1]):
            times.append(fn(engine, files))
    with Session(engine) as s:
        [latest] = [v for v in screening.current_versions(s) if v.source == "csl"]
        t = time.perf_counter()
        Matcher(screening.entries_of(s, latest.id))
        build = time.perf_counter() - t
    a, b = statistics.median(ours), statistics.median(base)
    return [f"| {date.today().isoformat()} | list import, {db}: tlc import_version of a {n:,}-record CSL CSV and then "
            f"its next version (3% changed) vs parse + bare INSERT of the same | {b / a:.2f}x | {a:.1f} s vs {b:.1f} s "
            f"for both versions (median of {rounds} interleaved rounds); the matcher over the {n:,} entries then built "
            f"in {build:.1f} s |"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=30_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--sqlite-only", action="store_true")
    args = ap.parse_args()
    first = generate_csl(args.records, seed=13)
    files = [csl_csv(first), csl_csv(next_version(first, seed_from=14))]
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = testdb.migrated_engine(f"sqlite:///{tmp}/bench.sqlite3")
        lines += figure("SQLite", engine, files, args.records, args.rounds)
        engine.dispose()
    if not args.sqlite_only:
        admin = os.environ.get("TLC_TEST_POSTGRES_URL") or subprocess.run(
            [str(REPO / "scripts" / "test-postgres"), "start"], capture_output=True, text=True, check=True).stdout.strip()
        url = testdb.fresh_postgres_database(admin)
        engine = testdb.migrated_engine(url)
        try:
            lines += figure("PostgreSQL", engine, files, args.records, args.rounds)
        finally:
            engine.dispose()
            testdb.drop_postgres_database(admin, url)
    record(lines, write=not args.no_write)


if __name__ == "__main__":
    main()
