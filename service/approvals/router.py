"""Bayh-Dole prior approvals: decided by the officers of the programme's ministry."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.approvals import service
from service.approvals.schemas import ApprovalDecided, ApprovalDecision
from service.commands import RecordDep
from service.deps import CtxDep, CurrentPrincipal, SessionDep

router = APIRouter(tags=["notices"])


@router.post("/v1/contracts/{contract_id}/approvals/{approval_id}/decide", response_model=ApprovalDecided)
def decide_approval(contract_id: str, approval_id: str, body: ApprovalDecision, principal: CurrentPrincipal,
                    session: SessionDep, ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """Officer: grant or refuse a Bayh-Dole prior approval requested by a planned transfer (its
    `prior_approval_requested` effect's id)."""
    return record(body, lambda: service.decide(session, principal=principal, contract_id=contract_id,
                                               approval_id=approval_id, granted=body.granted, reason=body.reason,
                                               today=ctx.today()))
