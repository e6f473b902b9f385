"""Running the worker as a long-lived process, shutting down cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from temporalio.client import Client

from service.config import Settings
from service.db import engine_for

log = logging.getLogger("tlc.worker")


async def connect_with_retry(settings: Settings, attempts: int = 60) -> Client:
    from workflows.client import connect

    for i in range(attempts):
        try:
            return await connect(settings)
        except Exception as exc:  # noqa: BLE001 - the server may still be starting
            if i == attempts - 1:
                raise
            log.info("Temporal at %s not reachable yet (%s); retrying", settings.temporal_address, exc)
            await asyncio.sleep(1)
    raise AssertionError("unreachable")


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    from workflows.worker import build_worker

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
