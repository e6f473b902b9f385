"""The inbox pages for officers and contractors (server-rendered, Japanese by default, ?lang=en).

Views are plain functions (FastAPI runs them in its thread pool, so their SQL never blocks the event loop);
they read through the same services as the API, and templates get plain data.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from service import authz
from service.actors import actor_in_words, parse_actor
from service.auth import sessions
from service.auth.oidc import SignInFailed
from service.auth.tokens import InvalidToken, Principal
from service.consultations import service as cases
from service.consultations.actions import CASE_ACTIONS
from service.contracts import service as contracts
from service.deps import CtxDep, SessionDep
from service.events import service as events
from service.i18n import translations
from service.notices import service as notices
from service.notifications import service as notifications
from service.obligations import service as obligations
from service.organisations import service as organisations
from service.people import service as people
from service.problems import NotFound, Problem
from service.programmes import service as programmes
from service.programmes.models import Programme
from service.screening import service as screenings
from service.web import screening_words
from service.web import session as web_session
from service.web.forms import FormFields, form_errors
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect, render, url_maker

router = APIRouter(prefix="/inbox", include_in_schema=False)



def _t(request: Request, msgid: str) -> str:
    return translations(page_lang(request)).gettext(msgid)


def _login_page(request: Request, ctx: CtxDep, status_code: int = 200, error: str | None = None) -> Response:
    s = ctx.settings
    return render(request, "inbox/login.html", None, status_code, dev_login=s.dev_login,
                  oidc=ctx.oidc is not None, provider=s.oidc_provider_label,
                  error=_t(request, error) if error else None)


def _signed_in(request: Request, ctx: CtxDep, principal: Principal, via: str, not_after=None,
               name: str | None = None) -> Response:
    """A new session (with a new CSRF token) in place of whatever the browser had; `name` is the identity
    provider's name for the person, shown when the directory has none."""
    now = ctx.now()
    with ctx.session() as db:
        sessions.end_session(db, web_session.session_id(request), now=now)
        sid, _ = sessions.open_session(db, principal, via=via, now=now, not_after=not_after, display_name=name,
                                       lifetime=timedelta(hours=ctx.settings.page_session_hours))
        db.commit()
    response = redirect(request, "/inbox/home")
    web_session.start_session(response, sid, ctx.settings)
    return response


@router.get("/login")
def login_page(request: Request, ctx: CtxDep) -> Response:
    return _login_page(request, ctx)


@router.post("/login")
async def login(request: Request, ctx: CtxDep, csrf: str = Form(""), token: str = Form(""), sub: str = Form(""),
                role: str = Form(""), org: str = Form("")) -> Response:
    """A pasted access token, or (tlc dev only) the development form."""
    web_session.check_csrf(request, csrf)
    if not token and ctx.settings.dev_login and sub and role and org:
        try:
            principal = Principal(sub=sub.strip(), role=role, org=org.strip())  # type: ignore[arg-type]
        except ValidationError:
            return _login_page(request, ctx, 422, "Choose a role, and give a user and an organisation.")
        return await run_in_threadpool(_signed_in, request, ctx, principal, "dev")
    try:
        principal, expires = await ctx.verifier.verify_until(token.strip())
    except InvalidToken:
        return _login_page(request, ctx, 401, "This token is not valid here (expired, or not issued for tlc).")
    return await run_in_threadpool(_signed_in, request, ctx, principal, "token", expires)


@router.get("/login/oidc")
async def login_oidc(request: Request, ctx: CtxDep) -> Response:
    """Off to the identity provider, with a new sign-in (state, nonce, PKCE) bound to this browser."""
    if ctx.oidc is None:
        raise NotFound("No sign-in provider is configured.")
    browser = web_session.login_browser(request)

    def start() -> Any:
        with ctx.session() as db:
            attempt = sessions.start_login(db, browser=browser, now=ctx.now())
            db.commit()
            return attempt

    attempt = await run_in_threadpool(start)
    try:
        url = await ctx.oidc.authorization_url(attempt)
    except SignInFailed as exc:
        return _login_page(request, ctx, exc.status, exc.message)
    response = RedirectResponse(url, status_code=303)
    web_session.remember_login_browser(request, response, browser, ctx.settings)
    return response


@router.get("/login/oidc/callback")
async def login_oidc_callback(request: Request, ctx: CtxDep, code: str = "", state: str = "",
                              error: str = "") -> Response:
    if ctx.oidc is None:
        raise NotFound("No sign-in provider is configured.")

    def take() -> Any:
        with ctx.session() as db:
            attempt = sessions.take_login(db, state=state, browser=request.cookies.get(web_session.LOGIN_COOKIE),
                                          now=ctx.now())
            db.commit()
            return attempt

    attempt = await run_in_threadpool(take)
    if attempt is None:
        return _login_page(request, ctx, 400, "This sign-in was not started here, or took too long; please sign in again.")
    if error or not code or len(code) > 2000:
        return _login_page(request, ctx, 400, "The identity provider did not sign you in.")
    try:
        principal, name = await ctx.oidc.sign_in(code, attempt)
    except SignInFailed as exc:
        return _login_page(request, ctx, exc.status, exc.message)
    return await run_in_threadpool(_signed_in, request, ctx, principal, "oidc", None, name)


@router.post("/logout")
def logout(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep,
           csrf: str = Form("")) -> Response:
    web_session.check_csrf(request, csrf)
    sessions.end_session(session, web_session.session_id(request), now=ctx.now())
    session.commit()
    response = redirect(request, "/inbox/login")
    web_session.end_session(response)
    return response


@router.get("")
def inbox(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep, status: str = "",
          programme_id: str = "", contractor_org: str = "", overdue: str = "", sort: str = "age",
          after: str = "", q: str = "", mine: str = "") -> Response:
    today = ctx.today()
    sort = sort if sort in ("age", "target") else "age"
    q = q.strip()[:100]
    filters: dict[str, Any] = dict(status=status or None, contract_id=None, programme_id=programme_id or None,
                                   contractor_org=contractor_org or None, overdue=True if overdue == "true" else None,
                                   assigned_to=principal.sub if mine == "true" else None, search=q or None)
    try:
        page = cases.page(session, principal, today, **filters, sort=sort, after=after or None, limit=25)
    except Problem:  # a hand-edited filter or cursor: show the unfiltered inbox rather than an error
        filters = dict(status=None, contract_id=None, programme_id=None, contractor_org=None, overdue=None)
        page = cases.page(session, principal, today, **filters, sort=sort, after=None, limit=25)
    shown = {"status": status, "programme_id": programme_id, "contractor_org": contractor_org,
             "overdue": overdue, "sort": sort, "q": q, "mine": mine}
    next_url = url_maker(page_lang(request))("/inbox", **shown, after=page.next_after) if page.next_after else None
    return render(request, "inbox/inbox.html", principal, cases=page.items, filters=shown,
                  total=cases.count(session, principal, **filters),
                  programmes=programmes.visible(session, principal),
                  contractors=organisations.contractors_of_visible_contracts(session, principal),
                  names=organisations.names(session, {c.contractor_org for c in page.items}),
                  titles=contracts.titles(session, {c.contract_id for c in page.items}), next_url=next_url)


# The order a case's actions are offered in: the step that moves the case on first, the destructive one last.
ACTION_ORDER = ("respond", "claim", "start-review", "request-info", "conclude", "reassign", "withdraw")
DANGER = {"withdraw"}


def case_response(request: Request, session: SessionDep, principal: Principal, case_id: str, today: Any,
                  status_code: int = 200, errors: list | None = None, field_errors: dict | None = None,
                  form: dict | None = None, failed: str | None = None) -> Response:
    """The case page (also of a refused action or attachment, service/web/attachment_pages.py)."""
    case = authz.case(session, principal, case_id)
    lang = page_lang(request)
    detail = cases.detail_of(session, case, principal, today, lang)
    offered = [a for a in ACTION_ORDER if a in detail.allowed_actions
               and not (a == "claim" and detail.assigned_to == principal.sub)]
    contract = authz.contract(session, principal, case.contract_id)
    names = organisations.names(session, {case.contractor_org, case.ministry})
    officer = [(case.ministry, detail.assigned_to)] if detail.assigned_to else []
    people_names = people.names_of(session, officer + [(a.org, a.sub) for h in detail.history
                                                       if (a := parse_actor(h.actor))])
    return render(request, "inbox/case.html", principal, status_code, case=detail, plan=detail.plan,
                  assigned_name=people_names.get((case.ministry, detail.assigned_to or ""), detail.assigned_to),
                  actions=offered, danger=DANGER, failed=failed, errors=errors or [], field_errors=field_errors or {},
                  form=form or {}, contract=contract, names=names, ministry=case.ministry,
                  programme_name=programmes.names(session, {case.programme_id})[case.programme_id],
                  actors={h.actor: actor_in_words(h.actor, lang, names, people_names) for h in detail.history})


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: str, principal: PagePrincipal, session: SessionDep,
              ctx: CtxDep) -> Response:
    return case_response(request, session, principal, case_id, ctx.today())


@router.post("/cases/{case_id}/{action}")
def case_action(request: Request, case_id: str, action: str, principal: PagePrincipal, form: FormFields,
                session: SessionDep, ctx: CtxDep) -> Response:
    web_session.check_csrf(request, str(form.pop("csrf", "")))
    known = CASE_ACTIONS.get(action)
    if known is None:
        raise NotFound("No action '{action}'.", action=action)
    typed = {k: str(v) for k, v in form.items()}
    lang = page_lang(request)
    if action in DANGER and form.get("confirm") != "yes":
        entries = [{"field": "confirm", "label": _t(request, "Confirmation"),
                    "message": _t(request, "Tick the box to confirm.")}]
        return case_response(request, session, principal, case_id, ctx.today(), 422, entries,
                          {"confirm": entries[0]["message"]}, typed, action)
    fields = {k: v for k, v in form.items() if k in known.body.model_fields and v != ""}
    try:
        body = known.body.model_validate(fields)
        cases.transition(session, principal=principal, case_id=case_id, action=action, body=body, today=ctx.today())
        session.commit()
    except (ValidationError, Problem) as exc:
        if isinstance(exc, Problem) and exc.status == 404:
            raise
        session.rollback()
        entries, by_field = form_errors(exc, lang)
        return case_response(request, session, principal, case_id, ctx.today(),
                          exc.status if isinstance(exc, Problem) else 422, entries, by_field, typed, action)
    return redirect(request, f"/inbox/cases/{case_id}", done=action)


@router.get("/contracts/{contract_id}")
def contract_page(request: Request, contract_id: str, principal: PagePrincipal, session: SessionDep,
                  ctx: CtxDep) -> Response:
    contract = authz.contract(session, principal, contract_id)
    today = ctx.today()
    deadlines = obligations.deadlines_of(session, contract_id)
    programme = session.get(Programme, contract.programme_id)
    ministry = programme.ministry if programme else ""
    case_list = cases.page(session, principal, today, status=None, contract_id=contract_id, programme_id=None,
                           contractor_org=None, overdue=None, sort="age", after=None, limit=200).items
    return render(request, "inbox/contract.html", principal, contract=contracts.detail(session, contract, today),
                  deadlines=deadlines, by_id={d.id: d for d in deadlines}, cases=case_list,
                  subjects=events.subjects(session, {d.subject for d in deadlines}),
                  shareholding=events.shareholding_history(session, contract_id),
                  notices=notices.of_contract(session, contract_id),
                  notifications=notifications.log_of(session, principal, contract_id=contract_id, limit=200)[0],
                  names=organisations.names(session, {contract.contractor_org, ministry}), ministry=ministry,
                  programme_name=programme.name if programme else contract.programme_id,
                  traffic=contracts.lights(session, [contract], today=today)[contract.id],
                  officer=authz.is_programme_officer(principal, programme),
                  screenings=screenings.page(session, principal, contract_id=contract_id, limit=200)[0],
                  # The banners by state, whatever the newest 200 screenings hold (each version adds one a party).
                  listed_screenings=screenings.page(session, principal, contract_id=contract_id, state="true_match",
                                                    limit=200)[0],
                  review_screenings=screenings.page(session, principal, contract_id=contract_id,
                                                    state="potential_match", limit=200)[0],
                  screening_words=screening_words)


@router.get("/follow-up")
def follow_up(request: Request, principal: PagePrincipal, session: SessionDep) -> Response:
    listed = programmes.followed_up(session, principal)
    return render(request, "inbox/follow_up.html", principal, programmes=listed,
                  names=organisations.names(session, {p.ministry for p in listed}
                                            | {p.funding_agency for p in listed if p.funding_agency}))
