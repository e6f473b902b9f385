"""The startup checks of `tlc api` and `tlc worker` (service/startup_checks.py): every way a deployment can
be left open, and the settings that may start."""

from __future__ import annotations

import pytest

from service.config import Settings
from service.startup_checks import KNOWN_DEFAULT_SECRETS, MIN_SECRET_BYTES, startup_problems

GOOD_SECRET = "x" * MIN_SECRET_BYTES
JWKS = "https://idp.example.test/.well-known/jwks.json"


def settings(**kw: object) -> Settings:
    # Built from keywords only (no TLC_* of the machine running the tests).
    base: dict[str, object] = {"jwt_secret": None, "jwt_jwks_url": None, "dev_login": False}
    return Settings.model_construct(**{**Settings().model_dump(), **base, **kw})


def test_the_defaults_have_no_secret_and_no_dev_login(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TLC_JWT_SECRET", "TLC_JWT_JWKS_URL", "TLC_DEV_LOGIN"):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.jwt_secret is None and s.jwt_jwks_url is None and s.dev_login is False


def test_the_bare_defaults_refuse_to_start_for_want_of_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TLC_JWT_SECRET", "TLC_JWT_JWKS_URL", "TLC_DEV_LOGIN"):
        monkeypatch.delenv(name, raising=False)
    [problem] = startup_problems(Settings())
    assert problem.startswith("No token key is configured")
    assert "TLC_JWT_JWKS_URL" in problem and "TLC_JWT_SECRET" in problem


@pytest.mark.parametrize("kw", [
    {"jwt_jwks_url": JWKS},
    {"jwt_secret": GOOD_SECRET},
    {"jwt_secret": GOOD_SECRET, "jwt_jwks_url": JWKS},
    {"jwt_secret": "", "jwt_jwks_url": JWKS},          # TLC_JWT_SECRET="" is no secret
    {"jwt_secret": "é" * (MIN_SECRET_BYTES // 2)},     # bytes, not characters: 16 × 2 bytes
])
def test_a_safe_configuration_may_start(kw: dict[str, object]) -> None:
    assert startup_problems(settings(**kw)) == []


@pytest.mark.parametrize("kw", [{}, {"jwt_secret": ""}, {"jwt_secret": None, "jwt_jwks_url": ""}])
def test_no_key_at_all_is_refused(kw: dict[str, object]) -> None:
    [problem] = startup_problems(settings(**kw))
    assert problem.startswith("No token key is configured: set TLC_JWT_JWKS_URL")


@pytest.mark.parametrize("length", [1, 8, MIN_SECRET_BYTES - 1])
def test_a_short_secret_is_refused(length: int) -> None:
    [problem] = startup_problems(settings(jwt_secret="k" * length))
    assert problem.startswith(f"TLC_JWT_SECRET is {length} bytes long, shorter than the {MIN_SECRET_BYTES} bytes")


def test_a_short_secret_is_refused_even_beside_a_jwks_url() -> None:
    # The secret still signs tokens the API accepts, so the JWKS URL does not make it safe.
    [problem] = startup_problems(settings(jwt_secret="short", jwt_jwks_url=JWKS))
    assert "shorter than" in problem


def test_a_multibyte_secret_is_measured_in_bytes() -> None:
    assert startup_problems(settings(jwt_secret="é" * 15)) != []   # 30 bytes
    assert startup_problems(settings(jwt_secret="é" * 16)) == []   # 32 bytes


@pytest.mark.parametrize("secret", sorted(KNOWN_DEFAULT_SECRETS))
def test_each_known_default_is_refused(secret: str) -> None:
    [problem] = startup_problems(settings(jwt_secret=secret, jwt_jwks_url=JWKS))
    assert problem.startswith("TLC_JWT_SECRET is a publicly known default")


@pytest.mark.parametrize("secret", ["tlc-local-development-secret-change-me", " Secret ", "CHANGEME"])
def test_known_defaults_are_recognised_whatever_their_case_and_spaces(secret: str) -> None:
    [problem] = startup_problems(settings(jwt_secret=secret))
    assert "publicly known default" in problem


def test_the_old_shipped_secret_is_long_enough_and_still_refused() -> None:
    old = "tlc-local-development-secret-change-me"
    assert len(old.encode()) >= MIN_SECRET_BYTES
    assert startup_problems(settings(jwt_secret=old)) != []


@pytest.mark.parametrize("kw", [{"jwt_jwks_url": JWKS}, {"jwt_secret": GOOD_SECRET}])
def test_dev_login_outside_dev_is_refused(kw: dict[str, object]) -> None:
    [problem] = startup_problems(settings(dev_login=True, **kw))
    assert problem.startswith("TLC_DEV_LOGIN is on") and "TLC_DEV_LOGIN=false" in problem


def test_every_problem_is_reported_at_once() -> None:
    problems = startup_problems(settings(jwt_secret="secret", dev_login=True))
    assert [p.split(" ")[0] for p in problems] == ["TLC_JWT_SECRET", "TLC_DEV_LOGIN"]
    problems = startup_problems(settings(dev_login=True))
    assert [p.split(":")[0] for p in problems] == ["No token key is configured", "TLC_DEV_LOGIN is on, which lets anyone sign in to the pages as anyone"]


def test_each_problem_is_one_sentence_saying_what_to_set() -> None:
    for kw in ({}, {"jwt_secret": "secret"}, {"jwt_secret": "short"}, {"jwt_jwks_url": JWKS, "dev_login": True}):
        for problem in startup_problems(settings(**kw)):
            assert problem.endswith(".") and "\n" not in problem and " set " in problem


@pytest.mark.parametrize("kw, says", [
    ({"oidc_issuer": "http://login.example.go.jp", "oidc_client_id": "tlc"}, "https://"),
    ({"oidc_issuer": "https://login.example.go.jp"}, "TLC_OIDC_CLIENT_ID"),
])
def test_a_sign_in_provider_half_configured_or_over_http_is_refused(kw: dict[str, object], says: str) -> None:
    (problem,) = startup_problems(Settings(jwt_jwks_url=JWKS, **kw))
    assert says in problem and problem.endswith(".")


@pytest.mark.parametrize("issuer", ["https://login.example.go.jp/realms/meti", "http://127.0.0.1:8080"])
def test_a_sign_in_provider_over_https_or_on_loopback_may_start(issuer: str) -> None:
    assert startup_problems(Settings(jwt_jwks_url=JWKS, oidc_issuer=issuer, oidc_client_id="tlc")) == []


def test_tlc_relay_checks_what_the_others_check_and_wants_postgresql() -> None:
    from service.startup_checks import relay_problems

    pg = "postgresql+psycopg://tlc@db.internal/tlc"
    assert relay_problems(settings(jwt_secret=GOOD_SECRET, database_url=pg)) == []
    assert relay_problems(settings(jwt_secret="secret", dev_login=True, database_url=pg)) == startup_problems(
        settings(jwt_secret="secret", dev_login=True))
    [problem] = relay_problems(settings(jwt_secret=GOOD_SECRET))  # the SQLite file of the data directory
    assert problem.startswith("tlc relay needs PostgreSQL, whose NOTIFY wakes it: set TLC_DATABASE_URL")
    assert "TLC_RELAY_IN_API=true" in problem
