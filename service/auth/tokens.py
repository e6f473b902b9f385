"""Bearer tokens: issuing (HS256, local use) and verifying (HS256 or RS256 via JWKS).

This is the only module that imports the JWT library (python-jose), so that the library can be
swapped in one place. No jose exception leaves this module: every failure to verify a token is an
:class:`InvalidToken`.

Algorithm confusion (CVE-2024-33663 and its family: python-jose up to 3.5 accepts a PEM or DER
public key as an HMAC secret whenever the caller's algorithm list allows HMAC) is prevented by
never letting the token pick a key *type*: the header's ``alg`` selects exactly one of two fixed
paths, and each path verifies with a key of its own kind and an algorithm list holding only that
one algorithm:

* ``HS256``: only when ``jwt_secret`` is configured; the secret, ``algorithms=["HS256"]``.
* ``RS256``: only when ``jwt_jwks_url`` is configured; the RSA public key with the token's ``kid``
  from the JWKS, ``algorithms=["RS256"]``.

Any other ``alg`` (``none``, ``HS384``, ``HS512``, ``ES256``, ``RS512``, ...) is refused before any
key is looked at.
"""

from __future__ import annotations

import hmac
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, Literal, get_args

import httpx
from jose import jwk, jwt
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError
from pydantic import BaseModel

from service.config import Settings

__all__ = [
    "JWKSFetcher",
    "InvalidToken",
    "KeySetUnavailable",
    "Principal",
    "ROLES",
    "Role",
    "TokenVerifier",
    "issue_token",
    "verify_id_token",
]

Role = Literal["contractor", "ministry_officer", "admin", "institution_officer", "fa_officer"]
ROLES: Final[frozenset[str]] = frozenset(get_args(Role))

#: An async callable returning the JWKS document (``{"keys": [...]}``).
JWKSFetcher = Callable[[], Awaitable[Mapping[str, Any]]]

_HS256: Final = "HS256"
_RS256: Final = "RS256"
#: Tokens longer than this are refused before any parsing (a bearer JWT is typically < 2 KiB).
MAX_TOKEN_LENGTH: Final = 16 * 1024
#: The default JWKS fetcher's HTTP timeout, in seconds.
JWKS_FETCH_TIMEOUT_SECONDS: Final = 5.0


class Principal(BaseModel, frozen=True):
    """The authenticated caller, as asserted by a verified token."""

    sub: str
    role: Role
    org: str


class InvalidToken(Exception):
    """The bearer token is missing, malformed, not trusted, or its claims are not acceptable.

    The message is meant for humans (it goes into a 401 problem detail, worded in the caller's language from
    `msgid` and `params`); it never contains key material. `message` is the English.
    """

    def __init__(self, msgid: str = "invalid token", **params: str) -> None:
        self.msgid, self.params = msgid, params
        self.message = msgid.format(**params)
        super().__init__(self.message)


class KeySetUnavailable(InvalidToken):
    """The JWKS needed to verify an RS256 token could not be fetched or was not a usable JWKS.

    A subclass of :class:`InvalidToken` (the token cannot be accepted), kept distinct so that a
    caller may answer 503 instead of 401 if it wishes.
    """


# --------------------------------------------------------------------------------------------
# Issuing


def _hmac_key(secret: str) -> Any:
    """The HS256 key object for a shared secret.

    Always a constructed key object, never the raw string: jose would otherwise try to parse a
    string key as JSON (so a secret such as ``"12345"`` or ``'{"k": 1}'`` would misbehave).
    """
    try:
        return jwk.construct(secret, _HS256)
    except JOSEError:
        raise ValueError(
            "the configured JWT secret cannot be used as an HMAC secret "
            "(it looks like an asymmetric key or certificate)"
        ) from None


def issue_token(
    settings: Settings,
    *,
    sub: str,
    role: str,
    org: str,
    ttl_seconds: int = 3600,
    now: datetime | None = None,
) -> str:
    """A token signed with HS256 and ``settings.jwt_secret``.

    Claims: ``sub``, ``role``, ``org``, ``iat``, ``exp`` (``iat + ttl_seconds``), ``iss`` and
    ``aud`` from the settings. ``now`` defaults to the current time; a naive ``now`` is taken as
    UTC. Raises :class:`ValueError` if no secret is configured, the role is unknown, ``sub`` or
    ``org`` is empty, or ``ttl_seconds`` is not positive.
    """
    secret = settings.jwt_secret
    if not secret:
        raise ValueError("no JWT secret is configured (TLC_JWT_SECRET); cannot issue a token")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(sorted(ROLES))}")
    if not isinstance(sub, str) or not sub:
        raise ValueError("sub must be a non-empty string")
    if not isinstance(org, str) or not org:
        raise ValueError("org must be a non-empty string")
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be a positive integer")

    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    iat = int(now.timestamp())
    claims = {
        "sub": sub,
        "role": role,
        "org": org,
        "iat": iat,
        "exp": iat + ttl_seconds,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    try:
        return jwt.encode(claims, _hmac_key(secret), algorithm=_HS256)
    except JOSEError:
        raise ValueError("the token could not be signed with the configured secret") from None


# --------------------------------------------------------------------------------------------
# Verifying


def _default_fetcher(url: str) -> JWKSFetcher:
    async def fetch() -> Mapping[str, Any]:
        async with httpx.AsyncClient(timeout=JWKS_FETCH_TIMEOUT_SECONDS) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            return response.json()

    return fetch


# jose's messages about claims (they name the claim, never a key), as ours: the API words them in the caller's
# language. Any other says that the claims were refused, with jose's words as the reason.
_JOSE_CLAIMS = {
    "Invalid audience": "token claims rejected: the audience (aud) is not this service",
    "Invalid issuer": "token claims rejected: the issuer (iss) is not the trusted one",
    "Invalid subject": "token claims rejected: the subject (sub) is not valid",
    "Subject must be a string.": "token claims rejected: the subject (sub) is not valid",
    "The token is not yet valid (nbf)": "token claims rejected: the token is not valid yet (nbf)",
}
_MISSING_CLAIM = re.compile(r'missing required key "([a-z_]{1,20})"')


def _claims_rejected(message: str) -> InvalidToken:
    if message in _JOSE_CLAIMS:
        return InvalidToken(_JOSE_CLAIMS[message])
    if found := _MISSING_CLAIM.match(message):
        return InvalidToken("token claims rejected: the claim '{claim}' is missing", claim=found[1])
    return InvalidToken("token claims rejected: {reason}", reason=message)


def _usable_rsa_jwk(candidate: Any) -> bool:
    """Whether a JWKS entry may verify RS256 signatures."""
    if not isinstance(candidate, Mapping):
        return False
    if candidate.get("kty") != "RSA":
        return False
    if candidate.get("use", "sig") != "sig":
        return False
    if candidate.get("alg", _RS256) != _RS256:
        return False
    key_ops = candidate.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        return False
    n, e = candidate.get("n"), candidate.get("e")
    return isinstance(n, str) and bool(n) and isinstance(e, str) and bool(e)


_VERIFIED_KEPT = 4096  # tokens remembered as verified, the least recently used forgotten first


class TokenVerifier:
    """Verifies bearer tokens and turns them into a :class:`Principal`.

    ``fetch_jwks`` replaces the default JWKS fetcher (an HTTP GET of ``settings.jwt_jwks_url``
    with a 5 s timeout). The JWKS is cached for ``settings.jwks_cache_seconds``; a token whose
    ``kid`` is not in the cached set causes one refetch, at most once every
    ``refetch_cooldown_seconds`` (so that tokens with made-up ``kid`` values cannot make the
    service hammer the identity provider). ``clock`` (monotonic seconds) and ``wall`` (Unix seconds, against
    which a token verified before is taken as unexpired) are injectable for tests.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        fetch_jwks: JWKSFetcher | None = None,
        refetch_cooldown_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._hmac = _hmac_key(settings.jwt_secret) if settings.jwt_secret else None
        self._jwks_url = settings.jwt_jwks_url or None
        if fetch_jwks is None and self._jwks_url is not None:
            fetch_jwks = _default_fetcher(self._jwks_url)
        self._fetch_jwks = fetch_jwks
        self._cache_seconds = float(settings.jwks_cache_seconds)
        self._refetch_cooldown = float(refetch_cooldown_seconds)
        self._clock, self._wall = clock, wall
        self._keys: list[Mapping[str, Any]] | None = None
        self._fetched_at = -math.inf
        self._forced_at = -math.inf
        # token -> (principal, exp, the key set it was verified with: None for the shared secret)
        self._verified: OrderedDict[str, tuple[Principal, float, float | None]] = OrderedDict()

    # -- public ------------------------------------------------------------------------------

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; :class:`InvalidToken` otherwise."""
        if not isinstance(token, str) or not token:
            raise InvalidToken("no token")
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("token is too long")
        if token.count(".") != 2:
            raise InvalidToken("malformed token")
        known = self._verified.get(token)
        if known is not None and self._wall() < known[1] and self._keys_unchanged(known[2]):
            # Verified before and not expired: a signed token says the same every time (issue 11: the
            # signature check and claim checks were a tenth of an event's cost). Past its `exp` (without the
            # leeway), or once the identity provider's key set is fetched again (a key may have been
            # withdrawn), it is checked again in full, and then refused as it would have been.
            self._verified.move_to_end(token)
            return known[0]

        header = self._unverified_header(token)
        if "crit" in header:
            raise InvalidToken("token uses critical header extensions, which are not supported")
        alg = header.get("alg")
        if alg == _HS256:
            if self._hmac is None:
                raise InvalidToken("HS256 tokens are not accepted (no shared secret configured)")
            key = self._hmac
        elif alg == _RS256:
            if self._jwks_url is None or self._fetch_jwks is None:
                raise InvalidToken("RS256 tokens are not accepted (no JWKS URL configured)")
            key = await self._rsa_key(header.get("kid"))
        else:
            shown = alg if isinstance(alg, str) and len(alg) <= 20 else "?"
            raise InvalidToken("token algorithm '{alg}' is not accepted", alg=shown)

        claims = self._decode(token, key, alg)
        principal = self._principal(claims)
        self._verified[token] = (principal, float(claims["exp"]), None if alg == _HS256 else self._fetched_at)
        if len(self._verified) > _VERIFIED_KEPT:
            self._verified.popitem(last=False)
        return principal

    async def verify_until(self, token: str) -> tuple[Principal, datetime]:
        """The principal of a valid token and the instant it expires (a page session opened with it ends
        then at the latest)."""
        principal = await self.verify(token)
        exp = jwt.get_unverified_claims(token)["exp"]  # verified just above
        return principal, datetime.fromtimestamp(exp, UTC)

    # -- steps -------------------------------------------------------------------------------

    @staticmethod
    def _unverified_header(token: str) -> Mapping[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except Exception:  # jose, or anything odd in decoding: never escapes
            raise InvalidToken("malformed token") from None
        if not isinstance(header, Mapping):
            raise InvalidToken("malformed token")
        return header

    def _keys_unchanged(self, fetched_at: float | None) -> bool:
        """Whether a token verified with the key set fetched at `fetched_at` (None: the shared secret) may be
        taken as verified still: the same set, and not due to be fetched again."""
        return fetched_at is None or (
            fetched_at == self._fetched_at and self._clock() - fetched_at < self._cache_seconds)

    def _decode(self, token: str, key: Any, alg: str) -> Mapping[str, Any]:
        s = self._settings
        options = {
            "verify_signature": True,
            "verify_aud": True,
            "verify_iss": True,
            "verify_exp": True,
            "verify_iat": True,
            "verify_nbf": True,
            "verify_sub": True,
            "require_exp": True,
            "require_iss": True,
            "require_aud": True,
            "require_sub": True,
            "leeway": s.jwt_leeway_seconds,
        }
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                options=options,
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
            )
        except ExpiredSignatureError:
            raise InvalidToken("token has expired") from None
        except JWTClaimsError as exc:
            raise _claims_rejected(str(exc)) from None
        except JOSEError as exc:
            message = str(exc)
            if message.startswith("missing required key"):
                raise _claims_rejected(message) from None
            if "signature" in message.lower():
                raise InvalidToken("token signature verification failed") from None
            raise InvalidToken("malformed token") from None
        except Exception:  # e.g. OverflowError on "exp": 1e400; never escapes
            raise InvalidToken("malformed token") from None
        if not isinstance(claims, Mapping):
            raise InvalidToken("malformed token")
        return claims

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        leeway = self._settings.jwt_leeway_seconds
        iat = claims.get("iat")
        if iat is not None:
            if isinstance(iat, bool) or not isinstance(iat, (int, float)) or not math.isfinite(iat):
                raise InvalidToken("token claims rejected: iat must be a number")
            if iat > time.time() + leeway:
                raise InvalidToken("token claims rejected: issued in the future")
        values: dict[str, str] = {}
        for name in ("sub", "role", "org"):
            value = claims.get(name)
            if not isinstance(value, str) or not value:
                raise InvalidToken("token claims rejected: '{claim}' must be a non-empty string", claim=name)
            if len(value) > 200 or not value.isprintable():
                # They end up in stored records and queries: no control characters, bounded length.
                raise InvalidToken("token claims rejected: '{claim}' must be printable, at most 200 characters",
                                   claim=name)
            values[name] = value
        if values["role"] not in ROLES:
            raise InvalidToken("token claims rejected: unknown role")
        return Principal(sub=values["sub"], role=values["role"], org=values["org"])  # type: ignore[arg-type]

    # -- JWKS --------------------------------------------------------------------------------

    async def _rsa_key(self, kid: Any) -> Any:
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("RS256 token has no key id (kid)")
        now = self._clock()
        if self._keys is None or now - self._fetched_at >= self._cache_seconds:
            await self._refresh(now)
        found = self._find(kid)
        if found is None and now - self._forced_at >= self._refetch_cooldown:
            self._forced_at = now
            await self._refresh(now)
            found = self._find(kid)
        if found is None:
            raise InvalidToken("token signing key is not known (unknown kid)")
        try:
            # Only the public members: a JWKS entry carrying private parts is not used as such.
            return jwk.construct({"kty": "RSA", "n": found["n"], "e": found["e"]}, _RS256)
        except Exception:
            raise InvalidToken("token signing key in the JWKS is not a usable RSA key") from None

    def _find(self, kid: str) -> Mapping[str, Any] | None:
        for candidate in self._keys or ():
            if _usable_rsa_jwk(candidate) and candidate.get("kid") == kid:
                return candidate
        return None

    async def _refresh(self, now: float) -> None:
        assert self._fetch_jwks is not None
        try:
            document = await self._fetch_jwks()
        except Exception:
            raise KeySetUnavailable("the signing keys (JWKS) could not be fetched") from None
        keys = document.get("keys") if isinstance(document, Mapping) else None
        if not isinstance(keys, list):
            raise KeySetUnavailable("the signing keys (JWKS) document is not a JWK set")
        self._keys = keys
        self._fetched_at = now


# --------------------------------------------------------------------------------------------
# OpenID Connect ID tokens (page sign-in; see service.auth.oidc)


def verify_id_token(token: str, *, keys: list[Mapping[str, Any]], issuer: str, client_id: str, nonce: str,
                    access_token: str | None, leeway_seconds: int) -> Mapping[str, Any]:
    """The claims of an ID token from the identity provider: RS256 with a key of its JWKS, this issuer,
    this client as audience, the nonce this server sent, not expired. :class:`InvalidToken` otherwise."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise InvalidToken("malformed ID token")
    header = TokenVerifier._unverified_header(token)
    if header.get("alg") != _RS256 or "crit" in header:
        raise InvalidToken("ID token algorithm is not accepted")
    kid = header.get("kid")
    usable = [k for k in keys if _usable_rsa_jwk(k) and (kid is None or k.get("kid") == kid)]
    if len(usable) != 1:
        raise InvalidToken("ID token signing key is not known")
    try:
        key = jwk.construct({"kty": "RSA", "n": usable[0]["n"], "e": usable[0]["e"]}, _RS256)
    except Exception:
        raise InvalidToken("ID token signing key is not a usable RSA key") from None
    options = {"verify_signature": True, "verify_aud": True, "verify_iss": True, "verify_exp": True,
               "verify_iat": True, "verify_sub": True, "verify_at_hash": access_token is not None,
               "require_exp": True, "require_iat": True, "require_iss": True, "require_aud": True,
               "require_sub": True, "leeway": leeway_seconds}
    try:
        claims = jwt.decode(token, key, algorithms=[_RS256], options=options, audience=client_id, issuer=issuer,
                            access_token=access_token)
    except ExpiredSignatureError:
        raise InvalidToken("ID token has expired") from None
    except JWTClaimsError as exc:
        raise InvalidToken("ID token claims rejected: {reason}", reason=str(exc)) from None
    except Exception:
        raise InvalidToken("ID token signature verification failed") from None
    got = claims.get("nonce")
    if not isinstance(got, str) or not hmac.compare_digest(got, nonce):
        raise InvalidToken("ID token nonce does not match this sign-in")
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise InvalidToken("ID token was issued to another client (azp)")
    return claims
