"""The contract workflow's I/O: each activity is one short database transaction of the obligations service."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlalchemy.engine import Engine
from temporalio import activity

from service.db import run_in_transaction
from service.obligations import service as obligations
from service.workflow_io import ClockSnapshot


class ContractActivities:
    def __init__(self, engine: Engine):
        self._engine = engine

    @activity.defn(name="contract.advance")
    async def advance(self, contract_id: str, as_of: date) -> ClockSnapshot:
        """Move the contract's deadlines to their state on `as_of` (a Japan date given by the workflow)."""
        return await asyncio.to_thread(run_in_transaction, self._engine, obligations.advance, contract_id, as_of)

    @activity.defn(name="contract.close")
    async def close(self, contract_id: str, closed_at: datetime) -> None:
        await asyncio.to_thread(run_in_transaction, self._engine, obligations.close, contract_id, closed_at)
