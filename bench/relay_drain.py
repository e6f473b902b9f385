"""How fast the outbox relay hands a backlog to Temporal, against a bare sequential `handle.signal()` loop.

Both send the same signals (N rows over W workflows, by turns) to a Temporal dev server this script starts
(the cached CLI, as `tlc dev` does), in rounds that alternate baseline and relay, so that both see the same
machine. The relay's time is `drain()` alone: reading the rows, delivering, marking them delivered. Only
the ratio (relay rows/s over baseline signals/s; the goal is >= 1) is reported, and appended to
bench/RESULTS.md:

    python bench/relay_drain.py [--rows 500] [--workflows 100] [--rounds 3]

The database is a fresh SQLite file, or TLC_BENCH_DATABASE_URL (an empty PostgreSQL database) when set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from temporalio.client import Client

import service.tables  # noqa: F401
from bench.common import dev_server, record
from service import migrate
from service.db import make_engine, utcnow
from service.outbox import OutboxMessage
from service.relay import drain
from service.workflow_io import CONTRACT_EVENT_SIGNAL, CONTRACT_WORKFLOW, ClockSnapshot, EventApplied

QUEUE = "bench-no-worker"  # nobody polls it: what is measured is handing signals to Temporal, not running them


async def open_workflows(client: Client, n: int) -> list[str]:
    """`n` fresh workflows, running (no worker ever takes them), so that each signal is accepted."""
    ids = [f"bench-{uuid.uuid4().hex[:10]}" for _ in range(n)]
    await asyncio.gather(*(client.start_workflow(CONTRACT_WORKFLOW, id=i, task_queue=QUEUE) for i in ids))
    return ids


def signals(ids: list[str], rows: int) -> list[tuple[str, EventApplied]]:
    return [(ids[k % len(ids)], EventApplied(event_id=f"e-{k}", snapshot=ClockSnapshot(version=k + 1)))
            for k in range(rows)]


async def baseline(client: Client, ids: list[str], rows: int) -> float:
    todo = signals(ids, rows)
    started = time.perf_counter()
    for workflow_id, applied in todo:
        await client.get_workflow_handle(workflow_id).signal(CONTRACT_EVENT_SIGNAL, applied)
    return time.perf_counter() - started


async def relay(client: Client, engine: sa.Engine, ids: list[str], rows: int) -> float:
    with engine.begin() as conn:
        conn.execute(sa.insert(OutboxMessage.__table__), [
            {"kind": "contract.event", "workflow_id": w, "payload": a.model_dump(mode="json"), "attempts": 0,
             "created_at": utcnow()} for w, a in signals(ids, rows)])
    started = time.perf_counter()
    left = await drain(engine, client, QUEUE)
    elapsed = time.perf_counter() - started
    assert left == 0, f"{left} rows not delivered"
    return elapsed


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500)
    ap.add_argument("--workflows", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("TLC_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        migrate.upgrade(url)
        engine = make_engine(url)
        env = await dev_server()
        try:
            client = env.client
            await relay(client, engine, await open_workflows(client, 10), 20)  # warm-up: connections, caches
            base, meas = [], []
            for _ in range(args.rounds):
                base.append(await baseline(client, await open_workflows(client, args.workflows), args.rows))
                meas.append(await relay(client, engine, await open_workflows(client, args.workflows), args.rows))
        finally:
            await env.shutdown()
            engine.dispose()
    base_rate, relay_rate = args.rows / statistics.median(base), args.rows / statistics.median(meas)
    ratio = relay_rate / base_rate
    db = sa.engine.make_url(url).get_backend_name()
    line = (f"| {date.today().isoformat()} | outbox relay drain vs sequential handle.signal() loop (dev server, "
            f"{db}) | {ratio:.2f}x | {relay_rate:.0f} vs {base_rate:.0f} rows/s, {args.rows} signals over "
            f"{args.workflows} workflows (median of {args.rounds} interleaved rounds) |")
    record([line])


if __name__ == "__main__":
    asyncio.run(main())
