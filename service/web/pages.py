"""The inbox pages for officers and contractors (server-rendered, Japanese by default, ?lang=en).

Views do all the reading through the same services as the API; templates get plain data.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from service.auth.tokens import InvalidToken, Principal, issue_token
from service.consultations import schemas as case_schemas
from service.consultations import service as cases
from service.consultations.models import MinistryNotice
from service.contracts import service as contracts
from service.contracts.models import Contract
from service.events.models import ContractEvent
from service.i18n import pick_lang
from service.notifications.models import Notification
from service.obligations.models import DeadlineRow
from service.obligations.router import get_contract as contract_detail
from service.obligations.router import to_public as deadline_public
from service.organisations.models import Organisation
from service.problems import Problem
from service.programmes.models import Programme
from service.programmes.router import FOLLOW_UP_THRESHOLD_JPY
from service.programmes.router import scoped as programmes_scoped
from service.rules.obligations.state import OPEN_STATES
from service.web import session as web_session
from service.web.templating import templates

router = APIRouter(prefix="/inbox", include_in_schema=False)
ACTION_SCHEMAS = {"start-review": case_schemas.Empty, "request-info": case_schemas.RequestInfo,
                  "respond": case_schemas.Respond, "conclude": case_schemas.Conclude,
                  "withdraw": case_schemas.Withdraw, "claim": case_schemas.Empty, "reassign": case_schemas.Reassign}


def _lang(request: Request) -> str:
    return pick_lang(request.query_params.get("lang"), request.headers.get("accept-language"))


def _url(lang: str):  # noqa: ANN202
    def url(path: str, **params: Any) -> str:
        q = {k: v for k, v in params.items() if v not in (None, "")}
        if lang != "ja":
            q["lang"] = lang
        return path + ("?" + urlencode(q) if q else "")
    return url


def render(request: Request, name: str, principal: Principal | None, status_code: int = 200,
           **context: Any) -> Response:
    ctx = request.app.state.ctx
    lang = _lang(request)
    other = "en" if lang == "ja" else "ja"
    params = dict(request.query_params) | {"lang": other}
    t = templates(lang, ctx.settings.templates_dir, ctx.settings.templates_override_dir)
    response = t.TemplateResponse(request, name, {
        "lang": lang, "principal": principal, "csrf": web_session.csrf_token(request), "url": _url(lang),
        "switch_lang_url": f"{request.url.path}?{urlencode(params)}", "error": None, **context},
        status_code=status_code)
    web_session.remember_csrf(request, response, ctx.settings)
    return response


def _login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(_url(_lang(request))("/inbox/login"), status_code=303)


def _session(request: Request) -> Session:
    return Session(request.app.state.ctx.engine, expire_on_commit=False)


@router.get("/login")
def login_page(request: Request) -> Response:
    return render(request, "inbox/login.html", None, dev_login=request.app.state.ctx.settings.dev_login)


@router.post("/login")
async def login(request: Request, csrf: str = Form(""), token: str = Form(""), sub: str = Form(""),
                role: str = Form(""), org: str = Form("")) -> Response:
    web_session.check_csrf(request, csrf)
    ctx = request.app.state.ctx
    if not token and ctx.settings.dev_login and sub and role and org:
        try:
            token = issue_token(ctx.settings, sub=sub.strip(), role=role, org=org.strip(), ttl_seconds=12 * 3600)
        except ValueError as exc:
            return render(request, "inbox/login.html", None, 422, dev_login=True, error=str(exc))
    try:
        await ctx.verifier.verify(token.strip())
    except InvalidToken as exc:
        return render(request, "inbox/login.html", None, 401, dev_login=ctx.settings.dev_login, error=exc.message)
    response = RedirectResponse(_url(_lang(request))("/inbox"), status_code=303)
    web_session.start_session(response, token.strip(), ctx.settings)
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    web_session.check_csrf(request, csrf)
    response = _login_redirect(request)
    web_session.end_session(response)
    return response


@router.get("")
async def inbox(request: Request, status: str = "", programme_id: str = "", contractor_org: str = "",
                overdue: str = "", sort: str = "age", after: str = "") -> Response:
    principal = await web_session.page_principal(request)
    if principal is None:
        return _login_redirect(request)
    ctx = request.app.state.ctx
    today = ctx.today()
    sort = sort if sort in ("age", "target") else "age"
    with _session(request) as s:
        try:
            page = cases.page(s, principal, today, status=status or None, contract_id=None,
                              programme_id=programme_id or None, contractor_org=contractor_org or None,
                              overdue=True if overdue == "true" else None, sort=sort, after=after or None, limit=25)
        except Problem:
            page = cases.page(s, principal, today, status=None, contract_id=None, programme_id=None,
                              contractor_org=None, overdue=None, sort=sort, after=None, limit=25)
        programmes = s.exec(programmes_scoped(select(Programme), principal).order_by(Programme.name)).all()
        contractors = s.exec(select(Organisation).where(Organisation.kind == "contractor")
                             .where(Organisation.id.in_(contracts.scoped(select(Contract.contractor_org), principal)))
                             .order_by(Organisation.name)).all()
        deadlines = None
        if principal.role == "contractor":
            rows = s.exec(select(DeadlineRow).where(
                DeadlineRow.contract_id.in_(contracts.scoped(select(Contract.id), principal)),
                DeadlineRow.state.in_(sorted(OPEN_STATES))).order_by(DeadlineRow.due_on).limit(100)).all()
            deadlines = [deadline_public(r) for r in rows]
    filters = {"status": status, "programme_id": programme_id, "contractor_org": contractor_org,
               "overdue": overdue, "sort": sort}
    next_url = _url(_lang(request))("/inbox", **filters, after=page.next_after) if page.next_after else None
    return render(request, "inbox/inbox.html", principal, cases=page.items, filters=filters,
                  programmes=programmes, contractors=contractors, deadlines=deadlines, next_url=next_url)


def _case_page(request: Request, principal: Principal, case_id: str, status_code: int = 200,
               error: str | None = None) -> Response:
    ctx = request.app.state.ctx
    with _session(request) as s:
        case = cases.get_visible(s, principal, case_id)
        detail = cases.detail_of(s, case, principal, ctx.today(), _lang(request))
    return render(request, "inbox/case.html", principal, status_code, case=detail, plan=detail.plan, error=error)


@router.get("/cases/{case_id}")
async def case_page(request: Request, case_id: str) -> Response:
    principal = await web_session.page_principal(request)
    if principal is None:
        return _login_redirect(request)
    return _case_page(request, principal, case_id)


@router.post("/cases/{case_id}/{action}")
async def case_action(request: Request, case_id: str, action: str) -> Response:
    principal = await web_session.page_principal(request)
    if principal is None:
        return _login_redirect(request)
    form = dict(await request.form())
    web_session.check_csrf(request, str(form.pop("csrf", "")))
    schema = ACTION_SCHEMAS.get(action)
    if schema is None:
        raise Problem(404, "Not Found", f"No action {action!r}.", type_="about:blank")
    fields = {k: v for k, v in form.items() if k in schema.model_fields and v != ""}
    ctx = request.app.state.ctx
    try:
        body = schema.model_validate(fields)
        with _session(request) as s:
            cases.transition(s, principal=principal, case_id=case_id, action=action, body=body, today=ctx.today())
            s.commit()
    except ValidationError as exc:
        msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _case_page(request, principal, case_id, 422, msg)
    except Problem as exc:
        if exc.status == 404:
            raise
        return _case_page(request, principal, case_id, exc.status, exc.detail)
    ctx.relay_poke()
    return RedirectResponse(_url(_lang(request))(f"/inbox/cases/{case_id}"), status_code=303)


@router.get("/contracts")
async def contracts_page(request: Request) -> Response:
    principal = await web_session.page_principal(request)
    if principal is None:
        return _login_redirect(request)
    today = request.app.state.ctx.today()
    with _session(request) as s:
        rows = s.exec(contracts.scoped(select(Contract), principal).order_by(Contract.id).limit(500)).all()
        items = [contracts.to_public(c, today) for c in rows]
    return render(request, "inbox/contracts.html", principal, contracts=items)


@router.get("/contracts/{contract_id}")
async def contract_page(request: Request, contract_id: str) -> Response:
    principal = await web_session.page_principal(request)
    if principal is None:
        return _login_redirect(request)
    ctx = request.app.state.ctx
    with _session(request) as s:
        detail = contract_detail(contract_id, principal, s, ctx)
        deadlines = [deadline_public(r) for r in s.exec(select(DeadlineRow).where(
            DeadlineRow.contract_id == contract_id).order_by(DeadlineRow.due_on, DeadlineRow.id))]
        shareholding = s.exec(select(ContractEvent).where(
            ContractEvent.contract_id == contract_id, ContractEvent.type.in_(["shareholding.declared",
                                                                             "shareholding.changed"]))
            .order_by(ContractEvent.occurred_on, ContractEvent.received_at)).all()
        notices = s.exec(select(MinistryNotice).where(MinistryNotice.contract_id == contract_id)
                         .order_by(MinistryNotice.created_at)).all()
        notifications = s.exec(select(Notification).where(Notification.contract_id == contract_id)
                               .order_by(Notification.scheduled_for.desc()).limit(200)).all()
    return render(request, "inbox/contract.html", principal, contract=detail, deadlines=deadlines,
                  shareholding=shareholding, notices=notices, notifications=notifications)


@router.get("/follow-up")
async def follow_up(request: Request) -> Response:
    principal = await web_session.page_principal(request)
    if principal is None:
        return _login_redirect(request)
    with _session(request) as s:
        programmes = s.exec(programmes_scoped(select(Programme), principal)
                            .where(Programme.annual_support_jpy >= FOLLOW_UP_THRESHOLD_JPY)
                            .order_by(Programme.annual_support_jpy.desc())).all()
    return render(request, "inbox/follow_up.html", principal, programmes=programmes)
