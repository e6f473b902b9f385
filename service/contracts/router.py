"""Contracts: registration starts the contract's durable workflow; reads are scoped to the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from service import audit
from service.audit import AuditEntryPublic
from service.authz import VisibleContract
from service.commands import RecordDep
from service.contracts import service
from service.contracts.models import ContractCreate, ContractPublic
from service.contracts.schemas import ContractDetail
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.pagination import Page

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])


@router.post("", status_code=201, response_model=ContractPublic)
def create_contract(body: ContractCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                    record: RecordDep) -> JSONResponse:
    """Register a contract (admin, or an officer of the programme's ministry); this starts its workflow."""
    # The workflow start is in the outbox, committed with the contract: the relay delivers it after the
    # commit, or later if Temporal is away.
    return record(body, lambda: service.register(session, principal=principal, body=body, now=ctx.now()),
                  conflict_detail=f"Contract {body.id!r} already exists.")


@router.get("", response_model=Page[ContractPublic])
def list_contracts(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                   programme_id: str | None = None, contractor_org: str | None = None,
                   after: str | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[ContractPublic]:
    return service.page(session, principal, ctx.today(), programme_id=programme_id,
                        contractor_org=contractor_org, after=after, limit=limit)


@router.get("/{contract_id}", response_model=ContractDetail)
def get_contract(contract: VisibleContract, session: SessionDep, ctx: CtxDep) -> ContractDetail:
    """The contract with each obligation's status, its open deadlines and its recorded violations."""
    return service.detail(session, contract, ctx.today())


@router.get("/{contract_id}/audit", response_model=list[AuditEntryPublic])
def get_audit(contract: VisibleContract, session: SessionDep) -> list[AuditEntryPublic]:
    """The contract's append-only audit trail, oldest first."""
    return audit.trail(session, contract.id)
