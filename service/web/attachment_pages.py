"""Files attached to the answer of a case, from the case page: the upload (the form of
templates/inbox/_attachments.html, with the session's CSRF token) and the download."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlmodel import Session

from service.attachments import service as attachments
from service.attachments.downloads import download_response
from service.attachments.uploads import Upload, read_upload
from service.auth.tokens import Principal
from service.deps import CtxDep, SessionDep
from service.i18n import translations
from service.problems import Problem
from service.rules.file_types import size_in_words
from service.web import session as web_session
from service.web.forms import form_errors
from service.web.pages import case_response
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect

router = APIRouter(prefix="/inbox", include_in_schema=False)


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


FILE_LABEL = _("File to attach")
TOO_LARGE = _("The file is too large: a file may be at most {size}.")
NOT_NOW = _("Files can be attached only while the ministry's question awaits your answer.")
REFUSED = {  # attachments.Refused.reason -> what the page says
    "empty": _("The file is empty."),
    "unknown": _("Only PDF, PNG, JPEG, Excel (.xlsx), Word (.docx), text (.txt) and CSV (.csv) files can be attached."),
    "mismatch": _("The file's name does not fit its content: save it with the extension of what it is."),
    "macros": _("Office files with macros cannot be attached: save it as .xlsx or .docx without macros."),
    "missing": _("Choose a file to attach."),
}


def _message(exc: Problem, lang: str, limit: int) -> str:
    gettext = translations(lang).gettext
    if exc.status == 413:
        return gettext(TOO_LARGE).format(size=size_in_words(limit))
    if exc.status == 409:
        return gettext(NOT_NOW)
    if isinstance(exc, attachments.Refused):
        return gettext(REFUSED[exc.reason])
    return form_errors(exc, lang)[0][0]["message"]


def _store(session: Session, principal: Principal, case_id: str, sent: Upload, limit: int) -> None:
    attachments.add(session, principal=principal, case_id=case_id, filename=sent.filename, data=sent.data,
                    max_bytes=limit)
    session.commit()


def _refused(request: Request, session: Session, principal: Principal, case_id: str, today: date, exc: Problem,
             limit: int) -> Response:
    """The case page again, saying why the file was not attached (beside the upload's field, and at the top)."""
    session.rollback()
    lang = page_lang(request)
    message = _message(exc, lang, limit)
    error = {"field": "file", "label": translations(lang).gettext(FILE_LABEL), "message": message}
    return case_response(request, session, principal, case_id, today, exc.status, [error], {"file": message})


@router.post("/cases/{case_id}/attachments")
async def upload(request: Request, case_id: str, principal: PagePrincipal, session: SessionDep,
                 ctx: CtxDep) -> Response:
    """Attach the chosen file to the answer, then back to the case; or the case page saying why not."""
    # Finding the reader began a transaction; it must not hold the database (SQLite's write lock) while the
    # file arrives.
    await run_in_threadpool(session.rollback)
    limit = ctx.settings.attachment_max_bytes
    try:
        sent = await read_upload(request, limit)
        web_session.check_csrf(request, sent.fields.get("csrf", ""))
        await run_in_threadpool(_store, session, principal, case_id, sent, limit)
    except Problem as exc:
        if exc.status in (403, 404) or exc.status >= 500:
            raise
        return await run_in_threadpool(_refused, request, session, principal, case_id, ctx.today(), exc, limit)
    return redirect(request, f"/inbox/cases/{case_id}", done="attachment")


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def download(case_id: str, attachment_id: str, principal: PagePrincipal, session: SessionDep) -> Response:
    """The file as a download, for anyone who may read the case."""
    return download_response(attachments.get(session, principal=principal, case_id=case_id,
                                             attachment_id=attachment_id))
