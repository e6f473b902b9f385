"""Driving whole contracts on a Temporal server: the real API (with its outbox relay), a real worker, a
real database, and an API clock that follows the server's clock (time-skipping moves it by years)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import issue_token
from service.config import Settings
from service.main import create_app
from service.notifications.addresses import Resolver
from service.obligations.models import DeadlineRow
from service.outbox import OutboxMessage
from service.rules.dates import JST
from service.workflow_io import ContractStatus
from tests.factories import OrganisationBody, ProgrammeBody
from tests.support.resolvers import TableResolver
from tests.support.secrets import TEST_JWT_SECRET
from workflows.contract.workflows import ContractWorkflow
from workflows.worker import build_worker


@dataclass
class Clock:
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Harness:
    env: WorkflowEnvironment
    engine: Engine
    client: TestClient
    clock: Clock
    admin: dict[str, str]
    contractor: dict[str, str]
    programme_id: str
    officer: dict[str, str] = field(default_factory=dict)

    async def sleep(self, duration: timedelta) -> None:
        """Skip `duration` on the time-skipping server in steps of at most 90 days: one long skip through many
        workflow wakes can outlast the server's own time-out for the call ("Timeout expired")."""
        step = timedelta(days=90)
        target = await self.env.get_current_time() + duration
        timeouts = 0
        while (left := target - await self.env.get_current_time()) > timedelta(0):
            try:
                await self.env.sleep(min(left, step))
            except RPCError as exc:
                # Under load the call can time out while the server goes on skipping: carry on from wherever
                # its clock got to, a few times at most.
                timeouts += 1
                if "Timeout expired" not in str(exc) or timeouts > 5:
                    raise

    async def sync_clock(self) -> datetime:
        self.clock.at = await self.env.get_current_time()
        return self.clock.at

    async def delivered(self, timeout: float = 20) -> None:
        """Wait until the relay has handed every outbox row to Temporal."""
        for _ in range(int(timeout * 20)):
            with Session(self.engine) as s:
                if s.exec(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))).first() is None:
                    return
            await asyncio.sleep(0.05)
        raise AssertionError("outbox not delivered")

    def handle(self, contract_id: str) -> WorkflowHandle:
        return self.env.client.get_workflow_handle(f"contract-{contract_id}")

    async def finish(self, contract_id: str) -> ContractStatus:
        """Let time run to just past the contract's close, and return the closed workflow's status."""
        closes_at = (await self.status(contract_id)).closes_at
        now = await self.env.get_current_time()
        if closes_at > now:
            await self.sleep(closes_at - now + timedelta(minutes=1))
        await self.sync_clock()
        # (handle.result() can hang on the Java test server for a run that followed continue-as-new.)
        for _ in range(400):
            if (await self.handle(contract_id).describe()).status == WorkflowExecutionStatus.COMPLETED:
                return await self.status(contract_id)
            await asyncio.sleep(0.05)
        raise AssertionError(f"contract {contract_id} did not close")

    async def status(self, contract_id: str) -> ContractStatus:
        return await self.handle(contract_id).query(ContractWorkflow.status)

    async def go_to_instant(self, contract_id: str, target: datetime) -> None:
        """Advance the server's time to exactly `target`, then let the workflow and its activities catch up."""
        now = await self.env.get_current_time()
        assert target >= now, f"cannot go back to {target} from {now}"
        if target > now:
            await self.sleep(target - now)
        await self.sync_clock()
        await self.status(contract_id)  # a query is answered once the workflow task that woke it is done

    async def go_to(self, contract_id: str, day: date, hour: int = 12) -> None:
        """Advance the server's time to `hour`:00 JST on `day`, then wait for the workflow to catch up."""
        target = datetime.combine(day, time(hour), tzinfo=JST)
        now = await self.env.get_current_time()
        assert target >= now, f"cannot go back to {target} from {now}"
        await self.sleep(target - now)
        await self.sync_clock()
        for _ in range(400):
            st = await self.status(contract_id)
            if st.next_wake_on is None or st.next_wake_on > day:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"workflow did not catch up with {day}")

    def deadline(self, contract_id: str, deadline_id: str) -> DeadlineRow:
        with Session(self.engine) as s:
            row = s.get(DeadlineRow, (contract_id, deadline_id))
            assert row is not None, f"no deadline {deadline_id}"
            return row

    def deadlines(self, contract_id: str) -> list[str]:
        with Session(self.engine) as s:
            return list(s.exec(select(DeadlineRow.id).where(DeadlineRow.contract_id == contract_id)).all())

    def event(self, contract_id: str, type_: str, occurred_on: date, data: dict) -> dict:
        r = self.client.post(f"/v1/contracts/{contract_id}/events", headers=self.contractor,
                             json={"type": type_, "occurred_on": occurred_on.isoformat(), "data": data})
        assert r.status_code == 202, r.text
        return r.json()


@asynccontextmanager
async def harness(env: WorkflowEnvironment, engine: Engine, *, policy: dict | None = None,
                  programme: dict | None = None, resolver: Resolver | None = None,
                  **settings_overrides: object) -> AsyncIterator[Harness]:
    """`resolver`: how the API and the worker resolve webhook hosts (by default a table of no names, never
    DNS: IP literals only)."""
    resolver = resolver or TableResolver(names={})
    queue = f"tq-{uuid.uuid4()}"
    settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue,
                        temporal_address=env.client.service_client.config.target_host,
                        **{"webhook_allow_private": True, **settings_overrides})
    clock = Clock()
    admin = {"Authorization": f"Bearer {issue_token(settings, sub='a', role='admin', org='admin', ttl_seconds=10**9)}"}
    contractor = {"Authorization": "Bearer " + issue_token(settings, sub='c', role='contractor', org='acme',
                                                           ttl_seconds=10**9)}
    officer = {"Authorization": "Bearer " + issue_token(settings, sub='o', role='ministry_officer', org='meti',
                                                        ttl_seconds=10**9)}
    # Outbox rows an earlier test left undelivered belong to that test's world (its workflows are terminated,
    # its worker gone): this harness's relay must not start them on its own task queue.
    with Session(engine) as s:
        for row in s.exec(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))).all():
            row.delivered_at = datetime.now(UTC)
            s.add(row)
        s.commit()
    async with build_worker(env.client, engine, queue, settings, resolver):
        with TestClient(create_app(settings, engine=engine, now=clock, resolver=resolver)) as client:
            # A programme of its own, so that its policy is this test's whatever the database holds already.
            h = Harness(env, engine, client, clock, admin, contractor, programme_id=f"k-{uuid.uuid4().hex[:8]}",
                        officer=officer)
            await h.sync_clock()
            for body in (OrganisationBody(id="meti", name="METI", kind="ministry"), OrganisationBody(id="jst", kind="funding_agency"),
                         OrganisationBody()):
                r = client.post("/v1/organisations", json=body, headers=admin)
                assert r.status_code in (201, 409), r.text
            r = client.post("/v1/programmes", json=ProgrammeBody(id=h.programme_id, policy=policy or {},
                                                                 **(programme or {})), headers=admin)
            assert r.status_code == 201, r.text
            try:
                yield h
            finally:
                await _terminate_leftovers(h)


async def settled(h: Harness, contract_id: str, timeout: float = 20) -> None:
    """Every accepted event has reached the workflow: its clock is at the database state's version."""
    from service.obligations.models import ObligationRecord

    await h.delivered(timeout)
    for _ in range(int(timeout * 20)):
        with Session(h.engine) as s:
            version = s.get(ObligationRecord, contract_id).version
        if (await h.status(contract_id)).clock_version >= version:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("workflow did not adopt the latest state")


async def _terminate_leftovers(h: Harness) -> None:
    """Workflows of this harness that are still open would wait for a worker that is gone, and on the
    time-skipping server such a wait stops the clock for every later test: end them."""
    from service.consultations.models import ConsultationCase
    from service.contracts.models import Contract

    with Session(h.engine) as s:
        contracts = s.exec(select(Contract).where(Contract.programme_id == h.programme_id)).all()
        ids = [c.workflow_id for c in contracts]
        ids += [f"consultation-{c.id}" for c in s.exec(select(ConsultationCase).where(
            ConsultationCase.programme_id == h.programme_id)).all()]
    for workflow_id in ids:
        try:
            handle = h.env.client.get_workflow_handle(workflow_id)
            # An activity cut off by the termination would hold the test server's clock for every later test
            # (a test that failed half-way leaves one in flight): let running ones finish first, for a while.
            for _ in range(100):
                description = await handle.describe()
                if description.status != WorkflowExecutionStatus.RUNNING or \
                        not description.raw_description.pending_activities:
                    break
                await asyncio.sleep(0.05)
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                await handle.terminate("test finished")
        except Exception:
            pass
