"""Delivers outbox rows to Temporal, in id order per workflow, until Temporal has each of them.

Runs inside the API process (woken after a transaction that wrote a row commits), or alone as `tlc relay`
(woken by PostgreSQL's NOTIFY, which that transaction sends, and by a safety pass every few seconds for a
notification that was lost); either way on a back-off timer while rows are still undelivered (Temporal
down). Rows of different workflows are delivered concurrently, those of one workflow one after another,
and delivered rows are marked a page at a time. Every delivery is idempotent, so several relays (API
replicas and `tlc relay` processes) may run at the same time. Workflows are started and signalled by name
(service/workflow_io.py): the relay never imports workflow code.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from service.config import Settings
from service.db import engine_for, session_scope, utcnow
from service.outbox import OUTBOX_CHANNEL, OutboxMessage
from service.temporal_link import TemporalLink
from service.workflow_io import (
    CASE_UPDATED_SIGNAL,
    CASE_WORKFLOW,
    CONTRACT_EVENT_SIGNAL,
    CONTRACT_TERMS_SIGNAL,
    CONTRACT_WORKFLOW,
    DRAFT_WORKFLOW,
    RESCREEN_WORKFLOW,
    RESEARCH_RESCREEN_WORKFLOW,
    RETENTION_CHANGED_SIGNAL,
    RETENTION_WORKFLOW,
    ROUND_UPDATED_SIGNAL,
    ROUND_WORKFLOW,
    CaseState,
    CaseUpdate,
    ClockSnapshot,
    ContractState,
    ContractTerms,
    DraftState,
    EventApplied,
    RescreenState,
    ResearchRescreenState,
    RetentionState,
    RoundState,
    RoundUpdate,
)

log = logging.getLogger("tlc.relay")


async def _start(client: Client, workflow: str, arg: BaseModel, workflow_id: str, task_queue: str) -> None:
    try:
        await client.start_workflow(
            workflow, arg, id=workflow_id, task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            # A workflow runs once: one that has closed must not be started again by a redelivery.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
    except WorkflowAlreadyStartedError:
        pass


async def _signal(client: Client, signal: str, arg: BaseModel, workflow_id: str) -> None:
    try:
        await client.get_workflow_handle(workflow_id).signal(signal, arg)
    except RPCError as exc:
        # The workflow has ended. A contract's closes under the contract's row lock, so an event committed
        # before the close had its deadlines closed with the rest; a case's ends when it is decided.
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise


async def _signal_with_start(client: Client, workflow: str, arg: BaseModel, signal: str, signal_arg: BaseModel,
                             workflow_id: str, task_queue: str) -> None:
    """Signal the workflow, starting a new run of it when it has ended: a contract's outlives its obligation
    period only while a Bayh-Dole approval is open, and a later one needs its clock back (DOMAIN.md §3 [r2])."""
    await client.start_workflow(
        workflow, arg, id=workflow_id, task_queue=task_queue, start_signal=signal, start_signal_args=[signal_arg],
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE)


async def deliver(client: Client, task_queue: str, msg: OutboxMessage) -> None:
    p = msg.payload
    if msg.kind == "contract.start":
        await _start(client, CONTRACT_WORKFLOW, ContractState.model_validate(p), msg.workflow_id, task_queue)
    elif msg.kind == "contract.event":
        await _signal(client, CONTRACT_EVENT_SIGNAL, EventApplied.model_validate(p), msg.workflow_id)
    elif msg.kind == "contract.terms":
        await _signal(client, CONTRACT_TERMS_SIGNAL, ContractTerms.model_validate(p), msg.workflow_id)
    elif msg.kind == "contract.event_after_period":
        await _signal_with_start(client, CONTRACT_WORKFLOW, ContractState.model_validate(p["state"]),
                                 CONTRACT_EVENT_SIGNAL, EventApplied.model_validate(p["applied"]), msg.workflow_id,
                                 task_queue)
    elif msg.kind == "case.start":
        state = CaseState(case_id=p["case_id"], clock=ClockSnapshot.model_validate(p["snapshot"]))
        await _start(client, CASE_WORKFLOW, state, msg.workflow_id, task_queue)
    elif msg.kind == "screening.rescreen":
        await _start(client, RESCREEN_WORKFLOW, RescreenState.model_validate(p), msg.workflow_id, task_queue)
    elif msg.kind == "case.update":
        update = CaseUpdate(case_id=p["case_id"], snapshot=ClockSnapshot.model_validate(p["snapshot"]))
        await _signal(client, CASE_UPDATED_SIGNAL, update, msg.workflow_id)
    elif msg.kind == "research.round_start":
        round_state = RoundState(round_id=p["round_id"], clock=ClockSnapshot.model_validate(p["snapshot"]))
        await _start(client, ROUND_WORKFLOW, round_state, msg.workflow_id, task_queue)
    elif msg.kind == "research.round_update":
        round_update = RoundUpdate(round_id=p["round_id"], snapshot=ClockSnapshot.model_validate(p["snapshot"]))
        await _signal(client, ROUND_UPDATED_SIGNAL, round_update, msg.workflow_id)
    elif msg.kind == "research.retention":
        # A changed end day reaches the waiting workflow as a signal and replaces its day; after the erasure (the
        # workflow has ended) it starts a new run, which waits for the new day (erasing again is harmless).
        retention = RetentionState.model_validate(p)
        await _signal_with_start(client, RETENTION_WORKFLOW, retention, RETENTION_CHANGED_SIGNAL, retention,
                                 msg.workflow_id, task_queue)
    elif msg.kind == "research.draft_start":
        await _start(client, DRAFT_WORKFLOW, DraftState.model_validate(p), msg.workflow_id, task_queue)
    elif msg.kind == "research.rescreen":
        await _start(client, RESEARCH_RESCREEN_WORKFLOW, ResearchRescreenState.model_validate(p), msg.workflow_id,
                     task_queue)
    else:
        raise ValueError(f"unknown outbox message kind {msg.kind!r}")


PAGE = 500
CONCURRENCY = 16


def _pending(engine: Engine, after: int, limit: int) -> list[OutboxMessage]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None),
                                                             OutboxMessage.id > after)
                                 .order_by(OutboxMessage.id).limit(limit)).all())


def _mark(engine: Engine, delivered: list[int], failed: list[tuple[int, str]]) -> None:
    """One transaction for a page: the delivered rows in one UPDATE, each failure with its own reason. A row
    another relay marked meanwhile keeps its mark (`delivered_at IS NULL`)."""
    table = OutboxMessage.__table__
    undelivered = table.c.delivered_at.is_(None)
    with session_scope(engine) as session:
        now = utcnow()
        for i in range(0, len(delivered), PAGE):
            session.execute(sa.update(table).where(table.c.id.in_(delivered[i:i + PAGE]), undelivered)
                            .values(delivered_at=now, attempts=table.c.attempts + 1))
        for msg_id, error in failed:
            session.execute(sa.update(table).where(table.c.id == msg_id, undelivered)
                            .values(attempts=table.c.attempts + 1, last_error=error[:2000]))


async def _deliver_chain(client: Client, task_queue: str, chain: list[OutboxMessage], gate: asyncio.Semaphore,
                         delivered: list[int], failed: list[tuple[int, str]]) -> int:
    """One workflow's rows in id order, each after the one before was delivered; returns how many were not."""
    async with gate:
        for n, msg in enumerate(chain):
            try:
                await deliver(client, task_queue, msg)
            except Exception as exc:
                log.warning("outbox %s (%s) not delivered yet: %s", msg.id, msg.kind, exc)
                failed.append((msg.id, f"{type(exc).__name__}: {exc}"))
                return len(chain) - n
            delivered.append(msg.id)
    return 0


async def drain(engine: Engine, client: Client, task_queue: str, *, page: int = PAGE,
                concurrency: int = CONCURRENCY) -> int:
    """Deliver what is pending; returns how many rows are still undelivered (0 = all done).

    A failed row holds back the later rows of its own workflow (a workflow sees its rows in id order), for
    the rest of this pass; the other workflows' rows go on."""
    gate = asyncio.Semaphore(concurrency)
    blocked: set[str] = set()
    after, left = 0, 0
    while True:
        rows = await asyncio.to_thread(_pending, engine, after, page)
        if not rows:
            return left
        after = rows[-1].id or after
        chains: dict[str, list[OutboxMessage]] = {}
        for msg in rows:
            if msg.workflow_id in blocked:
                left += 1
            else:
                chains.setdefault(msg.workflow_id, []).append(msg)
        delivered: list[int] = []
        failed: list[tuple[int, str]] = []
        try:
            held = await asyncio.gather(*(_deliver_chain(client, task_queue, chain, gate, delivered, failed)
                                          for chain in chains.values()))
            left += sum(held)
            failed_ids = {msg_id for msg_id, _ in failed}
            blocked.update(msg.workflow_id for msg in rows if msg.id in failed_ids)
        finally:
            # Also when the pass is cancelled (the process stops): what Temporal has taken is recorded.
            if delivered or failed:
                await asyncio.shield(asyncio.to_thread(_mark, engine, delivered, failed))


class Relay:
    """`idle_pass`: a pass this often even when nothing woke the relay (`tlc relay`: a NOTIFY can be lost
    while its listening connection is down); None waits for a poke (in the API, whose commits poke it)."""

    def __init__(self, engine: Engine, temporal: TemporalLink, task_queue: str,
                 max_backoff: timedelta = timedelta(seconds=30), idle_pass: timedelta | None = None,
                 concurrency: int = CONCURRENCY):
        self._engine, self._temporal, self._task_queue = engine, temporal, task_queue
        self._wake = asyncio.Event()
        self._max_backoff = max_backoff.total_seconds()
        self._idle = idle_pass.total_seconds() if idle_pass is not None else None
        self._concurrency = concurrency
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def poke(self) -> None:
        """Ask for a pass now; safe to call from request threads."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="tlc-outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        backoff = 0.5
        while True:
            # Cleared before the pass, so that a poke arriving during it starts another pass.
            self._wake.clear()
            try:
                client = await self._temporal.client()
                left = await drain(self._engine, client, self._task_queue, concurrency=self._concurrency)
            except Exception as exc:
                log.warning("outbox relay pass failed: %s", exc)
                left = 1
            if left:
                timeout: float | None = backoff if self._idle is None else min(backoff, self._idle)
                backoff = min(backoff * 2, self._max_backoff)
            else:
                timeout, backoff = self._idle, 0.5
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass


async def listen(database_url: str, wake: Callable[[], None], *, max_backoff: float = 30) -> None:
    """LISTEN for the outbox channel's notifications and `wake` on each; also once after every (re)connect,
    since what was notified while no connection listened is gone. Runs until cancelled."""
    import psycopg  # PostgreSQL only: the SQLite of `tlc dev` never gets here

    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    backoff = 0.5
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
                await conn.execute(f"LISTEN {OUTBOX_CHANNEL}")
                log.info("outbox relay listening for %s", OUTBOX_CHANNEL)
                backoff = 0.5
                wake()
                async for _ in conn.notifies():
                    wake()
        except Exception as exc:
            log.warning("outbox relay cannot listen (retrying in %.1f s): %s", backoff, exc)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, max_backoff)


async def run_relay(settings: Settings, stop: asyncio.Event) -> None:
    """`tlc relay`: the relay alone, woken by NOTIFY and by a safety pass, until `stop` is set."""
    engine = engine_for(settings)
    relay = Relay(engine, TemporalLink(settings), settings.temporal_task_queue,
                  idle_pass=timedelta(seconds=settings.relay_safety_pass_seconds),
                  concurrency=settings.relay_concurrency)
    relay.start()
    listener = asyncio.create_task(listen(settings.resolved_database_url(), relay.poke), name="tlc-outbox-listen")
    relay.poke()  # whatever is pending already
    try:
        await stop.wait()
    finally:
        listener.cancel()
        try:
            await listener
        except asyncio.CancelledError:
            pass
        await relay.stop()
        engine.dispose()


async def run_relay_forever(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_relay(settings, stop)
