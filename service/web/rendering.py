"""Rendering a page: the template of the reader's language, and what every page needs (language, links
that keep it, the CSRF token, the language switch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from service.auth.tokens import Principal
from service.i18n import pick_lang
from service.web import session as web_session
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


def redirect(request: Request, path: str) -> RedirectResponse:
    return RedirectResponse(url_maker(page_lang(request))(path), status_code=303)


def render(request: Request, name: str, principal: Principal | None, status_code: int = 200,
           **context: Any) -> Response:
    ctx = request.app.state.ctx
    lang = page_lang(request)
    other = "en" if lang == "ja" else "ja"
    params = dict(request.query_params) | {"lang": other}
    t = templates(lang, ctx.settings.templates_dir, ctx.settings.templates_override_dir)
    response = t.TemplateResponse(request, name, {
        "lang": lang, "principal": principal, "csrf": web_session.csrf_token(request), "url": url_maker(lang),
        "switch_lang_url": f"{request.url.path}?{urlencode(params)}", "error": None, **context},
        status_code=status_code)
    web_session.remember_csrf(request, response, ctx.settings)
    return response
