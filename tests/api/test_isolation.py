"""The PostgreSQL API tests' isolation: what the app commits inside the test's transaction is gone after it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.main import create_app
from tests.factories import OrganisationBody
from tests.support import db as testdb
from tests.support.db import count_rows


def test_what_the_app_committed_is_rolled_back_with_the_tests_transaction(postgres_engine: Engine, settings,
                                                                          clock, admin) -> None:
    testdb.empty_all_tables(postgres_engine)
    with postgres_engine.connect() as conn:
        outer = conn.begin()
        app = create_app(settings, engine=postgres_engine, bind=conn, run_relay=False, now=clock)
        with TestClient(app, raise_server_exceptions=False) as api:
            assert api.post("/v1/organisations", json=OrganisationBody(), headers=admin).status_code == 201
            # A second command whose commit fails (the same id) rolls back to its savepoint only.
            assert api.post("/v1/organisations", json=OrganisationBody(), headers=admin).status_code == 409
            assert api.get("/v1/organisations/acme", headers=admin).status_code == 200
        assert count_rows(conn, "organisation") == 1
        outer.rollback()
    assert count_rows(postgres_engine, "organisation") == 0
