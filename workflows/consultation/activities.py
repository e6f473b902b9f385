"""The consultation workflow's I/O: one short database transaction of the consultations service."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy.engine import Engine
from temporalio import activity

from service.consultations import service as cases
from service.db import run_in_transaction
from service.workflow_io import ClockSnapshot


class ConsultationActivities:
    def __init__(self, engine: Engine):
        self._engine = engine

    @activity.defn(name="case.advance")
    async def advance(self, case_id: str, as_of: date) -> ClockSnapshot:
        """Move the case's review clock to its state on `as_of` (a Japan date given by the workflow)."""
        return await asyncio.to_thread(run_in_transaction, self._engine, cases.advance_clock, case_id, as_of)
