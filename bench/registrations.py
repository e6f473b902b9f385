"""1,000 contracts registered through the API until all their workflows run, against a bare loop of
`start_workflow` calls (issue 11), in the same run, interleaved.

- tlc: `POST /v1/contracts` from 8 concurrent clients to a uvicorn server running the app with its in-process
  relay (as `tlc dev` does), until the outbox holds no undelivered row: every contract's workflow started;
- baseline: `client.start_workflow` ×N from 8 concurrent tasks, with the same workflow type and the same
  argument as the relay sends (the first registration's outbox payload), and nothing else.

Both start workflows on a task queue that no worker polls, on a Temporal dev server this script starts (the
cached CLI, as `tlc dev` does): what is measured is registering and handing the start to Temporal, not running
the workflow. Appends the ratio (tlc's time over the baseline's; the goal is <= 1.2) to bench/RESULTS.md:

    python bench/registrations.py [--contracts 1000] [--rounds 2]
    TLC_TEST_POSTGRES_URL=... python bench/registrations.py --postgres
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from bench.common import dev_server, record  # noqa: E402
from bench.ingest import SECRET, _free_port, _prepare, _wait_up  # noqa: E402

QUEUE = "bench-no-worker"
CLIENTS = 8


def serve(url: str, port: int, temporal: str) -> None:
    import uvicorn

    from service.config import Settings
    from service.main import create_app

    settings = Settings(jwt_secret=SECRET, database_url=url, temporal_address=temporal, temporal_task_queue=QUEUE)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _undelivered(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM outbox_message WHERE delivered_at IS NULL")).scalar_one()


async def tlc(port: int, engine: sa.Engine, token: str, n: int, tag: str) -> float:
    import httpx

    from tests.factories import ContractBody

    bodies = iter(ContractBody(id=f"{tag}-{i:05d}") for i in range(n))
    headers = {"Authorization": f"Bearer {token}"}

    async def client(http: httpx.AsyncClient) -> None:
        for body in bodies:
            r = await http.post("/v1/contracts", json=body, headers=headers)
            assert r.status_code == 201, r.text

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
    posted = time.perf_counter() - started
    for _ in range(6000):  # the relay's deliveries: until none is left (at most 5 minutes)
        if _undelivered(engine) == 0:
            print(f"{tag}: posted in {posted:.2f} s, all started in {time.perf_counter() - started:.2f} s",
                  file=sys.stderr)
            return time.perf_counter() - started
        await asyncio.sleep(0.05)
    raise RuntimeError("the relay did not deliver every start in 5 minutes")


async def baseline(client, workflow: str, arg: dict, n: int, tag: str) -> float:
    ids = iter(f"{tag}-{i:05d}" for i in range(n))

    async def starter() -> None:
        for workflow_id in ids:
            await client.start_workflow(workflow, arg, id=workflow_id, task_queue=QUEUE)

    started = time.perf_counter()
    await asyncio.gather(*(starter() for _ in range(CLIENTS)))
    return time.perf_counter() - started


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--contracts", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()


    from service.auth.tokens import issue_token
    from service.config import Settings
    from service.db import make_engine
    from service.workflow_io import CONTRACT_WORKFLOW

    url, cleanup = _prepare(args.postgres)
    engine = make_engine(url)
    token = issue_token(Settings(jwt_secret=SECRET), sub="bench", role="admin", org="admin", ttl_seconds=36000)
    env = await dev_server()
    port = _free_port()
    target = env.client.service_client.config.target_host
    server = subprocess.Popen([sys.executable, __file__, "serve", url, str(port), target], cwd=REPO)
    try:
        await _wait_up(port)
        await tlc(port, engine, token, 20, "warm")  # connections, caches, the relay's first pass
        with engine.connect() as conn:
            arg = conn.execute(sa.text("SELECT payload FROM outbox_message WHERE kind = 'contract.start' "
                                       "ORDER BY id DESC LIMIT 1")).scalar_one()
        arg = arg if isinstance(arg, dict) else __import__("json").loads(arg)
        await baseline(env.client, CONTRACT_WORKFLOW, arg, 20, f"warm-{uuid.uuid4().hex[:6]}")
        ours, bare = [], []
        for r in range(args.rounds):
            tag = uuid.uuid4().hex[:6]
            pair = [("tlc", lambda t=tag: tlc(port, engine, token, args.contracts, f"t{t}")),
                    ("bare", lambda t=tag: baseline(env.client, CONTRACT_WORKFLOW, arg, args.contracts, f"b{t}"))]
            for kind, run in (pair if r % 2 == 0 else pair[::-1]):
                (ours if kind == "tlc" else bare).append(await run())
    finally:
        server.terminate()
        server.wait(timeout=10)
        await env.shutdown()
        engine.dispose()
        cleanup()
    t, b = statistics.median(ours), statistics.median(bare)
    db = "PostgreSQL" if args.postgres else "SQLite"
    line = (f"| {date.today()} | {args.contracts} contracts registered -> all workflows started, {db}, "
            f"{CLIENTS} clients: tlc (API + in-process relay) vs bare start_workflow loop | {t / b:.2f}x | "
            f"{t:.1f} s vs {b:.1f} s (median of {args.rounds} interleaved rounds; goal <= 1.2) |")
    record([line], write=not args.no_write)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        asyncio.run(main())
