"""The worker: runs every workflow and activity of tlc on one task queue, as a long-lived process that
shuts down cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from service.config import Settings, get_settings
from service.db import engine_for
from service.notifications.addresses import Resolver, system_resolver
from service.temporal_link import connect
from workflows.consultation.activities import ConsultationActivities
from workflows.consultation.workflows import ConsultationWorkflow
from workflows.contract.activities import ContractActivities
from workflows.contract.workflows import ContractWorkflow
from workflows.notify.activities import NotifyActivities
from workflows.research.activities import ResearchActivities
from workflows.research.workflows import (
    DeclarationDraftWorkflow,
    ResearchRescreenWorkflow,
    RetentionWorkflow,
    ReviewRoundWorkflow,
)
from workflows.screening.activities import ScreeningActivities
from workflows.screening.workflows import RescreenWorkflow

log = logging.getLogger("tlc.worker")
WORKFLOWS = [ContractWorkflow, ConsultationWorkflow, RescreenWorkflow, ReviewRoundWorkflow, RetentionWorkflow,
             ResearchRescreenWorkflow, DeclarationDraftWorkflow]

# Pydantic and our pure modules are deterministic; importing them afresh in every sandbox would cost
# ~240 ms per workflow instance for nothing.
SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "pydantic", "pydantic_core", "annotated_types", "service.rules", "service.workflow_io",
        "workflows.constants"))


def build_worker(client: Client, engine: Engine, task_queue: str, settings: Settings | None = None,
                 resolver: Resolver = system_resolver, **options: Any) -> Worker:
    """`resolver` (tests): how webhook hosts are resolved before each delivery, instead of getaddrinfo;
    `options`: more of Temporal's Worker options."""
    return Worker(client, task_queue=task_queue, workflows=WORKFLOWS, workflow_runner=SANDBOX,
                  activities=activities(engine, settings or get_settings(), resolver), **options)


def activities(engine: Engine, settings: Settings, resolver: Resolver = system_resolver) -> list[Callable]:
    """Every activity of tlc, bound to the database (a worker may run them apart from the workflows:
    bench/worker_memory.py does, to weigh the workflows alone)."""
    contract, case = ContractActivities(engine), ConsultationActivities(engine)
    notify = NotifyActivities(engine, settings, resolver)
    screening = ScreeningActivities(engine)
    research = ResearchActivities(engine, settings)
    return [contract.advance, contract.close, case.advance, notify.plan, notify.deliver, notify.give_up,
            screening.rescreen_batch, research.advance, research.deliver, research.give_up, research.erase,
            research.rescreen_batch, research.expire_draft]


async def connect_with_retry(settings: Settings, attempts: int = 60) -> Client:
    for i in range(attempts):
        try:
            return await connect(settings)
        except Exception as exc:
            if i == attempts - 1:
                raise
            log.info("Temporal at %s not reachable yet (%s); retrying", settings.temporal_address, exc)
            await asyncio.sleep(1)
    raise AssertionError("unreachable")


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    client = await connect_with_retry(settings)
    engine = engine_for(settings)
    worker = build_worker(client, engine, settings.temporal_task_queue, settings)
    try:
        async with worker:
            log.info("worker polling task queue %r at %s", settings.temporal_task_queue, settings.temporal_address)
            await stop.wait()
    finally:
        engine.dispose()


async def run_worker_forever(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_worker(settings, stop)
