"""API fixtures: the real app on a real database (SQLite and PostgreSQL), called over ASGI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection, Engine

from service.auth.tokens import issue_token
from service.config import Settings
from service.main import create_app
from tests.factories import ContractBody
from tests.support import db as testdb
from tests.support.clock import Clock
from tests.support.resolvers import TableResolver
from tests.support.secrets import TEST_JWT_SECRET

SETTINGS = Settings(jwt_secret=TEST_JWT_SECRET, temporal_address="127.0.0.1:1")


@pytest.fixture
def settings() -> Settings:
    return SETTINGS


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine | Connection]:
    """Each API test runs twice. On PostgreSQL it runs inside one transaction that is rolled back afterwards
    (the app's sessions work in savepoints of it, `create_app(bind=...)`), so nothing it wrote outlives it;
    SQLite's driver cannot nest transactions that way, so there the emptied tables are committed to."""
    eng: Engine = request.getfixturevalue(f"{request.param}_engine")
    testdb.empty_all_tables(eng)  # whatever a test elsewhere left, in any order
    if request.param == "sqlite":
        yield eng
        return
    with eng.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def clock() -> Clock:
    """The API's clock: noon JST on 1 April 2026 unless a test moves it, so that no answer depends on the day
    the tests run."""
    return Clock(date(2026, 4, 1))


@pytest.fixture
def resolver() -> TableResolver:
    """How the app resolves webhook hosts: a table, never DNS (tests may add names)."""
    return TableResolver()


@pytest.fixture
def client(engine: Engine | Connection, settings: Settings, clock: Clock, resolver: TableResolver
           ) -> Iterator[TestClient]:
    """The app on the test's clock, without its outbox relay (these tests need no Temporal; the outbox rows
    just wait)."""
    app = create_app(settings, engine=getattr(engine, "engine", engine), bind=engine, run_relay=False, now=clock,
                     resolver=resolver)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


AuthHeaders = Callable[..., dict[str, str]]


@pytest.fixture
def auth(settings: Settings) -> AuthHeaders:
    """auth(role, org, sub=...) -> headers with a valid bearer token."""
    def headers(role: str = "admin", org: str = "admin", sub: str = "tester", **extra: str) -> dict[str, str]:
        token = issue_token(settings, sub=sub, role=role, org=org)
        return {"Authorization": f"Bearer {token}", **extra}
    return headers


@pytest.fixture
def admin(auth: AuthHeaders) -> dict[str, str]:
    return auth("admin", "admin")


@pytest.fixture
def acme(auth: AuthHeaders) -> dict[str, str]:
    """The contractor's compliance officer (sato, of acme)."""
    return auth("contractor", "acme", sub="sato")


@pytest.fixture
def world(client: TestClient, admin: dict[str, str]) -> TestClient:
    """Two ministries, a funding agency, two contractors and one programme of METI's."""
    for body in ({"id": "meti", "name": "経済産業省", "kind": "ministry", "country": "JP"},
                 {"id": "mext", "name": "文部科学省", "kind": "ministry", "country": "JP"},
                 {"id": "jst", "name": "JST", "kind": "funding_agency", "country": "JP"},
                 {"id": "acme", "name": "Acme Quantum K.K.", "kind": "contractor", "country": "JP"},
                 {"id": "other", "name": "Other Corp.", "kind": "contractor", "country": "JP"}):
        r = client.post("/v1/organisations", json=body, headers=admin)
        assert r.status_code == 201, r.text
    from tests.factories import ProgrammeBody

    r = client.post("/v1/programmes", json=ProgrammeBody(), headers=admin)
    assert r.status_code == 201, r.text
    return client


@pytest.fixture
def api(world: TestClient, admin) -> TestClient:
    """The world plus contract c-001 of acme's on METI's programme, registered on 2026-04-01 (JST)."""
    r = world.post("/v1/contracts", json=ContractBody(), headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["obligation_period_end"] == "2034-03-31"
    return world
