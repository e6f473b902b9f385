"""The one check that an answer is an RFC 9457 problem, shared by the API tests."""

from __future__ import annotations

from typing import Any

PROBLEM = "application/problem+json"
VALIDATION_TYPE = "https://tlc.example/problems/validation"


def assert_problem(r, status: int, *, loc: list[str] | None = None) -> dict[str, Any]:
    """An RFC 9457 problem with the given status; for a 422, an `errors` list of {loc, msg} naming `loc`."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if status == 422:
        assert body["type"] == VALIDATION_TYPE
        assert body["title"] == "Unprocessable Content"
        errors = body["errors"]
        assert isinstance(errors, list) and errors
        for e in errors:
            assert isinstance(e["loc"], list) and all(isinstance(p, str) for p in e["loc"])
            assert isinstance(e["msg"], str) and e["msg"]
        if loc is not None:
            assert loc in [e["loc"] for e in errors], errors
    return body
