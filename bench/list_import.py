"""Reading the screening lists (issue 13): tlc's readers (service.screening.formats) against reading the same
file with no processing, in the same run, interleaved (rounds alternate which runs first):

- EUL: a generated End User List workbook (.xlsx, bilingual header, conventional-weapons column) vs openpyxl's
  read-only iteration of its rows (values only);
- CSL CSV: a generated Consolidated Screening List CSV vs `csv.DictReader` over the decoded text;
- CSL JSON: the same records as JSON vs `json.loads`.

Reports rows/s and tlc's ratio to the baseline's (median of the rounds), and the peak memory (tracemalloc) of
one parse of each beside its baseline's; appends a line per figure to bench/RESULTS.md.

    python bench/list_import.py                        # 30,000 rows, 3 rounds
    python bench/list_import.py --rows 5000 --rounds 2 --no-write
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import record
from service.screening.formats import parse
from tests.support.list_files import csl_csv, csl_json, eul_xlsx, generate_csl, generate_eul


def openpyxl_rows(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return n


def dictreader_rows(data: bytes) -> int:
    return len(list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))))


def json_rows(data: bytes) -> int:
    return len(json.loads(data)["results"])


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def peak(fn: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def figure(what: str, data: bytes, rows: int, ours: Callable[[], object], base: Callable[[], object],
           rounds: int, base_name: str) -> str:
    ours(), base()  # warm-up: imports, caches
    t_ours: list[float] = []
    t_base: list[float] = []
    for r in range(rounds):
        if r % 2:
            t_base.append(timed(base))
            t_ours.append(timed(ours))
        else:
            t_ours.append(timed(ours))
            t_base.append(timed(base))
    rate_ours, rate_base = rows / statistics.median(t_ours), rows / statistics.median(t_base)
    mem_ours, mem_base = peak(ours), peak(base)
    return (f"| {date.today().isoformat()} | {what} ({rows:,} rows, {len(data) / 1e6:.1f} MB): tlc's reader vs "
            f"{base_name} | {rate_ours / rate_base:.2f}x | {rate_ours:,.0f} vs {rate_base:,.0f} rows/s (median of "
            f"{rounds} interleaved rounds); peak memory {mem_ours / 1e6:.0f} MB vs {mem_base / 1e6:.0f} MB "
            f"(tracemalloc) |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=30_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="only print the lines")
    args = ap.parse_args()
    n = args.rows

    xlsx = eul_xlsx(generate_eul(n, seed=13), edition="bilingual", conventional=True)
    records = generate_csl(n, seed=13)
    as_csv, as_json = csl_csv(records), csl_json(records)
    del records
    assert len(parse("eul", xlsx).entries) == n == len(parse("csl", as_csv).entries) == len(parse("csl", as_json).entries)

    lines = [
        figure("EUL workbook", xlsx, n, lambda: parse("eul", xlsx), lambda: openpyxl_rows(xlsx), args.rounds,
               "openpyxl read-only iteration alone"),
        figure("CSL CSV", as_csv, n, lambda: parse("csl", as_csv), lambda: dictreader_rows(as_csv), args.rounds,
               "csv.DictReader alone"),
        figure("CSL JSON", as_json, n, lambda: parse("csl", as_json), lambda: json_rows(as_json), args.rounds,
               "json.loads alone"),
    ]
    record(lines, write=not args.no_write)


if __name__ == "__main__":
    main()
