"""Programmes: created by admins; an officer sees their ministry's, a contractor those it has contracts in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from service import authz
from service.authz import AdminOnly
from service.commands import RecordDep
from service.deps import CurrentPrincipal, SessionDep
from service.pagination import Page
from service.problems import Msg
from service.programmes import service
from service.programmes.models import ProgrammeCreate, ProgrammePublic, ProgrammeUpdate

router = APIRouter(prefix="/v1/programmes", tags=["programmes"])


@router.post("", status_code=201, response_model=ProgrammePublic)
def create_programme(body: ProgrammeCreate, _: AdminOnly, session: SessionDep, record: RecordDep) -> JSONResponse:
    """Register a programme with its technology areas and policy overrides (admin)."""
    return record(body, lambda: service.register(session, body=body),
                  conflict_detail=Msg("Programme '{id}' already exists.", {"id": body.id}))


@router.patch("/{programme_id}", response_model=ProgrammePublic)
def update_programme(programme_id: str, body: ProgrammeUpdate, _: AdminOnly, session: SessionDep,
                     record: RecordDep) -> JSONResponse:
    """Change a programme (admin): its name, support, switch or policy. Contracts already registered keep the
    switches of their call; the policy's figures apply to all."""
    return record(body, lambda: service.update(session, programme_id=programme_id, body=body))


@router.get("", response_model=Page[ProgrammePublic])
def list_programmes(principal: CurrentPrincipal, session: SessionDep,
                    follow_up: Annotated[bool, Query(description="only programmes with ¥1bn+ a year to one institution")] = False,
                    after: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[ProgrammePublic]:
    return service.page(session, principal, follow_up=follow_up, after=after, limit=limit)


@router.get("/{programme_id}", response_model=ProgrammePublic)
def get_programme(programme_id: str, principal: CurrentPrincipal, session: SessionDep) -> ProgrammePublic:
    return service.to_public(authz.programme(session, principal, programme_id))
