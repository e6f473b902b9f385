"""How the pages answer errors: a person in a browser gets a page with the same status code (the API keeps
its problem+json), and a page that needs a signed-in reader sends the others to the login form."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from service.problems import Problem, render_problem
from service.web.rendering import redirect, render


class LoginRequired(Exception):
    """Raised by the page-principal dependency when the browser has no valid session."""


def wants_page(request: Request) -> bool:
    return request.url.path.startswith("/inbox") and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Register after `service.problems.install`: this handler takes over Problem for pages."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        if wants_page(request):
            return render(request, "inbox/error.html", None, exc.status, status=exc.status, title=exc.title,
                          detail=exc.detail or "")
        return render_problem(request, exc)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return redirect(request, "/inbox/login")
