"""The stepped declaration form's pages (issue 14, item 9): a new researcher's first declaration, or a new declaration
of a researcher on record (which supersedes the current one; it starts from what that one declared).

Step 1 (who, and the day of the declaration) is judged before anything is kept; once it is right, a draft keeps what
was typed between the steps (service/research/drafts.py), for its author alone. Each step is judged as the API
judges that part of the body (service/web/declaration_form.py) and says what is wrong beside the field, in the page's
language; going back keeps what was typed without judging it. The last step shows what will be recorded and records
it through the API's service: until then nothing is a declaration.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from service import authz
from service.auth.tokens import Principal
from service.deps import CtxDep, SessionDep
from service.i18n import translations
from service.organisations import service as organisations
from service.problems import NotFound, Problem
from service.research import declarations, drafts
from service.research.models import DeclarationDraft
from service.research.schemas import DeclarationCreate, ResearcherCreate, ResearcherPublic
from service.rules.policy import DEFAULT_POLICY
from service.rules.research import declaration as rules
from service.rules.research.risk import flags as flags_of
from service.web import declaration_form as spec
from service.web import research_words as words
from service.web import session as web_session
from service.web.forms import FormFields, shown
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect, render, url_maker
from service.web.report_pages import countries

router = APIRouter(prefix="/inbox", include_in_schema=False)


def _institution_side(principal: Principal) -> None:
    authz.require_role(principal, "institution_officer", "admin")


def _researcher(session: Session, principal: Principal, researcher_id: str | None, today: date
                ) -> ResearcherPublic | None:
    """The researcher a new declaration is of (their institution's, which the reader must be), or None."""
    if researcher_id is None:
        return None
    r = authz.researcher(session, principal, researcher_id)
    authz.require_institution(principal, r.institution)
    return declarations.public(session, principal, r, today)


def _declared_on(values: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(values.get("declared_on", "").strip())
    except ValueError:
        return None


def _step_url(request: Request, draft_id: str | None, number: int, researcher_id: str | None = None,
              anchor: str = "") -> str:
    url = url_maker(page_lang(request))
    if draft_id is None:
        path = f"/inbox/researchers/{researcher_id}/declare" if researcher_id else "/inbox/researchers/new"
    else:
        path = f"/inbox/researchers/drafts/{draft_id}/{number}"
    return url(path) + (f"#f-{anchor}" if anchor else "")


def _step_page(request: Request, session: Session, principal: Principal, today: date, number: int,
               values: dict[str, str], draft: DeclarationDraft | None, researcher: ResearcherPublic | None,
               status_code: int = 200, errors: list | None = None, field_errors: dict | None = None,
               summary: dict[str, Any] | None = None) -> Response:
    step = spec.BY_NUMBER[number]
    chooses = principal.role == "admin"
    new = researcher is None
    institution_name = (organisations.names(session, {principal.org})[principal.org]
                        if not chooses else None)
    institutions = organisations.of_kind(session, "research_institution") if chooses and new else []
    return render(request, "inbox/research_declaration_step.html", principal, status_code, step=step,
                  steps=spec.STEPS, spec=spec, form=values, draft=draft, researcher=researcher,
                  reached=draft.reached if draft else 1, new=new, chooses=chooses, institution_name=institution_name,
                  institutions=[(o.id, o.name) for o in institutions], countries=countries(page_lang(request)),
                  words=words, item_numbers=rules.ITEM_NUMBERS, today=today, summary=summary, errors=errors or [], field_errors=field_errors or {},
                  step_url=lambda n, anchor="": _step_url(request, draft.id if draft else None, n,
                                                          researcher.id if researcher else None, anchor))


def _judged(request: Request, principal: Principal, number: int, values: dict[str, str], today: date,
            researcher: ResearcherPublic | None) -> tuple[list, dict]:
    step = spec.BY_NUMBER[number]
    current = researcher.declaration.declared_on if researcher and researcher.declaration else None
    lang = page_lang(request)
    _reading, errors, _model = spec.judge(step, values, new_researcher=researcher is None,
                                          chooses_institution=principal.role == "admin", today=today,
                                          declared_on=_declared_on(values), current_declared_on=current, lang=lang)
    labels = spec.labels(step, values, translations(lang).gettext)
    context = shown(errors, labels, lang)
    return context["errors"], context["field_errors"]


def _typed(form: dict[str, str], values: dict[str, str] | None = None) -> dict[str, str]:
    """The draft's values with what this step's form sent (its buttons and token left out)."""
    out = dict(values or {})
    out.update({k: v for k, v in form.items() if k not in ("csrf", "action")})
    return out


# --- step 1, before there is a draft --------------------------------------------------------------------------

@router.get("/researchers/new")
def new_researcher(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    _institution_side(principal)
    return _step_page(request, session, principal, ctx.today(), 1, {}, None, None)


@router.get("/researchers/{researcher_id}/declare")
def declare_again(request: Request, researcher_id: str, principal: PagePrincipal, session: SessionDep,
                  ctx: CtxDep) -> Response:
    _institution_side(principal)
    researcher = _researcher(session, principal, researcher_id, ctx.today())
    return _step_page(request, session, principal, ctx.today(), 1, {}, None, researcher)


def _start(request: Request, principal: Principal, form: dict[str, str], session: Session, ctx: CtxDep,
           researcher_id: str | None) -> Response:
    web_session.check_csrf(request, form.pop("csrf", ""))
    _institution_side(principal)
    today = ctx.today()
    researcher = _researcher(session, principal, researcher_id, today)
    values = _typed(form)
    errors, by_field = _judged(request, principal, 1, values, today, researcher)
    if errors:
        return _step_page(request, session, principal, today, 1, values, None, researcher, 422, errors, by_field)
    if researcher is not None and researcher.declaration is not None and researcher.declaration.items is not None:
        # A new declaration starts from what the current one declared: the researcher changes what changed.
        values = spec.values_of(researcher.declaration.items.model_dump(mode="json")) | values
    draft = drafts.start(session, principal, researcher_id=researcher_id, values=values, now=ctx.now())
    drafts.save(session, principal, draft.id, values, reached=2, now=ctx.now())
    session.commit()
    return RedirectResponse(_step_url(request, draft.id, 2), status_code=303)


@router.post("/researchers/new")
def start_new(request: Request, principal: PagePrincipal, form: FormFields, session: SessionDep,
              ctx: CtxDep) -> Response:
    return _start(request, principal, form, session, ctx, None)


@router.post("/researchers/{researcher_id}/declare")
def start_again(request: Request, researcher_id: str, principal: PagePrincipal, form: FormFields,
                session: SessionDep, ctx: CtxDep) -> Response:
    return _start(request, principal, form, session, ctx, researcher_id)


# --- the draft's steps ----------------------------------------------------------------------------------------

def _number(step: str) -> int:
    if not step.isascii() or not step.isdigit() or int(step) not in spec.BY_NUMBER:
        raise NotFound("No such page.")
    return int(step)


def _review(request: Request, principal: Principal, draft: DeclarationDraft, researcher: ResearcherPublic | None,
            today: date) -> tuple[dict[str, Any], list, dict]:
    """What the last step shows: the body the draft stands for, judged whole (each step again, then the body), its
    lookback window, item counts and the points it raises; and what is wrong, each linked to its step."""
    lang = page_lang(request)
    gettext = translations(lang).gettext
    errors: list[dict[str, Any]] = []
    for step in spec.STEPS[:-1]:
        step_errors, _fields = _judged(request, principal, step.number, draft.values, today, researcher)
        errors += [e | {"step": step.number} for e in step_errors]
    summary: dict[str, Any] = {}
    if not errors:
        body, reading = spec.body_of(draft.values, new_researcher=researcher is None,
                                     chooses_institution=principal.role == "admin", institution=principal.org)
        try:
            valid = (ResearcherCreate if researcher is None else DeclarationCreate).model_validate(
                body if researcher is None else {"declared_on": body.get("declared_on"), "items": body["items"]})
        except ValidationError as exc:
            for e in spec.record_errors(exc, reading, lang):
                errors.append({"field": e.path, "label": "", "message": e.message, "step": spec.step_of(e.path)})
        else:
            summary = {"body": valid, "lookback": rules.lookback(valid.declared_on),
                       "fresh_through": rules.fresh_through(valid.declared_on, DEFAULT_POLICY.declaration_fresh_months),
                       "summary": rules.summary(valid.items, valid.declared_on),
                       "flags": flags_of(valid.items, valid.declared_on),
                       "items": valid.items.model_dump(mode="json")}
    for e in errors:
        e["step_title"] = gettext(spec.BY_NUMBER[e["step"]].title)
    return summary, errors, {}


def _draft_page(request: Request, session: Session, principal: Principal, draft_id: str, number: int, today: date,
                now: Any, status_code: int = 200, errors: list | None = None, field_errors: dict | None = None,
                values: dict[str, str] | None = None) -> Response:
    draft = drafts.get(session, principal, draft_id, now)
    researcher = _researcher(session, principal, draft.researcher_id, today)
    if number > draft.reached:
        return RedirectResponse(_step_url(request, draft.id, draft.reached), status_code=303)
    summary = None
    if number == spec.LAST:
        summary, review_errors, _fields = _review(request, principal, draft, researcher, today)
        errors = (errors or []) + review_errors
    return _step_page(request, session, principal, today, number, values if values is not None else draft.values,
                      draft, researcher, status_code, errors, field_errors, summary)


@router.post("/researchers/drafts/{draft_id}/discard")
def discard(request: Request, draft_id: str, principal: PagePrincipal, form: FormFields, session: SessionDep,
            ctx: CtxDep) -> Response:
    web_session.check_csrf(request, form.get("csrf", ""))
    _institution_side(principal)
    draft = drafts.get(session, principal, draft_id, ctx.now())
    back = f"/inbox/researchers/{draft.researcher_id}" if draft.researcher_id else "/inbox/researchers"
    drafts.discard(session, principal, draft_id, ctx.now())
    session.commit()
    return redirect(request, back, done="draft-discarded")


@router.get("/researchers/drafts/{draft_id}/{step}")
def draft_step(request: Request, draft_id: str, step: str, principal: PagePrincipal, session: SessionDep,
               ctx: CtxDep) -> Response:
    _institution_side(principal)
    return _draft_page(request, session, principal, draft_id, _number(step), ctx.today(), ctx.now())


@router.post("/researchers/drafts/{draft_id}/{step}")
def save_step(request: Request, draft_id: str, step: str, principal: PagePrincipal, form: FormFields,
              session: SessionDep, ctx: CtxDep) -> Response:
    """The step's buttons: save and continue (judged first), back (kept as typed), add an entry or people, remove
    an entry, and at the last step record the declaration."""
    web_session.check_csrf(request, form.get("csrf", ""))
    _institution_side(principal)
    number, today, now = _number(step), ctx.today(), ctx.now()
    draft = drafts.get(session, principal, draft_id, now)
    if number > draft.reached:  # a step not reached yet: back to the one to do first
        return RedirectResponse(_step_url(request, draft.id, draft.reached), status_code=303)
    action = form.get("action", "next")
    researcher = _researcher(session, principal, draft.researcher_id, today)
    if number == spec.LAST:
        if action == "back":
            return RedirectResponse(_step_url(request, draft.id, number - 1), status_code=303)
        return _record(request, session, principal, draft, researcher, today, now)
    values = _typed(form, draft.values)
    if action.startswith(("add:", "remove:")):
        verb, _sep, target = action.partition(":")
        anchor = (spec.add if verb == "add" else spec.remove)(values, target)
        drafts.save(session, principal, draft.id, values, reached=None, now=now)
        session.commit()
        return RedirectResponse(_step_url(request, draft.id, number, anchor=anchor or ""), status_code=303)
    if action == "back":
        drafts.save(session, principal, draft.id, values, reached=None, now=now)
        session.commit()
        return RedirectResponse(_step_url(request, draft.id, max(number - 1, 1)), status_code=303)
    errors, by_field = _judged(request, principal, number, values, today, researcher)
    if errors:
        drafts.save(session, principal, draft.id, values, reached=min(draft.reached, number), now=now)
        session.commit()
        return _draft_page(request, session, principal, draft_id, number, today, now, 422, errors, by_field, values)
    drafts.save(session, principal, draft.id, values, reached=max(draft.reached, number + 1), now=now)
    session.commit()
    return RedirectResponse(_step_url(request, draft.id, number + 1), status_code=303)


def _record(request: Request, session: Session, principal: Principal, draft: DeclarationDraft,
            researcher: ResearcherPublic | None, today: date, now: Any) -> Response:
    summary, errors, _fields = _review(request, principal, draft, researcher, today)
    if errors:
        return _step_page(request, session, principal, today, spec.LAST, draft.values, draft, researcher, 422,
                          errors, {}, summary)
    body = summary["body"]
    try:
        out = drafts.record(session, principal, draft.id, body, now, today)
        session.commit()
    except Problem as exc:
        if exc.status in (403, 404):
            raise
        session.rollback()
        lang = page_lang(request)
        _body, reading = spec.body_of(draft.values, new_researcher=researcher is None,
                                      chooses_institution=principal.role == "admin", institution=principal.org)
        refused = [{"field": e.path or None, "label": "", "message": e.message, "step": spec.step_of(e.path),
                    "step_title": translations(lang).gettext(spec.BY_NUMBER[spec.step_of(e.path)].title)}
                   for e in spec.record_errors(exc, reading, lang)]
        return _step_page(request, session, principal, today, spec.LAST, draft.values, draft, researcher,
                          exc.status, refused, {}, summary)
    return redirect(request, f"/inbox/researchers/{out.id}", done="declaration")
