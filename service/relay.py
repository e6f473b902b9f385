"""Delivers outbox rows to Temporal, in order, until Temporal has each of them.

Runs inside the API process: woken after a transaction that wrote a row commits, and on a back-off
timer while rows are still undelivered (Temporal down). Every delivery is idempotent, so several relays
(several API replicas) may run at the same time. Workflows are started and signalled by name
(service/workflow_io.py): the API process never imports workflow code.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from service.db import session_scope, utcnow
from service.outbox import OutboxMessage
from service.temporal_link import TemporalLink
from service.workflow_io import (
    CASE_UPDATED_SIGNAL,
    CASE_WORKFLOW,
    CONTRACT_EVENT_SIGNAL,
    CONTRACT_TERMS_SIGNAL,
    CONTRACT_WORKFLOW,
    CaseState,
    CaseUpdate,
    ClockSnapshot,
    ContractState,
    ContractTerms,
    EventApplied,
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
    elif msg.kind == "case.update":
        update = CaseUpdate(case_id=p["case_id"], snapshot=ClockSnapshot.model_validate(p["snapshot"]))
        await _signal(client, CASE_UPDATED_SIGNAL, update, msg.workflow_id)
    else:
        raise ValueError(f"unknown outbox message kind {msg.kind!r}")


def _pending(engine: Engine, limit: int) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))
                                 .order_by(OutboxMessage.id).limit(limit)).all())


def _mark(engine: Engine, msg_id: int, error: str | None) -> None:
    with session_scope(engine) as session:
        msg = session.get(OutboxMessage, msg_id)
        if msg is None or msg.delivered_at is not None:
            return
        msg.attempts += 1
        if error is None:
            msg.delivered_at = utcnow()
        else:
            msg.last_error = error[:2000]


async def drain(engine: Engine, client: Client, task_queue: str, *, batch: int = 100) -> int:
    """Deliver what is pending; returns how many rows are still undelivered after a failure (0 = all done)."""
    while True:
        rows = await asyncio.to_thread(_pending, engine, batch)
        if not rows:
            return 0
        for msg in rows:
            try:
                await deliver(client, task_queue, msg)
            except Exception as exc:
                log.warning("outbox %s (%s) not delivered yet: %s", msg.id, msg.kind, exc)
                await asyncio.to_thread(_mark, engine, msg.id, f"{type(exc).__name__}: {exc}")
                return len(rows)
            await asyncio.to_thread(_mark, engine, msg.id, None)


class Relay:
    def __init__(self, engine: Engine, temporal: TemporalLink, task_queue: str,
                 max_backoff: timedelta = timedelta(seconds=30)):
        self._engine, self._temporal, self._task_queue = engine, temporal, task_queue
        self._wake = asyncio.Event()
        self._max_backoff = max_backoff.total_seconds()
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
                left = await drain(self._engine, client, self._task_queue)
            except Exception as exc:
                log.warning("outbox relay pass failed: %s", exc)
                left = 1
            if left:
                timeout: float | None = backoff
                backoff = min(backoff * 2, self._max_backoff)
            else:
                timeout, backoff = None, 0.5
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
