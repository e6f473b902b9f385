"""Page sign-in and page sessions (issue 10): OpenID Connect with PKCE against a provider on loopback,
sessions kept on the server and ended by signing out, CSRF tokens bound to the session and new at each
sign-in, cookies that are not API bearers, security headers. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection, Engine

from service.auth.tokens import issue_token
from service.config import Settings
from service.main import create_app
from service.web.session import CSRF_COOKIE, LOGIN_COOKIE, SESSION_COOKIE
from tests.support.clock import Clock
from tests.support.oidc_provider import OidcProvider, ServedProvider, s256
from tests.support.pages import csrf_of

BASE = "https://testserver"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with ServedProvider(OidcProvider()) as p:
        yield p


@pytest.fixture(autouse=True)
def _fresh_provider(provider: OidcProvider) -> None:
    provider.user = {"sub": "tanaka", "tlc_role": "ministry_officer", "tlc_org": "meti"}
    provider.tamper = {}
    provider.token_requests.clear()


@pytest.fixture
def clock() -> Clock:
    """The real time: ID tokens are signed by the provider at the real time, and the pasted token's expiry is
    judged by it. Only durations are checked here, never a day."""
    return Clock.real()


@pytest.fixture
def settings(provider: OidcProvider) -> Settings:
    return Settings(jwt_secret="test-secret-for-page-sign-in-0123456789", temporal_address="127.0.0.1:1",
                    dev_login=True, cookie_secure=True, public_base_url=BASE, oidc_issuer=provider.issuer,
                    oidc_client_id=provider.client_id, oidc_client_secret=provider.client_secret,
                    oidc_roles={"meti-officers": "ministry_officer"})


def _app(settings: Settings, engine: Engine | Connection, clock: Clock):
    return create_app(settings, engine=getattr(engine, "engine", engine), bind=engine, run_relay=False, now=clock)


@pytest.fixture
def browser(settings: Settings, engine: Engine | Connection, clock: Clock) -> Iterator[TestClient]:
    with TestClient(_app(settings, engine, clock), base_url=BASE, follow_redirects=False,
                    raise_server_exceptions=False) as c:
        yield c


def _to_provider(browser: TestClient) -> tuple[str, dict[str, list[str]]]:
    r = browser.get("/inbox/login/oidc")
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    return location, parse_qs(urlsplit(location).query)


def _provider_answer(location: str) -> str:
    """What the provider sends the browser back with (a real HTTP call to the loopback provider)."""
    r = httpx.get(location, follow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    back = urlsplit(r.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == BASE
    return f"{back.path}?{back.query}"


def _sign_in(browser: TestClient) -> httpx.Response:
    location, _ = _to_provider(browser)
    return browser.get(_provider_answer(location))


def test_oidc_sign_in_with_pkce_end_to_end(browser: TestClient, provider: OidcProvider) -> None:
    r = browser.get("/inbox", headers={"accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"].startswith("/inbox/login")
    login = browser.get("/inbox/login")
    assert 'href="/inbox/login/oidc"' in login.text

    location, q = _to_provider(browser)
    assert location.startswith(provider.issuer + "/authorize?")
    assert q["code_challenge_method"] == ["S256"] and len(q["code_challenge"][0]) >= 43
    assert q["redirect_uri"] == [BASE + "/inbox/login/oidc/callback"] and "openid" in q["scope"][0].split()
    assert "code_verifier" not in q  # the verifier stays on the server

    done = browser.get(_provider_answer(location))
    assert done.status_code == 303 and done.headers["location"] == "/inbox/home", done.text
    # The token request proved possession of the verifier behind the challenge, with the client's secret.
    (sent,) = provider.token_requests
    assert s256(sent["code_verifier"]) == q["code_challenge"][0] and sent["authorization"].startswith("Basic ")

    inbox = browser.get("/inbox")
    assert inbox.status_code == 200 and "tanaka" in inbox.text


def test_groups_map_to_a_role_by_the_settings(browser: TestClient, provider: OidcProvider) -> None:
    provider.user = {"sub": "suzuki", "tlc_role": ["staff", "meti-officers"], "tlc_org": "meti"}
    assert _sign_in(browser).status_code == 303
    assert "suzuki" in browser.get("/inbox").text


@pytest.mark.parametrize("user, status", [
    ({"sub": "x", "tlc_org": "meti"}, 403),                                              # no role
    ({"sub": "x", "tlc_role": "superuser", "tlc_org": "meti"}, 403),                     # not one of ours
    ({"sub": "x", "tlc_role": ["admin", "contractor"], "tlc_org": "meti"}, 403),         # two roles
    ({"sub": "x", "tlc_role": "admin"}, 403),                                            # no organisation
])
def test_claims_that_give_no_single_role_and_organisation_sign_nobody_in(browser: TestClient, provider: OidcProvider,
                                                                       user: dict, status: int) -> None:
    provider.user = user
    r = _sign_in(browser)
    assert r.status_code == status and SESSION_COOKIE not in r.cookies
    assert browser.get("/inbox").status_code == 303


@pytest.mark.parametrize("tamper", [{"nonce": "another-sign-in"}, {"aud": "another-client"},
                                    {"iss": "http://127.0.0.1:9"}, {"exp": 1_000_000_000}])
def test_an_id_token_not_for_this_sign_in_is_refused(browser: TestClient, provider: OidcProvider,
                                                     tamper: dict) -> None:
    provider.tamper = tamper
    r = _sign_in(browser)
    assert r.status_code == 400 and "ログイン" in r.text and SESSION_COOKIE not in r.cookies


def test_a_callback_is_good_once_and_only_in_the_browser_that_started_it(
        browser: TestClient, settings: Settings, engine, clock: Clock) -> None:
    location, _ = _to_provider(browser)
    answer = _provider_answer(location)
    # Another browser (an attacker's link, say) cannot finish this sign-in: login CSRF.
    with TestClient(_app(settings, engine, clock), base_url=BASE, follow_redirects=False) as other:
        r = other.get(answer)
        assert r.status_code == 400 and SESSION_COOKIE not in r.cookies
    # ...and having been tried, the sign-in is spent.
    assert browser.get(answer).status_code == 400


def test_a_sign_in_left_at_the_provider_too_long_is_refused(browser: TestClient, clock: Clock) -> None:
    location, _ = _to_provider(browser)
    answer = _provider_answer(location)
    clock.advance(timedelta(minutes=11))
    assert browser.get(answer).status_code == 400


def test_pkce_is_required_by_the_provider_so_a_stolen_code_is_useless(browser: TestClient, provider: OidcProvider) -> None:
    location, _ = _to_provider(browser)
    code = parse_qs(urlsplit(_provider_answer(location)).query)["code"][0]
    r = httpx.post(provider.issuer + "/token", data={"grant_type": "authorization_code", "code": code,
                                                     "redirect_uri": BASE + "/inbox/login/oidc/callback",
                                                     "code_verifier": "x" * 64},
                   auth=(provider.client_id, provider.client_secret), timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def _dev_sign_in(browser: TestClient, role: str = "ministry_officer", org: str = "meti") -> str:
    page = browser.get("/inbox/login")
    before = csrf_of(page)
    r = browser.post("/inbox/login", data={"csrf": before, "sub": "yamada", "role": role, "org": org})
    assert r.status_code == 303, r.text
    return before


def test_signing_out_ends_the_session_on_the_server(browser: TestClient, settings: Settings, engine,
                                                   clock: Clock) -> None:
    _dev_sign_in(browser)
    sid = browser.cookies.get(SESSION_COOKIE)
    page = browser.get("/inbox")
    assert page.status_code == 200
    r = browser.post("/inbox/logout", data={"csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/inbox/login"
    # A copy of the old cookie (kept by an attacker, or a browser that did not forget it) opens nothing.
    with TestClient(_app(settings, engine, clock), base_url=BASE, follow_redirects=False) as other:
        other.cookies.set(SESSION_COOKIE, sid, domain="testserver.local", path="/inbox")
        assert other.get("/inbox").status_code == 303


def test_the_csrf_token_belongs_to_the_session_and_is_new_at_each_sign_in(browser: TestClient) -> None:
    before = _dev_sign_in(browser)
    page = browser.get("/inbox")
    after = csrf_of(page)
    assert after != before and CSRF_COOKIE not in browser.cookies
    # The login form's token (double-submit cookie) no longer passes for a signed-in form.
    browser.cookies.set(CSRF_COOKIE, before, domain="testserver.local", path="/inbox")
    assert browser.post("/inbox/logout", data={"csrf": before}).status_code == 403
    # Signing in again gives yet another token; the old one is refused.
    browser.post("/inbox/logout", data={"csrf": after})
    _dev_sign_in(browser)
    third = csrf_of(browser.get("/inbox"))
    assert third not in (before, after)
    assert browser.post("/inbox/logout", data={"csrf": after}).status_code == 403
    assert browser.get("/inbox").status_code == 200  # still signed in


def test_a_page_session_cookie_is_not_an_api_bearer(browser: TestClient) -> None:
    _dev_sign_in(browser, role="admin", org="admin")
    sid = browser.cookies.get(SESSION_COOKIE)
    assert sid and sid.count(".") != 2  # an opaque id, not a JWT
    r = browser.get("/v1/organisations", headers={"Authorization": f"Bearer {sid}"})
    assert r.status_code == 401


def test_a_session_ends_after_its_hours_and_with_its_token(browser: TestClient, settings: Settings,
                                                          clock: Clock) -> None:
    _dev_sign_in(browser)
    clock.advance(timedelta(hours=settings.page_session_hours) - timedelta(minutes=1))
    assert browser.get("/inbox").status_code == 200
    clock.advance(timedelta(minutes=2))
    assert browser.get("/inbox").status_code == 303
    # Opened with a pasted token, a session ends when the token does, even before its hours.
    clock.instant = Clock.real().instant
    token = issue_token(settings, sub="kato", role="ministry_officer", org="meti", ttl_seconds=600)
    page = browser.get("/inbox/login")
    assert browser.post("/inbox/login", data={"csrf": csrf_of(page), "token": token}).status_code == 303
    assert "kato" in browser.get("/inbox").text
    clock.advance(timedelta(minutes=11))
    assert browser.get("/inbox").status_code == 303


def test_cookies_are_secure_httponly_and_pages_carry_security_headers(browser: TestClient) -> None:
    page = browser.get("/inbox/login")
    for name in (CSRF_COOKIE,):
        cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith(name + "="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/inbox" in cookie
    r = browser.get("/inbox/login/oidc")
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(LOGIN_COOKIE + "="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    for response in (page, browser.get("/v1/organisations"), browser.get("/healthz")):
        h = response.headers
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["strict-transport-security"].startswith("max-age=")
    assert "script-src" not in page.headers["content-security-policy"]  # the pages run no script at all
    assert page.headers["cache-control"] == "no-store"
    css = browser.get("/inbox/static/tlc.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "<style" not in page.text and "style=" not in page.text


def test_without_https_cookies_are_not_secure_and_there_is_no_hsts(settings: Settings, engine, clock: Clock) -> None:
    plain = settings.model_copy(update={"cookie_secure": False, "public_base_url": "http://testserver"})
    with TestClient(_app(plain, engine, clock), follow_redirects=False) as c:
        page = c.get("/inbox/login")
        cookie = next(x for x in page.headers.get_list("set-cookie") if x.startswith(CSRF_COOKIE + "="))
        assert "Secure" not in cookie and "strict-transport-security" not in page.headers


def test_without_a_provider_there_is_no_oidc_sign_in(settings: Settings, engine, clock: Clock) -> None:
    bare = settings.model_copy(update={"oidc_issuer": None})
    with TestClient(_app(bare, engine, clock), base_url=BASE, follow_redirects=False) as c:
        assert "/inbox/login/oidc" not in c.get("/inbox/login").text
        assert c.get("/inbox/login/oidc").status_code == 404


def test_an_unreachable_provider_is_a_clear_page_not_a_500(settings: Settings, engine, clock: Clock) -> None:
    from tests.support.servers import free_port

    gone = settings.model_copy(update={"oidc_issuer": f"http://127.0.0.1:{free_port()}"})
    with TestClient(_app(gone, engine, clock), base_url=BASE, follow_redirects=False) as c:
        r = c.get("/inbox/login/oidc")
        assert r.status_code == 502 and "認証基盤に接続できません" in r.text


def test_the_header_names_the_person_by_the_directory_else_by_the_providers_name(
        browser: TestClient, provider: OidcProvider, engine) -> None:
    from sqlmodel import Session

    from service.organisations.models import Organisation
    from service.people.models import Person
    from tests.support.db import count_rows

    provider.user = {"sub": "suzuki", "tlc_role": "ministry_officer", "tlc_org": "meti", "name": "鈴木 一郎"}
    assert _sign_in(browser).status_code == 303
    assert "鈴木 一郎" in browser.get("/inbox").text
    assert count_rows(engine, "person") == 0  # shown, not written to the directory

    with Session(engine, join_transaction_mode="create_savepoint") as s:
        s.add(Organisation(id="meti", name="経済産業省", kind="ministry", country="JP"))
        s.flush()
        s.add(Person(org="meti", sub="suzuki", display_name="鈴木 一朗", role="ministry_officer"))
        s.commit()
    page = browser.get("/inbox").text
    assert "鈴木 一朗" in page and "鈴木 一郎" not in page and "経済産業省" in page
