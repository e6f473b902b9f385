"""Event ingest over HTTP: tlc's POST /v1/contracts/{id}/events against two baselines, in the same run,
interleaved, each a uvicorn server of its own (issue 11):

- `same-writes`: a bare FastAPI route with the same validation (EventCreate and the event's data model) that
  makes the same writes as plain SQL in one transaction, with the same driver and pool: the event row, the
  state update, one audit row, one outbox row and the idempotency record;
- `one-insert`: the same validation and one INSERT, the floor nothing beats.

At concurrency 1, 8 and 32, each client posting to one of 64 contracts. Reports events/s, p99 and unanswered
requests, and tlc's ratios; appends a line per concurrency to bench/RESULTS.md.

    python bench/ingest.py                       # SQLite (a file in a temporary directory)
    TLC_TEST_POSTGRES_URL=... python bench/ingest.py --postgres
    python bench/ingest.py --batch              # also: 100 events in one request vs one by one
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import record  # noqa: E402

SECRET = "bench-ingest-secret-0123456789abcdef0123456789"
CONTRACTS = 64
DAY = "2026-04-01"


def _event(i: int) -> dict:
    return {"type": "incident.reported", "occurred_on": DAY, "data": {"severity": "near_miss", "summary": f"bench {i}"}}


# --- the servers (run as `python bench/ingest.py serve KIND URL PORT`) ------------------------------------------

def serve(kind: str, url: str, port: int) -> None:
    import uvicorn

    from service.config import Settings
    from service.db import make_engine

    engine = make_engine(url)
    if kind == "tlc":
        from service.main import create_app
        from tests.support.clock import Clock

        settings = Settings(jwt_secret=SECRET, database_url=url, temporal_address="127.0.0.1:1")
        app = create_app(settings, engine=engine, run_relay=False, now=Clock(date.fromisoformat(DAY)))
    else:
        app = _bare_app(kind, engine)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _bare_app(kind: str, engine):
    from fastapi import Body, FastAPI, Header
    from sqlalchemy import text

    from service.db import writing
    from service.events.schemas import EventCreate
    from service.rules.obligations.events import parse_data

    app = FastAPI()
    write = writing(engine)
    # A parameter in a SELECT list has no column to take its type from: PostgreSQL is told it is JSON.
    as_json = "CAST(:d AS JSON)" if engine.dialect.name == "postgresql" else ":d"

    @app.post("/v1/contracts/{contract_id}/events", status_code=202)
    def report(contract_id: str, raw: dict = Body(...), idempotency_key: str | None = Header(None)) -> dict:
        # The same validation as tlc's route (the body model, then the event's data model).
        body = EventCreate.model_validate(raw)
        data = parse_data(body.type, body.data).model_dump(mode="json")
        event_id = f"evt_{uuid.uuid4().hex[:24]}"
        with write.begin() as conn:
            conn.execute(text("INSERT INTO contract_event (id, contract_id, type, occurred_on, reported_on, data, "
                              "effects, actor, received_at) VALUES (:id, :c, :t, :o, :o, :d, '[]', 'bench', "
                              "CURRENT_TIMESTAMP)"),
                         {"id": event_id, "c": contract_id, "t": body.type, "o": body.occurred_on, "d": json.dumps(data)})
            if kind == "same-writes":
                conn.execute(text("UPDATE obligation_state SET version = version + 1 WHERE contract_id = :c"),
                             {"c": contract_id})
                conn.execute(text(
                    "INSERT INTO audit_entry (contract_id, seq, at, actor, action, detail, prev_hash, hash) "
                    f"SELECT CAST(:c AS VARCHAR(64)), COALESCE(MAX(seq), 0) + 1, CURRENT_TIMESTAMP, 'bench', 'event', "
                    f"{as_json}, 'p', 'h' FROM audit_entry WHERE contract_id = :c"),
                    {"c": contract_id, "d": json.dumps(data)})
                conn.execute(text("INSERT INTO outbox_message (kind, workflow_id, payload, created_at, attempts) "
                                  "VALUES ('contract.event', :w, :p, CURRENT_TIMESTAMP, 0)"),
                             {"w": f"contract-{contract_id}", "p": json.dumps({"event_id": event_id})})
                conn.execute(text("INSERT INTO idempotency_record (principal, key, request_hash, status_code, "
                                  "response, created_at) VALUES ('bench', :k, 'h', 202, :r, CURRENT_TIMESTAMP)"),
                             {"k": idempotency_key or event_id, "r": json.dumps({"event_id": event_id})})
        return {"event_id": event_id, "effects": []}

    return app


# --- the world and the load ------------------------------------------------------------------------------------

def _prepare(postgres: bool) -> tuple[str, callable]:
    from fastapi.testclient import TestClient

    from service.auth.tokens import issue_token
    from service.config import Settings
    from service.main import create_app
    from tests.factories import ContractBody, ProgrammeBody
    from tests.support import db as testdb

    if postgres:
        admin_url = os.environ["TLC_TEST_POSTGRES_URL"]
        url = testdb.fresh_postgres_database(admin_url)
        cleanup = lambda: testdb.drop_postgres_database(admin_url, url)  # noqa: E731
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        cleanup = lambda: None  # noqa: E731
    engine = testdb.migrated_engine(url)
    settings = Settings(jwt_secret=SECRET, temporal_address="127.0.0.1:1")
    admin = {"Authorization": "Bearer " + issue_token(settings, sub="bench", role="admin", org="admin")}
    with TestClient(create_app(settings, engine=engine, run_relay=False)) as c:
        for body in ({"id": "meti", "name": "M", "kind": "ministry", "country": "JP"},
                     {"id": "jst", "name": "J", "kind": "funding_agency", "country": "JP"},
                     {"id": "acme", "name": "A", "kind": "contractor", "country": "JP"}):
            assert c.post("/v1/organisations", json=body, headers=admin).status_code == 201
        assert c.post("/v1/programmes", json=ProgrammeBody(), headers=admin).status_code == 201
        for i in range(CONTRACTS):
            r = c.post("/v1/contracts", json=ContractBody(id=f"c-{i:03d}"), headers=admin)
            assert r.status_code == 201, r.text
    engine.dispose()
    return url, cleanup


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _wait_up(port: int) -> None:
    import httpx

    async with httpx.AsyncClient() as c:
        for _ in range(300):
            try:
                await c.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


async def _load(port: int, concurrency: int, n: int, token: str, batch: int = 0) -> dict:
    import httpx

    latencies: list[float] = []
    failed = 0
    counter = iter(range(n))
    headers = {"Authorization": f"Bearer {token}"}

    async def client(k: int, http: httpx.AsyncClient) -> None:
        nonlocal failed
        for i in counter:
            cid = f"c-{(k * 7 + i) % CONTRACTS:03d}"
            h = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            started = time.perf_counter()
            try:
                if batch:
                    r = await http.post(f"/v1/contracts/{cid}/events:batch", headers=h,
                                        json={"events": [_event(i * batch + j) for j in range(batch)]})
                else:
                    r = await http.post(f"/v1/contracts/{cid}/events", headers=h, json=_event(i))
                ok = r.status_code == 202
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failed += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=10) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(k, http) for k in range(concurrency)))
        wall = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    return {"rate": len(latencies) * max(batch, 1) / wall, "p99": p99, "failed": failed}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--no-write", action="store_true", help="print the lines only (a quick look while profiling)")
    ap.add_argument("--batch", action="store_true", help="also measure 100-event batches against single events")
    args = ap.parse_args()

    from service.auth.tokens import issue_token
    from service.config import Settings

    url, cleanup = _prepare(args.postgres)
    token = issue_token(Settings(jwt_secret=SECRET), sub="bench", role="contractor", org="acme", ttl_seconds=36000)
    kinds = ["tlc", "same-writes", "one-insert"]
    ports = {k: _free_port() for k in kinds}
    procs = [subprocess.Popen([sys.executable, __file__, "serve", k, url, str(ports[k])], cwd=REPO) for k in kinds]
    try:
        for k in kinds:
            await _wait_up(ports[k])
        results: dict[tuple[str, int], list[dict]] = {}
        for concurrency in args.concurrency:
            for r in range(args.rounds):
                order = kinds[r % 3:] + kinds[:r % 3]  # interleaved, each kind first in turn
                for k in order:
                    results.setdefault((k, concurrency), []).append(
                        await _load(ports[k], concurrency, args.requests, token))
        db = "PostgreSQL" if args.postgres else "SQLite"
        lines = []
        for concurrency in args.concurrency:
            med = {k: {m: statistics.median(x[m] for x in results[(k, concurrency)]) for m in ("rate", "p99")}
                   for k in kinds}
            failed = {k: sum(x["failed"] for x in results[(k, concurrency)]) for k in kinds}
            t, s, f = med["tlc"], med["same-writes"], med["one-insert"]
            line = (f"| {date.today()} | event ingest, {db}, concurrency {concurrency}: tlc vs bare route with the same "
                    f"writes (and vs one INSERT) | {t['rate'] / s['rate']:.2f}x ({t['rate'] / f['rate']:.2f}x) | "
                    f"{t['rate']:.0f} / {s['rate']:.0f} / {f['rate']:.0f} ev/s; p99 {t['p99'] * 1000:.0f} / "
                    f"{s['p99'] * 1000:.0f} / {f['p99'] * 1000:.0f} ms (ratio {t['p99'] / s['p99']:.2f}); unanswered "
                    f"{failed['tlc']} / {failed['same-writes']} / {failed['one-insert']}; median of {args.rounds} "
                    f"interleaved rounds of {args.requests} |")
            lines.append(line)
        if args.batch:
            singles, batches = [], []
            for _ in range(args.rounds):
                singles.append(await _load(ports["tlc"], 1, args.requests, token))
                batches.append(await _load(ports["tlc"], 1, max(2, args.requests // 100), token, batch=100))
            one, hundred = (statistics.median(x["rate"] for x in v) for v in (singles, batches))
            line = (f"| {date.today()} | event ingest, {db}: 100 events a request vs one a request (tlc, "
                    f"concurrency 1) | {hundred / one:.2f}x | {hundred:.0f} vs {one:.0f} ev/s |")
            lines.append(line)
        record(lines, write=not args.no_write)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)
        cleanup()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        asyncio.run(main())
