"""Deadlines, per contract and across contracts, read from the database copy the workflows keep in step."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from service.authz import VisibleContract
from service.deps import CurrentPrincipal, SessionDep
from service.obligations import service
from service.obligations.schemas import DeadlinePublic
from service.obligations.service import StateFilter

router = APIRouter(tags=["deadlines"])


@router.get("/v1/contracts/{contract_id}/deadlines", response_model=list[DeadlinePublic])
def contract_deadlines(contract: VisibleContract, session: SessionDep,
                       state: StateFilter | None = None) -> list[DeadlinePublic]:
    """Every deadline of the contract (or those in one state; `open` = ok, due_soon or overdue)."""
    return service.deadlines_of(session, contract.id, state)


@router.get("/v1/deadlines", response_model=list[DeadlinePublic])
def all_deadlines(principal: CurrentPrincipal, session: SessionDep,
                  due_before: date | None = None, state: StateFilter | None = "open",
                  limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> list[DeadlinePublic]:
    """Deadlines across the contracts the caller may see, soonest first (default: open ones)."""
    rows = service.visible_deadline_rows(session, principal, state=state, due_before=due_before, limit=limit)
    return [service.deadline_public(r) for r in rows]
