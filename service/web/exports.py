"""The pages' CSV downloads, for a signed-in person: the lists the pages show, with their filters, in the page's
language (Japanese unless ?lang=en). The same exports as the API's (service/exports), behind the browser's session.

A filter is taken as the page's form sends it (empty means none); one that is not a value of the list answers 422
with the error page, rather than a file of something other than what was asked.
"""

from __future__ import annotations

from datetime import date
from typing import get_args

from fastapi import APIRouter, Request

from service import authz
from service.deps import CtxDep, SessionDep, WritingSessionDep
from service.exports import service as exports
from service.exports.response import CsvResponse, csv_response
from service.obligations.service import StateFilter
from service.problems import Choices, Invalid
from service.web.principal import PagePrincipal, WritingPagePrincipal
from service.web.rendering import page_lang

router = APIRouter(prefix="/inbox", include_in_schema=False)

CASE_STATUSES = ("open", "submitted", "under_review", "info_requested", "concluded", "withdrawn")
MESSAGE_STATUSES = ("pending", "sent", "failed", "cancelled")


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str | None:
    if value == "":
        return None
    if value not in allowed:
        raise Invalid(["query", name], "{field} must be one of {expected}.", expected=Choices(allowed))
    return value


def _day(name: str, value: str) -> date | None:
    if value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(["query", name], "{field} must be a date in the form YYYY-MM-DD.") from exc


def _flag(name: str, value: str) -> bool | None:
    if value not in ("", "true", "false"):
        raise Invalid(["query", name], "{field} must be true or false.")
    return None if value == "" else value == "true"


@router.get("/exports/cases.csv", response_class=CsvResponse)
def cases_csv(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep, status: str = "",
              contract_id: str = "", programme_id: str = "", contractor_org: str = "", overdue: str = "",
              sort: str = "age", q: str = "", mine: str = "") -> CsvResponse:
    """The inbox's cases, its filters as the inbox form sends them (`mine=true`: the reader's own cases)."""
    return csv_response(exports.consultation_cases(
        session, principal, ctx.today(), page_lang(request), status=_one_of("status", status, CASE_STATUSES),
        contract_id=contract_id or None, programme_id=programme_id or None, contractor_org=contractor_org or None,
        overdue=_flag("overdue", overdue), sort=_one_of("sort", sort, ("age", "target")) or "age",
        assigned_to=principal.sub if _flag("mine", mine) else None, search=q.strip()[:100] or None))


@router.get("/exports/deadlines.csv", response_class=CsvResponse)
def deadlines_csv(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep,
                  state: str = "open", due_before: str = "") -> CsvResponse:
    """Deadlines across the contracts the reader may see (open ones unless `state` says otherwise; `state=` for
    every one)."""
    return csv_response(exports.deadlines(
        session, principal, ctx.today(), page_lang(request), state=_one_of("state", state, get_args(StateFilter)),
        due_before=_day("due_before", due_before)))


@router.get("/exports/notifications.csv", response_class=CsvResponse)
def notifications_csv(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep,
                      contract_id: str = "", status: str = "") -> CsvResponse:
    return csv_response(exports.messages(session, principal, ctx.today(), page_lang(request),
                                         contract_id=contract_id or None,
                                         status=_one_of("status", status, MESSAGE_STATUSES)))


@router.get("/contracts/{contract_id}/deadlines.csv", response_class=CsvResponse)
def contract_deadlines_csv(request: Request, contract_id: str, principal: PagePrincipal, session: SessionDep,
                           ctx: CtxDep, state: str = "") -> CsvResponse:
    contract = authz.contract(session, principal, contract_id)
    return csv_response(exports.deadlines(session, principal, ctx.today(), page_lang(request),
                                          state=_one_of("state", state, get_args(StateFilter)), contract=contract))


@router.get("/contracts/{contract_id}/shareholders.csv", response_class=CsvResponse)
def shareholders_csv(request: Request, contract_id: str, principal: PagePrincipal, session: SessionDep,
                     ctx: CtxDep) -> CsvResponse:
    contract = authz.contract(session, principal, contract_id)
    return csv_response(exports.shareholders(session, contract, ctx.today(), page_lang(request)))


@router.get("/contracts/{contract_id}/audit.csv", response_class=CsvResponse)
def audit_csv(request: Request, contract_id: str, principal: PagePrincipal, session: SessionDep,
              ctx: CtxDep) -> CsvResponse:
    contract = authz.contract(session, principal, contract_id)
    return csv_response(exports.audit_trail(session, contract, ctx.today(), page_lang(request)))


@router.get("/applications/{application_id}/checks.csv", response_class=CsvResponse)
def application_checks_csv(request: Request, application_id: str, principal: WritingPagePrincipal,
                           session: WritingSessionDep, ctx: CtxDep) -> CsvResponse:
    """An application's checks, one row per researcher and check (freshness, each point to mitigate, each
    screening with its state); read whole first, so that a 404 is the error page and the FA's and the ministry's
    reads are committed to the declarations' trails before the file goes."""
    export = exports.application_checks(session, principal, application_id, ctx.today(), page_lang(request))
    session.commit()
    return csv_response(export)
