"""The re-screening workflow's I/O: one short transaction of the screening service per batch."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from temporalio import activity

from service.screening import service as screening
from workflows.attempts import beating


class ScreeningActivities:
    def __init__(self, engine: Engine):
        self._engine = engine

    @activity.defn(name="screening.rescreen_batch")
    async def rescreen_batch(self, version_id: str, after: str | None, limit: int) -> dict[str, Any]:
        return await beating(self._engine, screening.rescreen_batch, version_id, after, limit)
