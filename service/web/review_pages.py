"""The funding agency's and the ministry's side of research security (issue 14, item 9): the review queue (the rounds
waiting for the FA's review by their due day, and those waiting for the institution's answer by their respond-by
day), and the designated programmes (their designation and its three confirmations, their applications and where
each stands). One application's page, where the FA decides, is service/web/research_pages.py's."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from service import authz
from service.auth.tokens import Principal
from service.deps import CtxDep, SessionDep
from service.organisations import service as organisations
from service.problems import NotFound, Problem
from service.programmes import service as programmes
from service.programmes.models import Programme
from service.research import applications
from service.rules.research import designation as designations
from service.web import research_words as words
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, render, url_maker
from service.web.research_pages import next_steps

router = APIRouter(prefix="/inbox", include_in_schema=False)
PAGE = 50
REVIEWERS = ("fa_officer", "ministry_officer", "admin")


def review_queue(request: Request, principal: Principal, session: Session, today: date) -> Response:
    """The rounds not accepted yet, soonest due first, with their counts: to review, past their due day, waiting for
    the institution."""
    authz.require_role(principal, *REVIEWERS)
    rows = applications.review_queue(session, principal)
    counts = {"review": sum(r.owner == "fa" for r in rows),
              "late": sum(r.owner == "fa" and r.due_on is not None and r.due_on < today for r in rows),
              "institution": sum(r.owner == "institution" for r in rows)}
    return render(request, "inbox/research_reviews.html", principal, rows=rows, counts=counts, today=today,
                  words=words, orgs=organisations.names(session, {r.institution for r in rows}),
                  programme_names=programmes.names(session, {r.programme_id for r in rows}))


@router.get("/reviews")
def reviews_page(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    return review_queue(request, principal, session, ctx.today())


def _designation(p: Programme, today: date) -> dict:
    d = designations.Designation.model_validate(p.designation) if p.designation else None
    return {"designation": d, "missing": designations.missing_confirmations(d),
            "in_force": designations.in_force_on(d, today),
            "confirmed": {c.by: c.confirmed_on for c in d.confirmations} if d else {}}


@router.get("/designated-programmes")
def designated_programmes(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    """The designated programmes the reader may see (a ministry's own, an FA's it runs), each with its designation
    and whether applications may go to it."""
    authz.require_role(principal, *REVIEWERS)
    listed = [p for p in programmes.visible(session, principal) if p.kind == "specific_rd"]
    today = ctx.today()
    return render(request, "inbox/research_programmes.html", principal, programmes=listed,
                  designations={p.id: _designation(p, today) for p in listed}, words=words,
                  orgs=organisations.names(session, {p.ministry for p in listed}
                                           | {p.funding_agency for p in listed if p.funding_agency}))


@router.get("/designated-programmes/{programme_id}")
def designated_programme(request: Request, programme_id: str, principal: PagePrincipal, session: SessionDep,
                         ctx: CtxDep, state: str = "", after: str = "") -> Response:
    """One designated programme: its designation, confirmations, and the applications the reader may see with
    their states and next steps."""
    authz.require_role(principal, *REVIEWERS)
    p = authz.programme(session, principal, programme_id)
    if p.kind != "specific_rd":
        raise NotFound("No programme '{id}'.", id=programme_id)
    today = ctx.today()
    state = state if state in words.APPLICATION_STATES else ""
    try:
        page = applications.page(session, principal, today, state=state or None, programme_id=p.id,
                                 after=after or None, limit=PAGE)
    except Problem:
        page = applications.page(session, principal, today, state=state or None, programme_id=p.id, after=None,
                                 limit=PAGE)
    next_url = url_maker(page_lang(request))(f"/inbox/designated-programmes/{p.id}", state=state,
                                             after=page.next_after) if page.next_after else None
    return render(request, "inbox/research_programme.html", principal, programme=p, applications=page.items,
                  steps={a.id: next_steps(a) for a in page.items}, state=state,
                  next_url=next_url, words=words, **_designation(p, today),
                  orgs=organisations.names(session, {p.ministry, p.funding_agency or ""}
                                           | {a.institution for a in page.items}))
