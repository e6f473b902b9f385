"""Contracts: registration starts the contract's durable workflow; reads are scoped to the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlmodel import select

from service import audit
from service.audit import AuditEntryPublic
from service.contracts import service
from service.contracts.models import Contract, ContractCreate, ContractPublic
from service.deps import CtxDep, CurrentPrincipal, SessionDep, principal_key
from service.idempotency import record_once
from service.pagination import Page, page_of

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])


@router.post("", status_code=201, response_model=ContractPublic)
def create_contract(body: ContractCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                    idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Register a contract (admin, or an officer of the programme's ministry); this starts its workflow."""
    status, payload = record_once(
        session, principal=principal_key(principal), key=idempotency_key, method="POST", path="/v1/contracts",
        body=body.model_dump(mode="json"),
        action=lambda: (201, service.register(session, principal=principal, body=body, now=ctx.now())),
        conflict_detail=f"Contract {body.id!r} already exists.")
    # The workflow start is in the outbox, committed with the contract: the relay delivers it now,
    # or later if Temporal is away.
    ctx.relay_poke()
    return JSONResponse(payload, status_code=status)


@router.get("", response_model=Page[ContractPublic])
def list_contracts(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                   programme_id: str | None = None, contractor_org: str | None = None,
                   after: str | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[ContractPublic]:
    query = service.scoped(select(Contract), principal)
    if programme_id:
        query = query.where(Contract.programme_id == programme_id)
    if contractor_org:
        query = query.where(Contract.contractor_org == contractor_org)
    today = ctx.today()
    return page_of(session, query, Contract.id, after, limit, ContractPublic,
                   convert=lambda c: service.to_public(c, today))


@router.get("/{contract_id}/audit", response_model=list[AuditEntryPublic])
def get_audit(contract_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[AuditEntryPublic]:
    """The contract's append-only audit trail, oldest first."""
    service.get_visible(session, principal, contract_id)
    return audit.trail(session, contract_id)
