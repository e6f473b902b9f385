"""A small OpenID Connect provider for the tests, served by uvicorn on loopback: discovery, an authorization
endpoint that signs in whoever the test says (no login form), a token endpoint that insists on PKCE (S256)
and the client's secret, and its JWKS. It is strict where a real provider is, so a client that skips a
step fails here as it would there."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse
from jose import jwt

from tests.support.servers import free_port


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class OidcProvider:
    client_id: str = "tlc-pages"
    client_secret: str = "provider-test-client-secret"
    port: int = field(default_factory=free_port)
    #: The claims of whoever signs in next (besides iss, aud, exp, iat, nonce), set by each test.
    user: dict[str, Any] = field(default_factory=dict)
    #: Claims to put in the ID token in place of the right ones (a provider gone wrong, or an attacker's).
    tamper: dict[str, Any] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.app = self._app()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256", "n": _b64(numbers.n),
                          "e": _b64(numbers.e)}]}

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, "nonce": nonce,
                  **self.user, **self.tamper}
        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self.kid})

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"],
                    "id_token_signing_alg_values_supported": ["RS256"], "subject_types_supported": ["public"]}

        @app.get("/jwks")
        def keys() -> dict[str, Any]:
            return self.jwks()

        @app.get("/authorize")
        def authorize(request: Request) -> Any:
            q = request.query_params
            problems = [name for name, ok in (
                ("response_type", q.get("response_type") == "code"), ("client_id", q.get("client_id") == self.client_id),
                ("scope", "openid" in (q.get("scope") or "").split()), ("state", bool(q.get("state"))),
                ("nonce", bool(q.get("nonce"))), ("code_challenge", len(q.get("code_challenge") or "") >= 43),
                ("code_challenge_method", q.get("code_challenge_method") == "S256"),
                ("redirect_uri", bool(q.get("redirect_uri")))) if not ok]
            if problems:
                return JSONResponse({"error": "invalid_request", "error_description": ",".join(problems)}, 400)
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"],
                                "nonce": q["nonce"]}
            return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302)

        @app.post("/token")
        def token(grant_type: str = Form(""), code: str = Form(""), redirect_uri: str = Form(""),
                  code_verifier: str = Form(""), authorization: str = Header("")) -> Any:
            self.token_requests.append({"grant_type": grant_type, "code": code, "redirect_uri": redirect_uri,
                                        "code_verifier": code_verifier, "authorization": authorization})
            expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if authorization != expected:
                return JSONResponse({"error": "invalid_client"}, 401)
            grant = self.codes.pop(code, None)  # a code is good once
            if (grant_type != "authorization_code" or grant is None or grant["redirect_uri"] != redirect_uri
                    or s256(code_verifier) != grant["challenge"]):
                return JSONResponse({"error": "invalid_grant"}, 400)
            return {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
                    "id_token": self._id_token(grant["nonce"])}

        return app


class ServedProvider:
    """The provider on uvicorn, in a thread of its own."""

    def __init__(self, provider: OidcProvider):
        self.provider = provider
        self.server = uvicorn.Server(uvicorn.Config(provider.app, host="127.0.0.1", port=provider.port,
                                                    log_level="warning", access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, name="oidc-provider", daemon=True)

    def __enter__(self) -> OidcProvider:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test OIDC provider did not start")
            time.sleep(0.02)
        return self.provider

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
