"""Deadlines, per contract and across contracts, read from the database copy the workflows keep in step."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from service.authz import VisibleContract
from service.deps import CurrentPrincipal, SessionDep
from service.obligations import service
from service.obligations.schemas import DeadlinePublic
from service.obligations.service import StateFilter
from service.pagination import AFTER, link_next

router = APIRouter(tags=["deadlines"])


@router.get("/v1/contracts/{contract_id}/deadlines", response_model=list[DeadlinePublic])
def contract_deadlines(contract: VisibleContract, session: SessionDep,
                       state: StateFilter | None = None) -> list[DeadlinePublic]:
    """Every deadline of the contract (or those in one state; `open` = ok, due_soon or overdue)."""
    return service.deadlines_of(session, contract.id, state)


@router.get("/v1/deadlines", response_model=list[DeadlinePublic])
def all_deadlines(principal: CurrentPrincipal, session: SessionDep, request: Request, response: Response,
                  due_before: date | None = None, state: StateFilter | None = "open",
                  after: Annotated[str | None, Query(max_length=600, description=AFTER)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> list[DeadlinePublic]:
    """Deadlines across the contracts the caller may see, soonest first (default: open ones)."""
    rows, cursor = service.visible_deadline_rows(session, principal, state=state, due_before=due_before,
                                                 after=after, limit=limit)
    link_next(request, response, cursor)
    return [service.deadline_public(r) for r in rows]
