"""Contractor events over HTTP (API.md "Contractor events"), on SQLite and on PostgreSQL.

The API's clock is fixed per test (`create_app(now=...)`): the Japan date it derives is the day the event is
reported on. No relay runs, so the outbox rows stay where the request wrote them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.audit import AuditEntry
from service.consultations.models import ConsultationCase
from service.events.models import ContractEvent
from service.idempotency import IdempotencyRecord
from service.obligations.models import DeadlineRow, ObligationRecord
from service.outbox import OutboxMessage
from tests.factories import ContractBody, ProgrammeBody
from tests.support.clock import Clock

JST = ZoneInfo("Asia/Tokyo")
PROBLEM = "application/problem+json"
VALIDATION_TYPE = "https://tlc.example/problems/validation"
EVENTS = "/v1/contracts/c-001/events"






def post(client: TestClient, headers: dict[str, str], type_: str, occurred_on: str, data: Any, *,
         contract: str = "c-001", key: str | None = None) -> Any:
    h = dict(headers)
    if key is not None:
        h["Idempotency-Key"] = key
    return client.post(f"/v1/contracts/{contract}/events", json={"type": type_, "occurred_on": occurred_on,
                                                                 "data": data}, headers=h)


def accepted(r: Any, effects: list[dict[str, Any]]) -> str:
    """Assert a 202 with exactly these effects (`{eid}` in an id stands for the new event's id)."""
    assert r.status_code == 202, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"event_id", "effects"}
    eid = body["event_id"]
    assert isinstance(eid, str) and eid
    expected = [{k: (v.replace("{eid}", eid) if isinstance(v, str) else v) for k, v in e.items()} for e in effects]
    assert body["effects"] == expected
    return eid


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def invalid(r: Any, loc: list[str]) -> dict[str, Any]:
    body = problem(r, 422)
    assert body["type"] == VALIDATION_TYPE
    errors = body["errors"]
    assert isinstance(errors, list) and errors
    for e in errors:
        assert isinstance(e["msg"], str) and e["msg"]
        assert e["loc"][:len(loc)] == loc, errors
    return body


RECORDED = (ContractEvent, AuditEntry, OutboxMessage, DeadlineRow, ObligationRecord, IdempotencyRecord,
            ConsultationCase)


def records(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Everything a request could write, to show that a refused one wrote nothing."""
    with Session(engine) as s:
        return {m.__tablename__: sorted((r.model_dump(mode="json") for r in s.exec(select(m))), key=repr)
                for m in RECORDED}


def rows(engine: Engine, model: Any, **where: Any) -> list[Any]:
    with Session(engine) as s:
        query = select(model)
        for k, v in where.items():
            query = query.where(getattr(model, k) == v)
        return list(s.exec(query))


def event_outbox(engine: Engine) -> list[OutboxMessage]:
    return sorted(rows(engine, OutboxMessage, kind="contract.event"), key=lambda m: m.id)


def deadline(api: TestClient, headers: dict[str, str], deadline_id: str, contract: str = "c-001") -> dict[str, Any]:
    r = api.get(f"/v1/contracts/{contract}/deadlines", headers=headers)
    assert r.status_code == 200, r.text
    return next(d for d in r.json() if d["id"] == deadline_id)


# --------------------------------------------------------------------------------------------
# Every event type, with its exact effects


def test_shareholding_events(api: TestClient, acme, clock: Clock, engine: Engine) -> None:
    clock.set("2026-04-16")  # the initial declaration was due on 2026-04-15
    eid = accepted(post(api, acme, "shareholding.declared", "2026-04-16", {
        "shares_outstanding": 3 * 10**29,
        "holders": [{"name": "Big Holder Co.", "country": "JP", "shares_held": 10**29}]}), [
        {"kind": "shareholder_report_filed", "id": "{eid}"},
        {"kind": "deadline_met", "id": "shareholder_declaration.1", "due_on": "2026-04-15"},
        {"kind": "late_filing", "id": "shareholder_declaration.1", "due_on": "2026-04-15"}])
    d = deadline(api, acme, "shareholder_declaration.1")
    assert (d["state"], d["resolved_by"], d["resolved_on"]) == ("met", eid, "2026-04-16")

    clock.set("2026-05-15")
    accepted(post(api, acme, "shareholding.changed", "2026-05-01", {
        "holder": {"name": "New Holder", "country": "US"}, "shares_held": 1, "shares_outstanding": 3}), [
        {"kind": "shareholder_report_filed", "id": "{eid}", "holder": "New Holder"}])
    clock.set("2026-05-16")
    accepted(post(api, acme, "shareholding.changed", "2026-05-01", {
        "holder": {"name": "Third Holder", "country": "US"}, "shares_held": 1, "shares_outstanding": 3}), [
        {"kind": "shareholder_report_filed", "id": "{eid}", "holder": "Third Holder"},
        {"kind": "late_filing", "id": "{eid}", "due_on": "2026-05-15"}])
    accepted(post(api, acme, "shareholding.changed", "2026-05-16", {
        "holder": {"name": "  big HOLDER   co. ", "country": "jp"}, "shares_held": 10**29 + 5,
        "shares_outstanding": 3 * 10**29}), [])  # the same holder, still above: not new
    accepted(post(api, acme, "shareholding.changed", "2026-05-16", {
        "holder": {"name": "Small Fund", "country": "JP"}, "shares_held": 332, "shares_outstanding": 997}), [])
    assert len(event_outbox(engine)) == 5


def test_core_item_access_and_review_events(api: TestClient, acme, clock: Clock) -> None:
    clock.set("2026-08-31")
    accepted(post(api, acme, "core_item.registered", "2026-08-31", {"item_ref": "ITEM-1", "title": "Control firmware"}),
             [{"kind": "deadline_set", "id": "access_review.ITEM-1.1", "due_on": "2027-02-28"}])
    for emp in ("EMP-1", "EMP-2"):
        accepted(post(api, acme, "access.granted", "2026-08-31",
                      {"item_ref": "ITEM-1", "employee_ref": emp, "reason": "firmware team"}), [])
    accepted(post(api, acme, "access.revoked", "2026-08-31", {"item_ref": "ITEM-1", "employee_ref": "EMP-2"}), [])
    clock.set("2027-02-28")
    eid = accepted(post(api, acme, "access_review.completed", "2027-02-28",
                        {"item_refs": ["ITEM-1"], "removed_employee_refs": ["EMP-1"]}), [
        {"kind": "deadline_met", "id": "access_review.ITEM-1.1", "due_on": "2027-02-28"},
        {"kind": "deadline_set", "id": "access_review.ITEM-1.2", "due_on": "2027-08-31"}])
    assert deadline(api, acme, "access_review.ITEM-1.2")["opened_by"] == eid
    # The review took EMP-1's access away: nothing is left to revoke.
    problem(post(api, acme, "access.revoked", "2027-02-28", {"item_ref": "ITEM-1", "employee_ref": "EMP-1"}), 409)


def test_employee_events(api: TestClient, acme, clock: Clock) -> None:
    clock.set("2026-06-01")
    accepted(post(api, acme, "core_item.registered", "2026-06-01", {"item_ref": "ITEM-1", "title": "t"}),
             [{"kind": "deadline_set", "id": "access_review.ITEM-1.1", "due_on": "2026-12-01"}])
    accepted(post(api, acme, "access.granted", "2026-06-01", {"item_ref": "ITEM-1", "employee_ref": "EMP-1"}), [])
    first = accepted(post(api, acme, "employee.departing", "2026-06-01",
                          {"employee_ref": "EMP-1", "departure_date": "2026-07-31"}),
                     [{"kind": "deadline_set", "id": "departure.EMP-1.1", "due_on": "2026-07-31"}])
    accepted(post(api, acme, "employee.departing", "2026-06-01", {"employee_ref": "EMP-1", "departure_date": "2026-06-30"}),
             [{"kind": "deadline_set", "id": "departure.EMP-1.1", "due_on": "2026-06-30"}])
    d = deadline(api, acme, "departure.EMP-1.1")
    assert (d["due_on"], d["state"], d["opened_by"]) == ("2026-06-30", "ok", first)
    clock.set("2026-06-30")
    eid = accepted(post(api, acme, "employee.departed", "2026-06-30", {
        "employee_ref": "EMP-1", "confidentiality_pledge": "obtained", "noncompete_pledge": "refused"}),
        [{"kind": "violation_recorded", "id": "violation.1"}])  # access still open
    d = deadline(api, acme, "departure.EMP-1.1")
    assert (d["state"], d["resolved_by"], d["resolved_on"]) == ("violated", eid, "2026-06-30")
    for emp in ("EMP-2", "EMP-3"):  # they had access, and it was revoked in time
        accepted(post(api, acme, "access.granted", "2026-06-30", {"item_ref": "ITEM-1", "employee_ref": emp}), [])
        accepted(post(api, acme, "access.revoked", "2026-06-30", {"item_ref": "ITEM-1", "employee_ref": emp}), [])
    accepted(post(api, acme, "employee.departing", "2026-06-30", {"employee_ref": "EMP-2", "departure_date": "2026-07-10"}),
             [{"kind": "deadline_set", "id": "departure.EMP-2.1", "due_on": "2026-07-10"}])
    clock.set("2026-07-10")
    accepted(post(api, acme, "employee.departed", "2026-07-10", {
        "employee_ref": "EMP-2", "confidentiality_pledge": "missing", "noncompete_pledge": "not_requested"}),
        [{"kind": "violation_recorded", "id": "violation.2"},
         {"kind": "finding_recorded", "id": "finding.1", "code": "noncompete_not_requested"}])
    # Someone who never had access to a register item: no case, nothing to violate (DOMAIN.md §4 A2 [r2]).
    accepted(post(api, acme, "employee.departing", "2026-07-10", {"employee_ref": "EMP-9", "departure_date": "2026-07-11"}),
             [])
    accepted(post(api, acme, "employee.departed", "2026-07-10", {
        "employee_ref": "EMP-9", "confidentiality_pledge": "missing", "noncompete_pledge": "not_requested"}), [])
    accepted(post(api, acme, "employee.departing", "2026-07-10", {"employee_ref": "EMP-3", "departure_date": "2026-07-20"}),
             [{"kind": "deadline_set", "id": "departure.EMP-3.1", "due_on": "2026-07-20"}])
    accepted(post(api, acme, "employee.departed", "2026-07-10", {
        "employee_ref": "EMP-3", "confidentiality_pledge": "obtained", "noncompete_pledge": "refused"}),
        [{"kind": "deadline_met", "id": "departure.EMP-3.1", "due_on": "2026-07-20"}])
    detail = api.get("/v1/contracts/c-001", headers=acme).json()
    assert [(v["id"], v["kind"], v["obligation"], v["deadline_id"]) for v in detail["violations"]] == [
        ("violation.1", "access_not_revoked_by_departure", "employees", "departure.EMP-1.1"),
        ("violation.2", "confidentiality_pledge_missing", "employees", "departure.EMP-2.1")]
    assert [(f["id"], f["code"], f["obligation"], f["deadline_id"]) for f in detail["findings"]] == [
        ("finding.1", "noncompete_not_requested", "employees", "departure.EMP-2.1")]
    assert detail["obligations"]["employees"] == "violated"


def test_supplier_events(api: TestClient, acme, clock: Clock) -> None:
    clock.set("2026-05-01")
    accepted(post(api, acme, "supplier.engaged", "2026-05-01", {
        "supplier_ref": "SUP-1", "name": "Kyoto Precision", "country": "JP", "holds_core_tech": True,
        "nda_signed_on": "2026-05-01"}), [{"kind": "deadline_set", "id": "supplier_review.SUP-1.1", "due_on": "2027-05-01"}])
    accepted(post(api, acme, "supplier.engaged", "2026-05-01", {
        "supplier_ref": "SUP-2", "name": "Late NDA Ltd.", "country": "VN", "holds_core_tech": True,
        "nda_signed_on": "2026-05-02"}), [{"kind": "violation_recorded", "id": "violation.1"},
                                          {"kind": "deadline_set", "id": "supplier_review.SUP-2.1", "due_on": "2027-05-01"}])
    accepted(post(api, acme, "supplier.engaged", "2026-05-01", {
        "supplier_ref": "SUP-3", "name": "No NDA Ltd.", "country": "JP", "holds_core_tech": True}),
        [{"kind": "violation_recorded", "id": "violation.2"},
         {"kind": "deadline_set", "id": "supplier_review.SUP-3.1", "due_on": "2027-05-01"}])
    accepted(post(api, acme, "supplier.engaged", "2026-05-01", {
        "supplier_ref": "SUP-4", "name": "Cleaning Co.", "country": "JP", "holds_core_tech": False}), [])
    clock.set("2027-05-01")
    accepted(post(api, acme, "supplier.reviewed", "2027-05-01", {"supplier_ref": "SUP-1", "outcome": "compliant",
                                                                 "notes": "all good"}), [
        {"kind": "deadline_met", "id": "supplier_review.SUP-1.1", "due_on": "2027-05-01"},
        {"kind": "deadline_set", "id": "supplier_review.SUP-1.2", "due_on": "2028-05-01"}])
    accepted(post(api, acme, "supplier.reviewed", "2027-05-01", {"supplier_ref": "SUP-4", "outcome": "findings"}), [])
    problem(post(api, acme, "supplier.engaged", "2027-05-01", {
        "supplier_ref": "SUP-1", "name": "again", "country": "JP", "holds_core_tech": False}), 409)
    detail = api.get("/v1/contracts/c-001", headers=acme).json()
    assert [(v["kind"], v["obligation"], v["deadline_id"], v["on"]) for v in detail["violations"]] == [
        ("supplier_nda_missing", "suppliers", None, "2026-05-01")] * 2
    assert detail["obligations"]["suppliers"] == "violated"


def ip_plan(action: str = "provide", planned: str = "2026-12-01", *, country: str = "CN", relation: str = "none",
            influence: bool = True) -> dict[str, Any]:
    return {"action": action, "planned_date": planned, "forced_transfer_risk": False,
            "counterparty": {"name": "Counterparty Ltd.", "country": country, "relation": relation,
                             "un_violation_within_5y": False, "foreign_government_influence": influence}}


def test_ip_action_events(api: TestClient, acme, clock: Clock, engine: Engine) -> None:
    clock.set("2026-06-01")
    plan1 = accepted(post(api, acme, "ip_action.planned", "2026-06-01", ip_plan()), [
        {"kind": "consultation_opened", "id": "case-{eid}", "due_on": "2026-10-02"}])
    [case] = rows(engine, ConsultationCase)
    assert (case.id, case.contract_id, case.plan_event_id, case.status, case.action, case.planned_date,
            case.consult_by, case.submitted_on, case.late) == (
        f"case-{plan1}", "c-001", plan1, "submitted", "provide", date(2026, 12, 1), date(2026, 10, 2),
        date(2026, 6, 1), False)
    plan2 = accepted(post(api, acme, "ip_action.planned", "2026-06-01",
                          ip_plan("transfer", country="US", relation="subsidiary", influence=False)), [
        {"kind": "prior_approval_requested", "id": "approval-{eid}", "due_on": "2026-12-01"},
        {"kind": "deadline_set", "id": "approval_application.{eid}.1", "due_on": "2026-11-01"},
        {"kind": "deadline_set", "id": "prior_approval.{eid}.1", "due_on": "2026-12-01"}])
    accepted(post(api, acme, "ip_action.planned", "2026-06-01",
                  ip_plan("transfer", country="JP", relation="subsidiary", influence=False)), [])
    accepted(post(api, acme, "ip_action.planned", "2026-06-01", {
        "action": "overseas_production", "planned_date": "2026-12-01", "forced_transfer_risk": True,
        "site": {"country": "TH", "new_site": False, "capacity_before": "0.3", "capacity_after": "0.33",
                 "local_consumption_share": 0}}), [])  # exactly 10%: not covered
    clock.set("2026-10-03")
    late = accepted(post(api, acme, "ip_action.planned", "2026-10-03", ip_plan()), [
        {"kind": "consultation_opened", "id": "case-{eid}", "due_on": "2026-10-02"},
        {"kind": "late_filing", "id": "case-{eid}", "due_on": "2026-10-02"}])
    assert [c.late for c in rows(engine, ConsultationCase, id=f"case-{late}")] == [True]
    clock.set("2026-11-01")
    # Done after consulting but before the ministry concluded: a finding, not a violation (DOMAIN.md §5 [r2]).
    done = accepted(post(api, acme, "ip_action.completed", "2026-11-01", {"plan_event_id": plan1}),
                    [{"kind": "finding_recorded", "id": "finding.1", "code": "act_before_conclusion"}])
    accepted(post(api, acme, "ip_action.completed", "2026-11-01", {"plan_event_id": plan2}),
             [{"kind": "violation_recorded", "id": "violation.1"}])
    problem(post(api, acme, "ip_action.completed", "2026-11-01", {"plan_event_id": plan1}), 409)
    detail = api.get("/v1/contracts/c-001", headers=acme).json()
    assert [(v["kind"], v["obligation"], v["event_id"]) for v in detail["violations"]] == [
        ("transfer_without_prior_approval", "bayh_dole", detail["violations"][0]["event_id"])]
    assert [(f["code"], f["obligation"], f["event_id"]) for f in detail["findings"]] == [
        ("act_before_conclusion", "ip_consultation", done)]
    assert (detail["obligations"]["ip_consultation"], detail["obligations"]["bayh_dole"]) == ("ok", "violated")
    assert deadline(api, acme, f"prior_approval.{plan2}.1")["state"] == "violated"


def test_an_incident_is_accepted_with_no_effects(api: TestClient, acme, engine: Engine) -> None:
    eid = accepted(post(api, acme, "incident.reported", "2026-03-30",
                        {"severity": "near_miss", "summary": "a laptop left in a taxi, recovered"}), [])
    events = api.get(EVENTS, headers=acme).json()
    assert events == [{"id": eid, "type": "incident.reported", "occurred_on": "2026-03-30", "reported_on": "2026-04-01",
                       "data": {"severity": "near_miss", "summary": "a laptop left in a taxi, recovered"},
                       "effects": [], "actor": "sato (contractor, acme)"}]
    [msg] = event_outbox(engine)
    assert msg.workflow_id == "contract-c-001"
    assert msg.payload["event_id"] == eid


def test_an_admin_may_report_too(api: TestClient, admin) -> None:
    accepted(post(api, admin, "incident.reported", "2026-04-01", {"severity": "near_miss", "summary": "x"}), [])


def test_an_incident_opens_its_follow_up_and_its_review_meets_it(api: TestClient, acme, clock: Clock) -> None:
    """DOMAIN.md §4 [r2]: an incident (not a near miss) opens the contractor's review of its measures, 30 days."""
    clock.set("2026-05-10")
    eid = accepted(post(api, acme, "incident.reported", "2026-05-09", {"severity": "incident", "summary": "lost PC"}),
                   [{"kind": "deadline_set", "id": "incident_follow_up.{eid}.1", "due_on": "2026-06-09"}])
    assert deadline(api, acme, f"incident_follow_up.{eid}.1")["obligation"] == "incidents"
    problem(post(api, acme, "incident.followed_up", "2026-05-10", {"incident_event_id": "evt_nope", "summary": "s"}),
            422)
    accepted(post(api, acme, "incident.followed_up", "2026-05-10", {"incident_event_id": eid, "summary": "fixed"}),
             [{"kind": "deadline_met", "id": f"incident_follow_up.{eid}.1", "due_on": "2026-06-09"}])
    problem(post(api, acme, "incident.followed_up", "2026-05-10", {"incident_event_id": eid, "summary": "again"}), 409)


def test_the_japan_date_decides_today(api: TestClient, acme, clock: Clock, engine: Engine) -> None:
    clock.instant = datetime(2026, 4, 30, 14, 59, 59, tzinfo=UTC)  # 23:59:59 JST on 30 April
    invalid(post(api, acme, "incident.reported", "2026-05-01", {"severity": "near_miss", "summary": "x"}),
            ["body", "occurred_on"])
    clock.instant = datetime(2026, 4, 30, 15, 0, tzinfo=UTC)  # 00:00 JST on 1 May, still 30 April in UTC
    eid = accepted(post(api, acme, "incident.reported", "2026-05-01", {"severity": "near_miss", "summary": "x"}), [])
    assert [e.reported_on for e in rows(engine, ContractEvent, id=eid)] == [date(2026, 5, 1)]


# --------------------------------------------------------------------------------------------
# Errors: nothing is written


BAD: list[tuple[str, dict[str, Any], list[str]]] = [
    ("unknown type", {"type": "employee.promoted", "occurred_on": "2026-04-01", "data": {}}, ["body", "type"]),
    ("no data", {"type": "incident.reported", "occurred_on": "2026-04-01"}, ["body", "data"]),
    ("data not an object", {"type": "incident.reported", "occurred_on": "2026-04-01", "data": ["x"]},
     ["body", "data"]),
    ("missing data field", {"type": "incident.reported", "occurred_on": "2026-04-01",
                            "data": {"severity": "incident"}}, ["body", "data", "summary"]),
    ("blank data field", {"type": "core_item.registered", "occurred_on": "2026-04-01",
                          "data": {"item_ref": "  ", "title": "t"}}, ["body", "data", "item_ref"]),
    ("string for an integer", {"type": "shareholding.changed", "occurred_on": "2026-04-01", "data": {
        "holder": {"name": "H", "country": "JP"}, "shares_held": "1", "shares_outstanding": 3}},
     ["body", "data", "shares_held"]),
    ("float for an integer", {"type": "shareholding.declared", "occurred_on": "2026-04-01", "data": {
        "shares_outstanding": 3.0, "holders": []}}, ["body", "data", "shares_outstanding"]),
    ("more held than outstanding", {"type": "shareholding.changed", "occurred_on": "2026-04-01", "data": {
        "holder": {"name": "H", "country": "JP"}, "shares_held": 4, "shares_outstanding": 3}}, ["body", "data"]),
    ("unknown country", {"type": "ip_action.planned", "occurred_on": "2026-04-01",
                         "data": ip_plan(country="XX")}, ["body", "data", "counterparty", "country"]),
    ("bad choice", {"type": "employee.departed", "occurred_on": "2026-04-01", "data": {
        "employee_ref": "E", "confidentiality_pledge": "maybe", "noncompete_pledge": "refused"}},
     ["body", "data", "confidentiality_pledge"]),
    ("bad date in data", {"type": "employee.departing", "occurred_on": "2026-04-01", "data": {
        "employee_ref": "E", "departure_date": "2026-02-30"}}, ["body", "data", "departure_date"]),
    ("no items reviewed", {"type": "access_review.completed", "occurred_on": "2026-04-01",
                           "data": {"item_refs": []}}, ["body", "data", "item_refs"]),
    ("extra data field", {"type": "incident.reported", "occurred_on": "2026-04-01",
                          "data": {"severity": "incident", "summary": "s", "extra": 1}}, ["body", "data", "extra"]),
    ("extra field", {"type": "incident.reported", "occurred_on": "2026-04-01",
                     "data": {"severity": "incident", "summary": "s"}, "reported_on": "2026-04-01"},
     ["body", "reported_on"]),
    ("bad occurred_on", {"type": "incident.reported", "occurred_on": "2026-13-01",
                         "data": {"severity": "incident", "summary": "s"}}, ["body", "occurred_on"]),
    ("occurred after today", {"type": "incident.reported", "occurred_on": "2026-04-02",
                              "data": {"severity": "incident", "summary": "s"}}, ["body", "occurred_on"]),
]


@pytest.mark.parametrize(("case", "body", "loc"), BAD, ids=[b[0] for b in BAD])
def test_invalid_events_are_422_and_write_nothing(api: TestClient, acme, engine: Engine, case: str,
                                                  body: dict[str, Any], loc: list[str]) -> None:
    before = records(engine)
    invalid(api.post(EVENTS, json=body, headers={**acme, "Idempotency-Key": "k-1"}), loc)
    assert records(engine) == before


@pytest.mark.parametrize(("type_", "data"), [
    ("access.granted", {"item_ref": "NOPE", "employee_ref": "EMP-1"}),
    ("access_review.completed", {"item_refs": ["NOPE"]}),
    ("supplier.reviewed", {"supplier_ref": "NOPE", "outcome": "compliant"}),
    ("ip_action.completed", {"plan_event_id": "evt_nope"}),
], ids=["item", "reviewed item", "supplier", "plan"])
def test_an_unknown_reference_is_422_and_writes_nothing(api: TestClient, acme, engine: Engine, type_: str,
                                                        data: dict[str, Any]) -> None:
    before = records(engine)
    body = problem(post(api, acme, type_, "2026-04-01", data, key="k-1"), 422)
    assert "NOPE" in body["detail"] or "evt_nope" in body["detail"]
    assert records(engine) == before


def test_an_unknown_reference_is_answered_as_a_validation_error(api: TestClient, acme) -> None:
    # API.md: problem+json "and for validation an errors list of {loc, msg}"; the API's other 422s carry one
    # (an unknown programme_id on POST /v1/contracts answers errors=[{loc: ["body", "programme_id"], ...}]).
    body = problem(post(api, acme, "access.granted", "2026-04-01", {"item_ref": "NOPE", "employee_ref": "EMP-1"}),
                   422)
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, body
    assert all(e["loc"][:2] == ["body", "data"] and e["msg"] for e in errors), errors


def test_a_conflicting_event_is_409_and_writes_nothing(api: TestClient, acme, engine: Engine) -> None:
    accepted(post(api, acme, "core_item.registered", "2026-04-01", {"item_ref": "ITEM-1", "title": "t"}),
             [{"kind": "deadline_set", "id": "access_review.ITEM-1.1", "due_on": "2026-10-01"}])
    before = records(engine)
    problem(post(api, acme, "access.revoked", "2026-04-01", {"item_ref": "ITEM-1", "employee_ref": "EMP-1"},
                 key="k-2"), 409)
    problem(post(api, acme, "core_item.registered", "2026-04-01", {"item_ref": "ITEM-1", "title": "t"}), 409)
    assert records(engine) == before


@pytest.mark.parametrize("value", ["ITEM\x00-1", "ITEM-1\x00"])
def test_a_nul_character_in_a_reference_is_422_not_500(api: TestClient, acme, engine: Engine, value: str) -> None:
    before = records(engine)
    invalid(post(api, acme, "core_item.registered", "2026-04-01", {"item_ref": value, "title": "t"}),
            ["body", "data", "item_ref"])
    assert records(engine) == before


def test_another_organisations_contract_is_404_like_a_missing_one(world: TestClient, admin, auth,
                                                                  engine: Engine) -> None:
    incident = {"severity": "near_miss", "summary": "x"}
    missing = problem(post(world, auth("contractor", "acme"), "incident.reported", "2026-04-01", incident), 404)
    assert world.post("/v1/contracts", json=ContractBody(), headers=admin).status_code == 201
    before = records(engine)
    for headers in (auth("contractor", "other"), auth("ministry_officer", "mext")):
        hidden = problem(post(world, headers, "incident.reported", "2026-04-01", incident), 404)
        assert hidden == missing
        assert world.get(EVENTS, headers=headers).json() == {**missing, "instance": EVENTS}
    assert records(engine) == before


def test_an_officer_may_not_report_events(api: TestClient, auth, engine: Engine) -> None:
    before = records(engine)
    body = problem(post(api, auth("ministry_officer", "meti", sub="oka"), "incident.reported", "2026-04-01",
                        {"severity": "near_miss", "summary": "x"}, key="k-1"), 403)
    assert body["title"] == "Forbidden"
    assert records(engine) == before
    assert api.get(EVENTS, headers=auth("ministry_officer", "meti")).json() == []


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic c2F0bzpwdw==", "Bearer "])
def test_no_valid_token_is_401(api: TestClient, engine: Engine, authorization: str | None) -> None:
    before = records(engine)
    headers = {} if authorization is None else {"Authorization": authorization}
    r = post(api, headers, "incident.reported", "2026-04-01", {"severity": "near_miss", "summary": "x"})
    problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert records(engine) == before


def test_events_are_accepted_until_the_last_day_of_the_obligation_period_then_409(
        api: TestClient, acme, admin, clock: Clock, engine: Engine) -> None:
    clock.set("2034-03-31")
    accepted(post(api, acme, "incident.reported", "2034-03-31", {"severity": "near_miss", "summary": "x"}), [])
    clock.set("2034-04-01")
    before = records(engine)
    body = problem(post(api, acme, "incident.reported", "2034-03-31", {"severity": "near_miss", "summary": "x"},
                        key="k-9"), 409)
    assert "2034-03-31" in body["detail"]
    problem(post(api, acme, "core_item.registered", "2034-04-01", {"item_ref": "ITEM-1", "title": "t"}), 409)
    assert records(engine) == before
    detail = api.get("/v1/contracts/c-001", headers=admin).json()
    assert detail["status"] == "closed"
    assert set(detail["obligations"].values()) == {"closed"}


# --------------------------------------------------------------------------------------------
# Idempotency


def test_a_retry_with_the_same_key_returns_the_first_answer_and_records_once(
        api: TestClient, acme, clock: Clock, engine: Engine) -> None:
    data = {"item_ref": "ITEM-1", "title": "Control firmware"}
    first = post(api, acme, "core_item.registered", "2026-04-01", data, key="evt-0001")
    eid = accepted(first, [{"kind": "deadline_set", "id": "access_review.ITEM-1.1", "due_on": "2026-10-01"}])
    after_first = records(engine)
    clock.set("2026-04-02")  # a retry on the next day still gets the first answer
    again = post(api, acme, "core_item.registered", "2026-04-01", data, key="evt-0001")
    assert again.status_code == 202
    assert again.json() == first.json()
    assert records(engine) == after_first
    assert [e["id"] for e in api.get(EVENTS, headers=acme).json()] == [eid]
    assert [m.payload["event_id"] for m in event_outbox(engine)] == [eid]


def test_the_same_key_with_another_body_is_409_and_writes_nothing(api: TestClient, acme, engine: Engine) -> None:
    accepted(post(api, acme, "incident.reported", "2026-04-01", {"severity": "near_miss", "summary": "a"},
                  key="evt-0002"), [])
    before = records(engine)
    problem(post(api, acme, "incident.reported", "2026-04-01", {"severity": "near_miss", "summary": "b"},
                 key="evt-0002"), 409)
    assert records(engine) == before
    assert len(api.get(EVENTS, headers=acme).json()) == 1


def test_a_key_refused_once_can_be_used_after_the_fix(api: TestClient, acme, engine: Engine) -> None:
    problem(post(api, acme, "access.granted", "2026-04-01", {"item_ref": "ITEM-1", "employee_ref": "E"},
                 key="evt-0003"), 422)
    accepted(post(api, acme, "core_item.registered", "2026-04-01", {"item_ref": "ITEM-1", "title": "t"},
                  key="evt-0003"), [{"kind": "deadline_set", "id": "access_review.ITEM-1.1", "due_on": "2026-10-01"}])


# --------------------------------------------------------------------------------------------
def test_a_buyback_reports_the_holder_it_puts_at_one_third(api: TestClient, acme, clock: Clock) -> None:
    """DOMAIN.md §6 [r2]: a holder that bought nothing is new at one third when the outstanding count falls;
    and 「ＢＩＧ株式会社」 is the holder declared as "Big K.K." (one identity for both spellings)."""
    clock.set("2026-04-02")
    accepted(post(api, acme, "shareholding.declared", "2026-04-02", {
        "shares_outstanding": 1200, "holders": [{"name": "Big K.K.", "country": "JP", "shares_held": 400}]}), [
        {"kind": "shareholder_report_filed", "id": "{eid}"},
        {"kind": "deadline_met", "id": "shareholder_declaration.1", "due_on": "2026-04-15"}])
    clock.set("2026-05-02")
    accepted(post(api, acme, "shareholding.changed", "2026-04-20", {
        "holder": {"name": "Fund B", "country": "SG"}, "shares_held": 390, "shares_outstanding": 1200}), [])
    accepted(post(api, acme, "shareholding.changed", "2026-05-01", {
        "holder": {"name": "ＢＩＧ株式会社", "country": "JP"}, "shares_held": 400, "shares_outstanding": 1170}), [
        {"kind": "shareholder_report_filed", "id": "{eid}", "holder": "Fund B"}])


# Reads: the contract, its deadlines, deadlines across contracts


def scenario(api: TestClient, acme) -> dict[str, str]:
    """On 2026-04-02: declaration met, an item (review due 2026-10-02), access to it, a departure due soon of the
    employee with that access, a supplier without NDA."""
    ids = {}
    ids["declared"] = accepted(post(api, acme, "shareholding.declared", "2026-04-02",
                                    {"shares_outstanding": 100, "holders": []}),
                               [{"kind": "shareholder_report_filed", "id": "{eid}"},
                                {"kind": "deadline_met", "id": "shareholder_declaration.1", "due_on": "2026-04-15"}])
    ids["item"] = accepted(post(api, acme, "core_item.registered", "2026-04-02", {"item_ref": "ITEM-1", "title": "t"}),
                           [{"kind": "deadline_set", "id": "access_review.ITEM-1.1", "due_on": "2026-10-02"}])
    ids["granted"] = accepted(post(api, acme, "access.granted", "2026-04-02",
                                   {"item_ref": "ITEM-1", "employee_ref": "EMP-1"}), [])
    ids["departing"] = accepted(post(api, acme, "employee.departing", "2026-04-02",
                                     {"employee_ref": "EMP-1", "departure_date": "2026-04-10"}),
                                [{"kind": "deadline_set", "id": "departure.EMP-1.1", "due_on": "2026-04-10"}])
    ids["supplier"] = accepted(post(api, acme, "supplier.engaged", "2026-04-02", {
        "supplier_ref": "SUP-1", "name": "S", "country": "JP", "holds_core_tech": True}),
        [{"kind": "violation_recorded", "id": "violation.1"},
         {"kind": "deadline_set", "id": "supplier_review.SUP-1.1", "due_on": "2027-04-02"}])
    return ids


def test_the_contract_shows_statuses_open_deadlines_and_violations(api: TestClient, acme, auth, clock: Clock) -> None:
    before = api.get("/v1/contracts/c-001", headers=acme).json()
    assert before["obligations"] == {"shareholders": "due_soon", "access_control": "ok", "employees": "ok",
                                     "suppliers": "ok", "ip_consultation": "ok", "bayh_dole": "ok",
                                     "incidents": "ok", "releases": "ok"}
    assert [d["id"] for d in before["open_deadlines"]] == ["shareholder_declaration.1"]
    assert before["violations"] == []
    clock.set("2026-04-02")
    ids = scenario(api, acme)
    for headers in (acme, auth("ministry_officer", "meti")):
        detail = api.get("/v1/contracts/c-001", headers=headers).json()
        assert detail["obligations"] == {"shareholders": "ok", "access_control": "ok", "employees": "due_soon",
                                         "suppliers": "violated", "ip_consultation": "ok", "bayh_dole": "ok",
                                         "incidents": "ok", "releases": "ok"}
        assert detail["open_deadlines"] == [
            {"contract_id": "c-001", "id": "departure.EMP-1.1", "kind": "departure", "obligation": "employees",
             "subject": "EMP-1", "due_on": "2026-04-10", "state": "due_soon", "opened_by": ids["departing"],
             "resolved_by": None, "resolved_on": None, "source": detail["open_deadlines"][0]["source"]},
            {"contract_id": "c-001", "id": "access_review.ITEM-1.1", "kind": "access_review",
             "obligation": "access_control", "subject": "ITEM-1", "due_on": "2026-10-02", "state": "ok",
             "opened_by": ids["item"], "resolved_by": None, "resolved_on": None,
             "source": detail["open_deadlines"][1]["source"]},
            {"contract_id": "c-001", "id": "supplier_review.SUP-1.1", "kind": "supplier_review",
             "obligation": "suppliers", "subject": "SUP-1", "due_on": "2027-04-02", "state": "ok",
             "opened_by": ids["supplier"], "resolved_by": None, "resolved_on": None,
             "source": detail["open_deadlines"][2]["source"]}]
        assert all(d["source"].startswith("DOMAIN.md §") for d in detail["open_deadlines"])
        [v] = detail["violations"]
        assert {k: v[k] for k in ("id", "kind", "obligation", "on", "event_id", "deadline_id")} == {
            "id": "violation.1", "kind": "supplier_nda_missing", "obligation": "suppliers", "on": "2026-04-02",
            "event_id": ids["supplier"], "deadline_id": None}
        assert "SUP-1" in v["detail"]


def test_contract_deadlines_and_the_state_filter(api: TestClient, acme, clock: Clock) -> None:
    clock.set("2026-04-02")
    scenario(api, acme)
    url = "/v1/contracts/c-001/deadlines"

    def listed(query: str = "") -> list[tuple[str, str]]:
        r = api.get(url + query, headers=acme)
        assert r.status_code == 200, r.text
        return [(d["id"], d["state"]) for d in r.json()]

    everything = [("departure.EMP-1.1", "due_soon"), ("shareholder_declaration.1", "met"),
                  ("access_review.ITEM-1.1", "ok"), ("supplier_review.SUP-1.1", "ok")]
    assert listed() == everything
    assert listed("?state=open") == [everything[0], everything[2], everything[3]]
    assert listed("?state=met") == [("shareholder_declaration.1", "met")]
    assert listed("?state=due_soon") == [("departure.EMP-1.1", "due_soon")]
    assert listed("?state=ok") == [everything[2], everything[3]]
    assert listed("?state=violated") == []
    post(api, acme, "employee.departed", "2026-04-02",
         {"employee_ref": "EMP-1", "confidentiality_pledge": "missing", "noncompete_pledge": "refused"})
    assert listed("?state=violated") == [("departure.EMP-1.1", "violated")]
    met = api.get(url + "?state=met", headers=acme).json()[0]
    assert (met["resolved_on"], met["obligation"], met["kind"]) == ("2026-04-02", "shareholders",
                                                                    "shareholder_declaration")
    invalid(api.get(url + "?state=late", headers=acme), ["query", "state"])


def test_deadlines_across_contracts_are_scoped_per_role(api: TestClient, admin, auth, acme) -> None:
    r = api.post("/v1/programmes", json=ProgrammeBody(id="m-ai", ministry="mext", technology_areas=["ai_robotics"]),
                 headers=admin)
    assert r.status_code == 201, r.text
    for body in (ContractBody(id="c-002", contractor_org="other"),
                 ContractBody(id="c-003", programme_id="m-ai")):
        assert api.post("/v1/contracts", json=body, headers=admin).status_code == 201
    other = auth("contractor", "other")
    for cid, headers, emp, day in (("c-001", acme, "EMP-1", "2026-05-01"), ("c-002", other, "EMP-2", "2026-06-01"),
                                   ("c-003", acme, "EMP-3", "2026-07-01")):
        accepted(post(api, headers, "core_item.registered", "2026-04-01", {"item_ref": "I", "title": "t"},
                      contract=cid), [{"kind": "deadline_set", "id": "access_review.I.1", "due_on": "2026-10-01"}])
        accepted(post(api, headers, "access.granted", "2026-04-01", {"item_ref": "I", "employee_ref": emp},
                      contract=cid), [])
        accepted(post(api, headers, "employee.departing", "2026-04-01", {"employee_ref": emp, "departure_date": day},
                      contract=cid), [{"kind": "deadline_set", "id": f"departure.{emp}.1", "due_on": day}])

    def seen(headers: dict[str, str], query: str = "") -> list[tuple[str, str, str]]:
        r = api.get("/v1/deadlines" + query, headers=headers)
        assert r.status_code == 200, r.text
        got = [(d["due_on"], d["contract_id"], d["id"]) for d in r.json()]
        assert [g[0] for g in got] == sorted(g[0] for g in got)  # soonest first
        return sorted(got)

    decl = [("2026-04-15", c, "shareholder_declaration.1") for c in ("c-001", "c-002", "c-003")]
    dep = [("2026-05-01", "c-001", "departure.EMP-1.1"), ("2026-06-01", "c-002", "departure.EMP-2.1"),
           ("2026-07-01", "c-003", "departure.EMP-3.1")]
    rev = [("2026-10-01", c, "access_review.I.1") for c in ("c-001", "c-002", "c-003")]
    assert seen(admin, "?due_before=2026-06-01") == decl + dep[:1]  # due_before is exclusive
    assert seen(admin, "?due_before=2026-06-02") == decl + dep[:2]
    assert seen(admin) == decl + dep + rev
    assert seen(acme, "?due_before=2026-12-31") == [decl[0], decl[2], dep[0], dep[2], rev[0], rev[2]]
    assert seen(other, "?due_before=2026-12-31") == [decl[1], dep[1], rev[1]]
    assert seen(auth("ministry_officer", "meti"), "?due_before=2026-12-31") == [
        decl[0], decl[1], dep[0], dep[1], rev[0], rev[1]]
    assert seen(auth("ministry_officer", "mext"), "?due_before=2026-12-31") == [decl[2], dep[2], rev[2]]
    assert seen(auth("ministry_officer", "mof"), "?due_before=2026-12-31") == []
    assert seen(acme, "?due_before=2026-04-15") == []
    invalid(api.get("/v1/deadlines?due_before=soon", headers=admin), ["query", "due_before"])

    # Pages: the Link header's next URL, followed to the end, gives the whole list in order, filters kept.
    def walk(query: str) -> list[tuple[str, str, str]]:
        got, url = [], "/v1/deadlines" + query
        while url:
            r = api.get(url, headers=admin)
            assert r.status_code == 200, r.text
            got += [(d["due_on"], d["contract_id"], d["id"]) for d in r.json()]
            link = r.headers.get("link")
            url = link[link.index("<") + 1:link.index(">")] if link else None
            assert link is None or link.endswith('>; rel="next"')
        return got

    whole = api.get("/v1/deadlines", headers=admin).json()
    assert "link" not in api.get("/v1/deadlines", headers=admin).headers
    assert walk("?limit=2") == [(d["due_on"], d["contract_id"], d["id"]) for d in whole]
    assert walk("?limit=1&due_before=2026-06-02") == sorted(decl + dep[:2], key=lambda d: (d[0], d[2], d[1]))
    for bad in ("x", "2026-04-15|c-001", "W10=", "WyIyMDI2LTA0LTE1Il0", "WyJub3QgYSBkYXkiLCAiYSIsICJiIl0"):
        invalid(api.get("/v1/deadlines", params={"after": bad}, headers=admin), ["query", "after"])


# --------------------------------------------------------------------------------------------
# What an accepted event writes: audit trail and outbox


def test_the_audit_trail_has_the_event_and_each_effect(api: TestClient, acme, auth, clock: Clock) -> None:
    clock.set("2026-04-02")
    data = {"supplier_ref": "SUP-1", "name": "S", "country": "JP", "holds_core_tech": True, "nda_signed_on": None}
    eid = accepted(post(api, acme, "supplier.engaged", "2026-04-02", data), [
        {"kind": "violation_recorded", "id": "violation.1"},
        {"kind": "deadline_set", "id": "supplier_review.SUP-1.1", "due_on": "2027-04-02"}])
    r = api.get("/v1/contracts/c-001/audit", headers=auth("ministry_officer", "meti"))
    assert r.status_code == 200, r.text
    trail = [(e["actor"], e["action"], e["detail"]) for e in r.json()["entries"]]
    assert [a for _, a, _ in trail] == ["contract.registered", "event.supplier.engaged",
                                        "effect.violation_recorded", "effect.deadline_set"]
    assert trail[1:] == [
        ("sato (contractor, acme)", "event.supplier.engaged", {"event_id": eid, "occurred_on": "2026-04-02",
                                                               "data": data}),
        ("system", "effect.violation_recorded", {"event_id": eid, "id": "violation.1"}),
        ("system", "effect.deadline_set", {"event_id": eid, "id": "supplier_review.SUP-1.1", "due_on": "2027-04-02"})]
    accepted(post(api, acme, "incident.reported", "2026-04-02", {"severity": "near_miss", "summary": "s"}), [])
    assert [e["action"] for e in api.get("/v1/contracts/c-001/audit", headers=acme).json()["entries"]][-1] == \
        "event.incident.reported"


def test_one_outbox_row_per_accepted_event_and_none_for_refused_ones(
        api: TestClient, acme, auth, clock: Clock, engine: Engine) -> None:
    assert [m.kind for m in rows(engine, OutboxMessage)] == ["contract.start"]
    clock.set("2026-04-02")
    ids = scenario(api, acme)
    problem(post(api, acme, "access.revoked", "2026-04-02", {"item_ref": "ITEM-1", "employee_ref": "X"}), 409)
    problem(post(api, acme, "access.granted", "2026-04-02", {"item_ref": "ITEM-9", "employee_ref": "X"}), 422)
    invalid(post(api, acme, "incident.reported", "2026-04-03", {"severity": "incident", "summary": "s"}),
            ["body", "occurred_on"])
    problem(post(api, auth("ministry_officer", "meti"), "incident.reported", "2026-04-02",
                 {"severity": "incident", "summary": "s"}), 403)
    msgs = event_outbox(engine)
    assert [(m.workflow_id, m.payload["event_id"]) for m in msgs] == [
        ("contract-c-001", ids[k]) for k in ("declared", "item", "granted", "departing", "supplier")]
    assert [m.delivered_at for m in msgs] == [None] * 5
    # Each carries the clock the workflow must keep after that event: the state's version and its wake days.
    assert [{k: v for k, v in m.payload["snapshot"].items() if k != "wake_at"} for m in msgs] == [
        {"version": 2, "wake_on": [], "closed": False},
        {"version": 3, "wake_on": ["2026-09-18"], "closed": False},
        {"version": 4, "wake_on": ["2026-09-18"], "closed": False},
        {"version": 5, "wake_on": ["2026-04-11", "2026-09-18"], "closed": False},
        {"version": 6, "wake_on": ["2026-04-11", "2026-09-18", "2027-03-19"], "closed": False}]
    # ... and the instants of the reminder ladder: 09:00 JST (00:00 UTC) on Japanese working days.
    from service.rules.reminders import is_day_off

    instants = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in msgs[-1].payload["snapshot"]["wake_at"]]
    assert instants and instants == sorted(instants)
    assert all(t.astimezone(JST).hour == 9 and not is_day_off(t.astimezone(JST).date()) for t in instants)
    [state] = rows(engine, ObligationRecord, contract_id="c-001")
    assert state.version == 6
    assert len(rows(engine, ContractEvent, contract_id="c-001")) == 5


def test_a_programme_without_leakage_measures_tracks_only_bayh_dole(api: TestClient, admin, acme,
                                                                    clock: Clock) -> None:
    """Issue 9 point 7: `leakage_measures_required: false` is read: no shareholder declaration, and A and C
    events are refused with the reason, while a Bayh-Dole approval is still tracked."""
    r = api.post("/v1/programmes", json=ProgrammeBody(id="k-free", leakage_measures_required=False), headers=admin)
    assert r.status_code == 201, r.text
    r = api.post("/v1/contracts", json=ContractBody(id="c-free", programme_id="k-free"), headers=admin)
    assert r.status_code == 201, r.text
    assert api.get("/v1/contracts/c-free/deadlines", headers=acme).json() == []
    refused = post(api, acme, "shareholding.declared", "2026-04-01", {"shares_outstanding": 3, "holders": []},
                   contract="c-free")
    assert refused.status_code == 409 and "does not impose" in refused.json()["detail"], refused.text
    accepted(post(api, acme, "ip_action.planned", "2026-04-01",
                  ip_plan("transfer", country="US", relation="subsidiary"), contract="c-free"), [
        {"kind": "prior_approval_requested", "id": "approval-{eid}", "due_on": "2026-12-01"},
        {"kind": "deadline_set", "id": "approval_application.{eid}.1", "due_on": "2026-11-01"},
        {"kind": "deadline_set", "id": "prior_approval.{eid}.1", "due_on": "2026-12-01"}])


def test_the_supplier_lifecycle(api: TestClient, acme, clock: Clock) -> None:
    """Issue 9 point 8: a supplier engaged without core technology receives it later, signs its NDA late, has a
    review with findings followed up, and is ended."""
    clock.set("2026-09-10")
    accepted(post(api, acme, "supplier.engaged", "2026-05-01", {
        "supplier_ref": "SUP-1", "name": "Kyoto Precision", "country": "JP", "holds_core_tech": False}), [])
    accepted(post(api, acme, "supplier.updated", "2026-09-01", {"supplier_ref": "SUP-1", "holds_core_tech": True}), [
        {"kind": "violation_recorded", "id": "violation.1"},
        {"kind": "deadline_set", "id": "supplier_review.SUP-1.1", "due_on": "2027-09-01"}])
    accepted(post(api, acme, "supplier.updated", "2026-09-05", {"supplier_ref": "SUP-1", "nda_signed_on": "2026-09-05"}),
             [])
    accepted(post(api, acme, "supplier.reviewed", "2026-09-10", {"supplier_ref": "SUP-1", "outcome": "findings"}), [
        {"kind": "deadline_met", "id": "supplier_review.SUP-1.1", "due_on": "2027-09-01"},
        {"kind": "deadline_set", "id": "supplier_review.SUP-1.2", "due_on": "2028-09-01"},
        {"kind": "deadline_set", "id": "supplier_follow_up.SUP-1.1", "due_on": "2026-10-10"}])
    accepted(post(api, acme, "supplier.ended", "2026-09-10", {"supplier_ref": "SUP-1"}), [])
    assert deadline(api, acme, "supplier_follow_up.SUP-1.1")["state"] == "closed"
    problem(post(api, acme, "supplier.reviewed", "2026-09-10", {"supplier_ref": "SUP-1", "outcome": "compliant"}), 409)
    invalid(post(api, acme, "supplier.updated", "2026-09-10", {"supplier_ref": "SUP-1"}), ["body", "data"])
    invalid(post(api, acme, "supplier.updated", "2026-09-10", {"supplier_ref": "SUP-9", "flow_down_on": "2026-09-10"}),
            ["body", "data", "supplier_ref"])
