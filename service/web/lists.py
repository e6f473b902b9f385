"""The lists across contracts: contracts with their traffic lights, and deadlines by state, each with its count,
filters and keyset pages."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.contracts import service as contracts
from service.deps import CtxDep, SessionDep
from service.events import service as events
from service.obligations import service as obligations
from service.organisations import service as organisations
from service.problems import Problem
from service.programmes import service as programmes
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, render, url_maker

router = APIRouter(prefix="/inbox", include_in_schema=False)
PAGE = 50
DEADLINE_STATES = ("open", "due_soon", "overdue", "violated", "met", "closed")


@router.get("/contracts")
def contracts_page(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep,
                   programme_id: str = "", contractor_org: str = "", after: str = "") -> Response:
    today = ctx.today()
    try:
        page = contracts.page(session, principal, today, programme_id=programme_id or None,
                              contractor_org=contractor_org or None, after=after or None, limit=PAGE)
    except Problem:  # a hand-edited cursor: the first page
        page = contracts.page(session, principal, today, programme_id=programme_id or None,
                              contractor_org=contractor_org or None, after=None, limit=PAGE)
    rows = contracts.rows(session, [c.id for c in page.items])
    filters = {"programme_id": programme_id, "contractor_org": contractor_org}
    next_url = url_maker(page_lang(request))("/inbox/contracts", **filters, after=page.next_after) \
        if page.next_after else None
    return render(request, "inbox/contracts.html", principal, contracts=page.items, filters=filters,
                  total=contracts.count(session, principal, programme_id=programme_id or None,
                                        contractor_org=contractor_org or None),
                  lights=contracts.lights(session, rows, today=today), next_url=next_url,
                  names=organisations.names(session, {c.contractor_org for c in page.items}),
                  programme_names=programmes.names(session, {c.programme_id for c in page.items}),
                  programmes=programmes.visible(session, principal),
                  contractors=organisations.contractors_of_visible_contracts(session, principal))


@router.get("/deadlines")
def deadlines_page(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep,
                   state: str = "open", due_before: str = "", after: str = "") -> Response:
    state = state if state in DEADLINE_STATES else "open"
    try:
        before = date.fromisoformat(due_before) if due_before else None
    except ValueError:
        before, due_before = None, ""
    try:
        rows, cursor = obligations.visible_deadline_rows(session, principal, state=state, due_before=before,  # type: ignore[arg-type]
                                                         after=after or None, limit=PAGE)
    except Problem:
        rows, cursor = obligations.visible_deadline_rows(session, principal, state=state, due_before=before,  # type: ignore[arg-type]
                                                         after=None, limit=PAGE)
    filters = {"state": state, "due_before": due_before}
    next_url = url_maker(page_lang(request))("/inbox/deadlines", **filters, after=cursor) if cursor else None
    counts = obligations.deadline_counts(session, principal, today=ctx.today())
    return render(request, "inbox/deadlines.html", principal, deadlines=rows, filters=filters, next_url=next_url,
                  states=DEADLINE_STATES, counts=counts,
                  total=sum(counts.get(s, 0) for s in ("ok", "due_soon", "overdue")) if state == "open"
                  else counts.get(state, 0),
                  titles=contracts.titles(session, {d.contract_id for d in rows}),
                  names=organisations.names(session, {d.contractor_org for d in rows}),
                  subjects=events.subjects(session, {d.subject for d in rows}))
