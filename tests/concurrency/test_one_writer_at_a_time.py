"""Concurrent writers lose nothing (issue 10, defect 3), on SQLite (the `tlc dev` default) and PostgreSQL: each
request reads the contract's state and writes it back, so two at once must not both read the old state."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service import audit
from service.auth.tokens import issue_token
from service.config import Settings
from service.consultations.models import ConsultationCase
from service.db import session_scope
from service.main import create_app
from service.obligations import service as obligations
from service.obligations.models import DeadlineRow
from tests.factories import ContractBody, OrganisationBody, ProgrammeBody
from tests.support.secrets import TEST_JWT_SECRET

EVENTS, WORKERS, TRANSITIONS, AUDITED_EVENTS = 200, 16, 20, 60


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


def test_concurrent_events_leave_one_gapless_verified_audit_chain(engine: Engine) -> None:
    """Each event writes three entries in its transaction (the event and its two effects); threads at once
    must neither take the same seq nor chain onto a head another transaction has just replaced."""
    client, settings = _world(engine)
    with client:
        who = _setup(client, settings)

        def engage(n: int) -> int:
            return client.post("/v1/contracts/c-001/events", headers=who["acme"], json={
                "type": "supplier.engaged", "occurred_on": "2026-04-01",
                "data": {"supplier_ref": f"SUP-{n}", "name": "S", "country": "JP", "holds_core_tech": True,
                         "nda_signed_on": None}}).status_code

        with ThreadPoolExecutor(WORKERS) as pool:
            statuses = list(pool.map(engage, range(AUDITED_EVENTS)))
        body = client.get("/v1/contracts/c-001/audit", headers=who["admin"]).json()
    assert statuses == [202] * AUDITED_EVENTS
    assert [e["seq"] for e in body["entries"]] == list(range(1, 2 + 3 * AUDITED_EVENTS))
    assert (body["verified"], body["broken"]) == (True, None)
    with Session(engine) as s:
        assert list(audit.verify(s)) == [("c-001", 1 + 3 * AUDITED_EVENTS, None)]


def test_an_append_waits_for_the_transaction_that_holds_the_head(engine: Engine) -> None:
    """audit.append itself orders appends to one chain, whatever its caller locked: B appends while A has
    appended and not committed. B must wait (and take seq 3), not read the old head (and take seq 2 again)."""
    client, settings = _world(engine)
    with client:
        _setup(client, settings)
    b_has_read = threading.Event()
    failures: list[BaseException] = []

    def a() -> None:
        with session_scope(engine) as s:
            audit.append(s, contract_id="c-001", actor="system", action="test.a")
            s.flush()
            a_has_appended.set()
            # With the lock B cannot get past its read before this commits: the wait runs out.
            b_has_read.wait(timeout=1)

    def b() -> None:
        a_has_appended.wait(timeout=10)
        try:
            with session_scope(engine) as s:
                audit.append(s, contract_id="c-001", actor="system", action="test.b")
                b_has_read.set()
        except BaseException as exc:
            failures.append(exc)

    a_has_appended = threading.Event()
    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    with Session(engine) as s:
        assert list(audit.verify(s)) == [("c-001", 3, None)]
        assert [e.action for e in audit.trail(s, "c-001").entries] == ["contract.registered", "test.a", "test.b"]
