"""Screening from the browser (issue 13): the ministry's review queue of screened parties, one screening beside
its candidates with the disposition form, and the lists' versions (the admin imports a new one by upload; officers
read them). Each form goes through the same service and body as its API operation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from service import authz
from service.actors import actor_in_words, parse_actor
from service.attachments.service import Refused
from service.attachments.uploads import read_upload
from service.auth.tokens import Principal
from service.consultations.models import ConsultationCase
from service.contracts import service as contracts
from service.deps import CtxDep, SessionDep
from service.i18n import translations
from service.obligations import service as obligations
from service.organisations import service as organisations
from service.people import service as people
from service.problems import Conflict, Forbidden, NotFound, Problem
from service.programmes.models import Programme
from service.rules.file_types import size_in_words
from service.rules.screening.entries import SOURCES
from service.screening import service as screenings
from service.screening.models import ListVersion, ScreenedParty, Screening
from service.screening.schemas import DispositionCreate
from service.web import screening_words as words
from service.web import session as web_session
from service.web.forms import FormError, FormFields, shown, worded
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect, render, url_maker

router = APIRouter(prefix="/inbox", include_in_schema=False)
PAGE = 50
NONE_OF_THESE = "none"


def _t(request: Request, msgid: str) -> str:
    return translations(page_lang(request)).gettext(msgid)


def _people_in_words(session: Session, lang: str, actors: list[str | None]) -> dict[str, str]:
    """Each stored actor ("sato (ministry_officer, meti)") as the pages name people: 「佐藤（府省庁担当者・経済産業省）」;
    an administrator, who belongs to no registered organisation, by name and role alone."""
    parsed = {a: p for a in actors if a and (p := parse_actor(a))}
    org_names = organisations.names(session, {p.org for p in parsed.values()})
    person_names = people.names_of(session, [(p.org, p.sub) for p in parsed.values()])
    out = {a: actor_in_words(a, lang, org_names, person_names) for a in actors if a}
    gettext = translations(lang).gettext
    for actor, p in parsed.items():
        if org_names.get(p.org) == p.org:  # no organisation of that id
            name, role = person_names.get((p.org, p.sub), p.sub), gettext(p.role)
            out[actor] = f"{name}（{role}）" if lang == "ja" else f"{name} ({role})"
    return out


def _versions(session: Session, ids: set[str]) -> dict[str, ListVersion]:
    out = {}
    for version_id in ids:
        try:
            out[version_id] = screenings.version(session, version_id)
        except Problem:
            continue
    return out


def best(screening: Screening) -> dict[str, Any] | None:
    """The candidate with the highest score (the matcher's order, unless a stored list says otherwise)."""
    return max(screening.candidates, key=lambda c: c.get("score", 0), default=None)


# --- the review queue -----------------------------------------------------------------------------------------

@router.get("/screenings")
def queue(request: Request, principal: PagePrincipal, session: SessionDep, state: str = "potential_match",
          after: str = "") -> Response:
    """The screenings of the contracts the reader may see: the potential matches to decide first (the default
    filter), or those of another state, newest first, with their count."""
    state = state if state in dict(words.FILTERS) else "potential_match"
    wanted = None if state == "all" else state
    try:
        rows, cursor = screenings.page(session, principal, state=wanted, after=after or None, limit=PAGE)
    except Problem:  # a hand-edited cursor: the first page
        rows, cursor = screenings.page(session, principal, state=wanted, after=None, limit=PAGE)
    counts = {s: screenings.count(session, principal, state=s) for s in words.STATES}
    next_url = url_maker(page_lang(request))("/inbox/screenings", state=state, after=cursor) if cursor else None
    return render(request, "inbox/screenings.html", principal, screenings=rows, state=state, counts=counts,
                  total=sum(counts.values()) if state == "all" else counts[state], filters=words.FILTERS,
                  best={s.id: best(s) for s in rows}, next_url=next_url,
                  titles=contracts.titles(session, {s.contract_id for s in rows}),
                  names=organisations.names(session, {s.contractor_org for s in rows}), words=words)


# --- one screening, and its disposition -----------------------------------------------------------------------

def _case_of(session: Session, principal: Principal, screening: Screening) -> ConsultationCase | None:
    """The consultation case of the plan whose counterparty was screened, when it has one the reader may see."""
    if screening.role != "counterparty":
        return None
    party = session.get(ScreenedParty, screening.party_id)
    plan = obligations.load(session, screening.contract_id).plans.get(party.subject) if party else None
    if plan is None or not plan.case_id:
        return None
    try:
        return authz.case(session, principal, plan.case_id)
    except Problem:
        return None


def screening_response(request: Request, session: Session, principal: Principal, screening_id: str,
                       status_code: int = 200, errors: list | None = None, field_errors: dict | None = None,
                       form: dict | None = None) -> Response:
    """The screening page: our party beside each candidate, why each was found, and the disposition (its form
    for those who decide it while it is a potential match; else the decision, by whom, when and why)."""
    screening = screenings.get(session, principal, screening_id)
    contract = authz.contract(session, principal, screening.contract_id)
    programme = session.get(Programme, contract.programme_id)
    lang = page_lang(request)
    versions = _versions(session, set(screening.list_versions) | {c.get("version_id", "") for c in screening.candidates})
    decides = authz.is_programme_officer(principal, programme) and screening.state == "potential_match"
    return render(request, "inbox/screening.html", principal, status_code, screening=screening, contract=contract,
                  versions=versions, used=[versions[v] for v in screening.list_versions if v in versions],
                  decides=decides, case=_case_of(session, principal, screening) if screening.state == "true_match"
                  else None,
                  who=_people_in_words(session, lang, [screening.decided_by, screening.screened_by]),
                  names=organisations.names(session, {screening.contractor_org, screening.ministry}),
                  programme_name=programme.name if programme else "", words=words, none_of_these=NONE_OF_THESE,
                  errors=errors or [], field_errors=field_errors or {}, form=form or {})


@router.get("/screenings/{screening_id}")
def screening_page(request: Request, screening_id: str, principal: PagePrincipal, session: SessionDep) -> Response:
    return screening_response(request, session, principal, screening_id)


def _refused(request: Request, exc: ValidationError | Problem) -> tuple[int, list[dict], dict[str, str]]:
    """The status, summary and field messages of a refused disposition: the choice of entry is one radio group
    (`entry`), whatever part of the body (decision, entry) the refusal names."""
    lang = page_lang(request)
    if isinstance(exc, Conflict):
        return 409, [{"field": None, "label": "", "message": _t(request, words.ALREADY_DECIDED)}], {}
    errors = []
    for e in worded(exc, lang):
        if e.path in ("decision", "entry", ""):
            e = FormError("entry", "", _t(request, words.CHOOSE_ONE) if e.path == "decision" else e.message)
        errors.append(e)
    context = shown(errors, words.DISPOSITION_LABELS, lang)
    return (exc.status if isinstance(exc, Problem) else 422), context["errors"], context["field_errors"]


@router.post("/screenings/{screening_id}/disposition")
def dispose(request: Request, screening_id: str, principal: PagePrincipal, form: FormFields, session: SessionDep,
            ctx: CtxDep) -> Response:
    """The officer's decision: the candidate that is the party (a true match), or none of them (a false positive),
    with the reason; then back to the screening, which shows it."""
    web_session.check_csrf(request, form.pop("csrf", ""))
    choice = form.get("entry", "")
    body = {"decision": "false_positive" if choice == NONE_OF_THESE else ("true_match" if choice else ""),
            "entry": choice if choice not in ("", NONE_OF_THESE) else None, "reason": form.get("reason", "")}
    try:
        valid = DispositionCreate.model_validate(body)
        screening, effects = screenings.dispose(session, principal=principal, screening_id=screening_id,
                                                decision=valid.decision, entry=valid.entry,
                                                reason_text=valid.reason, today=ctx.today())
        session.commit()
    except (ValidationError, Problem) as exc:
        if isinstance(exc, Problem) and exc.status in (403, 404):
            raise  # the error page (before the rollback, which would expire the reader's session row)
        session.rollback()
        status, entries, by_field = _refused(request, exc)
        return screening_response(request, session, principal, screening_id, status, entries, by_field, form)
    opened = any(e.get("kind") == "consultation_opened" for e in effects)
    return redirect(request, f"/inbox/screenings/{screening_id}", done="screening-case" if opened else "screening")


# --- the lists ------------------------------------------------------------------------------------------------

def _list_reader(principal: PagePrincipal) -> Principal:
    """The lists' pages are the admin's (who imports) and the officers' (who read what was screened against)."""
    if principal.role not in ("admin", "ministry_officer"):
        raise Forbidden("These pages are for administrators.")
    return principal


ListReader = Annotated[Principal, Depends(_list_reader)]


def _lists_response(request: Request, session: Session, principal: Principal, status_code: int = 200,
                    failed: str | None = None, errors: list | None = None,
                    field_errors: dict | None = None) -> Response:
    by_source = {source: screenings.versions(session, source) for source in SOURCES}
    everyone = [v.imported_by for vs in by_source.values() for v in vs]
    return render(request, "admin/lists.html", principal, status_code, by_source=by_source, words=words,
                  who=_people_in_words(session, page_lang(request), everyone), failed=failed, errors=errors or [],
                  field_errors=field_errors or {}, max_size=size_in_words(request.app.state.ctx.settings.list_max_bytes))


@router.get("/admin/lists")
def lists_page(request: Request, principal: ListReader, session: SessionDep) -> Response:
    return _lists_response(request, session, principal)


def _upload_message(request: Request, exc: Problem, limit: int) -> str:
    gettext = translations(page_lang(request)).gettext
    if exc.status == 413:
        return gettext(words.TOO_LARGE).format(size=size_in_words(limit))
    if isinstance(exc, Refused):
        return gettext(words.CHOOSE_FILE)
    if isinstance(exc, Conflict):
        return gettext(words.SAME_FILE).format(number=exc.detail.params.get("number", "") if exc.detail else "")
    return worded(exc, page_lang(request))[0].message


def _import(session: Session, principal: Principal, source: str, filename: str, data: bytes) -> None:
    screenings.import_version(session, principal=principal, source=source, filename=filename, data=data)
    session.commit()


@router.post("/admin/lists/{source}/versions")
async def upload_list(request: Request, source: str, principal: ListReader, session: SessionDep,
                      ctx: CtxDep) -> Response:
    """Import the chosen file as the list's next version, then back to the lists; or the lists saying, beside
    the list's upload, why the file was refused (the row and column of the file where it went wrong)."""
    authz.require_role(principal, "admin")
    if source not in SOURCES:
        raise NotFound("No such page.")
    # Finding the reader began a transaction; it must not hold SQLite's write lock while the file arrives.
    await run_in_threadpool(session.rollback)
    limit = ctx.settings.list_max_bytes
    try:
        sent = await read_upload(request, limit)
        web_session.check_csrf(request, sent.fields.get("csrf", ""))
        if not sent.data and not sent.filename:
            raise Refused("missing")
        await run_in_threadpool(_import, session, principal, source, sent.filename, sent.data)
    except Problem as exc:
        if exc.status in (403, 404) or exc.status >= 500:
            raise
        await run_in_threadpool(session.rollback)
        message = _upload_message(request, exc, limit)
        entry = {"field": f"file-{source}", "label": _t(request, words.LIST_FILE), "message": message}
        return await run_in_threadpool(_lists_response, request, session, principal, exc.status, source, [entry],
                                       {f"file-{source}": message})
    return redirect(request, "/inbox/admin/lists", done="list-version")


@router.get("/admin/lists/{version_id}")
def version_page(request: Request, version_id: str, principal: ListReader, session: SessionDep) -> Response:
    """A version: what it is, and what it added, removed and changed since the one before it."""
    version, previous, added, removed, changed = screenings.diff_of(session, version_id)
    return render(request, "admin/list_version.html", principal, version=version, previous=previous, added=added,
                  removed=removed, changed=changed, words=words,
                  who=_people_in_words(session, page_lang(request), [version.imported_by]))


@router.get("/admin/lists/{version_id}/entries")
def entries_page(request: Request, version_id: str, principal: ListReader, session: SessionDep,
                 after: str = "") -> Response:
    version = screenings.version(session, version_id)
    start = int(after) if after.isascii() and after.isdigit() else None
    entries, cursor = screenings.entries_page(session, version_id, after=start, limit=PAGE)
    next_url = url_maker(page_lang(request))(f"/inbox/admin/lists/{version_id}/entries", after=cursor) \
        if cursor is not None else None
    return render(request, "admin/list_entries.html", principal, version=version, entries=entries, words=words,
                  next_url=next_url)
