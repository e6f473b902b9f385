"""The API's CSV exports: each list of the API as a streamed text/csv download, with the same filters and the
same access as its JSON form. The `.csv` paths sit beside the JSON ones and match none of their `{id}` routes
(a path parameter never spans a `/`, and `/v1/consultations.csv` is not `/v1/consultations/{case_id}`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from service.authz import VisibleContract
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.exports import service as exports
from service.exports.response import CsvResponse, csv_response, documented
from service.i18n import LangDep
from service.obligations.service import StateFilter

router = APIRouter()

CaseStatus = Annotated[str | None, Query(pattern="^(submitted|under_review|info_requested|concluded|withdrawn|open)$")]
MessageStatus = Annotated[str | None, Query(pattern="^(pending|sent|failed|cancelled)$")]


@router.get("/v1/consultations.csv", tags=["consultations"], response_class=CsvResponse,
            summary="Consultation cases as CSV",
            responses=documented("The cases of `GET /v1/consultations`, every page, in its order.",
                                 exports.CASE_COLUMNS))
def consultations_csv(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, lang: LangDep,
                      status: CaseStatus = None, contract_id: str | None = None, programme_id: str | None = None,
                      contractor_org: str | None = None, overdue: bool | None = None,
                      sort: Literal["age", "target"] = "age",
                      q: Annotated[str | None, Query(max_length=100, description=(
                          "part of a case number, a counterparty's or a contractor's name"))] = None,
                      assigned_to: Annotated[str | None, Query(max_length=200)] = None) -> CsvResponse:
    """The consultation inbox as CSV (the filters of `GET /v1/consultations`)."""
    return csv_response(exports.consultation_cases(
        session, principal, ctx.today(), lang, status=status, contract_id=contract_id, programme_id=programme_id,
        contractor_org=contractor_org, overdue=overdue, sort=sort, assigned_to=assigned_to,
        search=(q or "").strip() or None))


@router.get("/v1/deadlines.csv", tags=["deadlines"], response_class=CsvResponse,
            summary="Deadlines as CSV",
            responses=documented("The deadlines of `GET /v1/deadlines`, every page, soonest first.",
                                 exports.DEADLINE_COLUMNS))
def deadlines_csv(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, lang: LangDep,
                  due_before: date | None = None, state: StateFilter | None = "open") -> CsvResponse:
    """Deadlines across the contracts you may see as CSV (default: open ones)."""
    return csv_response(exports.deadlines(session, principal, ctx.today(), lang, state=state, due_before=due_before))


@router.get("/v1/contracts/{contract_id}/deadlines.csv", tags=["deadlines"], response_class=CsvResponse,
            summary="A contract's deadlines as CSV",
            responses=documented("The deadlines of `GET /v1/contracts/{id}/deadlines`, soonest first.",
                                 exports.DEADLINE_COLUMNS))
def contract_deadlines_csv(contract: VisibleContract, principal: CurrentPrincipal, session: SessionDep,
                           ctx: CtxDep, lang: LangDep, state: StateFilter | None = None) -> CsvResponse:
    """Every deadline of the contract as CSV (or those in one state)."""
    return csv_response(exports.deadlines(session, principal, ctx.today(), lang, state=state, contract=contract))


@router.get("/v1/contracts/{contract_id}/shareholders.csv", tags=["contracts"], response_class=CsvResponse,
            summary="A contract's shareholder history as CSV",
            responses=documented("The contract's shareholder history, one row per holder, in the order it happened.",
                                 exports.SHAREHOLDER_COLUMNS))
def shareholders_csv(contract: VisibleContract, session: SessionDep, ctx: CtxDep, lang: LangDep) -> CsvResponse:
    """Holders of one third or more, as declared and as reported since, as CSV."""
    return csv_response(exports.shareholders(session, contract, ctx.today(), lang))


@router.get("/v1/notifications.csv", tags=["notifications"], response_class=CsvResponse,
            summary="The message log as CSV",
            responses=documented("The messages of `GET /v1/notifications`, every page, newest first.",
                                 exports.NOTIFICATION_COLUMNS))
def notifications_csv(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, lang: LangDep,
                      contract_id: str | None = None, status: MessageStatus = None) -> CsvResponse:
    """The message log as CSV (the filters of `GET /v1/notifications`)."""
    return csv_response(exports.messages(session, principal, ctx.today(), lang, contract_id=contract_id,
                                         status=status))


@router.get("/v1/contracts/{contract_id}/audit.csv", tags=["contracts"], response_class=CsvResponse,
            summary="A contract's audit trail as CSV",
            responses=documented("The contract's audit trail, oldest first, in words (the hash chain's "
                                 "machine form is `GET /v1/contracts/{id}/audit?format=csv`).",
                                 exports.AUDIT_COLUMNS))
def audit_csv(contract: VisibleContract, session: SessionDep, ctx: CtxDep, lang: LangDep) -> CsvResponse:
    """The contract's audit trail as CSV, for people."""
    return csv_response(exports.audit_trail(session, contract, ctx.today(), lang))
