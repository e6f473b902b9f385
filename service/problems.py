"""RFC 9457 problem details: every error the API gives, validation included, is application/problem+json.

Services raise the typed problems below (`NotFound`, `Forbidden`, `Conflict`, `Invalid`, ...) with msgids of the
catalogues and named parameters, never prose (`Invalid(["body", "respond_by"], "{field} is in the past.")`);
they are worded once, when the answer's language is known: here for the API (`Accept-Language` or `?lang=`,
English by default, said in `Content-Language`), and by `service.web.errors` as a page for a person in a
browser (Japanese by default). `type`, `status`, `errors[].loc` and `errors[].type` do not depend on the
language: clients key on them. The words come from `service.problem_words` and the catalogues of
`service.i18n`; nothing else of tlc is imported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.i18n import pick_lang
from service.problem_words import (
    THE_BODY,
    Choices,
    ErrorItem,
    FieldName,
    Msg,
    Term,
    field_label,
    field_of,
    path_of,
    say,
)
from service.rules.reasons import Lang

__all__ = ["BadRequest", "Choices", "Conflict", "ErrorItem", "FieldError", "Forbidden", "Invalid", "Msg", "NotFound", "Problem",
           "ProblemDetail", "Term", "Unauthorized", "Unavailable", "answer", "answer_scope", "document", "field_errors",
           "install", "problem_lang", "render_problem"]

log = logging.getLogger("tlc.problems")
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://tlc.example/problems/"
VALIDATION_TYPE = f"{TYPE_BASE}validation"
VALIDATION_TITLE = "Unprocessable Content"
NOT_VALID = "The request is not valid."


def _(msgid: str) -> str:
    return msgid


# The titles the framework's own answers (routing, methods) can have, for the catalogue test; and their details.
STATUS_TITLES = (_("Bad Request"), _("Unauthorized"), _("Forbidden"), _("Not Found"), _("Method Not Allowed"),
                 _("Not Acceptable"), _("Conflict"), _("Content Too Large"), _("Unsupported Media Type"),
                 _("Unprocessable Content"), _("Too Many Requests"), _("Internal Server Error"),
                 _("Service Unavailable"))
STATUS_DETAILS = {404: _("No such resource."), 405: _("This method is not allowed here.")}


class ProblemDetail(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def _with_field(loc: list[Any] | tuple[Any, ...] | None, params: dict[str, Any]) -> dict[str, Any]:
    """`{field}` of a message about `loc`: the field it names, or the request body."""
    named = field_of(path_of(loc or ()).split("."))
    return {"field": FieldName(named) if named else Msg(THE_BODY), **params}


class Problem(Exception):
    """Raise anywhere below a request to answer with this status and a problem+json body.

    `title` is a msgid without parameters; `detail` a msgid that `params` fill (or a `Msg`). Without `type_`,
    the type is a tlc URL made from the (English) title, so that each kind of problem a client may act on
    (`transition-not-allowed`, `contract-closed`, ...) has a stable name. `extra` members join the body as they
    are (machine-readable, not worded).
    """

    def __init__(self, status: int, title: str, detail: str | Msg | None = None, /, *, type_: str | None = None,
                 headers: dict[str, str] | None = None, errors: list[ErrorItem] | None = None,
                 extra: dict[str, Any] | None = None, **params: Any):
        self.status, self.title = status, title
        self.detail: Msg | None = Msg(detail, params) if isinstance(detail, str) else detail
        self.type = type_ or f"{TYPE_BASE}{title.lower().replace(' ', '-')}"
        self.headers, self.errors, self.extra = headers, errors, dict(extra or {})
        super().__init__(title)

    def __str__(self) -> str:
        return say(self.detail, "en") if self.detail is not None else self.title

    def words(self, lang: Lang, page: bool = False) -> tuple[str, str | None]:
        """The title and the detail in `lang`, for the API or (`page`) for a page."""
        return say(self.title, lang, page=page), say(self.detail, lang, page=page) if self.detail is not None else None

    def body(self, lang: Lang, instance: str | None = None) -> dict[str, Any]:
        title, detail = self.words(lang)
        body: dict[str, Any] = {"type": self.type, "title": title, "status": self.status}
        if detail is not None:
            body["detail"] = detail
        if instance is not None:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = [e.public(lang) for e in self.errors]
        return body | self.extra


class NotFound(Problem):
    """404. Outside the caller's scope answers exactly like "does not exist", so ids cannot be probed."""

    def __init__(self, detail: str = "No such resource.", /, **params: Any):
        super().__init__(404, "Not Found", detail, type_="about:blank", **params)


class Forbidden(Problem):
    """403: the caller may see the thing but not do this to it."""

    def __init__(self, detail: str, /, **params: Any):
        super().__init__(403, "Forbidden", detail, type_="about:blank", **params)


class Unauthorized(Problem):
    """401: no token, or one that is not trusted."""

    def __init__(self, detail: str | Msg, /, **params: Any):
        super().__init__(401, "Unauthorized", detail, type_="about:blank",
                         headers={"WWW-Authenticate": 'Bearer realm="tlc"'}, **params)


class Unavailable(Problem):
    """503: something the answer needs is away for now; the client may retry."""

    def __init__(self, detail: str, /, *, retry_after_seconds: int = 5, **params: Any):
        super().__init__(503, "Service Unavailable", detail, type_="about:blank",
                         headers={"Retry-After": str(retry_after_seconds)}, **params)


class Conflict(Problem):
    """409: the request is valid but the record's present state does not allow it."""

    def __init__(self, detail: str | Msg, /, *, title: str = "Conflict", type_: str | None = None,
                 extra: dict[str, Any] | None = None, **params: Any):
        super().__init__(409, title, detail, type_=type_, extra=extra, **params)


class BadRequest(Problem):
    """400: a header or framing the API cannot read."""

    def __init__(self, title: str, detail: str, /, **params: Any):
        super().__init__(400, title, detail, **params)


class Invalid(Problem):
    """422 naming the fields at fault, the same shape as the framework's own validation errors.

    `msg` is said of the field at `loc` (its `{field}` is that field); `detail`, when not given, says the same.
    `errors` (from `ErrorItem.of`, for a validation done below the router) replaces the single entry.
    """

    def __init__(self, loc: list[Any] | None = None, msg: str = "", /, *, detail: str | None = None,
                 errors: list[ErrorItem] | None = None, **params: Any):
        params = _with_field(loc, params)
        if errors is None:
            errors = [ErrorItem(tuple(loc or ()), Msg(msg, params))]
        said = Msg(detail, params) if detail else (Msg(msg, params) if msg else Msg(NOT_VALID))
        super().__init__(422, VALIDATION_TITLE, said, type_=VALIDATION_TYPE, errors=errors)

    @classmethod
    def of(cls, errors: list[dict[str, Any]] | Any, prefix: list[Any] | tuple[Any, ...] = (), *,
           detail: str = NOT_VALID) -> Invalid:
        """The framework's (pydantic's) errors as ours, their `loc` under `prefix`."""
        return cls(detail=detail, errors=[ErrorItem.of(e, prefix) for e in errors])


# --- for pages -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldError:
    """One thing a page says is wrong: beside the field at `path` (dotted; "" for the form as a whole), labelled
    `label`, and in the error summary at the top."""

    path: str
    label: str
    message: str


def field_errors(exc: ValidationError | RequestValidationError | Problem, lang: Lang) -> list[FieldError]:
    """What a page shows of a refused form: each field's message in `lang` (fields, statuses and options in
    words, English included), or the problem's detail."""
    if isinstance(exc, (ValidationError, RequestValidationError)):
        items = [ErrorItem.of(e) for e in exc.errors()]
    elif exc.errors:
        items = exc.errors
    else:
        title, detail = exc.words(lang, page=True)
        return [FieldError("", "", detail or title)]
    out = []
    for item in items:
        path = item.path()
        named = field_of(path.split(".")) if path else None
        out.append(FieldError(path, field_label(named, lang, page=True) if named else "", item.said(lang, page=True)))
    return out


# --- answering -----------------------------------------------------------------------------------------------

def problem_lang(request: Request) -> Lang:
    """The language of the API's answers: ?lang=, then Accept-Language, then English."""
    return pick_lang(request.query_params.get("lang"), request.headers.get("accept-language"), default="en")


def _scope_lang(scope: dict[str, Any]) -> Lang:
    """problem_lang, for middleware that answers before there is a Request."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
    return pick_lang((query.get("lang") or [None])[0], headers.get("accept-language"), default="en")


def answer(exc: Problem, lang: Lang, instance: str | None = None) -> JSONResponse:
    """The problem+json of `exc` in `lang`, saying its language (and that it depends on Accept-Language)."""
    headers = {**(exc.headers or {}), "Content-Language": lang, "Vary": "Accept-Language"}
    return JSONResponse(jsonable_encoder(exc.body(lang, instance)), status_code=exc.status, media_type=MEDIA_TYPE,
                        headers=headers)


def answer_scope(exc: Problem, scope: dict[str, Any], instance: str | None = None) -> JSONResponse:
    """`answer`, for middleware that refuses a request before there is a Request."""
    return answer(exc, _scope_lang(scope), instance)


def render_problem(request: Request, exc: Problem) -> JSONResponse:
    return answer(exc, problem_lang(request), request.url.path)


class _RejectNul:
    """A NUL in the path or query is never a valid id or filter (PostgreSQL cannot even compare one)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            if "\x00" in scope.get("path", ""):
                return await answer_scope(NotFound(), scope)(scope, receive, send)
            if b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b""):
                refused = Invalid(["query"], "Query parameters must not contain NUL characters.")
                return await answer_scope(refused, scope)(scope, receive, send)
        return await self.app(scope, receive, send)


def _answers(method: str, params: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The problems an operation can answer besides its own, from what it takes (issue 10 defect 10)."""
    out: list[tuple[str, str]] = []
    authenticated = ("header", "authorization") in params
    if ("header", "idempotency-key") in params:
        out.append(("400", "The Idempotency-Key header is not 1 to 200 printable characters"))
    if authenticated:
        out += [("401", "Missing or bad token"), ("403", "Your role may not do this"),
                ("503", "The identity provider's keys or Temporal cannot be reached now; retry later")]
    if any(where == "path" for where, _ in params):
        out.append(("404", "No such resource, or not one you may see"))
    if authenticated and method in ("post", "put", "patch", "delete"):
        out.append(("409", "It conflicts with what is recorded (its state, or an Idempotency-Key used for "
                           "another request)"))
    return out


def document(app: FastAPI) -> None:
    """Make the served OpenAPI say what the API sends: problem+json for validation errors."""
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = default_openapi()
        schema.setdefault("components", {})["securitySchemes"] = {"bearerAuth": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "A token of your identity provider (or, for tests and `tlc dev`, of `tlc token`)"}}
        components = schema["components"].setdefault("schemas", {})
        components["ProblemDetail"] = ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}
        for path in schema.get("paths", {}).values():
            for method, op in path.items():
                responses = op.get("responses", {})
                params = {(p.get("in"), p.get("name")) for p in op.get("parameters", [])}
                for status, description in _answers(method, params):
                    responses.setdefault(status, {"description": description, "content": problem})
                if ("header", "authorization") in params:
                    # The bearer token as OpenAPI's security scheme, not a header field: /docs then has
                    # its Authorize button, and clients generated from the schema send the token.
                    op["parameters"] = [p for p in op["parameters"]
                                        if (p.get("in"), p.get("name")) != ("header", "authorization")]
                    op["security"] = [{"bearerAuth": []}]
                if "422" in responses:
                    responses["422"] = {"description": "Validation error (RFC 9457)", "content": problem}
                for status, answer in responses.items():  # a route's own error answers are problems too
                    if status[0] == "4" and "content" not in answer:
                        answer["content"] = problem
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# Python 3.11 still names these as RFC 7231 did.
_RFC_9110_TITLES = {413: "Content Too Large", 422: VALIDATION_TITLE}


def _http_problem(exc: StarletteHTTPException) -> Problem:
    known = exc.status_code in HTTPStatus._value2member_map_
    phrase = HTTPStatus(exc.status_code).phrase if known else "Error"
    title = _RFC_9110_TITLES.get(exc.status_code, phrase)
    detail: Msg | None = Msg(STATUS_DETAILS[exc.status_code]) if exc.status_code in STATUS_DETAILS else None
    if isinstance(exc.detail, str) and exc.detail not in (title, phrase):
        # The framework's own sentence ("There was an error parsing the body"): as it is in English.
        detail = Msg("The request could not be read.", english=exc.detail)
    return Problem(exc.status_code, title, detail, type_="about:blank", headers=getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_middleware(_RejectNul)
    document(app)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return render_problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return render_problem(request, Invalid.of(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _model_validation(request: Request, exc: ValidationError) -> JSONResponse:
        return render_problem(request, Invalid.of(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return render_problem(request, _http_problem(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return render_problem(request, Problem(500, "Internal Server Error",
                                               "An unexpected error occurred; it has been logged.",
                                               type_="about:blank"))
