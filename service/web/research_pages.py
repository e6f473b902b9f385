"""Research security from the browser (issue 14, item 9): the institution's applications to designated programmes
and its researchers, one application's page (its researchers, their declarations' flags and screenings, the
mitigations, the review rounds, and each side's step: submit, add a researcher, answer a request for more mitigation;
ask for it, accept), a researcher's page with their declaration, and the screenings' dispositions.

Every form goes through the same service and body as its API operation; access is decided by service/authz.py
(outside one's scope is 404). The FA's and the ministry's reads of a declaration are recorded in its audit trail by
the services these pages read through (a page that shows one is such a read), so those pages write on GET.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from service import authz
from service.auth.tokens import Principal
from service.deps import CtxDep, SessionDep, WritingSessionDep
from service.i18n import translations
from service.organisations import service as organisations
from service.problem_words import Msg, say
from service.problems import Conflict, Problem
from service.programmes import service as programmes
from service.research import applications, declarations
from service.research.schemas import (
    AcceptCreate,
    AddResearcherCreate,
    ApplicationCreate,
    ApplicationPublic,
    DeclarationPublic,
    MitigationRequestCreate,
    ResearchDisposition,
    ResponseCreate,
)
from service.rules.research import declaration as declaration_rules
from service.web import research_words as words
from service.web import screening_words
from service.web import session as web_session
from service.web.declaration_form import STEPS
from service.web.forms import FormDep, FormError, FormFields, shown, worded
from service.web.principal import PagePrincipal, WritingPagePrincipal
from service.web.rendering import page_lang, redirect, render, url_maker
from service.web.screening_pages import _people_in_words

router = APIRouter(prefix="/inbox", include_in_schema=False)
PAGE = 50
NONE_OF_THESE = "none"
ALL = "all"
INSTITUTION_SIDE = ("institution_officer", "admin")
MITIGATION_ROWS = 3


def _t(request: Request, msgid: str) -> str:
    return translations(page_lang(request)).gettext(msgid)


# --- what comes next ------------------------------------------------------------------------------------------

def next_steps(app: ApplicationPublic, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """What is to be done on the application, most urgent first: {owner, what (msgid), day, researcher}. The owner
    is whose step it is (the institution's, the FA's, or nobody's)."""
    if app.state == "draft":
        return [{"owner": "institution", "what": words.NEXT_SUBMIT,
                 "day": None, "researcher": None}]
    out = []
    for r in app.rounds:
        who = (names or {}).get(r.researcher_id or "", r.researcher_id) if r.researcher_id else None
        if r.state == "mitigation_requested":
            out.append({"owner": "institution", "what": words.NEXT_ANSWER,
                        "day": r.respond_by, "researcher": who})
        elif r.state == "submitted":
            out.append({"owner": "fa", "what": words.NEXT_REVIEW, "day": r.review_due_on,
                        "researcher": who})
    out.sort(key=lambda s: (s["owner"] != "institution", s["day"] or date.max))
    if not out:
        out.append({"owner": "none", "what": words.NEXT_NONE, "day": app.accepted_on, "researcher": None})
    return out


def _said(exc: Problem, lang: str, researcher_names: dict[str, str]) -> str:
    """A refusal's detail in words, the researchers it names by their names and the designation's confirmers in
    words (a service names them by id and code)."""
    detail = exc.detail
    if detail is None:
        return exc.words(lang, page=True)[0]
    params = dict(detail.params)
    if "ids" in params:
        params["ids"] = [researcher_names.get(i, i) for i in params["ids"]]
    if "missing" in params:
        gettext = translations(lang).gettext
        params["missing"] = [gettext(words.CONFIRMERS.get(m, m)) if m in words.CONFIRMERS else m
                             for m in params["missing"]]
    return say(Msg(detail.msgid, params, detail.english), lang, page=True)


def _refused(request: Request, exc: ValidationError | Problem, suffix: str = "",
             researcher_names: dict[str, str] | None = None) -> tuple[int, list[dict], dict[str, str]]:
    """The status, summary and field messages of a refused form; its fields named `<field>-<suffix>` when the page
    has several forms of the kind (one per round, one per screening). 403 and 404 go to the error page."""
    if isinstance(exc, Problem) and exc.status in (403, 404):
        raise exc
    lang = page_lang(request)
    if isinstance(exc, Problem) and not exc.errors:
        errors = [FormError("", "", _said(exc, lang, researcher_names or {}))]
    else:
        errors = worded(exc, lang)
    renamed = []
    for e in errors:
        parts = e.path.split(".")
        base = parts[0]
        if base == "mitigations":  # a measure's row: "measure-1", or the one row of a form of its own
            base = parts[2] if len(parts) > 2 else "measure"
            index = parts[1] if len(parts) > 1 and parts[1].isdigit() else "0"
            path = f"{base}-{suffix or index}"
        else:
            if base == "decision":
                e = FormError("entry", "", _t(request, words.CHOOSE_ONE))
                base = "entry"
            path = f"{base}-{suffix}" if base and suffix else base
        label = _t(request, words.APPLICATION_LABELS[base]) if base in words.APPLICATION_LABELS else ""
        renamed.append(FormError(path, label, e.message))
    context = shown(renamed, {}, lang)
    return (exc.status if isinstance(exc, Problem) else 422), context["errors"], context["field_errors"]


# --- the applications -----------------------------------------------------------------------------------------

def _application_names(session: Session, apps: list[ApplicationPublic]) -> dict[str, dict[str, str]]:
    return {"orgs": organisations.names(session, {a.institution for a in apps} | {a.funding_agency for a in apps}
                                        | {a.ministry for a in apps}),
            "programmes": programmes.names(session, {a.programme_id for a in apps})}


@router.get("/applications")
def applications_page(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep, state: str = "",
                      after: str = "") -> Response:
    """The applications the reader may see, with what comes next on each: an institution's own (drafts
    included), an FA's and a ministry's those submitted to their programmes."""
    today = ctx.today()
    state = state if state in words.APPLICATION_STATES else ""
    try:
        page = applications.page(session, principal, today, state=state or None, programme_id=None,
                                 after=after or None, limit=PAGE)
    except Problem:  # a hand-edited cursor: the first page
        page = applications.page(session, principal, today, state=state or None, programme_id=None, after=None,
                                 limit=PAGE)
    next_url = url_maker(page_lang(request))("/inbox/applications", state=state, after=page.next_after) \
        if page.next_after else None
    return render(request, "inbox/research_applications.html", principal, applications=page.items, state=state,
                  steps={a.id: next_steps(a) for a in page.items}, words=words, next_url=next_url,
                  creates=principal.role in INSTITUTION_SIDE, **_application_names(session, page.items))


def institution_home(request: Request, principal: Principal, session: Session, today: date) -> Response:
    """An institution officer's first page: the applications waiting for the institution (drafts to submit,
    requests for more mitigation to answer by their day), those with the FA, and the researchers whose declaration
    needs attention (no longer fresh, or screenings to decide)."""
    apps = applications.page(session, principal, today, state=None, programme_id=None, after=None, limit=200).items
    steps = {a.id: next_steps(a) for a in apps}
    ours = [a for a in apps if steps[a.id][0]["owner"] == "institution"]
    ours.sort(key=lambda a: steps[a.id][0]["day"] or date.max)
    with_fa = [a for a in apps if steps[a.id][0]["owner"] == "fa"]
    people = declarations.page(session, principal, today, after=None, limit=500).items
    attention = [r for r in people if r.pending_screenings or r.fresh_through is None or r.fresh_through < today]
    return render(request, "inbox/research_tasks.html", principal, ours=ours, with_fa=with_fa, steps=steps,
                  attention=attention, researchers=len(people), accepted=sum(a.state == "accepted" for a in apps),
                  today=today, words=words, **_application_names(session, apps))


def _new_application_form(request: Request, session: Session, principal: Principal, today: date,
                          status_code: int = 200, errors: list | None = None, field_errors: dict | None = None,
                          form: dict | None = None) -> Response:
    authz.require_role(principal, *INSTITUTION_SIDE)
    designated = [p for p in programmes.visible(session, principal) if p.kind == "specific_rd"]
    people = declarations.page(session, principal, today, after=None, limit=500).items
    institutions = (organisations.of_kind(session, "research_institution") if principal.role == "admin" else [])
    return render(request, "inbox/research_application_form.html", principal, status_code, programmes=designated,
                  researchers=people, institutions=institutions, rows=MITIGATION_ROWS, today=today, words=words,
                  all_value=ALL, errors=errors or [], field_errors=field_errors or {}, form=form or {"researchers": []})


@router.get("/applications/new")
def new_application(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    return _new_application_form(request, session, principal, ctx.today())


def _mitigations_of(form: Any, count: int, prefix: str = "") -> list[dict[str, Any]]:
    """The mitigation rows typed ("measure-0", "researcher_id-0" ...), blank ones left out."""
    out = []
    for i in range(count):
        measure = str(form.get(f"{prefix}measure-{i}", "")).strip()
        who = str(form.get(f"{prefix}researcher_id-{i}", ""))
        if measure or (who and who != ALL):
            out.append({"researcher_id": None if who in ("", ALL) else who, "measure": measure})
    return out


@router.post("/applications/new")
def create_application(request: Request, principal: PagePrincipal, form: FormDep, session: SessionDep,
                       ctx: CtxDep) -> Response:
    web_session.check_csrf(request, str(form.get("csrf", "")))
    typed = {k: str(v) for k, v in form.items() if k != "researchers"} | {"researchers": form.getlist("researchers")}
    institution = principal.org if principal.role != "admin" else str(form.get("institution", ""))
    body = {"programme_id": str(form.get("programme_id", "")), "institution": institution,
            "title": str(form.get("title", "")), "researchers": [str(r) for r in form.getlist("researchers")],
            "mitigations": _mitigations_of(form, MITIGATION_ROWS)}
    try:
        valid = ApplicationCreate.model_validate(body)
        out = applications.create(session, principal, valid, ctx.today())
        session.commit()
    except (ValidationError, Problem) as exc:
        session.rollback()
        status, entries, by_field = _refused(request, exc)
        return _new_application_form(request, session, principal, ctx.today(), status, entries, by_field, typed)
    return redirect(request, f"/inbox/applications/{out.id}", done="application")


def application_response(request: Request, session: Session, principal: Principal, application_id: str, today: date,
                         status_code: int = 200, failed: str | None = None, errors: list | None = None,
                         field_errors: dict | None = None, form: dict | None = None) -> Response:
    """The application's page: for the FA and the ministry a read of its researchers' declarations (recorded in
    their trails), which is committed here."""
    app, found = applications.read_with_declarations(session, principal, application_id, today)
    session.commit()
    lang = page_lang(request)
    names = organisations.names(session, {app.institution, app.ministry, app.funding_agency})
    members = {m.researcher_id: m.name or "" for m in app.researchers}
    institution_side = principal.role in INSTITUTION_SIDE
    candidates = []
    if institution_side:
        taken = set(members)
        candidates = [r for r in declarations.page(session, principal, today, after=None, limit=500).items
                      if r.id not in taken and r.institution == app.institution and r.declared_on is not None]
    actors = [r.accepted_by for r in app.rounds] + [q.get(k) for r in app.rounds for q in r.requests
                                                    for k in ("requested_by", "answered_by")]
    actors += [s.decided_by for d in found.values() for s in d.screenings] + [d.recorded_by for d in found.values()]
    return render(request, "inbox/research_application.html", principal, status_code, app=app, declarations=found,
                  names=names, members=members, steps=next_steps(app, members), words=words,
                  screening_words=screening_words, programme_name=programmes.names(session, {app.programme_id})[
                      app.programme_id],
                  institution_side=institution_side, fa_side=principal.role in ("fa_officer", "admin"),
                  asks=principal.role in ("fa_officer", "ministry_officer", "admin"),
                  decides_screenings=principal.role in ("institution_officer", "fa_officer", "admin"),
                  candidates=candidates, who=_people_in_words(session, lang, actors), today=today, all_value=ALL,
                  none_of_these=NONE_OF_THESE, failed=failed, errors=errors or [], field_errors=field_errors or {},
                  form=form or {})


@router.get("/applications/{application_id}")
def application_page(request: Request, application_id: str, principal: WritingPagePrincipal,
                     session: WritingSessionDep, ctx: CtxDep) -> Response:
    return application_response(request, session, principal, application_id, ctx.today())


def _act(request: Request, session: Session, principal: Principal, application_id: str, today: date, form: dict,
         failed: str, suffix: str, act: Any, done: str, screen_first: str | bool = False) -> Response:
    """Run a step of the application (validate its body, call the service), commit, and back to the page with
    the message; or the page again with the refusal beside the form. `screen_first` (a submission, or a researcher
    added: True, or the researcher's id) screens the declarations about to go against any list version they missed
    first, in a transaction of its own as the API does, so that what it finds stays when the step is refused."""
    web_session.check_csrf(request, str(form.pop("csrf", "")))
    if screen_first:
        applications.screen_before_submission(session, principal, application_id,
                                              screen_first if isinstance(screen_first, str) else None)
        session.commit()
    try:
        act()
        session.commit()
    except (ValidationError, Problem) as exc:
        if isinstance(exc, Problem) and exc.status in (403, 404):
            raise
        session.rollback()
        names = {}
        try:
            names = {m.researcher_id: m.name or "" for m in applications.public(
                session, authz.application(session, principal, application_id), today, with_flags=False).researchers}
        except Problem:
            pass
        status, entries, by_field = _refused(request, exc, suffix, names)
        return application_response(request, session, principal, application_id, today, status, failed, entries,
                                    by_field, form)
    return redirect(request, f"/inbox/applications/{application_id}", done=done)


@router.post("/applications/{application_id}/submit")
def submit(request: Request, application_id: str, principal: PagePrincipal, form: FormFields, session: SessionDep,
           ctx: CtxDep) -> Response:
    return _act(request, session, principal, application_id, ctx.today(), form, "submit", "",
                lambda: applications.submit(session, principal, application_id, ctx.today()), "application-submitted",
                screen_first=True)


@router.post("/applications/{application_id}/researchers")
def add_researcher(request: Request, application_id: str, principal: PagePrincipal, form: FormFields,
                   session: SessionDep, ctx: CtxDep) -> Response:
    def act() -> None:
        rid = form.get("researcher_id-add", "")
        measure = form.get("measure-add", "").strip()
        body = AddResearcherCreate.model_validate(
            {"researcher_id": rid, "mitigations": [{"researcher_id": rid, "measure": measure}] if measure else []})
        applications.add_researcher(session, principal, application_id, body, ctx.today())
    return _act(request, session, principal, application_id, ctx.today(), form, "add", "add", act, "researcher-added",
                screen_first=form.get("researcher_id-add") or False)


@router.post("/applications/{application_id}/respond")
def respond(request: Request, application_id: str, principal: PagePrincipal, form: FormFields, session: SessionDep,
            ctx: CtxDep) -> Response:
    round_id = form.get("round", "")

    def act() -> None:
        measure, who = form.get(f"measure-{round_id}", "").strip(), form.get(f"researcher_id-{round_id}", "")
        body = ResponseCreate.model_validate({
            "answer": form.get(f"answer-{round_id}", ""), "researcher_id": form.get("round_researcher") or None,
            "mitigations": [{"researcher_id": None if who in ("", ALL) else who, "measure": measure}]
            if measure else []})
        applications.respond(session, principal, application_id, body, ctx.today())
    return _act(request, session, principal, application_id, ctx.today(), form, f"respond-{round_id}", round_id,
                act, "application-responded")


@router.post("/applications/{application_id}/request-mitigation")
def request_mitigation(request: Request, application_id: str, principal: PagePrincipal, form: FormFields,
                       session: SessionDep, ctx: CtxDep) -> Response:
    round_id = form.get("round", "")

    def act() -> None:
        body = MitigationRequestCreate.model_validate({
            "request": form.get(f"request-{round_id}", ""), "respond_by": form.get(f"respond_by-{round_id}", ""),
            "researcher_id": form.get("round_researcher") or None})
        applications.request_mitigation(session, principal, application_id, body, ctx.today())
    return _act(request, session, principal, application_id, ctx.today(), form, f"request-{round_id}", round_id,
                act, "mitigation-requested")


@router.post("/applications/{application_id}/accept")
def accept(request: Request, application_id: str, principal: PagePrincipal, form: FormFields, session: SessionDep,
           ctx: CtxDep) -> Response:
    round_id = form.get("round", "")

    def act() -> None:
        body = AcceptCreate.model_validate({"researcher_id": form.get("round_researcher") or None,
                                           "note": form.get(f"note-{round_id}", "").strip() or None})
        applications.accept(session, principal, application_id, body, ctx.today())
    return _act(request, session, principal, application_id, ctx.today(), form, f"accept-{round_id}", round_id,
                act, "application-accepted")


def _disposition(form: dict[str, str], screening_id: str) -> ResearchDisposition:
    choice = form.get(f"entry-{screening_id}", "")
    return ResearchDisposition.model_validate({
        "decision": "false_positive" if choice == NONE_OF_THESE else ("true_match" if choice else ""),
        "entry": choice if choice not in ("", NONE_OF_THESE) else None, "reason": form.get(f"reason-{screening_id}", "")})


@router.post("/applications/{application_id}/screenings/{screening_id}/disposition")
def dispose_on_application(request: Request, application_id: str, screening_id: str, principal: PagePrincipal,
                           form: FormFields, session: SessionDep, ctx: CtxDep) -> Response:
    authz.application(session, principal, application_id)  # 404 outside the reader's scope, before anything

    def act() -> None:
        declarations.dispose(session, principal, screening_id, _disposition(form, screening_id), ctx.today())
    return _act(request, session, principal, application_id, ctx.today(), form, f"screening-{screening_id}",
                screening_id, act, "research-screening")


# --- researchers ----------------------------------------------------------------------------------------------

@router.get("/researchers")
def researchers_page(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep,
                     after: str = "") -> Response:
    """The researchers the reader may see, each with their declaration's day, how long it serves, its flags and
    the screenings waiting for a decision."""
    today = ctx.today()
    try:
        page = declarations.page(session, principal, today, after=after or None, limit=PAGE)
    except Problem:
        page = declarations.page(session, principal, today, after=None, limit=PAGE)
    next_url = url_maker(page_lang(request))("/inbox/researchers", after=page.next_after) if page.next_after else None
    return render(request, "inbox/research_researchers.html", principal, researchers=page.items, today=today,
                  next_url=next_url, creates=principal.role in INSTITUTION_SIDE,
                  orgs=organisations.names(session, {r.institution for r in page.items}))


def _outside(d: DeclarationPublic) -> set[tuple[str, int]]:
    """The windowed items' entries outside the three years looked back on (kept on record, marked so)."""
    if d.items is None:
        return set()
    out = set()
    for name in declaration_rules.WINDOWED_ITEMS:
        for i, entry in enumerate(getattr(d.items, name)):
            if not declaration_rules.in_window(entry, d.lookback):
                out.add((name, i))
    return out


def researcher_response(request: Request, session: Session, principal: Principal, researcher_id: str, today: date,
                        declaration_id: str | None = None, status_code: int = 200, errors: list | None = None,
                        field_errors: dict | None = None, form: dict | None = None) -> Response:
    """A researcher with their current declaration (or, with `declaration_id`, an earlier one): for the FA and the
    ministry a read recorded in the researcher's trail, committed here."""
    researcher = declarations.read(session, principal, researcher_id, today) if declaration_id is None else None
    if declaration_id is not None:
        d: DeclarationPublic | None = declarations.read_declaration(session, principal, researcher_id, declaration_id,
                                                                    today)
        researcher = declarations.public(session, principal, authz.researcher(session, principal, researcher_id),
                                         today)
    else:
        d = researcher.declaration if researcher else None
    session.commit()
    assert researcher is not None
    lang = page_lang(request)
    institution_side = principal.role in INSTITUTION_SIDE
    # Each declaration by its own number (the FA sees only those submitted to it: 1 and 3, say, not 1 and 2).
    numbers = {x.id: x.number for x in declarations.visible_declarations(session, principal, researcher.id)}
    return render(request, "inbox/research_researcher.html", principal, status_code, researcher=researcher,
                  declaration=d, outside=_outside(d) if d else set(), words=words, screening_words=screening_words,
                  numbers=numbers,
                  institution=organisations.names(session, {researcher.institution})[researcher.institution],
                  institution_side=institution_side,
                  decides_screenings=principal.role in ("institution_officer", "fa_officer", "admin"),
                  who=_people_in_words(session, lang, [d.recorded_by] + [s.decided_by for s in d.screenings]
                                       if d else []),
                  current=declaration_id is None or (researcher.declaration is not None
                                                     and researcher.declaration.id == declaration_id),
                  steps=STEPS, today=today, none_of_these=NONE_OF_THESE, errors=errors or [],
                  field_errors=field_errors or {}, form=form or {})


@router.get("/researchers/{researcher_id}")
def researcher_page(request: Request, researcher_id: str, principal: WritingPagePrincipal,
                    session: WritingSessionDep, ctx: CtxDep) -> Response:
    return researcher_response(request, session, principal, researcher_id, ctx.today())


@router.get("/researchers/{researcher_id}/declarations/{declaration_id}")
def declaration_page(request: Request, researcher_id: str, declaration_id: str, principal: WritingPagePrincipal,
                     session: WritingSessionDep, ctx: CtxDep) -> Response:
    return researcher_response(request, session, principal, researcher_id, ctx.today(), declaration_id)


@router.post("/researchers/{researcher_id}/screenings/{screening_id}/disposition")
def dispose_on_researcher(request: Request, researcher_id: str, screening_id: str, principal: PagePrincipal,
                          form: FormFields, session: SessionDep, ctx: CtxDep) -> Response:
    web_session.check_csrf(request, form.pop("csrf", ""))
    authz.researcher(session, principal, researcher_id)
    try:
        declarations.dispose(session, principal, screening_id, _disposition(form, screening_id), ctx.today())
        session.commit()
    except (ValidationError, Problem) as exc:
        if isinstance(exc, Problem) and exc.status in (403, 404):
            raise
        session.rollback()
        if isinstance(exc, Conflict):
            entries = [{"field": None, "label": "", "message": _t(request, screening_words.ALREADY_DECIDED)}]
            status, by_field = 409, {}
        else:
            status, entries, by_field = _refused(request, exc, screening_id)
        return researcher_response(request, session, principal, researcher_id, ctx.today(), None, status, entries,
                                   by_field, form)
    return redirect(request, f"/inbox/researchers/{researcher_id}", done="research-screening")
