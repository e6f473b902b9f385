"""Measures after a breach from the browser (issue 14; source lines 1637-1639): the funding agency records one from
a researcher's page or an application's page it can see (a deliberate false or hidden declaration found later, its
restriction on applying, and whether the institution followed the procedure, which spares it liability), and each
side lists the measures in its scope (the FA's own; the ministry's and the institution's to read).

Through service/research/oversight.py and service/authz.py only: outside one's scope is 404, the wrong side 403.
The institutions' checklists and leak reviews are service/web/institution_review_pages.py's."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from service import authz
from service.auth.tokens import Principal
from service.deps import CtxDep, SessionDep
from service.organisations import service as organisations
from service.problems import NotFound, Problem
from service.research import applications, oversight
from service.research.schemas import ApplicationPublic, MeasureCreate, MeasurePublic
from service.web import research_words as words
from service.web import session as web_session
from service.web.forms import FormFields, refused
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect, render, url_maker

router = APIRouter(prefix="/inbox", include_in_schema=False)
PAGE = 50
RECORDERS = ("fa_officer", "admin")
FIELDS = tuple(words.MEASURE_LABELS)


def restriction_state(m: MeasurePublic, today: date) -> str:
    """before, in_force or ended: where the restriction on applying stands today."""
    return "in_force" if m.in_force else ("before" if today < m.restriction_starts_on else "ended")


def _names(session: Session, principal: Principal, ids: set[str]) -> dict[str, str]:
    """The researchers' names the reader may see (an erased one, or one outside the reader's scope, has none)."""
    out = {}
    for rid in ids:
        try:
            out[rid] = authz.researcher(session, principal, rid).name or ""
        except NotFound:
            out[rid] = ""
    return out


@router.get("/measures")
def measures_page(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep,
                  after: str = "") -> Response:
    """The measures in the reader's scope, each with its restriction period, whether it is in force, and whether
    the institution followed the procedure."""
    authz.require_role(principal, "fa_officer", "ministry_officer", "institution_officer", "admin")
    today = ctx.today()
    try:
        page = oversight.measures(session, principal, today, researcher_id=None, after=after or None, limit=PAGE)
    except Problem:  # a hand-edited cursor: the first page
        page = oversight.measures(session, principal, today, researcher_id=None, after=None, limit=PAGE)
    next_url = url_maker(page_lang(request))("/inbox/measures", after=page.next_after) if page.next_after else None
    return render(request, "inbox/research_measures.html", principal, measures=page.items, today=today, words=words,
                  states={m.id: restriction_state(m, today) for m in page.items}, next_url=next_url,
                  people=_names(session, principal, {m.researcher_id for m in page.items}),
                  orgs=organisations.names(session, {m.institution for m in page.items}
                                           | {m.funding_agency for m in page.items}),
                  records=principal.role in RECORDERS)


def _form(request: Request, session: Session, principal: Principal, today: date, *, back: str, back_label: str,
          people: list[tuple[str, str]], apps: list[ApplicationPublic], status_code: int = 200,
          errors: list | None = None, field_errors: dict | None = None, form: dict | None = None) -> Response:
    authz.require_role(principal, *RECORDERS)
    return render(request, "inbox/research_measure_form.html", principal, status_code, back=back,
                  back_label=back_label, people=people, apps=apps, words=words, today=today, errors=errors or [],
                  field_errors=field_errors or {}, form=form or {})


def _of_researcher(session: Session, principal: Principal, researcher_id: str, today: date) -> dict:
    r = authz.researcher(session, principal, researcher_id)  # 404 outside the reader's scope
    authz.require_role(principal, *RECORDERS)
    apps = [a for a in applications.page(session, principal, today, state=None, programme_id=None, after=None,
                                         limit=200).items if r.id in {x.researcher_id for x in a.researchers}]
    return {"back": f"/inbox/researchers/{r.id}", "back_label": r.name or "", "people": [(r.id, r.name or "")],
            "apps": apps}


def _of_application(session: Session, principal: Principal, application_id: str, today: date) -> dict:
    app = applications.public(session, authz.application(session, principal, application_id), today,
                              with_flags=False)
    authz.require_role(principal, *RECORDERS)
    return {"back": f"/inbox/applications/{app.id}", "back_label": app.title,
            "people": [(x.researcher_id, x.name or "") for x in app.researchers], "apps": [app]}


def _record(request: Request, session: Session, principal: Principal, form: dict[str, str], today: date,
            where: dict) -> Response:
    web_session.check_csrf(request, form.pop("csrf", ""))
    body = {k: form.get(k, "") for k in FIELDS} | {"application_id": form.get("application_id") or None}
    try:
        oversight.record_measure(session, principal, MeasureCreate.model_validate(body), today)
        session.commit()
    except (ValidationError, Problem) as exc:
        session.rollback()
        status, entries, by_field = refused(exc, page_lang(request), words.MEASURE_LABELS)
        return _form(request, session, principal, today, status_code=status, errors=entries,
                     field_errors=by_field, form=form, **where)
    return redirect(request, "/inbox/measures", done="measure")


@router.get("/researchers/{researcher_id}/measures/new")
def new_for_researcher(request: Request, researcher_id: str, principal: PagePrincipal, session: SessionDep,
                       ctx: CtxDep) -> Response:
    where = _of_researcher(session, principal, researcher_id, ctx.today())
    return _form(request, session, principal, ctx.today(), form={"researcher_id": researcher_id}, **where)


@router.post("/researchers/{researcher_id}/measures/new")
def record_for_researcher(request: Request, researcher_id: str, principal: PagePrincipal, form: FormFields,
                          session: SessionDep, ctx: CtxDep) -> Response:
    where = _of_researcher(session, principal, researcher_id, ctx.today())
    return _record(request, session, principal, form | {"researcher_id": researcher_id}, ctx.today(), where)


@router.get("/applications/{application_id}/measures/new")
def new_for_application(request: Request, application_id: str, principal: PagePrincipal, session: SessionDep,
                        ctx: CtxDep) -> Response:
    where = _of_application(session, principal, application_id, ctx.today())
    return _form(request, session, principal, ctx.today(), form={"application_id": application_id}, **where)


@router.post("/applications/{application_id}/measures/new")
def record_for_application(request: Request, application_id: str, principal: PagePrincipal, form: FormFields,
                           session: SessionDep, ctx: CtxDep) -> Response:
    where = _of_application(session, principal, application_id, ctx.today())
    return _record(request, session, principal, form, ctx.today(), where)
