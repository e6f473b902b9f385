"""The re-screening workflow's I/O: one short transaction of the screening service per batch."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.engine import Engine
from temporalio import activity

from service.db import run_in_transaction
from service.screening import service as screening

# A batch beats this often while it works, so that a worker that dies in one is noticed within the workflow's
# heartbeat time-out (seconds), not its whole time-out (minutes), and the batch is run again elsewhere.
HEARTBEAT_EVERY = 2.0


class ScreeningActivities:
    def __init__(self, engine: Engine):
        self._engine = engine

    @activity.defn(name="screening.rescreen_batch")
    async def rescreen_batch(self, version_id: str, after: str | None, limit: int) -> dict[str, Any]:
        work = asyncio.ensure_future(asyncio.to_thread(run_in_transaction, self._engine, screening.rescreen_batch,
                                                       version_id, after, limit))
        while True:
            done, _ = await asyncio.wait({work}, timeout=HEARTBEAT_EVERY)
            if done:
                return work.result()
            activity.heartbeat()
