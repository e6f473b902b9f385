"""Tokens: issuing and verifying, including the algorithm-confusion attacks.

Forged and foreign tokens are built by hand (base64url, hmac, cryptography), so these tests do not
depend on what the JWT library would or would not let one sign.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pydantic import ValidationError

from service.auth import tokens as tokens_module
from service.auth.tokens import (
    InvalidToken,
    KeySetUnavailable,
    Principal,
    TokenVerifier,
    issue_token,
)
from service.config import Settings

SECRET = "test-secret-0123456789abcdef-0123456789"
ISSUER = "tlc-test"
AUDIENCE = "tlc-api-test"
JWKS_URL = "https://idp.example.test/.well-known/jwks.json"
KID = "key-1"


# --------------------------------------------------------------------------------------------
# helpers


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(obj: Any) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


Signer = Callable[[bytes], bytes]


def forge(header: Mapping[str, Any], claims: Mapping[str, Any] | str, sign: Signer | None) -> str:
    """A compact JWS built by hand; ``claims`` may be raw JSON text."""
    payload = b64url(claims.encode()) if isinstance(claims, str) else segment(claims)
    signing_input = f"{segment(header)}.{payload}"
    signature = b64url(sign(signing_input.encode("ascii"))) if sign else ""
    return f"{signing_input}.{signature}"


def hmac_signer(key: bytes, digest: Any = hashlib.sha256) -> Signer:
    return lambda data: hmac.new(key, data, digest).digest()


def rsa_signer(private_key: rsa.RSAPrivateKey, algorithm: hashes.HashAlgorithm | None = None) -> Signer:
    return lambda data: private_key.sign(data, padding.PKCS1v15(), algorithm or hashes.SHA256())


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims; an override of ``None`` removes the claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "user-1",
        "role": "contractor",
        "org": "org-1",
        "iat": now,
        "exp": now + 600,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


EXPECTED = Principal(sub="user-1", role="contractor", org="org-1")


def make_settings(
    *, secret: str | None = SECRET, jwks_url: str | None = None, leeway: int = 30
) -> Settings:
    return Settings(
        jwt_secret=secret,
        jwt_jwks_url=jwks_url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_leeway_seconds=leeway,
        jwks_cache_seconds=300,
    )


def int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def jwk_of(public_key: rsa.RSAPublicKey, kid: str = KID, **extra: Any) -> dict[str, Any]:
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": int_b64(numbers.n), "e": int_b64(numbers.e), **extra}


class Fetcher:
    """An injectable JWKS fetcher that counts its calls."""

    def __init__(self, jwks: Mapping[str, Any]) -> None:
        self.jwks = jwks
        self.calls = 0

    async def __call__(self) -> Mapping[str, Any]:
        self.calls += 1
        return self.jwks


# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks(rsa_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    return {"keys": [jwk_of(rsa_key.public_key())]}


@pytest.fixture
def fetcher(jwks: dict[str, Any]) -> Fetcher:
    return Fetcher(jwks)


@pytest.fixture
def hs_verifier() -> TokenVerifier:
    """Local configuration: shared secret only."""
    return TokenVerifier(make_settings())


@pytest.fixture
def rs_verifier(fetcher: Fetcher) -> TokenVerifier:
    """Production configuration: JWKS only, no shared secret."""
    return TokenVerifier(make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=fetcher)


@pytest.fixture
def both_verifier(fetcher: Fetcher) -> TokenVerifier:
    """Both a shared secret and a JWKS configured."""
    return TokenVerifier(make_settings(jwks_url=JWKS_URL), fetch_jwks=fetcher)


def rs256(rsa_key: rsa.RSAPrivateKey, kid: str | None = KID, **claim_overrides: Any) -> str:
    header = {"alg": "RS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    return forge(header, claims(**claim_overrides), rsa_signer(rsa_key))


def hs256(key: bytes = SECRET.encode(), **claim_overrides: Any) -> str:
    return forge({"alg": "HS256", "typ": "JWT"}, claims(**claim_overrides), hmac_signer(key))


# --------------------------------------------------------------------------------------------
# acceptance


async def test_issued_hs256_token_is_accepted(hs_verifier: TokenVerifier) -> None:
    token = issue_token(make_settings(), sub="u-7", role="ministry_officer", org="METI")
    assert await hs_verifier.verify(token) == Principal(sub="u-7", role="ministry_officer", org="METI")


async def test_issued_token_carries_the_documented_claims() -> None:
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    token = issue_token(make_settings(), sub="u", role="admin", org="o", ttl_seconds=120, now=now)
    header_part, payload_part, _ = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
    payload = json.loads(base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4)))
    assert header["alg"] == "HS256"
    ts = int(now.timestamp())
    assert payload == {"sub": "u", "role": "admin", "org": "o", "iat": ts, "exp": ts + 120,
                       "iss": ISSUER, "aud": AUDIENCE}


async def test_hand_signed_hs256_token_is_accepted(hs_verifier: TokenVerifier) -> None:
    assert await hs_verifier.verify(hs256()) == EXPECTED


async def test_hs256_accepted_when_jwks_also_configured(both_verifier: TokenVerifier, fetcher: Fetcher) -> None:
    assert await both_verifier.verify(hs256()) == EXPECTED
    assert fetcher.calls == 0  # the JWKS is not needed for HS256


async def test_valid_rs256_token_is_accepted(
    rs_verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey, fetcher: Fetcher
) -> None:
    assert await rs_verifier.verify(rs256(rsa_key)) == EXPECTED
    assert fetcher.calls == 1


async def test_rs256_picks_the_key_with_the_matching_kid(
    rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    fetcher = Fetcher({"keys": [
        {"kty": "oct", "kid": "sym", "k": b64url(b"not-for-us")},
        jwk_of(other_rsa_key.public_key(), kid="key-0"),
        jwk_of(rsa_key.public_key(), kid=KID),
    ]})
    verifier = TokenVerifier(make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=fetcher)
    assert await verifier.verify(rs256(rsa_key, kid=KID)) == EXPECTED
    assert await verifier.verify(rs256(other_rsa_key, kid="key-0")) == EXPECTED
    with pytest.raises(InvalidToken):  # signed with key-0 but claims to be key-1
        await verifier.verify(rs256(other_rsa_key, kid=KID))


async def test_jwks_key_without_use_or_alg_is_accepted(rsa_key: rsa.RSAPrivateKey) -> None:
    entry = jwk_of(rsa_key.public_key())
    del entry["use"], entry["alg"]
    verifier = TokenVerifier(make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=Fetcher({"keys": [entry]}))
    assert await verifier.verify(rs256(rsa_key)) == EXPECTED


@pytest.mark.parametrize("override", [{"use": "enc"}, {"alg": "RS512"}, {"key_ops": ["encrypt"]}])
async def test_jwks_key_not_meant_for_rs256_signatures_is_not_used(
    rsa_key: rsa.RSAPrivateKey, override: dict[str, Any]
) -> None:
    fetcher = Fetcher({"keys": [jwk_of(rsa_key.public_key(), **override)]})
    verifier = TokenVerifier(make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=fetcher)
    with pytest.raises(InvalidToken):
        await verifier.verify(rs256(rsa_key))


async def test_jwks_is_cached_then_refetched_after_expiry(
    rsa_key: rsa.RSAPrivateKey, fetcher: Fetcher
) -> None:
    clock = [1000.0]
    verifier = TokenVerifier(
        make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=fetcher, clock=lambda: clock[0]
    )
    token = rs256(rsa_key)
    assert await verifier.verify(token) == EXPECTED
    clock[0] += 299
    assert await verifier.verify(token) == EXPECTED
    assert fetcher.calls == 1
    clock[0] += 2
    assert await verifier.verify(token) == EXPECTED
    assert fetcher.calls == 2


async def test_rotated_key_is_found_by_refetch_on_unknown_kid(
    rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey, fetcher: Fetcher
) -> None:
    verifier = TokenVerifier(make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=fetcher)
    assert await verifier.verify(rs256(rsa_key)) == EXPECTED
    fetcher.jwks = {"keys": [jwk_of(rsa_key.public_key()), jwk_of(other_rsa_key.public_key(), kid="key-2")]}
    assert await verifier.verify(rs256(other_rsa_key, kid="key-2")) == EXPECTED
    assert fetcher.calls == 2


async def test_within_leeway_is_accepted(hs_verifier: TokenVerifier) -> None:
    now = datetime.now(UTC) - timedelta(seconds=3600 + 10)  # expired 10 s ago; leeway 30 s
    token = issue_token(make_settings(), sub="user-1", role="contractor", org="org-1", now=now)
    assert await hs_verifier.verify(token) == EXPECTED


async def test_audience_list_containing_ours_is_accepted(hs_verifier: TokenVerifier) -> None:
    assert await hs_verifier.verify(hs256(aud=["other", AUDIENCE])) == EXPECTED


async def test_numeric_looking_secret_works() -> None:
    settings = make_settings(secret="12345")
    token = issue_token(settings, sub="user-1", role="contractor", org="org-1")
    assert await TokenVerifier(settings).verify(token) == EXPECTED


# --------------------------------------------------------------------------------------------
# refusal: algorithm confusion and unaccepted algorithms


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", ""])
@pytest.mark.parametrize("config", ["hs", "rs", "both"])
async def test_alg_none_is_refused(
    alg: str, config: str, hs_verifier: TokenVerifier, rs_verifier: TokenVerifier,
    both_verifier: TokenVerifier,
) -> None:
    verifier = {"hs": hs_verifier, "rs": rs_verifier, "both": both_verifier}[config]
    token = forge({"alg": alg, "typ": "JWT", "kid": KID}, claims(role="admin"), None)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_missing_alg_is_refused(hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(forge({"typ": "JWT"}, claims(), hmac_signer(SECRET.encode())))


def _public_key_forms(key: rsa.RSAPrivateKey) -> dict[str, bytes]:
    pub = key.public_key()
    return {
        "spki-pem": pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "spki-der": pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "pkcs1-pem": pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1),
        "pkcs1-der": pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1),
        "openssh": pub.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH),
    }


@pytest.mark.parametrize("form", ["spki-pem", "spki-der", "pkcs1-pem", "pkcs1-der", "openssh"])
@pytest.mark.parametrize("config", ["rs", "both"])
async def test_hs256_signed_with_the_rsa_public_key_is_refused(
    form: str, config: str, rsa_key: rsa.RSAPrivateKey, rs_verifier: TokenVerifier,
    both_verifier: TokenVerifier,
) -> None:
    """CVE-2024-33663 family: the public key (which anyone can get) used as an HMAC secret."""
    verifier = rs_verifier if config == "rs" else both_verifier
    public_bytes = _public_key_forms(rsa_key)[form]
    for header in ({"alg": "HS256", "typ": "JWT", "kid": KID}, {"alg": "HS256", "typ": "JWT"}):
        token = forge(header, claims(role="admin"), hmac_signer(public_bytes))
        with pytest.raises(InvalidToken):
            await verifier.verify(token)


async def test_hs256_signed_with_the_jwk_json_is_refused(
    rsa_key: rsa.RSAPrivateKey, both_verifier: TokenVerifier, jwks: dict[str, Any]
) -> None:
    for key in (json.dumps(jwks["keys"][0]).encode(), json.dumps(jwks).encode()):
        with pytest.raises(InvalidToken):
            await both_verifier.verify(hs256(key=key))


async def test_rs256_refused_when_no_jwks_configured(
    hs_verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(rs256(rsa_key))


async def test_hs256_refused_when_no_secret_configured(rs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await rs_verifier.verify(hs256())


@pytest.mark.parametrize("alg,digest", [("HS512", hashlib.sha512), ("HS384", hashlib.sha384)])
async def test_other_hmac_algorithms_with_the_right_secret_are_refused(
    alg: str, digest: Any, both_verifier: TokenVerifier
) -> None:
    token = forge({"alg": alg, "typ": "JWT"}, claims(), hmac_signer(SECRET.encode(), digest))
    with pytest.raises(InvalidToken):
        await both_verifier.verify(token)


@pytest.mark.parametrize("alg,hash_", [("RS512", hashes.SHA512()), ("RS384", hashes.SHA384())])
async def test_other_rsa_algorithms_with_the_right_key_are_refused(
    alg: str, hash_: hashes.HashAlgorithm, both_verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    token = forge({"alg": alg, "typ": "JWT", "kid": KID}, claims(), rsa_signer(rsa_key, hash_))
    with pytest.raises(InvalidToken):
        await both_verifier.verify(token)


async def test_es256_is_refused(both_verifier: TokenVerifier) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    token = forge({"alg": "ES256", "typ": "JWT", "kid": KID}, claims(),
                  lambda data: ec_key.sign(data, ec.ECDSA(hashes.SHA256())))
    with pytest.raises(InvalidToken):
        await both_verifier.verify(token)


async def test_crit_header_is_refused(hs_verifier: TokenVerifier) -> None:
    token = forge({"alg": "HS256", "crit": ["exp"]}, claims(), hmac_signer(SECRET.encode()))
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(token)


# --------------------------------------------------------------------------------------------
# refusal: claims


async def test_expired_is_refused(hs_verifier: TokenVerifier) -> None:
    now = datetime.now(UTC) - timedelta(hours=2)
    token = issue_token(make_settings(), sub="user-1", role="contractor", org="org-1", now=now)
    with pytest.raises(InvalidToken, match="expired"):
        await hs_verifier.verify(token)


async def test_expired_beyond_leeway_is_refused(hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(exp=int(time.time()) - 60))


async def test_expired_rs256_is_refused(rs_verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InvalidToken):
        await rs_verifier.verify(rs256(rsa_key, exp=int(time.time()) - 3600))


@pytest.mark.parametrize("aud", ["other-api", ["other-api"], None])
async def test_wrong_or_missing_audience_is_refused(aud: Any, hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(aud=aud))


async def test_wrong_audience_rs256_is_refused(rs_verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InvalidToken):
        await rs_verifier.verify(rs256(rsa_key, aud="other-api"))


@pytest.mark.parametrize("iss", ["someone-else", None])
async def test_wrong_or_missing_issuer_is_refused(iss: Any, hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(iss=iss))


async def test_missing_exp_is_refused(hs_verifier: TokenVerifier, rs_verifier: TokenVerifier,
                                      rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(exp=None))
    with pytest.raises(InvalidToken):
        await rs_verifier.verify(rs256(rsa_key, exp=None))


@pytest.mark.parametrize("exp", ['"soon"', "1e400", "-1e400", "NaN", "Infinity", "null", "[1]"])
async def test_malformed_exp_is_refused(exp: str, hs_verifier: TokenVerifier) -> None:
    """Raw JSON, so that values json.dumps would not write (1e400 is parsed as inf) get through."""
    body = json.dumps(claims(exp=None))
    raw = body[:-1] + f', "exp": {exp}}}'
    token = forge({"alg": "HS256", "typ": "JWT"}, raw, hmac_signer(SECRET.encode()))
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(token)


async def test_future_iat_is_refused(hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200))


async def test_not_yet_valid_is_refused(hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(nbf=int(time.time()) + 3600))


@pytest.mark.parametrize("role", ["superuser", "Admin", "", None, 1, ["admin"]])
async def test_unknown_or_missing_role_is_refused(role: Any, hs_verifier: TokenVerifier) -> None:
    token = hs256(role=role) if role is not None else hs256(role=None)
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(token)


@pytest.mark.parametrize("org", [None, "", 42])
async def test_missing_or_bad_org_is_refused(org: Any, hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(org=org))


@pytest.mark.parametrize("sub", [None, "", 42])
async def test_missing_or_bad_sub_is_refused(sub: Any, hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(sub=sub))


# --------------------------------------------------------------------------------------------
# refusal: signatures and malformed tokens


@pytest.mark.parametrize("garbage", [
    "", "garbage", "a.b.c", "..", "...", "a.b", "é.é.é", "x" * 20000,
    "eyJhbGciOiJIUzI1NiJ9.eyJ.", f"{segment(['HS256'])}.{segment({})}.",
    f"{segment('HS256')}.{segment({})}.", "Bearer " + "x.y.z",
])
async def test_garbage_is_refused(garbage: str, both_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await both_verifier.verify(garbage)


async def test_non_object_payload_is_refused(hs_verifier: TokenVerifier) -> None:
    for payload in ('["sub"]', '"x"', "42", "null", "{"):
        token = forge({"alg": "HS256"}, payload, hmac_signer(SECRET.encode()))
        with pytest.raises(InvalidToken):
            await hs_verifier.verify(token)


async def test_tampered_payload_is_refused(
    hs_verifier: TokenVerifier, rs_verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    for verifier, token in ((hs_verifier, hs256()), (rs_verifier, rs256(rsa_key))):
        header, _, signature = token.split(".")
        tampered = f"{header}.{segment(claims(role='admin', org='someone-else'))}.{signature}"
        with pytest.raises(InvalidToken):
            await verifier.verify(tampered)
        assert await verifier.verify(token) == EXPECTED  # the untampered one still passes


async def test_tampered_signature_is_refused(hs_verifier: TokenVerifier) -> None:
    token = hs256()
    head, _, sig = token.rpartition(".")
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(f"{head}.{flipped}")


async def test_token_signed_with_another_secret_is_refused(hs_verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(hs256(key=b"another-secret-0123456789abcdef"))
    other = issue_token(make_settings(secret="another-secret"), sub="user-1", role="contractor", org="org-1")
    with pytest.raises(InvalidToken):
        await hs_verifier.verify(other)


async def test_rs256_signed_with_another_key_is_refused(
    rs_verifier: TokenVerifier, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(InvalidToken):
        await rs_verifier.verify(rs256(other_rsa_key))


async def test_unknown_kid_is_refused_after_one_refetch(
    rs_verifier: TokenVerifier, fetcher: Fetcher, rsa_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(InvalidToken, match="kid"):
        await rs_verifier.verify(rs256(rsa_key, kid="no-such-key"))
    assert fetcher.calls == 2
    # Another made-up kid right away does not make it fetch again (cool-down).
    with pytest.raises(InvalidToken):
        await rs_verifier.verify(rs256(rsa_key, kid="no-such-key-either"))
    assert fetcher.calls == 2


async def test_missing_kid_is_refused(rs_verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InvalidToken):
        await rs_verifier.verify(rs256(rsa_key, kid=None))


async def test_jwks_fetch_failure_is_an_invalid_token(rsa_key: rsa.RSAPrivateKey) -> None:
    async def failing() -> Mapping[str, Any]:
        raise OSError("connection refused")

    verifier = TokenVerifier(make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=failing)
    with pytest.raises(KeySetUnavailable):
        await verifier.verify(rs256(rsa_key))


@pytest.mark.parametrize("document", [{}, {"keys": "nope"}, [], "x"])
async def test_jwks_not_a_key_set_is_refused(document: Any, rsa_key: rsa.RSAPrivateKey) -> None:
    verifier = TokenVerifier(make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=Fetcher(document))
    with pytest.raises(InvalidToken):
        await verifier.verify(rs256(rsa_key))


async def test_invalid_token_message_does_not_leak_the_secret(hs_verifier: TokenVerifier) -> None:
    for token in (hs256(key=b"wrong"), hs256(aud="x"), "garbage", hs256(exp=1)):
        with pytest.raises(InvalidToken) as info:
            await hs_verifier.verify(token)
        assert SECRET not in str(info.value)
        assert info.value.__cause__ is None


# --------------------------------------------------------------------------------------------
# issuing


def test_issue_token_without_secret_raises() -> None:
    for secret in (None, ""):
        with pytest.raises(ValueError):
            issue_token(make_settings(secret=secret), sub="u", role="admin", org="o")


@pytest.mark.parametrize("role", ["superuser", "", "Admin"])
def test_issue_token_with_unknown_role_raises(role: str) -> None:
    with pytest.raises(ValueError):
        issue_token(make_settings(), sub="u", role=role, org="o")


def test_principal_is_frozen_and_validates_role() -> None:
    with pytest.raises(ValidationError):
        EXPECTED.role = "admin"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Principal(sub="u", role="superuser", org="o")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# the default fetcher, against a real HTTP server


@pytest.fixture
def jwks_server(jwks: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    body = json.dumps(jwks).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            if self.path == "/jwks.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


async def test_rs256_verified_against_jwks_served_over_http(
    jwks_server: tuple[str, list[str]], rsa_key: rsa.RSAPrivateKey, no_proxy: None
) -> None:
    base, requests = jwks_server
    verifier = TokenVerifier(make_settings(secret=None, jwks_url=f"{base}/jwks.json"))
    assert await verifier.verify(rs256(rsa_key)) == EXPECTED
    assert await verifier.verify(rs256(rsa_key, sub="user-2", role="admin", org="org-2")) == Principal(
        sub="user-2", role="admin", org="org-2"
    )
    assert requests == ["/jwks.json"]  # cached
    with pytest.raises(InvalidToken):
        await verifier.verify(rs256(rsa_key, kid="no-such-key"))
    assert requests == ["/jwks.json", "/jwks.json"]


async def test_jwks_http_error_is_key_set_unavailable(
    jwks_server: tuple[str, list[str]], rsa_key: rsa.RSAPrivateKey, no_proxy: None
) -> None:
    base, _ = jwks_server
    verifier = TokenVerifier(make_settings(secret=None, jwks_url=f"{base}/broken"))
    with pytest.raises(KeySetUnavailable):
        await verifier.verify(rs256(rsa_key))


# --------------------------------------------------------------------------------------------
# tokens verified before (issue 11: each request checked the same signature again)


async def test_a_verified_token_is_not_checked_again_until_its_exp(monkeypatch: pytest.MonkeyPatch) -> None:
    wall = [time.time()]
    verifier = TokenVerifier(make_settings(), wall=lambda: wall[0])
    token = hs256()
    decoded = []
    real = verifier._decode
    monkeypatch.setattr(verifier, "_decode", lambda *a: decoded.append(1) or real(*a))
    assert await verifier.verify(token) == EXPECTED
    assert await verifier.verify(token) == EXPECTED
    assert decoded == [1]
    wall[0] = jwt_exp(token)  # at its exp (not before it): checked in full again, here still within the leeway
    assert await verifier.verify(token) == EXPECTED
    assert decoded == [1, 1]
    assert await verifier.verify(hs256(sub="user-2")) != EXPECTED  # another token is another entry


async def test_a_verified_rs256_token_is_checked_again_once_the_keys_are_fetched_again(
    rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey, fetcher: Fetcher
) -> None:
    clock = [1000.0]
    verifier = TokenVerifier(make_settings(secret=None, jwks_url=JWKS_URL), fetch_jwks=fetcher,
                             clock=lambda: clock[0])
    token = rs256(rsa_key)
    assert await verifier.verify(token) == EXPECTED
    fetcher.jwks = {"keys": [jwk_of(other_rsa_key.public_key(), kid="key-2")]}  # the provider withdrew the key
    clock[0] += 299
    assert await verifier.verify(token) == EXPECTED  # the key set in hand still has it
    clock[0] += 2
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_the_verified_tokens_kept_are_bounded() -> None:
    verifier = TokenVerifier(make_settings())
    for i in range(tokens_module._VERIFIED_KEPT + 10):
        await verifier.verify(hs256(sub=f"user-{i}"))
    assert len(verifier._verified) == tokens_module._VERIFIED_KEPT


def jwt_exp(token: str) -> float:
    payload = token.split(".")[1]
    return float(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"])
