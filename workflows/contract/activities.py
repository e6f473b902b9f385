"""The contract workflow's I/O: each activity is one short database transaction applying pure rules."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlalchemy.engine import Engine
from temporalio import activity

from service import audit
from service.db import session_scope
from service.obligations import service as obligations
from service.rules.obligations import clock
from service.workflow_io import ClockSnapshot


class ContractActivities:
    def __init__(self, engine: Engine):
        self._engine = engine

    @activity.defn(name="contract.advance")
    async def advance(self, contract_id: str, as_of: date) -> ClockSnapshot:
        """Move the contract's deadlines to their state on `as_of` (a Japan date given by the workflow)."""
        return await asyncio.to_thread(self._advance, contract_id, as_of)

    def _advance(self, contract_id: str, as_of: date) -> ClockSnapshot:
        with session_scope(self._engine) as session:
            contract = obligations.lock_contract(session, contract_id)
            if contract is None:
                raise LookupError(f"contract {contract_id} is not in the database")
            policy = obligations.policy_of(session, contract)
            state = obligations.load(session, contract_id)
            transitions = clock.advance(state, today=as_of, policy=policy)
            if transitions:
                obligations.save(session, contract_id, state)
                for t in transitions:
                    audit.append(session, contract_id=contract_id, actor="system", action=f"deadline.{t.after}",
                                 deadline_id=t.deadline_id, kind=t.kind, before=t.before, on=t.on.isoformat(),
                                 violation_id=t.violation_id,
                                 reason="the contract's clock reached this deadline's date")
            return obligations.snapshot(state, today=as_of, policy=policy)

    @activity.defn(name="contract.close")
    async def close(self, contract_id: str, closed_at: datetime) -> None:
        await asyncio.to_thread(self._close, contract_id, closed_at)

    def _close(self, contract_id: str, closed_at: datetime) -> None:
        with session_scope(self._engine) as session:
            contract = obligations.lock_contract(session, contract_id)
            if contract is None or contract.closed_at is not None:
                return  # a retried activity finds the work done
            state = obligations.load(session, contract_id)
            transitions = clock.close(state, today=contract.obligation_period_end)
            obligations.save(session, contract_id, state)
            contract.closed_at = closed_at
            session.add(contract)
            audit.append(session, contract_id=contract_id, actor="system", action="contract.closed",
                         reason="the obligation period (term + 3 years) has ended; the record is read-only",
                         obligation_period_end=contract.obligation_period_end.isoformat(),
                         closed_deadlines=[t.deadline_id for t in transitions])
