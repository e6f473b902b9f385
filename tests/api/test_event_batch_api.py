"""POST /v1/contracts/{id}/events:batch (issue 11): up to 500 events of one contract in one transaction, all or
none, per-event results, one signal to the workflow; the same rules as one event at a time. On SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.obligations.models import DeadlineRow
from service.outbox import OutboxMessage
from tests.api.test_events_api import ip_plan, post, problem, records, rows
from tests.factories import ContractBody

BATCH = "/v1/contracts/{}/events:batch"
DAY = "2026-04-01"


def stream() -> list[dict[str, Any]]:
    """A contractor's first sync: declaration, core items, access, a supplier, a plan, an incident."""
    return [
        {"type": "shareholding.declared", "occurred_on": DAY,
         "data": {"shares_outstanding": 1000, "holders": [{"name": "Acme Holdings", "country": "JP", "shares_held": 400}]}},
        {"type": "core_item.registered", "occurred_on": DAY, "data": {"item_ref": "i1", "title": "t1"}},
        {"type": "core_item.registered", "occurred_on": DAY, "data": {"item_ref": "i2", "title": "t2"}},
        {"type": "access.granted", "occurred_on": DAY, "data": {"item_ref": "i1", "employee_ref": "e1"}},
        {"type": "ip_action.planned", "occurred_on": DAY, "data": ip_plan()},
        {"type": "incident.reported", "occurred_on": DAY, "data": {"severity": "near_miss", "summary": "s"}},
    ]


def _shape(effects: list[dict[str, Any]], event_id: str) -> list[dict[str, Any]]:
    return [{k: (v.replace(event_id, "<E>") if isinstance(v, str) else v) for k, v in e.items()} for e in effects]


def _deadlines(engine: Engine, contract: str, ids: dict[str, str]) -> list[tuple]:
    out = []
    for r in rows(engine, DeadlineRow, contract_id=contract):
        rid = r.id
        for eid, name in ids.items():
            rid = rid.replace(eid, name)
        out.append((rid, r.kind, str(r.due_on), r.state))
    return sorted(out)


def test_a_batch_does_what_the_same_events_one_by_one_do(api: TestClient, admin, acme, engine: Engine) -> None:
    assert api.post("/v1/contracts", json=ContractBody(id="c-002"), headers=admin).status_code == 201
    r = api.post(BATCH.format("c-001"), headers=acme, json={"events": stream()})
    assert r.status_code == 202, r.text
    results = r.json()["results"]
    assert len(results) == len(stream())
    singles = [post(api, acme, e["type"], e["occurred_on"], e["data"], contract="c-002").json() for e in stream()]
    assert [_shape(b["effects"], b["event_id"]) for b in results] == \
        [_shape(s["effects"], s["event_id"]) for s in singles]
    names = {b["event_id"]: f"E{i}" for i, b in enumerate(results)} | {s["event_id"]: f"E{i}" for i, s in enumerate(singles)}
    assert _deadlines(engine, "c-001", names) == _deadlines(engine, "c-002", names)
    # One signal for the batch, six for the same events one by one.
    signals = {c: len(rows(engine, OutboxMessage, workflow_id=f"contract-{c}", kind="contract.event"))
               for c in ("c-001", "c-002")}
    assert signals == {"c-001": 1, "c-002": len(stream())}
    trail = api.get("/v1/contracts/c-001/audit", headers=admin).json()
    assert trail["verified"] is True


def test_a_refused_event_refuses_the_batch_and_names_it(api: TestClient, acme, engine: Engine) -> None:
    before = records(engine)
    bad = stream()
    bad[3] = {"type": "access.granted", "occurred_on": DAY, "data": {"item_ref": "nope", "employee_ref": "e1"}}
    body = problem(api.post(BATCH.format("c-001"), headers=acme, json={"events": bad}), 422)
    assert body["errors"][0]["loc"][:3] == ["body", "events", 3]
    late = stream()
    late[2] = {**late[2], "occurred_on": "2026-04-02"}  # after today
    body = problem(api.post(BATCH.format("c-001"), headers=acme, json={"events": late}), 422)
    assert body["errors"][0]["loc"] == ["body", "events", 2, "occurred_on"]
    assert records(engine) == before


@pytest.mark.parametrize("n", [0, 501])
def test_a_batch_holds_1_to_500_events(api: TestClient, acme, engine: Engine, n: int) -> None:
    before = records(engine)
    events = (stream() * 100)[:n]
    problem(api.post(BATCH.format("c-001"), headers=acme, json={"events": events}), 422)
    assert records(engine) == before


def test_500_events_in_one_request(api: TestClient, acme, engine: Engine) -> None:
    events = [{"type": "incident.reported", "occurred_on": DAY, "data": {"severity": "near_miss", "summary": f"s{i}"}}
              for i in range(500)]
    r = api.post(BATCH.format("c-001"), headers=acme, json={"events": events})
    assert r.status_code == 202 and len(r.json()["results"]) == 500


def test_a_retried_batch_is_recorded_once(api: TestClient, acme, engine: Engine) -> None:
    h = {**acme, "Idempotency-Key": "sync-1"}
    first = api.post(BATCH.format("c-001"), headers=h, json={"events": stream()})
    again = api.post(BATCH.format("c-001"), headers=h, json={"events": stream()})
    assert first.status_code == again.status_code == 202 and first.json() == again.json()
    assert len(rows(engine, OutboxMessage, kind="contract.event")) == 1


def test_a_batch_on_another_contractors_contract_is_404(api: TestClient, auth, engine: Engine) -> None:
    before = records(engine)
    problem(api.post(BATCH.format("c-001"), headers=auth("contractor", "other"), json={"events": stream()}), 404)
    problem(api.post(BATCH.format("c-404"), headers=auth("contractor", "acme"), json={"events": stream()}), 404)
    problem(api.post(BATCH.format("c-001"), headers=auth("ministry_officer", "meti"), json={"events": stream()}), 403)
    assert records(engine) == before
