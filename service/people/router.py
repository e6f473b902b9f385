"""The people directory: kept by admins; an officer may list the people of their own ministry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from service import authz
from service.authz import AdminOnly
from service.commands import RecordDep
from service.deps import CurrentPrincipal, SessionDep
from service.pagination import Page
from service.people import service
from service.people.models import PersonCreate, PersonPublic, PersonUpdate
from service.problems import Msg

router = APIRouter(prefix="/v1/people", tags=["people"])


@router.post("", status_code=201, response_model=PersonPublic)
def create_person(body: PersonCreate, _: AdminOnly, session: SessionDep, record: RecordDep) -> JSONResponse:
    """Add a person to the directory (admin): the organisation and subject their tokens carry, their name and role."""
    return record(body, lambda: service.register(session, body=body),
                  conflict_detail=Msg("Person '{sub}' of '{org}' is already in the directory.",
                                      {"sub": body.sub, "org": body.org}))


@router.get("", response_model=Page[PersonPublic])
def list_people(principal: CurrentPrincipal, session: SessionDep,
                org: Annotated[str | None, Query(max_length=64, description="only this organisation's people")] = None,
                after: Annotated[str | None, Query(description="the next_after of the previous page")] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[PersonPublic]:
    """The directory (admin), or the people of the officer's own ministry."""
    authz.require_role(principal, "admin", "ministry_officer")
    return service.page(session, principal, org=org, after=after, limit=limit)


@router.patch("/{org}/{sub:path}", response_model=PersonPublic)
def update_person(org: str, sub: str, body: PersonUpdate, _: AdminOnly, session: SessionDep,
                  record: RecordDep) -> JSONResponse:
    """Change a person's name, role, e-mail address or whether they are active (admin)."""
    return record(body, lambda: service.update(session, org=org, sub=sub, body=body))
