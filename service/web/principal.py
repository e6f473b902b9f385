"""Who reads a page: the principal of the browser's live session, or off to the sign-in form."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.auth import sessions
from service.auth.tokens import Principal
from service.deps import CtxDep, SessionDep
from service.web import session as web_session
from service.web.errors import LoginRequired


def page_principal(request: Request, session: SessionDep, ctx: CtxDep) -> Principal:
    row = sessions.live_session(session, web_session.session_id(request), now=ctx.now())
    if row is None:
        raise LoginRequired
    request.state.page_session = row
    return row.principal()


PagePrincipal = Annotated[Principal, Depends(page_principal)]
