"""Organisations: created by admins; officers see all (they deal with every contractor), others their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from service import authz
from service.authz import AdminOnly
from service.commands import RecordDep
from service.deps import CurrentPrincipal, SessionDep
from service.organisations import service
from service.organisations.models import OrganisationCreate, OrganisationPublic
from service.pagination import Page
from service.problems import Msg

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])


@router.post("", status_code=201, response_model=OrganisationPublic)
def create_organisation(body: OrganisationCreate, _: AdminOnly, session: SessionDep,
                        record: RecordDep) -> JSONResponse:
    """Register a contractor, ministry or funding agency (admin)."""
    return record(body, lambda: service.register(session, body=body),
                  conflict_detail=Msg("Organisation '{id}' already exists.", {"id": body.id}))


@router.get("", response_model=Page[OrganisationPublic])
def list_organisations(principal: CurrentPrincipal, session: SessionDep,
                       kind: Annotated[str | None, Query(pattern="^(contractor|ministry|funding_agency)$")] = None,
                       after: str | None = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[OrganisationPublic]:
    return service.page(session, principal, kind=kind, after=after, limit=limit)


@router.get("/{org_id}", response_model=OrganisationPublic)
def get_organisation(org_id: str, principal: CurrentPrincipal, session: SessionDep) -> OrganisationPublic:
    return OrganisationPublic.model_validate(authz.organisation(session, principal, org_id))
