"""The reader's display preferences, kept in a cookie of the browser (nothing is stored about the person)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.deps import CtxDep
from service.web import session as web_session
from service.web.principal import PagePrincipal

router = APIRouter(prefix="/inbox", include_in_schema=False)


def _back_to(path: str) -> str:
    """Only a page of ours: a path under /inbox, never another site (an open redirect)."""
    if path.startswith("/inbox") and not path.startswith("//") and "\\" not in path and "\n" not in path:
        return path
    return "/inbox/home"


@router.post("/preferences")
def set_preferences(request: Request, principal: PagePrincipal, ctx: CtxDep, csrf: str = Form(""), calendar: str = Form(""),
                    back: str = Form("/inbox/home")) -> Response:
    web_session.check_csrf(request, csrf)
    response = RedirectResponse(_back_to(back), status_code=303)
    if calendar in web_session.CALENDARS:
        web_session.remember_calendar(response, calendar, ctx.settings)
    return response
