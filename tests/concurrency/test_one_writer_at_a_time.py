"""Concurrent writers lose nothing (issue 10, defect 3), on SQLite (the `tlc dev` default) and PostgreSQL: each
request reads the contract's state and writes it back, so two at once must not both read the old state."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.auth.tokens import issue_token
from service.config import Settings
from service.consultations.models import ConsultationCase
from service.main import create_app
from service.obligations import service as obligations
from service.obligations.models import DeadlineRow
from tests.factories import ContractBody, OrganisationBody, ProgrammeBody
from tests.support.secrets import TEST_JWT_SECRET

EVENTS, WORKERS, TRANSITIONS = 200, 16, 20


def _world(engine: Engine) -> tuple[TestClient, Settings]:
    settings = Settings(jwt_secret=TEST_JWT_SECRET)
    # Noon JST on 1 April 2026: the answers do not depend on the day the test runs.
    app = create_app(settings, engine=engine, run_relay=False, now=lambda: datetime(2026, 4, 1, 3, tzinfo=UTC))
    return TestClient(app, raise_server_exceptions=False), settings


def _headers(settings: Settings, role: str, org: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(settings, sub=f"{role}-1", role=role, org=org)}


def _setup(client: TestClient, settings: Settings) -> dict[str, dict[str, str]]:
    admin = _headers(settings, "admin", "admin")
    for body in (OrganisationBody(id="meti", name="METI", kind="ministry"),
                 OrganisationBody(id="jst", name="JST", kind="funding_agency"), OrganisationBody()):
        assert client.post("/v1/organisations", json=body, headers=admin).status_code == 201
    assert client.post("/v1/programmes", json=ProgrammeBody(), headers=admin).status_code == 201
    assert client.post("/v1/contracts", json=ContractBody(), headers=admin).status_code == 201
    return {"admin": admin, "acme": _headers(settings, "contractor", "acme"),
            "officer": _headers(settings, "ministry_officer", "meti")}


def test_concurrent_events_each_keep_their_deadline(engine: Engine) -> None:
    client, settings = _world(engine)
    with client:
        who = _setup(client, settings)

        def register(n: int) -> int:
            return client.post("/v1/contracts/c-001/events", headers=who["acme"], json={
                "type": "core_item.registered", "occurred_on": "2026-04-01",
                "data": {"item_ref": f"item-{n}", "title": "t"}}).status_code

        with ThreadPoolExecutor(WORKERS) as pool:
            statuses = list(pool.map(register, range(EVENTS)))
    assert statuses == [202] * EVENTS
    with Session(engine) as s:
        state = obligations.load(s, "c-001")
        rows = s.exec(select(DeadlineRow).where(DeadlineRow.kind == "access_review")).all()
    assert len(state.items) == EVENTS
    assert len([d for d in state.deadlines.values() if d.kind == "access_review"]) == len(rows) == EVENTS
    assert state.version == 1 + EVENTS  # registration, then one per event


def test_concurrent_transitions_of_one_case_take_exactly_one(engine: Engine) -> None:
    client, settings = _world(engine)
    with client:
        who = _setup(client, settings)
        r = client.post("/v1/contracts/c-001/events", headers=who["acme"], json={
            "type": "ip_action.planned", "occurred_on": "2026-04-01", "data": {
                "action": "provide", "planned_date": "2026-12-01", "forced_transfer_risk": True,
                "counterparty": {"name": "X", "country": "CN"}}})
        assert r.status_code == 202, r.text
        case_id = r.json()["effects"][0]["id"]

        def start(_: int) -> int:
            return client.post(f"/v1/consultations/{case_id}/start-review", headers=who["officer"]).status_code

        with ThreadPoolExecutor(WORKERS) as pool:
            statuses = sorted(pool.map(start, range(TRANSITIONS)))
    assert statuses == [200] + [409] * (TRANSITIONS - 1)
    with Session(engine) as s:
        case = s.get(ConsultationCase, case_id)
    assert (case.status, case.version) == ("under_review", 1)
