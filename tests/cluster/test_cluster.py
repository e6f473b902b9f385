"""tlc as it is deployed (issue 11): `tlc api`, `tlc worker` and `tlc relay` processes on PostgreSQL and the real
Temporal server (scripts/temporal-cluster), with processes killed with SIGKILL at random moments and started
again while 20 clients send events. In the end every accepted event is recorded exactly once, every contract's
workflow has adopted its contract's latest state, and no message exists twice.

Settings (environment): TLC_TEST_CLUSTER_EVENTS (the number of events; default 2,000, about 3 minutes on 2
shared cores; the issue's 10,000 took 10 min 36 s here, so scripts/test sends 10,000 in CI only),
TLC_TEST_CLUSTER_CONTRACTS (200), TLC_TEST_CLUSTER_CLIENTS (20), TLC_TEST_CLUSTER_SEED (the kills' moments),
TLC_TEST_TEMPORAL_CLUSTER (the frontend's address; by default scripts/temporal-cluster starts it).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

from service.auth.tokens import issue_token
from service.config import Settings
from service.contracts.models import Contract
from service.db import make_engine
from service.events.models import ContractEvent
from service.obligations.models import ObligationRecord
from service.outbox import OutboxMessage
from service.rules.dates import today_jst
from service.toolchain import ToolMissing, temporal_server, temporal_server_schema, temporal_sql_tool
from service.workflow_io import ContractStatus
from tests.cli.procs import clean_env, kill_tree, tlc
from tests.support import db as testdb
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import REPO, free_port

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.temporal]

EVENTS = int(os.environ.get("TLC_TEST_CLUSTER_EVENTS", "2000"))
CONTRACTS = int(os.environ.get("TLC_TEST_CLUSTER_CONTRACTS", "200"))
CLIENTS = int(os.environ.get("TLC_TEST_CLUSTER_CLIENTS", "20"))
SEED = int(os.environ.get("TLC_TEST_CLUSTER_SEED", "11"))
# Loopback only, whatever proxy the environment names.
STATUS_QUERY = "status"  # workflows/contract/workflows.py ContractWorkflow.status
HTTP = {"trust_env": False, "timeout": httpx.Timeout(30.0)}


@dataclass
class Spec:
    """One process of the deployment: `tlc <args>`; `kill` says it is killed (SIGKILL) once and started again."""

    name: str
    args: list[str]
    kill: bool = False
    port: int | None = None


def deployment() -> list[Spec]:
    """What runs: two API replicas without relays of their own (TLC_RELAY_IN_API=false), two workers and one
    `tlc relay`, woken by PostgreSQL's NOTIFY; one API, one worker and the relay are killed."""
    ports = [free_port(), free_port()]
    return [Spec("api-1", ["api", "--host", "127.0.0.1", "--port", str(ports[0])], kill=True, port=ports[0]),
            Spec("api-2", ["api", "--host", "127.0.0.1", "--port", str(ports[1])], port=ports[1]),
            Spec("worker-1", ["worker"], kill=True),
            Spec("worker-2", ["worker"]),
            Spec("relay", ["relay"], kill=True)]


@dataclass
class Proc:
    spec: Spec
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("a") as f:
            f.write(f"\n==== start {self.starts} ====\n")
        self.popen = tlc(*self.spec.args, env=self.env, log=self.log)

    def kill(self) -> None:
        if self.popen is not None:
            kill_tree(self.popen)

    def tail(self) -> str:
        return f"---- {self.spec.name} ({self.log}) ----\n" + self.log.read_text(errors="replace")[-3000:]


def cluster_address() -> str:
    """The real Temporal server's frontend: $TLC_TEST_TEMPORAL_CLUSTER, or the one scripts/temporal-cluster
    starts. It fails with the script's reason when the server cannot be had; it never skips."""
    if address := os.environ.get("TLC_TEST_TEMPORAL_CLUSTER"):
        return address
    try:
        for tool in (temporal_server, temporal_sql_tool, temporal_server_schema):
            tool(Settings())
    except ToolMissing as exc:
        raise AssertionError(f"the cluster test needs the real Temporal server: {exc}") from None
    out = subprocess.run([str(REPO / "scripts" / "temporal-cluster"), "start"], capture_output=True, text=True,
                         timeout=600)
    if out.returncode != 0:
        raise AssertionError(f"scripts/temporal-cluster start failed:\n{out.stderr}")
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture
def database(postgres_admin_url: str) -> Iterator[str]:
    url = testdb.fresh_postgres_database(postgres_admin_url)
    testdb.migrated_engine(url).dispose()
    yield url
    testdb.drop_postgres_database(postgres_admin_url, url)


@dataclass
class Tally:
    accepted: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> event id
    retries: Counter = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)


async def send(http: list[httpx.AsyncClient], headers: dict[str, str], key: str, contract: str, body: dict,
               first: int, tally: Tally) -> None:
    """POST one event until an API accepts it, moving to the other API when one is down; the same key each
    time, so a retry after an API died between its commit and its answer records nothing twice."""
    deadline = time.monotonic() + 180
    attempt = 0
    while True:
        api = http[(first + attempt) % len(http)]
        attempt += 1
        try:
            r = await api.post(f"/v1/contracts/{contract}/events", json=body,
                               headers={**headers, "Idempotency-Key": key})
        except httpx.TransportError as exc:
            tally.retries[type(exc).__name__] += 1
        else:
            if r.status_code == 202:
                tally.accepted[key] = r.json()["event_id"]
                return
            # 409: two requests on one contract at the same moment; 5xx: a replica going down. Both are retried.
            if r.status_code != 409 and r.status_code < 500:
                tally.refused.append(f"{key}: {r.status_code} {r.text[:300]}")
                return
            tally.retries[str(r.status_code)] += 1
        if time.monotonic() > deadline:
            tally.refused.append(f"{key}: not accepted within 180 s")
            return
        await asyncio.sleep(min(0.05 * attempt, 1.0))


def event_body(i: int, today: str) -> dict:
    if i % 5 == 0:  # one in five opens a deadline (the access review of a core item), so the clock has work
        return {"type": "core_item.registered", "occurred_on": today,
                "data": {"item_ref": f"ITEM-{i}", "title": f"core item {i}"}}
    return {"type": "incident.reported", "occurred_on": today,
            "data": {"severity": "near_miss", "summary": f"near miss {i}"}}


async def wait_ready(procs: list[Proc], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(**HTTP) as c:
        for p in procs:
            if p.spec.port is None:
                continue
            while True:
                assert p.popen is not None and p.popen.poll() is None, f"{p.spec.name} exited:\n{p.tail()}"
                try:
                    if (await c.get(f"http://127.0.0.1:{p.spec.port}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"{p.spec.name} not ready in {timeout} s:\n{p.tail()}"
                await asyncio.sleep(0.2)


async def chaos(procs: list[Proc], tally: Tally, rng: random.Random, log: list[str]) -> None:
    """Kill each killable process once with SIGKILL when a random share of the events has been accepted, and
    start it again after a random pause."""
    plan = sorted((rng.uniform(0.1, 0.8), rng.uniform(0.5, 3.0), p) for p in procs if p.spec.kill)
    for share, pause, p in plan:
        while len(tally.accepted) < share * EVENTS:
            await asyncio.sleep(0.05)
        await asyncio.to_thread(p.kill)
        log.append(f"killed {p.spec.name} after {len(tally.accepted)} accepted events; restarting in {pause:.1f} s")
        await asyncio.sleep(pause)
        p.start()


async def test_a_cluster_survives_kills_and_applies_every_event_once(tmp_path: Path, database: str) -> None:
    address = cluster_address()
    queue = f"tq-cluster-{uuid.uuid4().hex[:8]}"
    settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue, temporal_address=address)
    env = clean_env(tmp_path, TLC_DATABASE_URL=database, TLC_TEMPORAL_ADDRESS=address, TLC_JWT_SECRET=TEST_JWT_SECRET,
                    TLC_TEMPORAL_TASK_QUEUE=queue, TLC_RELAY_IN_API="false")
    procs = [Proc(s, env, tmp_path / f"{s.name}.log") for s in deployment()]
    rng = random.Random(SEED)
    admin = {"Authorization": "Bearer " + issue_token(settings, sub="a", role="admin", org="admin", ttl_seconds=7200)}
    acme = {"Authorization": "Bearer " + issue_token(settings, sub="sato", role="contractor", org="acme",
                                                     ttl_seconds=7200)}
    engine = make_engine(database)
    temporal = await Client.connect(address, namespace="default", data_converter=pydantic_data_converter)
    kills: list[str] = []
    timings: dict[str, float] = {}
    tally: Tally | None = None
    try:
        for p in procs:
            p.start()
        await wait_ready(procs)
        apis = [f"http://127.0.0.1:{p.spec.port}" for p in procs if p.spec.port is not None]
        http = [httpx.AsyncClient(base_url=u, **HTTP) for u in apis]
        try:
            # The world: one ministry, its funding agency, one contractor, one programme, CONTRACTS contracts
            # whose term runs from a month ago to four years on (the same answers on any day).
            today = today_jst()
            for body in ({"id": "meti", "name": "METI", "kind": "ministry", "country": "JP"},
                         {"id": "jst", "name": "JST", "kind": "funding_agency", "country": "JP"},
                         {"id": "acme", "name": "Acme", "kind": "contractor", "country": "JP"}):
                r = await http[0].post("/v1/organisations", json=body, headers=admin)
                assert r.status_code == 201, r.text
            r = await http[0].post("/v1/programmes", headers=admin, json={
                "id": "k-cl", "name": "K", "ministry": "meti", "funding_agency": "jst",
                "technology_areas": ["quantum"], "leakage_measures_required": True,
                "annual_support_jpy": 1_000_000_000, "policy": {}})
            assert r.status_code == 201, r.text
            # The server outlives the test (and its namespace keeps every run's workflows): ids of this run only.
            run = uuid.uuid4().hex[:8]
            contracts = [f"c-{run}-{n:04d}" for n in range(CONTRACTS)]
            start = (today - timedelta(days=30)).isoformat()
            end = today.replace(year=today.year + 4).isoformat() if not (today.month == 2 and today.day == 29) \
                else (today + timedelta(days=4 * 365)).isoformat()

            async def register(n: int, cid: str) -> None:
                r = await http[n % 2].post("/v1/contracts", headers={**admin, "Idempotency-Key": f"reg-{cid}"}, json={
                    "id": cid, "programme_id": "k-cl", "contractor_org": "acme", "title": "Sensors",
                    "start_date": start, "end_date": end, "commissioned": True})
                assert r.status_code == 201, r.text

            t0 = time.monotonic()
            for chunk in range(0, CONTRACTS, CLIENTS):
                await asyncio.gather(*(register(n, c) for n, c in enumerate(contracts[chunk:chunk + CLIENTS], chunk)))
            timings["register"] = time.monotonic() - t0

            # The events: EVENTS of them over the contracts, sent by CLIENTS concurrent clients, with the
            # killable processes killed and restarted meanwhile.
            tally = Tally()
            work: asyncio.Queue[int] = asyncio.Queue()
            for i in range(EVENTS):
                work.put_nowait(i)
            day = today.isoformat()
            targets = [rng.choice(contracts) for _ in range(EVENTS)]

            async def client(n: int) -> None:
                while True:
                    try:
                        i = work.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    await send(http, acme, f"ev-{i}", targets[i], event_body(i, day), n + i, tally)

            t0 = time.monotonic()
            monkey = asyncio.create_task(chaos(procs, tally, rng, kills))
            await asyncio.gather(*(client(n) for n in range(CLIENTS)))
            timings["send"] = time.monotonic() - t0
            await asyncio.wait_for(monkey, 60)
        finally:
            for c in http:
                await c.aclose()
        assert not tally.refused, tally.refused[:20]
        assert len(tally.accepted) == EVENTS

        # Everything settles: the outbox delivered, and every workflow at its contract's state version.
        t0 = time.monotonic()
        await settle(engine, temporal, contracts, procs)
        timings["settle"] = time.monotonic() - t0

        # Every accepted event recorded exactly once: one row per key, and the very id its 202 named.
        with Session(engine) as s:
            rows = s.exec(select(ContractEvent.id, ContractEvent.contract_id)).all()
            versions = {r.contract_id: r.version for r in s.exec(select(ObligationRecord)).all()}
            duplicates = s.execute(sa.text(
                "select contract_id, deadline_id, rung, subscription_id, channel, count(*) from notification "
                "group by contract_id, deadline_id, rung, subscription_id, channel having count(*) > 1")).all()
            workflow_ids = dict(s.exec(select(Contract.id, Contract.workflow_id)).all())
        ids = [r[0] for r in rows]
        assert len(ids) == len(set(ids)) == EVENTS, (len(ids), len(set(ids)))
        assert set(ids) == set(tally.accepted.values())
        assert Counter(r[1] for r in rows) == Counter(targets)
        assert duplicates == []

        # Every workflow running, once, at its contract's version.
        lagging = {}
        for cid in contracts:
            handle = temporal.get_workflow_handle(workflow_ids[cid])
            assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING, cid
            st = await handle.query(STATUS_QUERY, result_type=ContractStatus)
            if st.clock_version != versions[cid]:
                lagging[cid] = (st.clock_version, versions[cid])
        assert lagging == {}
        assert len(kills) == sum(p.spec.kill for p in procs), kills
    except BaseException:
        for p in procs:
            print(p.tail())
        raise
    finally:
        print(f"\ncluster: {EVENTS} events, {CONTRACTS} contracts, {CLIENTS} clients; {kills}; "
              f"retries {dict(tally.retries) if tally else {}}; "
              + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
              + (f"; {EVENTS / timings['send']:.0f} events/s accepted" if "send" in timings else ""))
        for p in procs:
            p.kill()
        await end_workflows(engine, temporal)
        engine.dispose()


async def end_workflows(engine: sa.Engine, temporal: Client) -> None:
    """This run's workflows would wait for its workers, gone now, for years on the shared server: end them."""
    with Session(engine) as s:
        workflow_ids = s.exec(select(Contract.workflow_id)).all()
    for workflow_id in workflow_ids:
        try:
            await temporal.get_workflow_handle(workflow_id).terminate("cluster test finished",
                                                                      rpc_timeout=timedelta(seconds=10))
        except RPCError:
            pass  # not started (a failed run) or already ended


async def settle(engine: sa.Engine, temporal: Client, contracts: list[str], procs: list[Proc]) -> None:
    # The relays deliver one row at a time (about 15 a second here, with both replicas on the same rows).
    timeout = 120 + EVENTS / 10
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine) as s:
            pending = s.exec(select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.delivered_at.is_(None))).one()
        if pending == 0:
            break
        for p in procs:
            assert p.popen is not None and p.popen.poll() is None, f"{p.spec.name} died:\n{p.tail()}"
        assert time.monotonic() < deadline, f"{pending} outbox rows still undelivered after {timeout} s"
        await asyncio.sleep(0.5)
    with Session(engine) as s:
        versions = {r.contract_id: r.version for r in s.exec(select(ObligationRecord)).all()}
        workflow_ids = dict(s.exec(select(Contract.id, Contract.workflow_id)).all())
    left = set(contracts)
    while left:
        for cid in sorted(left):
            try:
                st = await temporal.get_workflow_handle(workflow_ids[cid]).query(
                    STATUS_QUERY, result_type=ContractStatus, rpc_timeout=timedelta(seconds=10))
            except RPCError as exc:
                # A workflow whose task was on the killed worker answers once the server has given that task
                # to the other worker (its sticky queue times out first): not yet, ask again.
                if exc.status not in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED) \
                        and "Timeout expired" not in str(exc):
                    raise
                continue
            if st.clock_version >= versions[cid]:
                left.discard(cid)
        if left:
            assert time.monotonic() < deadline, f"{len(left)} workflows behind their contract's state: {sorted(left)[:10]}"
            await asyncio.sleep(0.5)
