"""Contractor events: the API through which compliance staff report what happens on a contract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sqlmodel import select

from service.contracts.service import get_visible
from service.deps import CtxDep, CurrentPrincipal, SessionDep, principal_key
from service.events import service
from service.events.models import ContractEvent
from service.events.schemas import EventAccepted, EventCreate, EventPublic
from service.idempotency import record_once

router = APIRouter(prefix="/v1/contracts/{contract_id}/events", tags=["events"])


@router.post("", status_code=202, response_model=EventAccepted)
def report_event(contract_id: str, body: EventCreate, principal: CurrentPrincipal, session: SessionDep,
                 ctx: CtxDep, idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Report an event; the answer lists what it opened, met or recorded (its effects)."""
    path = f"/v1/contracts/{contract_id}/events"
    status, payload = record_once(
        session, principal=principal_key(principal), key=idempotency_key, method="POST", path=path,
        body=body.model_dump(mode="json"),
        action=lambda: (202, service.accept(session, principal=principal, contract_id=contract_id, body=body,
                                            today=ctx.today())))
    ctx.relay_poke()
    return JSONResponse(payload, status_code=status)


@router.get("", response_model=list[EventPublic])
def list_events(contract_id: str, principal: CurrentPrincipal, session: SessionDep,
                type: str | None = None) -> list[EventPublic]:  # noqa: A002
    """The contract's accepted events, oldest first."""
    get_visible(session, principal, contract_id)
    query = select(ContractEvent).where(ContractEvent.contract_id == contract_id)
    if type:
        query = query.where(ContractEvent.type == type)
    rows = session.exec(query.order_by(ContractEvent.received_at, ContractEvent.id)).all()
    return [EventPublic.model_validate(r, from_attributes=True) for r in rows]
