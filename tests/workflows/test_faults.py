"""Faults on the real path, API -> outbox -> relay -> Temporal dev server -> worker, with nothing mocked.

- The worker process is SIGKILLed in the middle of a stream of events and a new one is started.
- The Temporal dev server is stopped while the API keeps accepting events, and started again on the same
  port with the same database file.

Either way every accepted event must reach the contract's workflow exactly once: the workflow counts each
event id once, its clock is at the database state's version, and every outbox row is delivered.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import issue_token
from service.config import Settings
from service.events.models import ContractEvent
from service.main import create_app
from service.obligations.models import ObligationRecord
from service.outbox import OutboxMessage
from service.rules.dates import JST
from service.toolchain import temporal_cli
from service.workflow_io import ContractStatus, EventApplied
from tests.factories import ContractBody, OrganisationBody, ProgrammeBody
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import REPO, free_port
from workflows.contract.workflows import ContractWorkflow

T = TypeVar("T")


# --- servers and processes -------------------------------------------------------------------------------

async def start_server(db_file: Path, port: int) -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli(Settings())), dev_server_database_filename=str(db_file),
        ip="127.0.0.1", port=port, data_converter=pydantic_data_converter,
        dev_server_startup_timeout=timedelta(seconds=30))


@dataclass
class WorkerProcess:
    """`tlc worker` as its own OS process, with its output in a file (shown when a test fails)."""

    proc: subprocess.Popen
    log_path: Path
    log: IO[bytes]

    @classmethod
    def spawn(cls, db_url: str, address: str, queue: str, tmp_path: Path, name: str) -> WorkerProcess:
        env = {**os.environ, "TLC_DATABASE_URL": db_url, "TLC_TEMPORAL_ADDRESS": address,
               "TLC_TEMPORAL_TASK_QUEUE": queue, "TLC_JWT_SECRET": TEST_JWT_SECRET, "TLC_DATA_DIR": str(tmp_path / "data"),
               "PYTHONUNBUFFERED": "1"}
        log_path = tmp_path / f"{name}.log"
        log = log_path.open("wb")
        proc = subprocess.Popen([sys.executable, "-m", "tlc.cli", "worker"], cwd=REPO, env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return cls(proc, log_path, log)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def polling(self, timeout: float = 20) -> None:
        """Wait until the worker says it polls its task queue."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "worker polling task queue" in self.output():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.output()}")
            await asyncio.sleep(0.1)
        raise AssertionError(f"worker not polling after {timeout} s:\n{self.output()}")

    def kill(self) -> int:
        """SIGKILL: no clean shutdown, whatever it was doing is cut off."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(timeout=10)
        self.log.close()
        return code


async def until(check: Callable[[], Awaitable[T | None]], timeout: float, what: str, every: float = 0.1) -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds with `what`."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = await asyncio.wait_for(check(), timeout=max(0.5, deadline - time.monotonic()))
            if last:
                return last  # type: ignore[return-value]
        except Exception as exc:
            last = exc
        await asyncio.sleep(every)
    raise AssertionError(f"{what}: not after {timeout} s (last: {last!r})")


# --- the API and the database ----------------------------------------------------------------------------

@dataclass
class Api:
    client: TestClient
    settings: Settings
    contract_id: str = ""
    accepted: list[str] = field(default_factory=list)

    def headers(self, role: str, org: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + issue_token(self.settings, sub=f"{role}-1", role=role, org=org,
                                                         ttl_seconds=3600)}

    def register(self) -> str:
        """Organisations, a programme and a contract of this test's own; returns the workflow id."""
        admin = self.headers("admin", "admin")
        for body in (OrganisationBody(id="meti", name="METI", kind="ministry"), OrganisationBody(id="jst", kind="funding_agency"),
                     OrganisationBody()):
            r = self.client.post("/v1/organisations", json=body, headers=admin)
            assert r.status_code in (201, 409), r.text
        programme_id = f"k-{uuid.uuid4().hex[:8]}"
        r = self.client.post("/v1/programmes", json=ProgrammeBody(id=programme_id), headers=admin)
        assert r.status_code == 201, r.text
        self.contract_id = f"c-{uuid.uuid4().hex[:8]}"
        start = today()
        r = self.client.post("/v1/contracts", headers=admin, json=ContractBody(
            id=self.contract_id, programme_id=programme_id, start_date=start.isoformat(),
            end_date=date(start.year + 3, 3, 31).isoformat()))
        assert r.status_code == 201, r.text
        return r.json()["workflow_id"]

    def post_event(self, i: int) -> str:
        """The i-th event of a stream: an item registered, access to it granted, an incident; by turns."""
        kind = i % 3
        if kind == 0:
            type_, data = "core_item.registered", {"item_ref": f"ITEM-{i}", "title": f"Item {i}"}
        elif kind == 1:
            type_, data = "access.granted", {"item_ref": f"ITEM-{i - 1}", "employee_ref": f"EMP-{i}"}
        else:
            type_, data = "incident.reported", {"severity": "near_miss", "summary": f"near miss {i}"}
        r = self.client.post(f"/v1/contracts/{self.contract_id}/events", headers=self.headers("contractor", "acme"),
                             json={"type": type_, "occurred_on": today().isoformat(), "data": data})
        assert r.status_code == 202, r.text
        event_id = r.json()["event_id"]
        self.accepted.append(event_id)
        return event_id


def today() -> date:
    return datetime.now(JST).date()


def event_rows(engine: Engine, contract_id: str) -> list[str]:
    with Session(engine) as s:
        return list(s.exec(select(ContractEvent.id).where(ContractEvent.contract_id == contract_id)).all())


def outbox_rows(engine: Engine, workflow_id: str) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.workflow_id == workflow_id)
                           .order_by(OutboxMessage.id)).all())


def state_version(engine: Engine, contract_id: str) -> int:
    with Session(engine) as s:
        record = s.get(ObligationRecord, contract_id)
        assert record is not None
        return record.version


def all_delivered(engine: Engine, workflow_id: str) -> bool:
    return all(m.delivered_at is not None for m in outbox_rows(engine, workflow_id))


async def status(handle: WorkflowHandle) -> ContractStatus:
    # A query needs a worker: bounded, so that a missing worker is a retry, not a hang.
    return await handle.query(ContractWorkflow.status, rpc_timeout=timedelta(seconds=5))


async def running(client: Client, workflow_id: str) -> None:
    async def check() -> bool:
        return (await client.get_workflow_handle(workflow_id).describe()).status == WorkflowExecutionStatus.RUNNING
    await until(check, 20, f"workflow {workflow_id} running")


async def settled(api: Api, engine: Engine, handle: WorkflowHandle, timeout: float) -> ContractStatus:
    """Every outbox row delivered, every accepted event applied, and the clock at the database's version."""
    async def check() -> ContractStatus | None:
        if not await asyncio.to_thread(all_delivered, engine, handle.id):
            return None
        st = await status(handle)
        version = await asyncio.to_thread(state_version, engine, api.contract_id)
        return st if st.applied_events == len(api.accepted) and st.clock_version == version else None
    return await until(check, timeout, f"{len(api.accepted)} events applied to {handle.id}", every=0.2)


async def signalled_event_ids(client: Client, handle: WorkflowHandle) -> list[str]:
    """The event ids of every `event_applied` signal in the workflow's history, repeats included."""
    ids = []
    history = await handle.fetch_history(rpc_timeout=timedelta(seconds=10))
    for ev in history.events:
        if ev.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            continue
        attrs = ev.workflow_execution_signaled_event_attributes
        if attrs.signal_name != "event_applied":
            continue
        [applied] = await client.data_converter.decode(attrs.input.payloads, [EventApplied])
        ids.append(applied.event_id)
    return ids


async def assert_exactly_once(api: Api, engine: Engine, client: Client, handle: WorkflowHandle,
                              redelivered: int = 0) -> None:
    accepted = set(api.accepted)
    assert len(accepted) == len(api.accepted), "the API handed out an event id twice"
    # Each accepted event is in the database once, with one delivered outbox row.
    rows = event_rows(engine, api.contract_id)
    assert sorted(rows) == sorted(api.accepted)
    outbox = outbox_rows(engine, handle.id)
    assert [m.kind for m in outbox] == ["contract.start"] + ["contract.event"] * len(accepted)
    assert all(m.delivered_at is not None for m in outbox)
    assert sorted(m.payload["event_id"] for m in outbox[1:]) == sorted(api.accepted)
    # The workflow counted each once, though it may have been signalled more often than that.
    st = await status(handle)
    assert st.applied_events == len(accepted)
    assert st.clock_version == state_version(engine, api.contract_id)
    assert st.phase == "active" and st.runs == 1
    signalled = await signalled_event_ids(client, handle)
    assert set(signalled) == accepted
    assert len(signalled) >= len(accepted) + redelivered


# --- the tests -------------------------------------------------------------------------------------------

async def test_worker_killed_mid_stream_loses_and_repeats_nothing(engine: Engine, tmp_path: Path) -> None:
    started = time.monotonic()
    db_url = engine.url.render_as_string(hide_password=False)
    queue = f"tq-{uuid.uuid4()}"
    env = await start_server(tmp_path / "temporal.sqlite3", free_port())
    address = env.client.service_client.config.target_host
    workers: list[WorkerProcess] = []
    try:
        workers.append(WorkerProcess.spawn(db_url, address, queue, tmp_path, "worker-1"))
        await workers[0].polling()
        settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue, temporal_address=address)
        with TestClient(create_app(settings, engine=engine)) as client:
            api = Api(client, settings)
            workflow_id = api.register()
            await running(env.client, workflow_id)
            handle = env.client.get_workflow_handle(workflow_id)

            for i in range(10):
                api.post_event(i)
            # The first worker has this workflow in its cache (it answered), and events are still in flight.
            await until(lambda: status(handle), 10, "first worker answers")
            code = workers[0].kill()
            assert code == -signal.SIGKILL, workers[0].output()

            # A relay that crashed between Temporal's acceptance and its mark delivers those rows again: make
            # the first three delivered event rows look like that.
            await until(lambda: asyncio.to_thread(lambda: sum(
                m.delivered_at is not None for m in outbox_rows(engine, workflow_id)[1:4]) == 3),
                10, "first events delivered")
            with Session(engine) as s:
                for m in outbox_rows(engine, workflow_id)[1:4]:
                    m.delivered_at = None
                    s.add(m)
                s.commit()

            # With no worker at all, the API still accepts, and the relay still hands everything to Temporal.
            for i in range(10, 30):
                api.post_event(i)
            await until(lambda: asyncio.to_thread(all_delivered, engine, workflow_id), 20,
                        "outbox delivered while no worker runs")

            workers.append(WorkerProcess.spawn(db_url, address, queue, tmp_path, "worker-2"))
            await workers[1].polling()
            st = await settled(api, engine, handle, timeout=30)
            assert st.applied_events == 30
            await assert_exactly_once(api, engine, env.client, handle, redelivered=3)
    finally:
        for w in workers:
            with suppress(Exception):
                w.kill()
        await env.shutdown()
    assert time.monotonic() - started < 60


async def test_dev_server_stopped_while_api_accepts_events(engine: Engine, tmp_path: Path) -> None:
    started = time.monotonic()
    db_url = engine.url.render_as_string(hide_password=False)
    queue = f"tq-{uuid.uuid4()}"
    port, db_file = free_port(), tmp_path / "temporal.sqlite3"
    address = f"127.0.0.1:{port}"
    env: WorkflowEnvironment | None = await start_server(db_file, port)
    workers: list[WorkerProcess] = []
    try:
        workers.append(WorkerProcess.spawn(db_url, address, queue, tmp_path, "worker-1"))
        await workers[0].polling()
        settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue, temporal_address=address)
        with TestClient(create_app(settings, engine=engine)) as client:
            api = Api(client, settings)
            workflow_id = api.register()
            assert env is not None
            await running(env.client, workflow_id)
            for i in range(5):
                api.post_event(i)
            await settled(api, engine, env.client.get_workflow_handle(workflow_id), timeout=20)
            assert client.get("/readyz").status_code == 200

            # Temporal goes away; the worker is left running, as it would be in production.
            await env.shutdown()
            env = None
            for i in range(5, 12):
                api.post_event(i)
            rows = outbox_rows(engine, workflow_id)
            assert [m.delivered_at is None for m in rows] == [False] * 6 + [True] * 7
            r = client.get("/readyz")
            assert r.status_code == 503 and r.json()["temporal"] == "unreachable", r.text
            # The relay tried and recorded why it could not deliver.
            await until(lambda: asyncio.to_thread(
                lambda: (m := outbox_rows(engine, workflow_id)[6]).attempts >= 1 and m.last_error), 20,
                "a failed delivery attempt recorded")

            # The same server comes back: same port, same database file. No request pokes the relay: its own
            # retrying must deliver, through the TemporalLink client it already holds.
            env = await start_server(db_file, port)
            handle = env.client.get_workflow_handle(workflow_id)
            await until(lambda: asyncio.to_thread(all_delivered, engine, workflow_id), 40,
                        "outbox delivered after the server came back")
            assert client.get("/readyz").status_code == 200
            await settled(api, engine, handle, timeout=20)
            await assert_exactly_once(api, engine, env.client, handle)
            # The worker that lived through the outage still works: it was the only one all along.
            assert workers[0].proc.poll() is None, workers[0].output()
    finally:
        for w in workers:
            with suppress(Exception):
                w.kill()
        if env is not None:
            await env.shutdown()
    assert time.monotonic() - started < 60
