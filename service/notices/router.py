"""Ministry notices on a contract: issued by the programme's officers, read by both sides."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.authz import VisibleContract
from service.commands import RecordDep
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.notices import service
from service.notices.schemas import NoticeCreate, NoticeIssued, NoticePublic

router = APIRouter(prefix="/v1/contracts/{contract_id}/notices", tags=["notices"])


@router.post("", status_code=201, response_model=NoticeIssued)
def create_notice(contract_id: str, body: NoticeCreate, principal: CurrentPrincipal, session: SessionDep,
                  ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """Officer: notify the contractor that matching plans must be consulted on (condition 2); open plans already
    reported that it reaches get their cases now (`effects`)."""
    return record(body, lambda: service.issue(session, principal=principal, contract_id=contract_id, body=body,
                                              today=ctx.today()))


@router.get("", response_model=list[NoticePublic])
def list_notices(contract: VisibleContract, session: SessionDep) -> list[NoticePublic]:
    return [NoticePublic.model_validate(n, from_attributes=True) for n in service.of_contract(session, contract.id)]
