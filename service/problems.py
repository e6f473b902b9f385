"""RFC 9457 problem details: every error the API gives, validation included, is application/problem+json.

Services raise the typed problems below (`NotFound`, `Forbidden`, `Conflict`, `Invalid`, ...); they are
rendered once, here for the API and by `service.web.errors` as a page for a person in a browser. This
module is a leaf: it imports nothing of tlc.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("tlc.problems")
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://tlc.example/problems/"
VALIDATION_TYPE = f"{TYPE_BASE}validation"
VALIDATION_TITLE = "Unprocessable Content"


class ProblemDetail(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


class Problem(Exception):
    """Raise anywhere below a request to answer with this status and a problem+json body.

    Without `type_`, the type is a tlc URL made from the title, so that each kind of problem a client
    may act on (`transition-not-allowed`, `contract-closed`, ...) has a stable name.
    """

    def __init__(self, status: int, title: str, detail: str | None = None, *,
                 type_: str | None = None, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.type = type_ or f"{TYPE_BASE}{title.lower().replace(' ', '-')}"
        self.headers = headers
        self.extra = extra


class NotFound(Problem):
    """404. Outside the caller's scope answers exactly like "does not exist", so ids cannot be probed."""

    def __init__(self, what: str, ident: str | None = None, *, detail: str | None = None):
        super().__init__(404, "Not Found", detail or f"No {what} {ident!r}.", type_="about:blank")


class Forbidden(Problem):
    """403: the caller may see the thing but not do this to it."""

    def __init__(self, detail: str):
        super().__init__(403, "Forbidden", detail, type_="about:blank")


class Unauthorized(Problem):
    """401: no token, or one that is not trusted."""

    def __init__(self, detail: str):
        super().__init__(401, "Unauthorized", detail, type_="about:blank",
                         headers={"WWW-Authenticate": 'Bearer realm="tlc"'})


class Unavailable(Problem):
    """503: something the answer needs is away for now; the client may retry."""

    def __init__(self, detail: str, *, retry_after_seconds: int = 5):
        super().__init__(503, "Service Unavailable", detail, type_="about:blank",
                         headers={"Retry-After": str(retry_after_seconds)})


class Conflict(Problem):
    """409: the request is valid but the record's present state does not allow it."""

    def __init__(self, detail: str, *, title: str = "Conflict", **extra: Any):
        super().__init__(409, title, detail, **extra)


class BadRequest(Problem):
    """400: a header or framing the API cannot read."""

    def __init__(self, title: str, detail: str):
        super().__init__(400, title, detail)


class Invalid(Problem):
    """422 naming the fields at fault, the same shape as the framework's own validation errors."""

    def __init__(self, loc: list[str] | None = None, msg: str = "", *, detail: str | None = None,
                 errors: list[dict[str, Any]] | None = None):
        errors = errors if errors is not None else [{"loc": loc or [], "msg": msg}]
        super().__init__(422, VALIDATION_TITLE, detail or msg, type_=VALIDATION_TYPE, errors=errors)


def problem_response(status: int, title: str, detail: str | None = None, *, type_: str = "about:blank",
                     instance: str | None = None, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(jsonable_encoder(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def render_problem(request: Request, exc: Problem) -> JSONResponse:
    return problem_response(exc.status, exc.title, exc.detail, type_=exc.type, instance=request.url.path,
                            headers=exc.headers, **exc.extra)


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "invalid")), "type": e.get("type")}
            for e in errors]


def _invalid_request(request: Request, errors: list[dict[str, Any]]) -> JSONResponse:
    return problem_response(422, VALIDATION_TITLE, "The request is not valid.", type_=VALIDATION_TYPE,
                            instance=request.url.path, errors=validation_errors(errors))


class _RejectNul:
    """A NUL in the path or query is never a valid id or filter (PostgreSQL cannot even compare one)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            if "\x00" in scope.get("path", ""):
                return await problem_response(404, "Not Found", "No such resource.")(scope, receive, send)
            if b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b""):
                return await problem_response(
                    422, VALIDATION_TITLE, "Query parameters must not contain NUL characters.",
                    type_=VALIDATION_TYPE, errors=[{"loc": ["query"], "msg": "NUL character"}])(scope, receive, send)
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


def install(app: FastAPI) -> None:
    app.add_middleware(_RejectNul)
    document(app)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return render_problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid_request(request, list(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _model_validation(request: Request, exc: ValidationError) -> JSONResponse:
        return _invalid_request(request, list(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = HTTPStatus(exc.status_code).phrase if exc.status_code in HTTPStatus._value2member_map_ else "Error"
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        return problem_response(exc.status_code, title, detail, instance=request.url.path,
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "Internal Server Error", "An unexpected error occurred; it has been logged.",
                                instance=request.url.path)
