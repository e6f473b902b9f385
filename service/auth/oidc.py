"""Page sign-in with OpenID Connect: the authorization code flow with PKCE (RFC 7636, S256) at the
organisation's identity provider, through authlib's OAuth 2 client; the ID token is checked by
:func:`service.auth.tokens.verify_id_token` and its claims are mapped to a tlc principal by settings.

The provider's metadata (discovery) and keys are cached; the keys are fetched again once when an ID
token names a key that is not in the cached set (the provider rotated its keys).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

from service.auth.sessions import LoginAttempt
from service.auth.tokens import ROLES, InvalidToken, Principal, verify_id_token
from service.config import Settings

CALLBACK_PATH = "/inbox/login/oidc/callback"
_CACHE_SECONDS = 300.0


class SignInFailed(Exception):
    """The identity provider's answer cannot sign this person in. The message is for the person (it names
    no key, code or token); `status` is the page's status code."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def issuer_problem(issuer: str) -> str | None:
    """Why this issuer URL cannot be used, or None: HTTPS, except on loopback (a provider for local tests)."""
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        try:
            if ipaddress.ip_address(parts.hostname).is_loopback:
                return None
        except ValueError:
            if parts.hostname == "localhost":
                return None
    return "TLC_OIDC_ISSUER must be an https:// URL (http:// only for a provider on this machine's loopback)"


def principal_from_claims(claims: Mapping[str, Any], settings: Settings) -> Principal:
    """The person the ID token names, with the role and organisation its claims give by the settings."""
    sub = claims.get("sub")
    raw_role = claims.get(settings.oidc_role_claim)
    org = claims.get(settings.oidc_org_claim)
    mapping = {r: r for r in ROLES} | dict(settings.oidc_roles)
    values = raw_role if isinstance(raw_role, list) else [raw_role]
    roles = [mapping[v] for v in values if isinstance(v, str) and v in mapping]
    roles = [r for r in roles if r in ROLES]
    if not roles:
        raise SignInFailed("Your account has no role in tlc; ask your administrator to grant one.", 403)
    if len(set(roles)) > 1:
        raise SignInFailed("Your account has more than one role in tlc; ask your administrator to keep one.", 403)
    for value, missing in ((sub, "The identity provider did not say your user id."),
                           (org, "The identity provider did not say your organisation.")):
        if not isinstance(value, str) or not value or len(value) > 200 or not value.isprintable():
            raise SignInFailed(missing, 403)
    return Principal(sub=sub, role=roles[0], org=org)  # type: ignore[arg-type]


def name_from_claims(claims: Mapping[str, Any]) -> str | None:
    """The person's name as the provider gives it (the standard `name` claim), for the page header of someone the
    directory does not know; None when absent or not a one-line name."""
    name = claims.get("name")
    if not isinstance(name, str):
        return None
    name = " ".join(name.split())
    return name if 0 < len(name) <= 200 and name.isprintable() else None


class OidcClient:
    """One identity provider, as configured."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None):
        if not settings.oidc_issuer or not settings.oidc_client_id:
            raise ValueError("page sign-in with OpenID Connect needs both TLC_OIDC_ISSUER and TLC_OIDC_CLIENT_ID")
        if (problem := issuer_problem(settings.oidc_issuer)) is not None:
            raise ValueError(problem)
        self._settings = settings
        self._issuer = settings.oidc_issuer.rstrip("/")
        self._transport = transport
        self._metadata: dict[str, Any] | None = None
        self._keys: list[Mapping[str, Any]] = []
        self._fetched_at = -_CACHE_SECONDS

    @property
    def redirect_uri(self) -> str:
        return self._settings.public_base_url.rstrip("/") + CALLBACK_PATH

    def _client(self) -> AsyncOAuth2Client:
        s = self._settings
        return AsyncOAuth2Client(
            client_id=s.oidc_client_id, client_secret=s.oidc_client_secret or None,
            token_endpoint_auth_method="client_secret_basic" if s.oidc_client_secret else "none",
            scope=s.oidc_scopes, redirect_uri=self.redirect_uri, code_challenge_method="S256",
            timeout=s.oidc_timeout_seconds, transport=self._transport, follow_redirects=False)

    async def _get_json(self, url: str) -> Any:
        async with httpx.AsyncClient(timeout=self._settings.oidc_timeout_seconds, transport=self._transport,
                                     follow_redirects=False) as client:
            r = await client.get(url, headers={"Accept": "application/json"})
            r.raise_for_status()
            return r.json()

    async def _load(self, *, force: bool = False) -> dict[str, Any]:
        now = time.monotonic()
        if self._metadata is None or force or now - self._fetched_at >= _CACHE_SECONDS:
            try:
                metadata = await self._get_json(self._issuer + "/.well-known/openid-configuration")
                if not isinstance(metadata, dict) or metadata.get("issuer", "").rstrip("/") != self._issuer:
                    raise ValueError("the discovery document names another issuer")
                keys = (await self._get_json(metadata["jwks_uri"])).get("keys")
                if not isinstance(keys, list):
                    raise ValueError("the provider's JWKS is not a key set")
            except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
                raise SignInFailed("The identity provider cannot be reached now; try again in a moment.", 502) from None
            self._metadata, self._keys, self._fetched_at = metadata, keys, now
        return self._metadata

    async def authorization_url(self, attempt: LoginAttempt) -> str:
        metadata = await self._load()
        async with self._client() as client:
            url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=attempt.state,
                                                     code_verifier=attempt.code_verifier, nonce=attempt.nonce)
        return url

    async def sign_in(self, code: str, attempt: LoginAttempt) -> tuple[Principal, str | None]:
        """Exchange the code (with the PKCE verifier), check the ID token, map its claims: the principal, and the
        person's name if the provider gave one."""
        metadata = await self._load()
        try:
            async with self._client() as client:
                token = await client.fetch_token(metadata["token_endpoint"], grant_type="authorization_code",
                                                 code=code, code_verifier=attempt.code_verifier)
        except (OAuthError, httpx.HTTPError, ValueError, KeyError):
            raise SignInFailed("The identity provider did not confirm this sign-in; please sign in again.") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("The identity provider sent no ID token; please sign in again.")
        claims = await self._verified(id_token, attempt, token.get("access_token"))
        return principal_from_claims(claims, self._settings), name_from_claims(claims)

    async def _verified(self, id_token: str, attempt: LoginAttempt, access_token: Any) -> Mapping[str, Any]:
        s = self._settings
        for again in (False, True):
            try:
                return verify_id_token(id_token, keys=self._keys, issuer=self._metadata["issuer"],
                                       client_id=s.oidc_client_id, nonce=attempt.nonce,
                                       access_token=access_token if isinstance(access_token, str) else None,
                                       leeway_seconds=s.jwt_leeway_seconds)
            except InvalidToken as exc:
                if again or "signing key is not known" not in exc.message:
                    raise SignInFailed("The identity provider's answer could not be verified; please sign in "
                                       "again.") from None
                await self._load(force=True)
        raise AssertionError("unreachable")
