"""Plans that change after they are reported, and Bayh-Dole after the obligation period (DOMAIN.md §3, §5, §7
[r2]), over HTTP on SQLite and PostgreSQL: ip_action.risk_learned, .rescheduled, .cancelled, .approval_applied."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.consultations.models import CaseHistoryEntry, ConsultationCase
from service.outbox import OutboxMessage
from tests.api.test_events_api import accepted, deadline, ip_plan, post, problem, records, rows
from tests.factories import ContractBody, ProgrammeBody
from tests.support.clock import Clock

CID = "c-001"


def test_a_risk_learned_later_opens_the_case_that_day(api: TestClient, acme, clock: Clock, engine: Engine) -> None:
    clock.set("2026-06-01")
    plan = accepted(post(api, acme, "ip_action.planned", "2026-06-01", ip_plan(influence=False)), [])
    assert rows(engine, ConsultationCase) == []
    clock.set("2026-10-05")  # after consult_by (2026-10-02): filed late
    accepted(post(api, acme, "ip_action.risk_learned", "2026-10-04",
                  {"plan_event_id": plan, "foreign_government_influence": True}), [
        {"kind": "consultation_opened", "id": f"case-{plan}", "due_on": "2026-10-02"},
        {"kind": "late_filing", "id": f"case-{plan}", "due_on": "2026-10-02"}])
    [case] = rows(engine, ConsultationCase)
    assert (case.id, case.submitted_on, case.late, case.conditions_met) == (
        f"case-{plan}", date(2026, 10, 5), True, ["counterparty_foreign_influence"])
    assert case.determination["counterparty"]["foreign_government_influence"] is True
    assert [m.kind for m in rows(engine, OutboxMessage, workflow_id=f"consultation-case-{plan}")] == ["case.start"]


def test_a_risk_learned_must_name_a_risk_and_a_reported_plan(api: TestClient, acme, engine: Engine) -> None:
    before = records(engine)
    body = problem(post(api, acme, "ip_action.risk_learned", "2026-04-01", {"plan_event_id": "evt_x"}), 422)
    assert "at least one risk" in body["errors"][0]["msg"]
    body = problem(post(api, acme, "ip_action.risk_learned", "2026-04-01",
                        {"plan_event_id": "evt_x", "forced_transfer_risk": True}), 422)
    assert body["errors"][0]["loc"] == ["body", "data", "plan_event_id"]
    assert records(engine) == before


def _plan_a_risky_transfer(api: TestClient, acme) -> str:
    """A transfer to a counterparty under foreign influence, reported on 2026-06-01: a case and Bayh-Dole."""
    return accepted(post(api, acme, "ip_action.planned", "2026-06-01", ip_plan("transfer")), [
        {"kind": "consultation_opened", "id": "case-{eid}", "due_on": "2026-10-02"},
        {"kind": "prior_approval_requested", "id": "approval-{eid}", "due_on": "2026-12-01"},
        {"kind": "deadline_set", "id": "approval_application.{eid}.1", "due_on": "2026-11-01"},
        {"kind": "deadline_set", "id": "prior_approval.{eid}.1", "due_on": "2026-12-01"}])


def test_a_new_date_moves_the_case_and_the_approval(api: TestClient, acme, clock: Clock, engine: Engine) -> None:
    clock.set("2026-06-01")
    plan = _plan_a_risky_transfer(api, acme)
    accepted(post(api, acme, "ip_action.rescheduled", "2026-06-01", {"plan_event_id": plan,
                                                                    "planned_date": "2027-03-01"}), [
        {"kind": "deadline_moved", "id": f"case-{plan}", "due_on": "2026-12-31"},
        {"kind": "deadline_moved", "id": f"approval_application.{plan}.1", "due_on": "2027-01-30"},
        {"kind": "deadline_moved", "id": f"prior_approval.{plan}.1", "due_on": "2027-03-01"}])
    [case] = rows(engine, ConsultationCase)
    assert (case.planned_date, case.consult_by) == (date(2027, 3, 1), date(2026, 12, 31))
    assert [h.action for h in rows(engine, CaseHistoryEntry)] == ["submitted", "rescheduled"]
    assert deadline(api, acme, f"prior_approval.{plan}.1")["due_on"] == "2027-03-01"
    body = problem(post(api, acme, "ip_action.rescheduled", "2026-06-01", {"plan_event_id": plan,
                                                                          "planned_date": "3000-01-01"}), 422)
    assert body["errors"][0]["loc"] == ["body", "data", "planned_date"]


def test_a_cancelled_plan_withdraws_its_case_and_closes_its_deadlines(api: TestClient, acme, clock: Clock,
                                                                      engine: Engine) -> None:
    clock.set("2026-06-01")
    plan = _plan_a_risky_transfer(api, acme)
    accepted(post(api, acme, "ip_action.cancelled", "2026-06-01", {"plan_event_id": plan, "reason": "deal off"}), [
        {"kind": "deadline_closed", "id": f"approval_application.{plan}.1", "due_on": "2026-11-01"},
        {"kind": "deadline_closed", "id": f"prior_approval.{plan}.1", "due_on": "2026-12-01"},
        {"kind": "consultation_withdrawn", "id": f"case-{plan}"}])
    [case] = rows(engine, ConsultationCase)
    assert (case.status, case.closed_on, case.decision_reason) == ("withdrawn", date(2026, 6, 1), "deal off")
    assert [m.kind for m in rows(engine, OutboxMessage, workflow_id=f"consultation-case-{plan}")] == [
        "case.start", "case.update"]
    assert deadline(api, acme, f"prior_approval.{plan}.1")["state"] == "closed"
    problem(post(api, acme, "ip_action.completed", "2026-06-01", {"plan_event_id": plan}), 409)


def test_the_approval_applied_for_meets_its_deadline(api: TestClient, acme, clock: Clock) -> None:
    clock.set("2026-06-01")
    plan = accepted(post(api, acme, "ip_action.planned", "2026-06-01",
                         ip_plan("transfer", country="US", relation="subsidiary", influence=False)), [
        {"kind": "prior_approval_requested", "id": "approval-{eid}", "due_on": "2026-12-01"},
        {"kind": "deadline_set", "id": "approval_application.{eid}.1", "due_on": "2026-11-01"},
        {"kind": "deadline_set", "id": "prior_approval.{eid}.1", "due_on": "2026-12-01"}])
    clock.set("2026-11-03")
    accepted(post(api, acme, "ip_action.approval_applied", "2026-11-02", {"plan_event_id": plan}), [
        {"kind": "deadline_met", "id": f"approval_application.{plan}.1", "due_on": "2026-11-01"},
        {"kind": "late_filing", "id": f"approval_application.{plan}.1", "due_on": "2026-11-01"}])
    problem(post(api, acme, "ip_action.approval_applied", "2026-11-03", {"plan_event_id": plan}), 409)


def test_after_the_period_bayh_dole_plans_and_decisions_go_on(world: TestClient, admin, acme, auth, clock: Clock,
                                                              engine: Engine) -> None:
    """DOMAIN.md §3 [r2]: the record is read-only after term + 3 years except for Bayh-Dole approvals."""
    assert world.post("/v1/contracts", json=ContractBody(), headers=admin).status_code == 201
    clock.set("2034-06-01")
    problem(post(world, acme, "core_item.registered", "2034-06-01", {"item_ref": "I", "title": "t"}), 409)
    plan = accepted(post(world, acme, "ip_action.planned", "2034-06-01", ip_plan("transfer", planned="2034-09-01")), [
        {"kind": "prior_approval_requested", "id": "approval-{eid}", "due_on": "2034-09-01"},
        {"kind": "deadline_set", "id": "approval_application.{eid}.1", "due_on": "2034-08-02"},
        {"kind": "deadline_set", "id": "prior_approval.{eid}.1", "due_on": "2034-09-01"}])
    assert rows(engine, ConsultationCase) == []  # B ended with the period
    r = world.post(f"/v1/contracts/{CID}/approvals/approval-{plan}/decide",
                   headers=auth("ministry_officer", "meti"), json={"granted": True})
    assert r.status_code == 200, r.text
    assert [e["kind"] for e in r.json()["effects"]] == ["deadline_met", "deadline_met"]
    detail = world.get(f"/v1/contracts/{CID}", headers=admin).json()
    assert detail["status"] == "closed"


def test_after_the_period_a_contract_without_commissioned_rd_takes_no_plan(world: TestClient, admin, acme,
                                                                            clock: Clock, engine: Engine) -> None:
    assert world.post("/v1/contracts", json=ContractBody(commissioned=False), headers=admin).status_code == 201
    clock.set("2034-06-01")
    before = records(engine)
    body = problem(post(world, acme, "ip_action.planned", "2034-06-01", ip_plan("transfer", planned="2034-09-01")),
                   409)
    assert body["title"] == "Contract closed"
    assert records(engine) == before


def test_releases_of_results_where_the_call_asks_for_reports(world: TestClient, admin, acme, clock: Clock) -> None:
    r = world.post("/v1/programmes", headers=admin, json=ProgrammeBody(id="k-rel", policy={
        "result_publication_reports": True}))
    assert r.status_code == 201, r.text
    assert world.post("/v1/contracts", json=ContractBody(programme_id="k-rel"), headers=admin).status_code == 201
    release = {"release_ref": "paper-1", "kind": "publication", "planned_date": "2026-06-01", "title": "Paper"}
    accepted(post(world, acme, "results.release_planned", "2026-04-01", release), [
        {"kind": "deadline_set", "id": "release_report.paper-1.1", "due_on": "2026-06-15"}])
    body = problem(post(world, acme, "results.release_planned", "2026-04-01", {**release, "kind": "poster"}), 422)
    assert body["errors"][0]["loc"] == ["body", "data", "kind"]
    assert world.post("/v1/contracts", json=ContractBody(id="c-002"), headers=admin).status_code == 201
    problem(post(world, acme, "results.release_planned", "2026-04-01", release, contract="c-002"), 409)
