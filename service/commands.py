"""The one path by which a request records something: the Idempotency-Key, one commit, the answer checked
against the route's response model. (The relay is woken by the session's commit hook, service/deps.py.)

A router declares `record: RecordDep` and returns `record(body, lambda: service.do(...))`; the status is
the route's own `status_code`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlmodel import Session

from service.auth.tokens import Principal
from service.deps import CurrentPrincipal, SessionDep
from service.idempotency import record_once
from service.problems import Msg


def principal_key(principal: Principal) -> str:
    """Whose Idempotency-Keys these are: two organisations may well pick the same key."""
    return f"{principal.role}:{principal.org}:{principal.sub}"


@lru_cache
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)


class Recorder:
    def __init__(self, request: Request, session: Session, principal: Principal, idempotency_key: str | None):
        self._request, self._session, self._principal, self._key = request, session, principal, idempotency_key

    def __call__(self, body: BaseModel, action: Callable[[], Any], *,
                 conflict_detail: str | Msg = "It conflicts with something recorded at the same time.") -> JSONResponse:
        route: APIRoute = self._request.scope["route"]
        status = route.status_code or 200

        def checked() -> tuple[int, Any]:
            payload = action()
            if route.response_model is not None:
                # The answer is stored for retries, so it must be right the first time: a payload that does
                # not fit the documented model is a bug, and fails here (500) before anything is committed.
                try:
                    _adapter(route.response_model).validate_python(payload, from_attributes=True)
                except ValidationError as exc:
                    raise RuntimeError(f"{route.path}: the answer does not fit its response model: {exc}") from exc
            return status, payload

        status, payload = record_once(
            self._session, principal=principal_key(self._principal), key=self._key, method=self._request.method,
            path=self._request.url.path, body=body.model_dump(mode="json"), action=checked,
            conflict_detail=conflict_detail)
        return JSONResponse(payload, status_code=status)


async def recorder(request: Request, session: SessionDep, principal: CurrentPrincipal,
                   idempotency_key: Annotated[str | None, Header()] = None) -> Recorder:
    return Recorder(request, session, principal, idempotency_key)  # async: no thread hop for a constructor


RecordDep = Annotated[Recorder, Depends(recorder)]
