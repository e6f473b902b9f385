"""The consultation inbox API: officers review and decide, contractors answer and withdraw."""


import inspect
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlmodel import select

from service.consultations import service
from service.consultations.models import MinistryNotice
from service.consultations.schemas import (CaseDetail, CasePage, Conclude, Empty, NoticeCreate, NoticePublic,
                                           Reassign, RequestInfo, Respond, Withdraw)
from service.contracts import service as contracts
from service.deps import CtxDep, CurrentPrincipal, SessionDep, principal_key
from service.i18n import LangDep
from service.idempotency import record_once
from service.rules.text import multi_line

router = APIRouter(tags=["consultations"])
Sort = Literal["age", "target"]


@router.get("/v1/consultations", response_model=CasePage)
def list_cases(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
               status: Annotated[str | None, Query(pattern="^(submitted|under_review|info_requested|concluded|withdrawn|open)$")] = None,
               contract_id: str | None = None, programme_id: str | None = None, contractor_org: str | None = None,
               overdue: bool | None = None, sort: Sort = "age", after: str | None = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50) -> CasePage:
    """Cases the caller may see: officers their ministry's, contractors their own. Keyset-paginated."""
    today = ctx.today()
    return service.page(session, principal, today, status=status, contract_id=contract_id,
                        programme_id=programme_id, contractor_org=contractor_org, overdue=overdue, sort=sort,
                        after=after, limit=limit)


@router.get("/v1/consultations/{case_id}", response_model=CaseDetail)
def get_case(case_id: str, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
             lang: LangDep) -> CaseDetail:
    """The case with the plan, the determination's reasons, its clock and its full history."""
    case = service.get_visible(session, principal, case_id)
    return service.detail_of(session, case, principal, ctx.today(), lang)


def _act(action: str, schema):  # noqa: ANN001, ANN202
    def endpoint(case_id: str, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, lang: LangDep,
                 body: Annotated[schema, Body()] = None,  # type: ignore[valid-type]
                 idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
        body = body if body is not None else schema()
        status, payload = record_once(
            session, principal=principal_key(principal), key=idempotency_key, method="POST",
            path=f"/v1/consultations/{case_id}/{action}", body=body.model_dump(mode="json"),
            action=lambda: (200, service.transition(session, principal=principal, case_id=case_id, action=action,
                                                    body=body, today=ctx.today())))
        ctx.relay_poke()
        return JSONResponse(payload, status_code=status)

    endpoint.__name__ = action.replace("-", "_")
    if any(f.is_required() for f in schema.model_fields.values()):
        # A body with required fields is itself required (FastAPI reads that from the default).
        sig = inspect.signature(endpoint)
        endpoint.__signature__ = sig.replace(parameters=[  # type: ignore[attr-defined]
            p.replace(default=inspect.Parameter.empty) if p.name == "body" else p for p in sig.parameters.values()])
    return endpoint


for _action, _schema, _doc in (
        ("start-review", Empty, "Officer: take the submitted case under review."),
        ("request-info", RequestInfo, "Officer: ask the contractor a question; the review clock pauses."),
        ("respond", Respond, "Contractor: answer the question; the review clock resumes."),
        ("conclude", Conclude, "Officer: decide (no_objection, conditions, objection)."),
        ("withdraw", Withdraw, "Contractor: withdraw the plan and its case."),
        ("claim", Empty, "Officer: take the case as its assignee."),
        ("reassign", Reassign, "Officer: give the case to another officer.")):
    router.add_api_route(f"/v1/consultations/{{case_id}}/{_action}", _act(_action, _schema), methods=["POST"],
                         response_model=CaseDetail, summary=_doc)


@router.post("/v1/contracts/{contract_id}/notices", status_code=201, response_model=NoticePublic, tags=["notices"])
def create_notice(contract_id: str, body: NoticeCreate, principal: CurrentPrincipal, session: SessionDep,
                  ctx: CtxDep, idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Officer: notify the contractor that matching later plans must be consulted on (condition 2)."""
    status, payload = record_once(
        session, principal=principal_key(principal), key=idempotency_key, method="POST",
        path=f"/v1/contracts/{contract_id}/notices", body=body.model_dump(mode="json"),
        action=lambda: (201, service.issue_notice(session, principal=principal, contract_id=contract_id, body=body,
                                                  today=ctx.today())))
    return JSONResponse(payload, status_code=status)


class ApprovalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    granted: bool
    reason: multi_line(5000) = ""  # type: ignore[valid-type]


class ApprovalDecided(BaseModel):
    approval_id: str
    granted: bool
    effects: list[dict]


@router.post("/v1/contracts/{contract_id}/approvals/{approval_id}/decide", response_model=ApprovalDecided,
             tags=["notices"])
def decide_approval(contract_id: str, approval_id: str, body: ApprovalDecision, principal: CurrentPrincipal,
                    session: SessionDep, ctx: CtxDep,
                    idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Officer: grant or refuse a Bayh-Dole prior approval requested by a planned transfer (its
    `prior_approval_requested` effect's id)."""
    status, payload = record_once(
        session, principal=principal_key(principal), key=idempotency_key, method="POST",
        path=f"/v1/contracts/{contract_id}/approvals/{approval_id}/decide", body=body.model_dump(mode="json"),
        action=lambda: (200, service.decide_approval(session, principal=principal, contract_id=contract_id,
                                                     approval_id=approval_id, granted=body.granted,
                                                     reason=body.reason, today=ctx.today())))
    ctx.relay_poke()
    return JSONResponse(payload, status_code=status)


@router.get("/v1/contracts/{contract_id}/notices", response_model=list[NoticePublic], tags=["notices"])
def list_notices(contract_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[NoticePublic]:
    contracts.get_visible(session, principal, contract_id)
    rows = session.exec(select(MinistryNotice).where(MinistryNotice.contract_id == contract_id)
                        .order_by(MinistryNotice.created_at, MinistryNotice.id)).all()
    return [NoticePublic.model_validate(n, from_attributes=True) for n in rows]
