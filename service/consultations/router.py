"""The consultation inbox API: officers review and decide, contractors answer and withdraw."""

# No `from __future__ import annotations`: the action endpoints are built in a loop, and FastAPI must
# read each one's body type from its real annotation.

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service.authz import VisibleCase
from service.commands import RecordDep
from service.consultations import service
from service.consultations.actions import CASE_ACTIONS, CaseAction
from service.consultations.schemas import CaseDetail, CasePage
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.i18n import LangDep

router = APIRouter(tags=["consultations"])
Sort = Literal["age", "target"]


@router.get("/v1/consultations", response_model=CasePage)
def list_cases(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
               status: Annotated[str | None, Query(pattern="^(submitted|under_review|info_requested|concluded|withdrawn|open)$")] = None,
               contract_id: str | None = None, programme_id: str | None = None, contractor_org: str | None = None,
               overdue: bool | None = None, sort: Sort = "age", after: str | None = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               q: Annotated[str | None, Query(max_length=100, description=(
                   "part of a case number, a counterparty's or a contractor's name"))] = None,
               assigned_to: Annotated[str | None, Query(max_length=200)] = None) -> CasePage:
    """Cases the caller may see: officers their ministry's, contractors their own. Keyset-paginated."""
    return service.page(session, principal, ctx.today(), status=status, contract_id=contract_id,
                        programme_id=programme_id, contractor_org=contractor_org, overdue=overdue, sort=sort,
                        after=after, limit=limit, assigned_to=assigned_to, search=(q or "").strip() or None)


@router.get("/v1/consultations/{case_id}", response_model=CaseDetail)
def get_case(case: VisibleCase, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
             lang: LangDep) -> CaseDetail:
    """The case with the plan, the determination's reasons, its clock and its full history."""
    return service.detail_of(session, case, principal, ctx.today(), lang)


def _endpoint(action: CaseAction):
    schema = action.body

    def run(case_id: str, body: BaseModel | None, principal, session, ctx, record) -> JSONResponse:
        body = body if body is not None else schema()
        return record(body, lambda: service.transition(session, principal=principal, case_id=case_id,
                                                       action=action.name, body=body, today=ctx.today()))

    if action.body_required:
        def endpoint(case_id: str, body: Annotated[schema, Body()], principal: CurrentPrincipal,  # type: ignore[valid-type]
                     session: SessionDep, ctx: CtxDep, record: RecordDep, _: LangDep) -> JSONResponse:
            return run(case_id, body, principal, session, ctx, record)
    else:
        def endpoint(case_id: str, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,  # type: ignore[misc]
                     record: RecordDep, _: LangDep,
                     body: Annotated[schema | None, Body()] = None) -> JSONResponse:  # type: ignore[valid-type]
            return run(case_id, body, principal, session, ctx, record)

    endpoint.__name__ = action.name.replace("-", "_")
    return endpoint


for _action in CASE_ACTIONS.values():
    router.add_api_route(f"/v1/consultations/{{case_id}}/{_action.name}", _endpoint(_action), methods=["POST"],
                         response_model=CaseDetail, summary=_action.summary)
