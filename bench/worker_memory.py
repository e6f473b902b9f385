"""Worker memory per cached contract workflow, against a bare workflow (issue 11), in the same run, interleaved.

Each measurement is a fresh worker process (memory never goes back down inside one): it starts a worker with
room in its cache for every workflow, warms it up, reads its resident set, starts N workflows, waits until
each has run its first task and its activities and waits on a timer (in the cache, as a contract's workflow
spends its years), and reads the resident set again. tlc's are contract workflows of contracts registered
through the API (the relay's own start); the baseline's hold nothing and sleep (bench/bare_workflow.py), under
the same sandbox. Appends KiB per workflow and the ratio (goal <= 1.5) to bench/RESULTS.md:

    python bench/worker_memory.py [--workflows 500] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import dev_server, record  # noqa: E402
from bench.ingest import SECRET, _prepare  # noqa: E402

QUEUE = "bench-memory"
WARM = 20


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def _settled(client, ids: list[str]) -> None:
    """Until every workflow waits on its timer: its first task done, no activity pending (3 minutes at most)."""

    deadline = time.monotonic() + 180
    left = list(ids)
    while left and time.monotonic() < deadline:
        described = await asyncio.gather(*(client.get_workflow_handle(i).describe() for i in left))
        left = [i for i, d in zip(left, described, strict=True)
                if d.raw_description.pending_activities or d.raw_description.HasField("pending_workflow_task")
                or d.history_length < 5]
        if left:
            await asyncio.sleep(0.2)
    if left:
        raise RuntimeError(f"{len(left)} workflows did not settle")


async def measure(kind: str, url: str, target: str, ids: list[str]) -> float:
    """KiB of resident memory per workflow, in this (fresh) process."""
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.worker import Worker

    from bench.bare_workflow import BareWorkflow
    from service import relay
    from service.db import make_engine
    from service.outbox import OutboxMessage
    from workflows.worker import SANDBOX, WORKFLOWS

    client = await Client.connect(target, data_converter=pydantic_data_converter)
    engine = make_engine(url)
    cache = len(ids) + 100
    # Workflows alone: the activities run in the parent's worker, so that their passing allocations (threads,
    # sessions, the SQL cache) do not count as the cache's.
    worker = Worker(client, task_queue=QUEUE, workflows=WORKFLOWS if kind == "tlc" else [BareWorkflow],
                    workflow_runner=SANDBOX, max_cached_workflows=cache)

    from sqlmodel import Session, select

    def rows(wanted: list[str]) -> list[OutboxMessage]:
        with Session(engine) as s:
            found = {m.workflow_id: m for m in s.exec(select(OutboxMessage).where(
                OutboxMessage.kind == "contract.start", OutboxMessage.workflow_id.in_(wanted)))}
        return [found[w] for w in wanted]

    async def start(wanted: list[str]) -> None:
        if kind == "tlc":
            msgs = rows(wanted)
            for k in range(0, len(msgs), 50):
                await asyncio.gather(*(relay.deliver(client, QUEUE, m) for m in msgs[k:k + 50]))
        else:
            for k in range(0, len(wanted), 50):
                await asyncio.gather(*(client.start_workflow("BenchBareWorkflow", {"n": w}, id=w, task_queue=QUEUE)
                                       for w in wanted[k:k + 50]))

    async with worker:
        await start(ids[:WARM])
        await _settled(client, ids[:WARM])
        gc.collect()
        before = _rss_kib()
        await start(ids[WARM:])
        await _settled(client, ids[WARM:])
        gc.collect()
        after = _rss_kib()
    engine.dispose()
    return (after - before) / (len(ids) - WARM)


async def _measured(kind: str, url: str, target: str, ids: list[str]) -> float:
    """`measure` in a fresh process, while this one's event loop runs the activities."""
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, "measure", kind, url, target,
                                                json.dumps(ids), cwd=REPO, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(err.decode()[-3000:])
    return float(out.decode().strip().splitlines()[-1])


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workflows", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from service.auth.tokens import issue_token
    from service.config import Settings
    from service.db import make_engine
    from service.main import create_app
    from tests.factories import ContractBody

    url, cleanup = _prepare(False)
    settings = Settings(jwt_secret=SECRET, temporal_address="127.0.0.1:1")
    admin = {"Authorization": "Bearer " + issue_token(settings, sub="bench", role="admin", org="admin")}
    n = args.workflows + WARM
    engine = make_engine(url)
    with TestClient(create_app(settings, engine=engine, run_relay=False)) as c:
        for r in range(args.rounds):
            for i in range(n):
                resp = c.post("/v1/contracts", json=ContractBody(id=f"m{r}-{i:05d}"), headers=admin)
                assert resp.status_code == 201, resp.text
    engine.dispose()
    env = await dev_server()
    target = env.client.service_client.config.target_host
    ours, bare = [], []
    from temporalio.worker import Worker

    from workflows.worker import activities

    engine = make_engine(url)
    helper = Worker(env.client, task_queue=QUEUE, activities=activities(engine, settings))
    try:
        async with helper:
            for r in range(args.rounds):
                for kind in (("tlc", "bare") if r % 2 == 0 else ("bare", "tlc")):
                    prefix = f"m{r}" if kind == "tlc" else f"b{r}"
                    ids = [f"contract-{prefix}-{i:05d}" if kind == "tlc" else f"{prefix}-{i:05d}" for i in range(n)]
                    (ours if kind == "tlc" else bare).append(await _measured(kind, url, target, ids))
    finally:
        await env.shutdown()
        engine.dispose()
        cleanup()
    t, b = statistics.median(ours), statistics.median(bare)
    line = (f"| {date.today()} | worker memory per cached workflow: contract workflow vs bare sleeping workflow "
            f"(same sandbox) | {t / b:.2f}x | {t:.0f} vs {b:.0f} KiB per workflow, {args.workflows} workflows a "
            f"worker (median of {args.rounds} interleaved rounds; goal <= 1.5) |")
    record([line], write=not args.no_write)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        print(asyncio.run(measure(sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]))))
    else:
        asyncio.run(main())
