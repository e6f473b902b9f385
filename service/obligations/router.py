"""Deadlines, per contract and across contracts, read from the database copy the workflows keep in step."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlmodel import select

from service.contracts import service as contracts
from service.contracts.models import Contract
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.obligations import service as obligations
from service.obligations.models import DeadlineRow
from service.obligations.schemas import ContractDetail, DeadlinePublic, ViolationPublic
from service.rules.obligations.state import OPEN_STATES, SOURCE_OF, VIOLATION_OBLIGATION
from service.rules.obligations.status import obligation_statuses

router = APIRouter(tags=["deadlines"])
StateFilter = Literal["open", "ok", "due_soon", "overdue", "met", "violated", "closed"]


def to_public(row: DeadlineRow) -> DeadlinePublic:
    return DeadlinePublic(**row.model_dump(exclude={"updated_at"}), source=SOURCE_OF[row.obligation])


def _filter(query, state: StateFilter | None):  # noqa: ANN001
    if state == "open":
        return query.where(DeadlineRow.state.in_(sorted(OPEN_STATES)))
    if state:
        return query.where(DeadlineRow.state == state)
    return query


@router.get("/v1/contracts/{contract_id}", response_model=ContractDetail, tags=["contracts"])
def get_contract(contract_id: str, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep) -> ContractDetail:
    """The contract with each obligation's status, its open deadlines and its recorded violations."""
    contract = contracts.get_visible(session, principal, contract_id)
    state = obligations.load(session, contract_id)
    rows = session.exec(select(DeadlineRow).where(DeadlineRow.contract_id == contract_id,
                                                  DeadlineRow.state.in_(sorted(OPEN_STATES)))
                        .order_by(DeadlineRow.due_on, DeadlineRow.id)).all()
    public = contracts.to_public(contract, ctx.today())
    statuses = obligation_statuses(state)
    if public.status == "closed":
        statuses = {k: "closed" for k in statuses}
    return ContractDetail(**public.model_dump(), obligations=statuses, open_deadlines=[to_public(r) for r in rows],
                          violations=[ViolationPublic(**v.model_dump(), obligation=VIOLATION_OBLIGATION[v.kind])
                                      for v in state.violations])


@router.get("/v1/contracts/{contract_id}/deadlines", response_model=list[DeadlinePublic])
def contract_deadlines(contract_id: str, principal: CurrentPrincipal, session: SessionDep,
                       state: StateFilter | None = None) -> list[DeadlinePublic]:
    """Every deadline of the contract (or those in one state; `open` = ok, due_soon or overdue)."""
    contracts.get_visible(session, principal, contract_id)
    query = _filter(select(DeadlineRow).where(DeadlineRow.contract_id == contract_id), state)
    return [to_public(r) for r in session.exec(query.order_by(DeadlineRow.due_on, DeadlineRow.id))]


@router.get("/v1/deadlines", response_model=list[DeadlinePublic])
def all_deadlines(principal: CurrentPrincipal, session: SessionDep,
                  due_before: date | None = None, state: StateFilter | None = "open",
                  limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> list[DeadlinePublic]:
    """Deadlines across the contracts the caller may see, soonest first (default: open ones)."""
    visible = contracts.scoped(select(Contract.id), principal)
    query = _filter(select(DeadlineRow).where(DeadlineRow.contract_id.in_(visible)), state)
    if due_before is not None:
        query = query.where(DeadlineRow.due_on < due_before)
    return [to_public(r) for r in session.exec(query.order_by(DeadlineRow.due_on, DeadlineRow.id).limit(limit))]
