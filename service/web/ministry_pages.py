"""The ministry's decisions from the browser: Bayh-Dole prior approvals to decide, and notices (condition 2) to
issue on a contract. Each form goes through the same service and body as its API operation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from service import authz
from service.approvals import service as approvals
from service.approvals.schemas import ApprovalDecision
from service.contracts import service as contracts
from service.deps import CtxDep, SessionDep
from service.events import service as events
from service.notices import service as notices
from service.notices.schemas import NoticeCreate
from service.obligations import service as obligations
from service.organisations import service as organisations
from service.problems import Problem
from service.web import session as web_session
from service.web.forms import FormFields, refused
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect, render

router = APIRouter(prefix="/inbox", include_in_schema=False)


def _approvals_page(request: Request, principal, session, status_code: int = 200, failed: str | None = None,
                    errors: list | None = None, field_errors: dict | None = None, form: dict | None = None) -> Response:
    rows = obligations.open_approval_rows(session, principal)
    return render(request, "inbox/approvals.html", principal, status_code, approvals=rows,
                  titles=contracts.titles(session, {r.contract_id for r in rows}),
                  names=organisations.names(session, {r.contractor_org for r in rows}),
                  subjects=events.subjects(session, {r.subject for r in rows}), failed=failed,
                  errors=errors or [], field_errors=field_errors or {}, form=form or {})


@router.get("/approvals")
def approvals_page(request: Request, principal: PagePrincipal, session: SessionDep) -> Response:
    return _approvals_page(request, principal, session)


@router.post("/contracts/{contract_id}/approvals/{approval_id}/decide")
def decide(request: Request, contract_id: str, approval_id: str, principal: PagePrincipal, form: FormFields,
           session: SessionDep, ctx: CtxDep) -> Response:
    web_session.check_csrf(request, form.pop("csrf", ""))
    try:
        body = ApprovalDecision.model_validate({"granted": form.get("granted", ""), "reason": form.get("reason", "")})
        approvals.decide(session, principal=principal, contract_id=contract_id, approval_id=approval_id,
                         granted=body.granted, reason=body.reason, today=ctx.today())
        session.commit()
    except (ValidationError, Problem) as exc:
        session.rollback()
        status, entries, by_field = refused(exc, page_lang(request))
        return _approvals_page(request, principal, session, status, approval_id, entries, by_field, form)
    return redirect(request, "/inbox/approvals", done="approval")


@router.get("/contracts/{contract_id}/notices/new")
def notice_form(request: Request, contract_id: str, principal: PagePrincipal, session: SessionDep) -> Response:
    return _notice_form(request, contract_id, principal, session)


def _notice_form(request: Request, contract_id: str, principal, session, status_code: int = 200,
                 errors: list | None = None, field_errors: dict | None = None, form: dict | None = None) -> Response:
    contract = authz.officer_contract(session, principal, contract_id,
                                     "Notices are issued by officers of the programme's ministry.")
    return render(request, "inbox/notice_form.html", principal, status_code, contract=contract,
                  contractor=organisations.names(session, {contract.contractor_org})[contract.contractor_org],
                  errors=errors or [], field_errors=field_errors or {}, form=form or {"scope": "contract"})


@router.post("/contracts/{contract_id}/notices")
def issue_notice(request: Request, contract_id: str, principal: PagePrincipal, form: FormFields,
                 session: SessionDep, ctx: CtxDep) -> Response:
    web_session.check_csrf(request, form.pop("csrf", ""))
    scope = form.get("scope", "")
    fields = {"scope": scope, "reason": form.get("reason", "")}
    if scope == "counterparty":
        fields["counterparty_name"] = form.get("counterparty_name") or None
    if scope == "action":
        fields["action"] = form.get("action") or None
    try:
        body = NoticeCreate.model_validate(fields)
        notices.issue(session, principal=principal, contract_id=contract_id, body=body, today=ctx.today())
        session.commit()
    except (ValidationError, Problem) as exc:
        session.rollback()
        status, entries, by_field = refused(exc, page_lang(request))
        return _notice_form(request, contract_id, principal, session, status, entries, by_field, form)
    return redirect(request, f"/inbox/contracts/{contract_id}", done="notice")
