"""How the pages answer errors: a person in a browser gets a page with the same status code, worded in the
page's language (the API keeps its problem+json, English by default), and a page that needs a signed-in reader
sends the others to the login form."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from service.auth import sessions
from service.auth.tokens import Principal
from service.problems import Problem, render_problem
from service.web import session as web_session
from service.web.rendering import page_lang, redirect, render


class LoginRequired(Exception):
    """Raised by the page-principal dependency when the browser has no valid session."""


def wants_page(request: Request) -> bool:
    return request.url.path.startswith("/inbox") and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Register after `service.problems.install`: this handler takes over Problem for pages."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        if wants_page(request):
            principal = await run_in_threadpool(_reader, request)
            title, detail = exc.words(page_lang(request), page=True)
            return await run_in_threadpool(render, request, "inbox/error.html", principal, exc.status,
                                           status=exc.status, title=title, detail=detail or "")
        return render_problem(request, exc)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return redirect(request, "/inbox/login")


def _reader(request: Request) -> Principal | None:
    """The signed-in reader of an error page, if any, so that the page keeps the menu."""
    ctx = request.app.state.ctx
    with ctx.session() as db:
        row = sessions.live_session(db, web_session.session_id(request), now=ctx.now())
        return row.principal() if row else None
