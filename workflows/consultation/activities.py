"""The consultation workflow's I/O: apply the review-clock rules to the case in the database."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy.engine import Engine
from temporalio import activity

from service import audit
from service.consultations import service as cases
from service.consultations.models import CaseHistoryEntry, ConsultationCase
from service.db import session_scope, utcnow
from service.obligations import service as obligations
from service.rules import consultation as rules
from service.workflow_io import ClockSnapshot


class ConsultationActivities:
    def __init__(self, engine: Engine):
        self._engine = engine

    @activity.defn(name="case.advance")
    async def advance(self, case_id: str, as_of: date) -> ClockSnapshot:
        """Move the case's review clock to its state on `as_of` (a Japan date given by the workflow)."""
        return await asyncio.to_thread(self._advance, case_id, as_of)

    def _advance(self, case_id: str, as_of: date) -> ClockSnapshot:
        with session_scope(self._engine) as session:
            case = session.get(ConsultationCase, case_id)
            if case is None:
                raise LookupError(f"consultation case {case_id} is not in the database")
            contract = obligations.lock_contract(session, case.contract_id)
            assert contract is not None
            session.refresh(case)
            policy = obligations.policy_of(session, contract)
            clock = rules.review_clock(case.status, case.review_target_on, as_of, policy.due_soon_days)
            if clock != case.review_clock:
                before, case.review_clock = case.review_clock, clock
                case.version += 1
                case.updated_at = utcnow()
                session.add(case)
                detail = {"before": before, "after": clock, "on": as_of.isoformat(),
                          "review_target_on": case.review_target_on.isoformat()}
                session.add(CaseHistoryEntry(case_id=case.id, actor="system", action=f"review_clock.{clock}",
                                             detail=detail))
                audit.append(session, contract_id=case.contract_id, actor="system",
                             action=f"consultation.review_clock.{clock}", case_id=case.id, **detail)
            if (case.status == "info_requested" and case.respond_by is not None
                    and rules.respond_clock(case.respond_by, as_of) == "overdue"):
                already = session.exec(
                    CaseHistoryEntry.__table__.select().where(  # type: ignore[attr-defined]
                        CaseHistoryEntry.case_id == case.id, CaseHistoryEntry.action == "respond_by.passed",
                        CaseHistoryEntry.detail.is_not(None))).all()
                if not any(r.detail.get("respond_by") == case.respond_by.isoformat() for r in already):
                    session.add(CaseHistoryEntry(case_id=case.id, actor="system", action="respond_by.passed",
                                                 detail={"respond_by": case.respond_by.isoformat()}))
            return cases.snapshot(case, today=as_of, policy=policy)
