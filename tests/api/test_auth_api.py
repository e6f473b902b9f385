"""Bearer-token authentication through the HTTP API (API.md, "Conventions": missing or bad token is 401).

Tokens are built by hand with python-jose so that each test controls exactly one defect.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jose import jwt

from service.config import Settings

PROBLEM = "application/problem+json"
SHARES = "/v1/determinations/shareholding"
SHARES_BODY = {"shares_held": 1, "shares_outstanding": 3}


def claims(settings: Settings, **kw: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "alice", "role": "contractor", "org": "acme", "iat": now, "exp": now + 600,
            "iss": settings.jwt_issuer, "aud": settings.jwt_audience}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def sign(settings: Settings, payload: dict[str, Any], *, secret: str | None = None, alg: str = "HS256") -> str:
    return jwt.encode(payload, secret or settings.jwt_secret, algorithm=alg)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_401(r) -> dict[str, Any]:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.headers["www-authenticate"] == 'Bearer realm="tlc"'
    body = r.json()
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def call(client: TestClient, authorization: str | None):
    headers = {} if authorization is None else {"Authorization": authorization}
    return client.post(SHARES, json=SHARES_BODY, headers=headers)


def test_a_hand_built_valid_token_is_accepted(client: TestClient, settings: Settings) -> None:
    r = call(client, "Bearer " + sign(settings, claims(settings)))
    assert r.status_code == 200, r.text
    assert r.json() == {"reportable": True}
    # the scheme is case-insensitive (RFC 9110 §11.1)
    assert call(client, "bearer " + sign(settings, claims(settings))).status_code == 200


def test_no_header_is_401_with_www_authenticate(client: TestClient) -> None:
    body = assert_401(call(client, None))
    assert "Authorization" in body["detail"]


@pytest.mark.parametrize("authorization", [
    "",
    "Bearer",
    "Bearer ",
    "Basic YWxpY2U6c2VjcmV0",
    "Token abc.def.ghi",
    "abc.def.ghi",
])
def test_malformed_header_is_401(client: TestClient, authorization: str) -> None:
    assert_401(call(client, authorization))


@pytest.mark.parametrize("token", [
    "garbage",
    "not.a.jwt",
    "a.b.c.d",
    "....",
    "eyJhbGciOiJIUzI1NiJ9.%%%%.sig",
    b64({"alg": "HS256", "typ": "JWT"}) + "." + b64({"sub": "x"}) + ".not-a-signature",
    "x" * 20000,
])
def test_garbage_token_is_401(client: TestClient, token: str) -> None:
    assert_401(call(client, f"Bearer {token}"))


def test_expired_token_is_401(client: TestClient, settings: Settings) -> None:
    now = int(time.time())
    token = sign(settings, claims(settings, iat=now - 7200, exp=now - 3600))
    body = assert_401(call(client, f"Bearer {token}"))
    assert "expired" in body["detail"]


def test_token_without_exp_is_401(client: TestClient, settings: Settings) -> None:
    payload = claims(settings)
    del payload["exp"]
    assert_401(call(client, "Bearer " + sign(settings, payload)))


@pytest.mark.parametrize("aud", ["someone-else", ["other-api"], ""])
def test_wrong_audience_is_401(client: TestClient, settings: Settings, aud: Any) -> None:
    assert_401(call(client, "Bearer " + sign(settings, claims(settings, aud=aud))))


def test_missing_audience_is_401(client: TestClient, settings: Settings) -> None:
    payload = claims(settings)
    del payload["aud"]
    assert_401(call(client, "Bearer " + sign(settings, payload)))


def test_wrong_or_missing_issuer_is_401(client: TestClient, settings: Settings) -> None:
    assert_401(call(client, "Bearer " + sign(settings, claims(settings, iss="evil"))))
    payload = claims(settings)
    del payload["iss"]
    assert_401(call(client, "Bearer " + sign(settings, payload)))


def test_token_signed_with_another_secret_is_401(client: TestClient, settings: Settings) -> None:
    token = sign(settings, claims(settings), secret="some-other-secret")
    body = assert_401(call(client, f"Bearer {token}"))
    assert "signature" in body["detail"]


def test_tampered_payload_is_401(client: TestClient, settings: Settings) -> None:
    header, _, signature = sign(settings, claims(settings)).split(".")
    forged = b64(claims(settings, role="admin", org="admin"))
    assert_401(call(client, f"Bearer {header}.{forged}.{signature}"))


@pytest.mark.parametrize("role", ["superuser", "Admin", "officer", "", 42])
def test_unknown_role_is_401(client: TestClient, settings: Settings, role: Any) -> None:
    assert_401(call(client, "Bearer " + sign(settings, claims(settings, role=role))))


def test_missing_role_sub_or_org_is_401(client: TestClient, settings: Settings) -> None:
    for name in ("role", "sub", "org"):
        payload = claims(settings)
        del payload[name]
        assert_401(call(client, "Bearer " + sign(settings, payload)))


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_hmac_algorithms_are_401(client: TestClient, settings: Settings, alg: str) -> None:
    assert_401(call(client, "Bearer " + sign(settings, claims(settings), alg=alg)))


def test_alg_none_is_401(client: TestClient, settings: Settings) -> None:
    token = b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims(settings, role="admin", org="admin")) + "."
    assert_401(call(client, f"Bearer {token}"))


def test_rs256_token_without_jwks_is_401(client: TestClient, settings: Settings) -> None:
    token = b64({"alg": "RS256", "typ": "JWT", "kid": "k1"}) + "." + b64(claims(settings)) + ".c2ln"
    assert_401(call(client, f"Bearer {token}"))


def test_token_issued_in_the_future_is_401(client: TestClient, settings: Settings) -> None:
    now = int(time.time())
    assert_401(call(client, "Bearer " + sign(settings, claims(settings, iat=now + 3600, exp=now + 7200))))


def test_not_yet_valid_token_is_401(client: TestClient, settings: Settings) -> None:
    now = int(time.time())
    assert_401(call(client, "Bearer " + sign(settings, claims(settings, nbf=now + 3600))))


ROUTES = [
    ("POST", "/v1/determinations/obligation-period"),
    ("POST", "/v1/determinations/shareholding"),
    ("POST", "/v1/determinations/ip-action"),
    ("POST", "/v1/organisations"),
    ("GET", "/v1/organisations"),
    ("GET", "/v1/organisations/acme"),
    ("POST", "/v1/programmes"),
    ("GET", "/v1/programmes"),
    ("GET", "/v1/programmes/k-q1"),
    ("POST", "/v1/contracts"),
    ("GET", "/v1/contracts"),
    ("GET", "/v1/contracts/c-001"),
    ("GET", "/v1/contracts/c-001/audit"),
]


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_v1_route_needs_a_valid_token(client: TestClient, settings: Settings, method: str, path: str) -> None:
    kw: dict[str, Any] = {"json": {}} if method == "POST" else {}
    assert_401(client.request(method, path, **kw))
    expired = sign(settings, claims(settings, role="admin", org="admin", iat=1, exp=2))
    assert_401(client.request(method, path, headers={"Authorization": f"Bearer {expired}"}, **kw))


def test_health_needs_no_token(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.parametrize("change", [
    {"exp": "tomorrow"}, {"sub": 42}, {"sub": ""}, {"org": ""}, {"org": ["acme"]}, {"iat": "now"},
])
def test_claims_of_the_wrong_type_are_401(client: TestClient, settings: Settings, change: dict) -> None:
    assert_401(call(client, "Bearer " + sign(settings, claims(settings, **change))))
