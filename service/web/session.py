"""Page sessions and CSRF: the session cookie carries the JWT; every form carries a CSRF token equal to
a random cookie (double submit), checked on every POST, and cookies are SameSite=Lax and HttpOnly."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from service.auth.tokens import InvalidToken, Principal
from service.config import Settings
from service.problems import Forbidden

SESSION_COOKIE = "tlc_session"
CSRF_COOKIE = "tlc_csrf"


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser (set as a cookie on the response by `remember_csrf`)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 32:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def remember_csrf(request: Request, response: Response, settings: Settings) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="lax", secure=settings.cookie_secure,
                            path="/inbox")


def check_csrf(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise Forbidden("The form's CSRF token is missing or wrong; reload the page and try again.")


async def session_principal(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return await request.app.state.ctx.verifier.verify(token)
    except InvalidToken:
        return None


def start_session(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.cookie_secure,
                        path="/inbox")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/inbox")
