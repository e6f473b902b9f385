"""Refuses a JSON request body that holds a lone surrogate before anything else reads it (issue 10, defect 4):
the idempotency fingerprint, validation and the database would each fail on it with a 500."""

from __future__ import annotations

import json
from typing import Any

from service.problems import Invalid, answer_scope
from service.rules.text import lone_surrogate_at

_WITH_BODY = {"POST", "PUT", "PATCH"}


class LoneSurrogateGuard:
    """Pure ASGI middleware: reads the body once, checks it, and hands the same bytes on."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        found = _found(body)
        if found is not None:
            refused = Invalid(["body", *found], "{field} contains a lone surrogate (an unpaired escape in U+D800 to "
                                                "U+DFFF): text must be valid Unicode.", detail="The request is not valid.")
            response = answer_scope(refused, scope, scope["path"])
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _found(body: bytes) -> tuple[str, ...] | None:
    if b"\\u" not in body and b"\\U" not in body:
        return None  # no escape at all: nothing to decode into a surrogate (raw ones are invalid UTF-8)
    try:
        return lone_surrogate_at(json.loads(body))
    except (ValueError, RecursionError):
        return None  # not JSON: the route's own parsing answers it
