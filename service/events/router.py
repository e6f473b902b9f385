"""Contractor events: the API through which compliance staff report what happens on a contract."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.authz import VisibleContract
from service.commands import RecordDep
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.events import service
from service.events.schemas import EventAccepted, EventBatch, EventBatchAccepted, EventCreate, EventPublic

router = APIRouter(prefix="/v1/contracts/{contract_id}/events", tags=["events"])


@router.post("", status_code=202, response_model=EventAccepted)
def report_event(contract_id: str, body: EventCreate, principal: CurrentPrincipal, session: SessionDep,
                 ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """Report an event; the answer lists what it opened, met or recorded (its effects)."""
    return record(body, lambda: service.accept(session, principal=principal, contract_id=contract_id, body=body,
                                               today=ctx.today()))


@router.post(":batch", status_code=202, response_model=EventBatchAccepted)
def report_events(contract_id: str, body: EventBatch, principal: CurrentPrincipal, session: SessionDep,
                  ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """Report up to 500 events at once (a contractor's system catching up): applied in the order given, in one
    transaction, all or none; a refused event names its index (`loc` body.events.N, or `event_index`)."""
    return record(body, lambda: service.accept_batch(session, principal=principal, contract_id=contract_id,
                                                     bodies=body.events, today=ctx.today()))


@router.get("", response_model=list[EventPublic])
def list_events(contract: VisibleContract, session: SessionDep,
                type: str | None = None) -> list[EventPublic]:
    """The contract's accepted events, oldest first."""
    return [EventPublic.model_validate(r, from_attributes=True)
            for r in service.of_contract(session, contract.id, [type] if type else None)]
