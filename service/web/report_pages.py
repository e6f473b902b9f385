"""Contractors report from the browser (issue 12): the list of what can be reported on a contract, and a form for
each event type that records through the same service and validation as `POST /v1/contracts/{id}/events`.

A refused form comes back with what was typed, an error summary at the top and each message beside its field,
in the page's language; a form is never recorded in part.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from service import authz
from service.auth.tokens import Principal
from service.contracts.models import Contract
from service.deps import CtxDep, SessionDep
from service.events import service as events
from service.events.schemas import EventCreate
from service.i18n import translations
from service.obligations import service as obligations
from service.problems import NotFound, Problem
from service.rules.countries import ISO_ALPHA2, JAPAN, country_in_words
from service.rules.dates import day_in_words
from service.rules.obligations.engine import applicable_obligations
from service.rules.obligations.events import parse_data
from service.rules.obligations.periods import open_after_period
from service.web import event_forms
from service.web import session as web_session
from service.web.event_forms import FORMS, GROUPS, EventForm
from service.web.forms import FormDep, FormError, by_field, shown, worded
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect, render

router = APIRouter(prefix="/inbox", include_in_schema=False)


def _reporting(session: Session, principal: Principal, contract_id: str) -> Contract:
    """The contract, when the caller reports on it: 404 outside the caller's scope, 403 for an officer."""
    contract = authz.contract(session, principal, contract_id)
    authz.require_reporter(principal)
    return contract


@lru_cache(maxsize=4)
def countries(lang: str) -> tuple[tuple[str, str], ...]:
    """Every country and region by name (Japan first), for a select."""
    named = sorted(((c, country_in_words(c, lang)) for c in ISO_ALPHA2 if c != JAPAN), key=lambda x: x[1])
    return ((JAPAN, country_in_words(JAPAN, lang)), *named)


def _registers(session: Session, contract: Contract, lang: str) -> dict[str, list[tuple[str, str]]]:
    """What a form picks from, in words: the open plans by act, party and date; suppliers, items, incidents and
    releases by their names. Values are the references the API takes."""
    gettext = translations(lang).gettext
    state = obligations.load(session, contract.id)
    plans, needing_approval = [], []
    for event_id, (_row, plan) in events.open_plans(session, contract.id).items():
        known = state.plans.get(event_id)
        if known is None or not known.is_open:
            continue
        party = plan.counterparty.name if plan.counterparty else (
            country_in_words(plan.site.country, lang) if plan.site else "")
        label = f"{gettext(plan.action)}（{party}）" if party else gettext(plan.action)
        option = (event_id, f"{label} — {day_in_words(known.planned_date, lang)}")
        plans.append(option)
        if known.prior_approval_required and known.approval_applied_on is None:
            needing_approval.append(option)
    return {
        "plan": plans,
        "approval_plan": needing_approval,
        "supplier": [(s.supplier_ref, f"{s.name}（{s.supplier_ref}）") for s in state.suppliers.values()
                     if s.ended_on is None],
        "item": [(i.item_ref, f"{i.title}（{i.item_ref}）") for i in state.items.values()],
        "incident": [(i.event_id, f"{day_in_words(i.occurred_on, lang)} {gettext(i.severity)}: "
                                  f"{i.summary[:60]}") for i in state.incidents.values() if i.followed_up_on is None],
        "release": [(r.release_ref, f"{r.title}（{day_in_words(r.planned_date, lang)}）")
                    for r in state.releases.values() if r.released_on is None],
    }


@router.get("/contracts/{contract_id}/report")
def report_index(request: Request, contract_id: str, principal: PagePrincipal, session: SessionDep,
                 ctx: CtxDep) -> Response:
    """What can be reported on the contract, grouped, each with when to use it."""
    contract = _reporting(session, principal, contract_id)
    facts, policy = obligations.facts_of(session, contract, notices=False)
    binding = set(applicable_obligations(facts, policy))
    closed = contract.closed_at is not None or ctx.today() > contract.obligation_period_end
    groups, not_imposed = [], []
    for key, heading, obligation in GROUPS:
        forms = [f for f in FORMS.values() if f.group == key]
        if closed:
            forms = [f for f in forms if open_after_period(f.type, facts)]
        if obligation in ("ip", "incidents") or obligation in binding:
            if forms:
                groups.append({"heading": heading, "forms": forms})
        else:
            not_imposed.append(heading)
    return render(request, "inbox/report.html", principal, contract=contract, groups=groups, closed=closed,
                  not_imposed=not_imposed)


def _spec(event_type: str) -> EventForm:
    spec = FORMS.get(event_type)
    if spec is None:
        raise NotFound("No report form '{id}'.", id=event_type)
    return spec


def _form_page(request: Request, session: Session, principal: Principal, contract: Contract, spec: EventForm,
               values: dict[str, Any], rows: dict[str, int], status_code: int = 200,
               errors: list[dict[str, Any]] | None = None) -> Response:
    lang = page_lang(request)
    errors = errors or []
    return render(request, "inbox/report_form.html", principal, status_code, contract=contract, spec=spec,
                  form=values, rows=rows, errors=errors, field_errors=by_field(errors),
                  countries=countries(lang), registers=_registers(session, contract, lang))


@router.get("/contracts/{contract_id}/report/{event_type}")
def report_form(request: Request, contract_id: str, event_type: str, principal: PagePrincipal, session: SessionDep,
                ctx: CtxDep) -> Response:
    spec = _spec(event_type)
    contract = _reporting(session, principal, contract_id)
    return _form_page(request, session, principal, contract, spec,
                      {"occurred_on": ctx.today().isoformat(), **event_forms.defaults(spec)}, event_forms.blank_rows(spec))


def _said(exc: ValidationError | Problem, reading: event_forms.Reading, lang: str) -> list[FormError]:
    """What the API's models and rules say of the data, each at its field of the form (a holder's row)."""
    return [replace(e, path=reading.form_path(e.path)) for e in worded(exc, lang)]


def _refusals(spec: EventForm, reading: event_forms.Reading, lang: str,
              labels: dict[str, str]) -> list[dict[str, Any]]:
    """Everything the API's models say of the form at once: the day, the data, and the form's own checks; in the
    order of the form."""
    gettext = translations(lang).gettext
    errors = [FormError(path, "", gettext(msgid)) for path, msgid in reading.errors]
    day = {"occurred_on": reading.values["occurred_on"]} if reading.values.get("occurred_on") else {}
    try:
        EventCreate.model_validate({"type": spec.type, "data": {}, **day})
    except ValidationError as exc:
        errors += _said(exc, reading, lang)
    try:
        parse_data(spec.type, reading.data)
    except ValidationError as exc:
        errors += [e for e in _said(exc, reading, lang) if e.path not in {x.path for x in errors}]
    return shown(errors, labels, lang)["errors"] if errors else []


@router.post("/contracts/{contract_id}/report/{event_type}")
def report(request: Request, contract_id: str, event_type: str, principal: PagePrincipal, form: FormDep,
           session: SessionDep, ctx: CtxDep) -> Response:
    """Record the report, or show the form again with what was typed and what is wrong."""
    web_session.check_csrf(request, str(form.get("csrf", "")))
    spec = _spec(event_type)
    contract = _reporting(session, principal, contract_id)
    lang = page_lang(request)
    reading = event_forms.read(spec, form)
    if form.get("add_rows"):
        return _form_page(request, session, principal, contract, spec, reading.values, reading.rows)
    labels = event_forms.labels_of(spec, reading.rows, translations(lang).gettext)
    errors = _refusals(spec, reading, lang, labels)
    if errors:
        return _form_page(request, session, principal, contract, spec, reading.values, reading.rows, 422, errors)
    body = EventCreate(type=spec.type, occurred_on=reading.values["occurred_on"], data=reading.data)  # type: ignore[arg-type]
    try:
        result = events.accept(session, principal=principal, contract_id=contract.id, body=body, today=ctx.today())
        session.commit()
    except Problem as exc:
        if exc.status in (403, 404):
            raise
        session.rollback()
        errors = shown(_said(exc, reading, lang), labels, lang)["errors"]
        return _form_page(request, session, principal, contract, spec, reading.values, reading.rows, exc.status,
                          errors)
    opened = next((e["id"] for e in result["effects"] if e["kind"] == "consultation_opened" and e.get("id")), None)
    if opened:
        return redirect(request, f"/inbox/cases/{opened}", done="event")
    return redirect(request, f"/inbox/contracts/{contract.id}", done="event")
