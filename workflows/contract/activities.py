"""The contract workflow's I/O: each activity is one short database transaction."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.engine import Engine
from temporalio import activity

from service import audit
from service.contracts.models import Contract
from service.db import session_scope


class ContractActivities:
    def __init__(self, engine: Engine):
        self._engine = engine

    @activity.defn(name="contract.mark_closed")
    async def mark_closed(self, contract_id: str, closed_at: datetime) -> None:
        await asyncio.to_thread(self._mark_closed, contract_id, closed_at)

    def _mark_closed(self, contract_id: str, closed_at: datetime) -> None:
        with session_scope(self._engine) as session:
            contract = session.get(Contract, contract_id)
            if contract is None or contract.closed_at is not None:
                return  # a retried activity finds the work done
            contract.closed_at = closed_at
            audit.append(session, contract_id=contract_id, actor="system", action="contract.closed",
                         reason="the obligation period (term + 3 years) has ended",
                         obligation_period_end=contract.obligation_period_end.isoformat())
