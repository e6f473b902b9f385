"""Programmes: created by admins; an officer sees their ministry's, a contractor those it has contracts in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlmodel import Session, select

from service.auth.tokens import Principal
from service.contracts.models import Contract
from service.deps import CurrentPrincipal, SessionDep, principal_key, require_role
from service.idempotency import record_once
from service.organisations.models import Organisation
from service.pagination import Page, page_of
from service.problems import Problem, not_found
from service.programmes.models import Programme, ProgrammeCreate, ProgrammePublic

router = APIRouter(prefix="/v1/programmes", tags=["programmes"])

# DOMAIN.md §3 (source line 1696): ministries follow up programmes supporting one institution with
# ¥1 billion a year or more.
FOLLOW_UP_THRESHOLD_JPY = 1_000_000_000


def to_public(p: Programme) -> ProgrammePublic:
    return ProgrammePublic(**p.model_dump(), effective_policy=p.effective_policy())


def _require_org(session: Session, org_id: str, kind: str, field: str) -> None:
    org = session.get(Organisation, org_id)
    if org is None or org.kind != kind:
        raise Problem(422, "Unprocessable Content", f"{field} must name a registered {kind} organisation.",
                      type_="https://tlc.example/problems/validation",
                      errors=[{"loc": ["body", field], "msg": f"no {kind} organisation {org_id!r}"}])


@router.post("", status_code=201, response_model=ProgrammePublic)
def create_programme(body: ProgrammeCreate, principal: CurrentPrincipal, session: SessionDep,
                     idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Register a programme with its technology areas and policy overrides (admin)."""
    require_role(principal, "admin")

    def action():
        if session.get(Programme, body.id) is not None:
            raise Problem(409, "Conflict", f"Programme {body.id!r} already exists.")
        _require_org(session, body.ministry, "ministry", "ministry")
        if body.funding_agency is not None:
            _require_org(session, body.funding_agency, "funding_agency", "funding_agency")
        programme = Programme.model_validate(body)
        session.add(programme)
        session.flush()
        return 201, to_public(programme)

    status, payload = record_once(session, principal=principal_key(principal), key=idempotency_key,
                                  method="POST", path="/v1/programmes", body=body.model_dump(mode="json"),
                                  action=action, conflict_detail=f"Programme {body.id!r} already exists.")
    return JSONResponse(payload, status_code=status)


def scoped(query, principal: Principal):  # noqa: ANN001
    if principal.role == "ministry_officer":
        return query.where(Programme.ministry == principal.org)
    if principal.role == "contractor":
        mine = select(Contract.programme_id).where(Contract.contractor_org == principal.org)
        return query.where(Programme.id.in_(mine))
    return query


@router.get("", response_model=Page[ProgrammePublic])
def list_programmes(principal: CurrentPrincipal, session: SessionDep,
                    follow_up: Annotated[bool, Query(description="only programmes with ¥1bn+ a year to one institution")] = False,
                    after: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[ProgrammePublic]:
    query = scoped(select(Programme), principal)
    if follow_up:
        query = query.where(Programme.annual_support_jpy >= FOLLOW_UP_THRESHOLD_JPY)
    return page_of(session, query, Programme.id, after, limit, ProgrammePublic, convert=to_public)


@router.get("/{programme_id}", response_model=ProgrammePublic)
def get_programme(programme_id: str, principal: CurrentPrincipal, session: SessionDep) -> ProgrammePublic:
    programme = session.exec(scoped(select(Programme).where(Programme.id == programme_id), principal)).first()
    if programme is None:
        raise not_found("programme", programme_id)
    return to_public(programme)
