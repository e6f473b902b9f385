"""Page sessions and CSRF in the browser: the session cookie carries a random id of a server-side session
(service.auth.sessions), never a token; a signed-in form carries that session's own CSRF token; the login
forms, before any session, carry a token equal to a random cookie (double submit). Cookies are HttpOnly,
SameSite=Lax, limited to /inbox, and Secure unless the settings say the pages are served over plain HTTP."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from service.auth import sessions
from service.auth.sessions import PageSession
from service.config import Settings
from service.problems import Forbidden

SESSION_COOKIE = "tlc_session"
CSRF_COOKIE = "tlc_csrf"
LOGIN_COOKIE = "tlc_login"  # binds a sign-in at the identity provider to the browser that started it
_BAD_CSRF = "The form's security token is missing or wrong; reload the page and try again."


def _cookie(response: Response, name: str, value: str, settings: Settings, max_age: int | None = None) -> None:
    response.set_cookie(name, value, httponly=True, samesite="lax", secure=settings.cookie_secure, path="/inbox",
                        max_age=max_age)


def page_session(request: Request) -> PageSession | None:
    """The signed-in session of this request, once the page-principal dependency found it."""
    return getattr(request.state, "page_session", None)


def csrf_token(request: Request) -> str:
    """The CSRF token forms on this page carry: the session's, or (signed out) the login forms' cookie."""
    row = page_session(request)
    if row is not None:
        return row.csrf
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 32:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def remember_csrf(request: Request, response: Response, settings: Settings) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        _cookie(response, CSRF_COOKIE, new, settings)


def check_csrf(request: Request, submitted: str | None) -> None:
    """A signed-in form: the session's token. A login form: the double-submit cookie."""
    row = page_session(request)
    if row is not None:
        if not sessions.csrf_matches(row, submitted):
            raise Forbidden(_BAD_CSRF)
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise Forbidden(_BAD_CSRF)


def session_id(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def start_session(response: Response, sid: str, settings: Settings) -> None:
    """Signed in: the new session's cookie; the login forms' CSRF cookie goes (a new one after signing out)."""
    _cookie(response, SESSION_COOKIE, sid, settings)
    response.delete_cookie(CSRF_COOKIE, path="/inbox")
    response.delete_cookie(LOGIN_COOKIE, path="/inbox")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/inbox")


def login_browser(request: Request) -> str:
    """This browser's sign-in binding: the cookie's value, or a new one (`remember_login_browser` sets it)."""
    value = request.cookies.get(LOGIN_COOKIE)
    if not value or len(value) < 32 or len(value) > 100:
        value = secrets.token_urlsafe(32)
    return value


def remember_login_browser(request: Request, response: Response, value: str, settings: Settings) -> None:
    if request.cookies.get(LOGIN_COOKIE) != value:
        _cookie(response, LOGIN_COOKIE, value, settings, max_age=int(sessions.LOGIN_ATTEMPT_TTL.total_seconds()))


CALENDAR_COOKIE = "tlc_calendar"
CALENDARS = ("gregorian", "wareki")


def calendar_of(request: Request) -> str:
    """How the reader wants years written on Japanese pages: 2027年 (the default) or 令和9年."""
    value = request.cookies.get(CALENDAR_COOKIE)
    return value if value in CALENDARS else "gregorian"


def remember_calendar(response: Response, calendar: str, settings: Settings) -> None:
    _cookie(response, CALENDAR_COOKIE, calendar, settings, max_age=365 * 24 * 3600)
