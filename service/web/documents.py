"""The documents for signed-in browser users: the same PDFs as the API's, by the page session.

Plain functions, as the pages are: FastAPI runs them in its thread pool, where the rendering (CPU-bound)
belongs. Access is decided by service/authz.py, as for the case and contract pages.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service import authz
from service.deps import CtxDep, SessionDep, WritingSessionDep
from service.documents import service as documents
from service.web.principal import PagePrincipal, WritingPagePrincipal
from service.web.rendering import page_lang

router = APIRouter(prefix="/inbox", include_in_schema=False)


@router.get("/cases/{case_id}/notice.pdf")
def case_notice(request: Request, case_id: str, principal: PagePrincipal, session: SessionDep,
                ctx: CtxDep) -> Response:
    case = authz.case(session, principal, case_id)
    return documents.notice_response(session, case, ctx.settings, page_lang(request))


@router.get("/contracts/{contract_id}/dossier.pdf")
def contract_dossier(request: Request, contract_id: str, principal: PagePrincipal, session: SessionDep,
                     ctx: CtxDep) -> Response:
    contract = authz.contract(session, principal, contract_id)
    return documents.dossier_response(session, contract, ctx.now(), ctx.today(), ctx.settings, page_lang(request))


@router.get("/applications/{application_id}/submission.pdf")
def application_submission(request: Request, application_id: str, principal: WritingPagePrincipal,
                           session: WritingSessionDep, ctx: CtxDep) -> Response:
    """An application's due diligence and mitigation plan as a document; the FA's and the ministry's download is a
    read of its declarations, recorded in their trails like the page's."""
    response = documents.submission_response(session, principal, application_id, ctx.now(), ctx.today(),
                                             ctx.settings, page_lang(request))
    session.commit()
    return response
