"""The research institution's own reviews from the browser (issue 14; source lines 1558-1569): its yearly
checklist (each item of rules/research/measures.py CHECKLIST answered yes, partly or no, with a note; one per fiscal
year) and its review after a leak (whether the risk-management set-up existed and worked, whether the procedure was
followed, what was found). The institution records them; the FA and the ministry read those of the institutions that
submitted to their programmes.

Through service/research/oversight.py and service/authz.py only: outside one's scope is 404, the wrong side 403."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from service import authz
from service.auth.tokens import Principal
from service.deps import CtxDep, SessionDep
from service.organisations import service as organisations
from service.problems import Conflict, Problem
from service.research import applications, oversight
from service.research.schemas import ChecklistCreate, LeakReviewCreate
from service.rules.research.measures import CHECKLIST
from service.web import research_words as words
from service.web import session as web_session
from service.web.forms import FormError, FormFields, shown, worded
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect, render

router = APIRouter(prefix="/inbox", include_in_schema=False)
LIMIT = 500
INSTITUTION_SIDE = ("institution_officer", "admin")
READERS = ("institution_officer", "fa_officer", "ministry_officer", "admin")
CHECKLIST_FIELDS = dict(words.CHECKLIST_LABELS) | {
    f"{part}-{item}": label for item, (label, _) in words.CHECKLIST_ITEMS.items() for part in ("answer", "note")}


def fiscal_year(day: date) -> int:
    """Japan's fiscal year, April to March: 2026 runs from 1 April 2026 to 31 March 2027."""
    return day.year if day.month >= 4 else day.year - 1


def _refused(request: Request, exc: ValidationError | Problem, labels: dict[str, str],
             beside: str = "") -> tuple[int, list[dict], dict[str, str]]:
    """The status, summary and field messages of a refused form; a checklist's answers by item ("answer-policy"),
    and a refusal of the whole (a year recorded already) beside `beside` as well. 403 and 404 go to the error
    page."""
    if isinstance(exc, Problem) and exc.status in (403, 404):
        raise exc
    lang = page_lang(request)
    errors = []
    for e in worded(exc, lang):
        parts = e.path.split(".")
        path = f"{parts[2]}-{parts[1]}" if parts[0] == "answers" and len(parts) == 3 else e.path
        errors.append(FormError(path or (beside if isinstance(exc, Conflict) else ""), "", e.message))
    context = shown(errors, labels, lang)
    return (exc.status if isinstance(exc, Problem) else 422), context["errors"], context["field_errors"]


def _institution(principal: Principal, form: dict[str, str]) -> str:
    return principal.org if principal.role != "admin" else form.get("institution", "")


def _institutions(session: Session, principal: Principal) -> list:
    return organisations.of_kind(session, "research_institution") if principal.role == "admin" else []


# --- the yearly checklist --------------------------------------------------------------------------------------

@router.get("/checklists")
def checklists_page(request: Request, principal: PagePrincipal, session: SessionDep) -> Response:
    """The checklists in the reader's scope, latest year first, with how many items were answered yes, partly
    and no."""
    authz.require_role(principal, *READERS)
    found = oversight.checklists(session, principal, institution=None, after=None, limit=LIMIT).items
    found.sort(key=lambda c: (-c.year, c.institution))
    counts = {c.id: {a: sum(v.get("answer") == a for v in c.answers.values()) for a in words.CHECKLIST_ANSWERS}
              for c in found}
    return render(request, "inbox/research_checklists.html", principal, checklists=found, counts=counts, words=words,
                  orgs=organisations.names(session, {c.institution for c in found}),
                  creates=principal.role in INSTITUTION_SIDE)


def _checklist_form(request: Request, session: Session, principal: Principal, today: date, status_code: int = 200,
                    errors: list | None = None, field_errors: dict | None = None,
                    form: dict | None = None) -> Response:
    authz.require_role(principal, *INSTITUTION_SIDE)
    return render(request, "inbox/research_checklist_form.html", principal, status_code, words=words,
                  items=CHECKLIST, institutions=_institutions(session, principal), errors=errors or [],
                  field_errors=field_errors or {}, form=form or {"year": str(fiscal_year(today))})


@router.get("/checklists/new")
def new_checklist(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    return _checklist_form(request, session, principal, ctx.today())


@router.post("/checklists/new")
def record_checklist(request: Request, principal: PagePrincipal, form: FormFields, session: SessionDep,
                     ctx: CtxDep) -> Response:
    authz.require_role(principal, *INSTITUTION_SIDE)
    web_session.check_csrf(request, form.pop("csrf", ""))
    body: dict[str, Any] = {"institution": _institution(principal, form), "year": form.get("year", ""), "answers": {
        item: {"answer": form.get(f"answer-{item}", ""), "note": form.get(f"note-{item}", "").strip() or None}
        for item in CHECKLIST}}
    try:
        out = oversight.record_checklist(session, principal, ChecklistCreate.model_validate(body))
        session.commit()
    except (ValidationError, Problem) as exc:
        session.rollback()
        status, entries, by_field = _refused(request, exc, CHECKLIST_FIELDS, beside="year")
        return _checklist_form(request, session, principal, ctx.today(), status, entries, by_field, form)
    return redirect(request, f"/inbox/checklists/{out.id}", done="checklist")


@router.get("/checklists/{checklist_id}")
def checklist_page(request: Request, checklist_id: str, principal: PagePrincipal, session: SessionDep) -> Response:
    c = oversight.read_checklist(session, principal, checklist_id)
    return render(request, "inbox/research_checklist.html", principal, checklist=c, items=CHECKLIST, words=words,
                  institution=organisations.names(session, {c.institution})[c.institution])


# --- reviews after a leak --------------------------------------------------------------------------------------

def _titles(session: Session, principal: Principal, today: date) -> dict[str, str]:
    """The titles of the applications the reader may see."""
    return {a.id: a.title for a in applications.page(session, principal, today, state=None, programme_id=None,
                                                     after=None, limit=LIMIT).items}


@router.get("/leak-reviews")
def leak_reviews_page(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    authz.require_role(principal, *READERS)
    found = oversight.leak_reviews(session, principal, after=None, limit=LIMIT).items
    found.sort(key=lambda r: r.occurred_on, reverse=True)
    return render(request, "inbox/research_leak_reviews.html", principal, reviews=found, words=words,
                  titles=_titles(session, principal, ctx.today()) if found else {},
                  orgs=organisations.names(session, {r.institution for r in found}),
                  creates=principal.role in INSTITUTION_SIDE)


def _leak_form(request: Request, session: Session, principal: Principal, today: date, status_code: int = 200,
               errors: list | None = None, field_errors: dict | None = None, form: dict | None = None) -> Response:
    authz.require_role(principal, *INSTITUTION_SIDE)
    return render(request, "inbox/research_leak_review_form.html", principal, status_code, words=words,
                  titles=_titles(session, principal, today), institutions=_institutions(session, principal),
                  today=today, errors=errors or [], field_errors=field_errors or {}, form=form or {})


@router.get("/leak-reviews/new")
def new_leak_review(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    return _leak_form(request, session, principal, ctx.today())


@router.post("/leak-reviews/new")
def record_leak_review(request: Request, principal: PagePrincipal, form: FormFields, session: SessionDep,
                       ctx: CtxDep) -> Response:
    authz.require_role(principal, *INSTITUTION_SIDE)
    web_session.check_csrf(request, form.pop("csrf", ""))
    body = {k: form.get(k, "") for k in words.LEAK_LABELS} | {
        "institution": _institution(principal, form), "application_id": form.get("application_id") or None}
    try:
        oversight.record_leak_review(session, principal, LeakReviewCreate.model_validate(body), ctx.today())
        session.commit()
    except (ValidationError, Problem) as exc:
        session.rollback()
        status, entries, by_field = _refused(request, exc, words.LEAK_LABELS)
        return _leak_form(request, session, principal, ctx.today(), status, entries, by_field, form)
    return redirect(request, "/inbox/leak-reviews", done="leak-review")
