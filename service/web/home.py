"""The first page after signing in: an officer's (or admin's) dashboard of counts that link to their lists, a
contractor's tasks (what to do next and by when) and contracts with their traffic lights; a research institution's
officer's applications and researchers needing attention, and a funding agency's officer's review queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.consultations import service as cases
from service.contracts import service as contracts
from service.deps import CtxDep, SessionDep
from service.events import service as events
from service.obligations import service as obligations
from service.organisations import service as organisations
from service.programmes import service as programmes
from service.rules.consultation import OPEN_CASE_STATES
from service.screening import service as screenings
from service.web import research_pages, review_pages
from service.web.principal import PagePrincipal
from service.web.rendering import render

router = APIRouter(prefix="/inbox", include_in_schema=False)
SOON_DAYS = 14


@router.get("/home")
def home(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    today = ctx.today()
    if principal.role == "institution_officer":  # research security's roles see no contract: their own homes
        return research_pages.institution_home(request, principal, session, today)
    if principal.role == "fa_officer":
        return review_pages.review_queue(request, principal, session, today)
    deadlines, _ = obligations.visible_deadline_rows(session, principal, state="open", limit=10)
    if principal.role == "contractor":
        return _contractor_home(request, principal, session, today, deadlines)
    by_status = cases.counts_by_status(session, principal)
    case_counts = {s: by_status.get(s, 0) for s in ("submitted", "under_review", "info_requested")}
    case_counts["overdue"] = cases.count(session, principal, status="open", contract_id=None, programme_id=None,
                                         contractor_org=None, overdue=True)
    case_counts["mine"] = cases.count(session, principal, status="open", contract_id=None, programme_id=None,
                                      contractor_org=None, overdue=None, assigned_to=principal.sub)
    oldest = cases.page(session, principal, today, status="open", contract_id=None, programme_id=None,
                        contractor_org=None, overdue=None, sort="age", after=None, limit=10).items
    names = organisations.names(session, {c.contractor_org for c in oldest} | {d.contractor_org for d in deadlines})
    return render(request, "inbox/dashboard.html", principal, case_counts=case_counts, oldest=oldest,
                  deadline_counts=obligations.deadline_counts(session, principal, today=today, soon_days=SOON_DAYS),
                  findings=obligations.contracts_with_findings(session, principal), deadlines=deadlines,
                  titles=contracts.titles(session, {d.contract_id for d in deadlines}), names=names,
                  soon_days=SOON_DAYS, subjects=events.subjects(session, {d.subject for d in deadlines}),
                  screening_counts={s: screenings.count(session, principal, state=s)
                                    for s in ("potential_match", "true_match")})


def _contractor_home(request: Request, principal, session, today, deadlines) -> Response:
    asked = cases.page(session, principal, today, status="info_requested", contract_id=None, programme_id=None,
                       contractor_org=None, overdue=None, sort="target", after=None, limit=50).items
    mine = contracts.page(session, principal, today, programme_id=None, contractor_org=None, after=None, limit=100)
    rows = contracts.rows(session, [c.id for c in mine.items])
    open_cases = cases.count(session, principal, status="open", contract_id=None, programme_id=None,
                             contractor_org=None, overdue=None)
    return render(request, "inbox/tasks.html", principal, asked=asked, deadlines=deadlines, contracts=mine.items,
                  lights=contracts.lights(session, rows, today=today), open_cases=open_cases,
                  titles=contracts.titles(session, {d.contract_id for d in deadlines} | {c.contract_id for c in asked}),
                  programme_names=programmes.names(session, {c.programme_id for c in mine.items}),
                  open_states=OPEN_CASE_STATES, subjects=events.subjects(session, {d.subject for d in deadlines}))
