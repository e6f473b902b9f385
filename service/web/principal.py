"""Who reads a page: the principal of the browser's live session, or off to the sign-in form."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.auth import sessions
from service.auth.tokens import Principal
from service.deps import CtxDep, SessionDep, WritingSessionDep
from service.web import session as web_session
from service.web.errors import LoginRequired


def page_principal(request: Request, session: SessionDep, ctx: CtxDep) -> Principal:
    row = sessions.live_session(session, web_session.session_id(request), now=ctx.now())
    if row is None:
        raise LoginRequired
    request.state.page_session = row
    return row.principal()


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def writing_page_principal(request: Request, session: WritingSessionDep, ctx: CtxDep) -> Principal:
    """The reader, found in the request's writing session: for a page whose reading is itself recorded (the FA's
    reads of a declaration), so that the page's one session both finds the reader and writes the record."""
    return page_principal(request, session, ctx)


WritingPagePrincipal = Annotated[Principal, Depends(writing_page_principal)]
