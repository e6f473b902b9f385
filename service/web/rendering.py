"""Rendering a page: the template of the reader's language, and what every page needs (language, links
that keep it, the CSRF token, the language switch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from service.auth.tokens import Principal
from service.i18n import pick_lang, translations
from service.organisations.models import Organisation
from service.people import service as people
from service.rules.file_types import size_in_words
from service.web import session as web_session
from service.web.navigation import DONE, menu
from service.web.templating import templates


def page_lang(request: Request) -> str:
    return pick_lang(request.query_params.get("lang"), request.headers.get("accept-language"))


def url_maker(lang: str) -> Callable[..., str]:
    """`url(path, **params)`: a link that keeps the reader's language; empty params are left out."""
    def url(path: str, **params: Any) -> str:
        q = {k: v for k, v in params.items() if v not in (None, "")}
        if lang != "ja":
            q["lang"] = lang
        return path + ("?" + urlencode(q) if q else "")
    return url


def redirect(request: Request, path: str, done: str | None = None) -> RedirectResponse:
    """303 to `path` (in the reader's language); `done` names the message the next page shows (navigation.DONE)."""
    return RedirectResponse(url_maker(page_lang(request))(path, done=done), status_code=303)


def _me(request: Request, principal: Principal | None) -> dict[str, str] | None:
    """Who is signed in, in words: the directory's name for the person (else the identity provider's, else the
    user id), and the organisation's name."""
    if principal is None:
        return None
    row = getattr(request.state, "page_session", None)
    # A reading session: on a form's re-render the request's own session may hold SQLite's write lock.
    with request.app.state.ctx.session(writes=False) as db:
        org = db.get(Organisation, principal.org)
        name = people.name_of(db, principal.org, principal.sub)
    return {"name": name or getattr(row, "display_name", None) or principal.sub,
            "org_name": org.name if org else None}  # an admin belongs to no registered organisation


def render(request: Request, name: str, principal: Principal | None, status_code: int = 200,
           **context: Any) -> Response:
    ctx = request.app.state.ctx
    lang = page_lang(request)
    other = "en" if lang == "ja" else "ja"
    params = dict(request.query_params) | {"lang": other}
    params.pop("done", None)
    calendar = web_session.calendar_of(request)
    t = templates(lang, ctx.settings.templates_dir, ctx.settings.templates_override_dir, calendar)
    done = DONE.get(request.query_params.get("done", ""))
    response = t.TemplateResponse(request, name, {
        "lang": lang, "principal": principal, "csrf": web_session.csrf_token(request), "url": url_maker(lang),
        "switch_lang_url": f"{request.url.path}?{urlencode(params)}", "error": None, "errors": [],
        "form": {}, "field_errors": {}, "me": _me(request, principal),
        "nav": menu(principal.role, request.url.path) if principal else [],
        "flash": translations(lang).gettext(done) if done else None, "calendar": calendar,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "limits": {"attachment": size_in_words(ctx.settings.attachment_max_bytes)}, **context},
        status_code=status_code)
    web_session.remember_csrf(request, response, ctx.settings)
    return response
