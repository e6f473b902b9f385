"""Bayh-Dole prior approval (DOMAIN.md §7): the officer's decision on a planned transfer, through the API,
on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.audit import AuditEntry
from service.obligations.models import DeadlineRow
from tests.factories import ContractBody
from tests.support.problems import assert_problem

TRANSFER = {"action": "transfer", "planned_date": "2095-06-01",
            "counterparty": {"name": "Sub Inc.", "country": "US", "relation": "subsidiary"}}


def _plan(world: TestClient, admin: dict, contractor: dict, today: str) -> tuple[str, str]:
    assert world.post("/v1/contracts", json=ContractBody(end_date="2096-03-31"), headers=admin).status_code == 201
    r = world.post("/v1/contracts/c-001/events", headers=contractor,
                   json={"type": "ip_action.planned", "occurred_on": today, "data": TRANSFER})
    assert r.status_code == 202, r.text
    [approval] = [e for e in r.json()["effects"] if e["kind"] == "prior_approval_requested"]
    return r.json()["event_id"], approval["id"]


def _state(engine: Engine, event_id: str) -> str:
    with Session(engine) as s:
        return s.exec(select(DeadlineRow).where(DeadlineRow.id == f"prior_approval.{event_id}.1")).one().state


TODAY = "2026-04-01"  # the API clock's day (tests/api/conftest.py)


def test_granted_approval_meets_the_deadline_and_the_transfer_is_lawful(world: TestClient, admin, auth,
                                                                       engine: Engine) -> None:
    contractor, officer = auth("contractor", "acme"), auth("ministry_officer", "meti", sub="sato")
    event_id, approval = _plan(world, admin, contractor, TODAY)
    r = world.post(f"/v1/contracts/c-001/approvals/{approval}/decide", headers=officer,
                   json={"granted": True, "reason": "domestic use only"})
    assert r.status_code == 200, r.text
    # The decision shows the ministry had the application, recorded or not (DOMAIN.md §7 [r2]).
    assert r.json() == {"approval_id": approval, "granted": True, "effects": [
        {"kind": "deadline_met", "id": f"approval_application.{event_id}.1", "due_on": "2095-05-02"},
        {"kind": "deadline_met", "id": f"prior_approval.{event_id}.1", "due_on": "2095-06-01"}]}
    assert _state(engine, event_id) == "met"
    done = world.post("/v1/contracts/c-001/events", headers=contractor, json={
        "type": "ip_action.completed", "occurred_on": TODAY, "data": {"plan_event_id": event_id}})
    assert done.status_code == 202 and done.json()["effects"] == []
    with Session(engine) as s:
        assert [a.detail["granted"] for a in s.exec(select(AuditEntry).where(
            AuditEntry.action == "prior_approval.decided"))] == [True]
    # Decided once: a second decision is a conflict.
    assert_problem(world.post(f"/v1/contracts/c-001/approvals/{approval}/decide", headers=officer,
                              json={"granted": False}), 409)


def test_refused_approval_makes_the_transfer_a_violation(world: TestClient, admin, auth, engine: Engine) -> None:
    contractor, officer = auth("contractor", "acme"), auth("ministry_officer", "meti")
    event_id, approval = _plan(world, admin, contractor, TODAY)
    r = world.post(f"/v1/contracts/c-001/approvals/{approval}/decide", headers=officer, json={"granted": False})
    assert r.status_code == 200 and r.json()["effects"] == [
        {"kind": "deadline_met", "id": f"approval_application.{event_id}.1", "due_on": "2095-05-02"}]
    assert _state(engine, event_id) == "closed"
    done = world.post("/v1/contracts/c-001/events", headers=contractor, json={
        "type": "ip_action.completed", "occurred_on": TODAY, "data": {"plan_event_id": event_id}})
    assert [e["kind"] for e in done.json()["effects"]] == ["violation_recorded"]
    detail = world.get("/v1/contracts/c-001", headers=officer).json()
    assert [v["kind"] for v in detail["violations"]] == ["transfer_without_prior_approval"]


def test_who_may_decide(world: TestClient, admin, auth) -> None:
    contractor = auth("contractor", "acme")
    _, approval = _plan(world, admin, contractor, TODAY)
    path = f"/v1/contracts/c-001/approvals/{approval}/decide"
    assert_problem(world.post(path, headers=contractor, json={"granted": True}), 403)
    # Another ministry's officer does not even see the contract.
    assert_problem(world.post(path, headers=auth("ministry_officer", "mext"), json={"granted": True}), 404)
    assert_problem(world.post("/v1/contracts/c-001/approvals/approval-nope/decide",
                              headers=auth("ministry_officer", "meti"), json={"granted": True}), 404)
    assert_problem(world.post(path, headers=auth("ministry_officer", "meti"), json={"granted": "maybe"}), 422,
                   loc=["body", "granted"])


def test_a_planned_exclusive_licence_asks_for_prior_approval(world: TestClient, admin, auth) -> None:
    # DOMAIN.md §7 [r2]: granting an exclusive licence is a "移転等".
    assert world.post("/v1/contracts", json=ContractBody(), headers=admin).status_code == 201
    licence = {"action": "provide", "planned_date": "2026-09-01", "exclusive_license": True,
               "counterparty": {"name": "Licensee GmbH", "country": "DE"}}
    r = world.post("/v1/contracts/c-001/events", headers=auth("contractor", "acme"),
                   json={"type": "ip_action.planned", "occurred_on": TODAY, "data": licence})
    assert r.status_code == 202, r.text
    assert [e["kind"] for e in r.json()["effects"]] == ["prior_approval_requested", "deadline_set", "deadline_set"]
    plain = {**licence, "exclusive_license": False}
    r = world.post("/v1/contracts/c-001/events", headers=auth("contractor", "acme"),
                   json={"type": "ip_action.planned", "occurred_on": TODAY, "data": plain})
    assert r.status_code == 202 and r.json()["effects"] == [], r.text
