"""The documents API: a concluded case's conclusion notice and a contract's compliance dossier, as PDF.

The routes are plain functions: FastAPI runs them in its thread pool, so neither the reads nor the rendering
(CPU-bound, about a second) hold the event loop. Who may have a document is who may read its case or contract
(VisibleCase, VisibleContract: service/authz.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from service.authz import VisibleCase, VisibleContract
from service.deps import CtxDep, SessionDep
from service.documents import service
from service.documents.download import PDF
from service.i18n import LangDep

router = APIRouter()


def _pdf(description: str, **problems: str) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {
        200: {"description": description, "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
              "headers": {"Content-Disposition": {
                  "description": "attachment, with an ASCII filename and the reader's-language filename* (RFC 8187)",
                  "schema": {"type": "string"}}}}}
    out.update({int(status[1:]): {"description": text} for status, text in problems.items()})
    return out


@router.get("/v1/consultations/{case_id}/notice.pdf", tags=["consultations"], response_class=Response,
            responses=_pdf("The conclusion notice (通知書), A4, in the reader's language (?lang= or Accept-Language; "
                           "Japanese by default)",
                           s409="The case is not concluded (yet, or it was withdrawn): it has no outcome to notify"))
def case_notice(case: VisibleCase, session: SessionDep, ctx: CtxDep, lang: LangDep) -> Response:
    """The notice of a concluded case's outcome to the contractor: its number and date, the contract, the planned
    act, the outcome with its conditions and reason, the officer."""
    return service.notice_response(session, case, ctx.settings, lang)


@router.get("/v1/contracts/{contract_id}/dossier.pdf", tags=["contracts"], response_class=Response,
            responses=_pdf("The compliance dossier, A4, in the reader's language (?lang= or Accept-Language; "
                           "Japanese by default)"))
def contract_dossier(contract: VisibleContract, session: SessionDep, ctx: CtxDep, lang: LangDep) -> Response:
    """The contract's compliance record as of now: each obligation's status and deadlines, its consultation cases,
    Bayh-Dole approvals, findings, violations and ministry notices, and its audit chain's last hash."""
    return service.dossier_response(session, contract, ctx.now(), ctx.today(), ctx.settings, lang)
