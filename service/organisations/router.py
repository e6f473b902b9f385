"""Organisations: created by admins; officers see all (they deal with every contractor), others their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlmodel import select

from service.deps import CurrentPrincipal, SessionDep, principal_key, require_role
from service.idempotency import record_once
from service.organisations.models import Organisation, OrganisationCreate, OrganisationPublic
from service.pagination import Page, page_of
from service.problems import Problem, not_found

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])


@router.post("", status_code=201, response_model=OrganisationPublic)
def create_organisation(body: OrganisationCreate, principal: CurrentPrincipal, session: SessionDep,
                        idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Register a contractor, ministry or funding agency (admin)."""
    require_role(principal, "admin")

    def action():
        if session.get(Organisation, body.id) is not None:
            raise Problem(409, "Conflict", f"Organisation {body.id!r} already exists.")
        org = Organisation.model_validate(body)
        session.add(org)
        session.flush()
        return 201, OrganisationPublic.model_validate(org)

    status, payload = record_once(session, principal=principal_key(principal), key=idempotency_key,
                                  method="POST", path="/v1/organisations", body=body.model_dump(mode="json"),
                                  action=action, conflict_detail=f"Organisation {body.id!r} already exists.")
    return JSONResponse(payload, status_code=status)


def _visible(principal, org_id: str) -> bool:  # noqa: ANN001
    return principal.role in ("admin", "ministry_officer") or principal.org == org_id


@router.get("", response_model=Page[OrganisationPublic])
def list_organisations(principal: CurrentPrincipal, session: SessionDep,
                       kind: Annotated[str | None, Query(pattern="^(contractor|ministry|funding_agency)$")] = None,
                       after: str | None = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[OrganisationPublic]:
    query = select(Organisation)
    if kind:
        query = query.where(Organisation.kind == kind)
    if principal.role == "contractor":
        query = query.where(Organisation.id == principal.org)
    return page_of(session, query, Organisation.id, after, limit, OrganisationPublic)


@router.get("/{org_id}", response_model=OrganisationPublic)
def get_organisation(org_id: str, principal: CurrentPrincipal, session: SessionDep) -> OrganisationPublic:
    org = session.get(Organisation, org_id)
    if org is None or not _visible(principal, org_id):
        raise not_found("organisation", org_id)
    return OrganisationPublic.model_validate(org)
