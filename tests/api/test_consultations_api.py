"""The consultation inbox over HTTP (API.md "Consultation inbox"; DOMAIN.md §5), on SQLite and PostgreSQL.

A contractor's `ip_action.planned` event that needs consultation opens a case; officers of the
programme's ministry review and decide it, the contractor answers and may withdraw. The API's clock is
fixed per test (noon JST on a chosen day); no relay runs, so outbox rows wait where they were written.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.consultations.models import CaseHistoryEntry
from service.notices.models import MinistryNotice
from service.obligations.models import ObligationRecord
from service.outbox import OutboxMessage
from tests.factories import ContractBody, ProgrammeBody
from tests.support.clock import Clock

JST = ZoneInfo("Asia/Tokyo")
PROBLEM = "application/problem+json"
VALIDATION_TYPE = "https://tlc.example/problems/validation"
D = timedelta(days=1)
OFFICER_ACTIONS = ("start-review", "request-info", "conclude", "claim", "reassign")
CONTRACTOR_ACTIONS = ("respond", "withdraw")
ALL_ACTIONS = ("start-review", "request-info", "respond", "conclude", "withdraw", "claim", "reassign")




@pytest.fixture
def other(auth) -> dict[str, str]:
    return auth("contractor", "other", sub="oda")


@pytest.fixture
def officer(auth) -> dict[str, str]:
    return auth("ministry_officer", "meti", sub="tanaka")


@pytest.fixture
def mext(auth) -> dict[str, str]:
    return auth("ministry_officer", "mext", sub="suzuki")


@pytest.fixture
def api(world: TestClient, admin) -> TestClient:
    """The world plus contract c-001 of acme's on METI's programme k-q1, registered on 2026-04-01."""
    r = world.post("/v1/contracts", json=ContractBody(), headers=admin)
    assert r.status_code == 201, r.text
    return world


# --- helpers -----------------------------------------------------------------------------------------

def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["type"], str) and body["type"]
    return body


def invalid(r: Any, loc: list[str] | None = None) -> dict[str, Any]:
    body = problem(r, 422)
    assert body["type"] == VALIDATION_TYPE
    assert isinstance(body["errors"], list) and body["errors"]
    if loc is not None:
        assert any(e["loc"][:len(loc)] == loc for e in body["errors"]), body["errors"]
    return body


def ip_plan(name: str = "Counterparty Ltd.", *, action: str = "provide", planned: str = "2026-12-01",
            country: str = "CN", influence: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"action": action, "planned_date": planned, "forced_transfer_risk": False}
    if action == "overseas_production":
        data["site"] = {"country": "TH", "new_site": True, "local_consumption_share": "0.1"}
    elif action == "overseas_rd":
        pass
    else:
        data["counterparty"] = {"name": name, "country": country, "relation": "none",
                                "un_violation_within_5y": False, "foreign_government_influence": influence}
    return data


def report(api: TestClient, who: dict[str, str], clock: Clock, type_: str, data: dict[str, Any], *,
           contract: str = "c-001") -> dict[str, Any]:
    r = api.post(f"/v1/contracts/{contract}/events", headers=who,
                 json={"type": type_, "occurred_on": clock.day.isoformat(), "data": data})
    assert r.status_code == 202, r.text
    return r.json()


def plan(api: TestClient, who: dict[str, str], clock: Clock, data: dict[str, Any] | None = None, *,
         contract: str = "c-001") -> tuple[str, str | None]:
    """Report a planned act; returns (event id, case id or None)."""
    body = report(api, who, clock, "ip_action.planned", data or ip_plan(), contract=contract)
    opened = [e["id"] for e in body["effects"] if e["kind"] == "consultation_opened"]
    return body["event_id"], (opened[0] if opened else None)


def bodies(today: date) -> dict[str, dict[str, Any] | None]:
    """A valid body for each transition, on `today`."""
    return {"start-review": None, "claim": None,
            "request-info": {"question": "Who at the counterparty will see the know-how?",
                             "respond_by": (today + 14 * D).isoformat()},
            "respond": {"answer": "Two named engineers under NDA."},
            "conclude": {"outcome": "no_objection", "reason": "No concern found."},
            "withdraw": {"reason": "The deal fell through."},
            "reassign": {"to": "yamada"}}


def act(api: TestClient, who: dict[str, str], case_id: str, action: str, body: dict[str, Any] | None = None, *,
        key: str | None = None) -> Any:
    headers = dict(who)
    if key is not None:
        headers["Idempotency-Key"] = key
    url = f"/v1/consultations/{case_id}/{action}"
    return api.post(url, headers=headers) if body is None else api.post(url, headers=headers, json=body)


def ok(r: Any) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


def get_case(api: TestClient, who: dict[str, str], case_id: str) -> dict[str, Any]:
    return ok(api.get(f"/v1/consultations/{case_id}", headers=who))


def listing(api: TestClient, who: dict[str, str], **params: Any) -> dict[str, Any]:
    return ok(api.get("/v1/consultations", headers=who, params=params))


def ids(page: dict[str, Any]) -> list[str]:
    return [c["id"] for c in page["items"]]


def deadlines(api: TestClient, who: dict[str, str], contract: str = "c-001") -> dict[str, dict[str, Any]]:
    r = api.get(f"/v1/contracts/{contract}/deadlines", headers=who)
    assert r.status_code == 200, r.text
    return {d["id"]: d for d in r.json()}


def history_rows(engine: Engine, case_id: str) -> list[tuple[str, str | None, str | None]]:
    with Session(engine) as s:
        return [(h.action, h.from_status, h.to_status) for h in s.exec(
            select(CaseHistoryEntry).where(CaseHistoryEntry.case_id == case_id).order_by(CaseHistoryEntry.id))]


def plan_state(engine: Engine, event_id: str, contract: str = "c-001") -> dict[str, Any]:
    with Session(engine) as s:
        record = s.get(ObligationRecord, contract)
        assert record is not None
        return record.state["plans"][event_id]


PATHS = {  # the transitions that bring a fresh case to each status
    "submitted": [],
    "under_review": [("officer", "start-review")],
    "info_requested": [("officer", "start-review"), ("officer", "request-info")],
    "concluded": [("officer", "start-review"), ("officer", "conclude")],
    "withdrawn": [("acme", "withdraw")],
}


def bring_to(api: TestClient, who: dict[str, dict[str, str]], clock: Clock, case_id: str, status: str) -> None:
    for side, action in PATHS[status]:
        ok(act(api, who[side], case_id, action, bodies(clock.day)[action]))
    assert get_case(api, who["officer"], case_id)["status"] == status


# --- opening a case and who sees it ------------------------------------------------------------------

def test_a_plan_needing_consultation_opens_a_case(api: TestClient, acme, officer, mext, other, admin,
                                                  clock: Clock, engine: Engine) -> None:
    clock.set("2026-06-01")
    eid, case_id = plan(api, acme, clock)
    assert case_id == f"case-{eid}"
    # A plan that needs none opens nothing.
    _, none = plan(api, acme, clock, ip_plan("Safe Partner K.K.", country="JP", influence=False))
    assert none is None

    for who in (acme, officer, admin):
        page = listing(api, who)
        assert ids(page) == [case_id] and page["next_after"] is None
    case = get_case(api, officer, case_id)
    assert {k: case[k] for k in ("id", "contract_id", "programme_id", "contractor_org", "plan_event_id", "status",
                                 "action", "planned_date", "consult_by", "submitted_on", "late", "assigned_to",
                                 "review_target_on", "review_clock", "paused_days", "question", "respond_by",
                                 "respond_overdue", "outcome", "conditions", "decision_reason", "closed_on",
                                 "age_days")} == {
        "id": case_id, "contract_id": "c-001", "programme_id": "k-q1", "contractor_org": "acme",
        "plan_event_id": eid, "status": "submitted", "action": "provide", "planned_date": "2026-12-01",
        "consult_by": "2026-10-02", "submitted_on": "2026-06-01", "late": False, "assigned_to": None,
        "review_target_on": "2026-07-01", "review_clock": "ok", "paused_days": 0, "question": None,
        "respond_by": None, "respond_overdue": False, "outcome": None, "conditions": None, "decision_reason": None,
        "closed_on": None, "age_days": 0}
    assert case["number"] == "METI-2026-000001"
    assert case["plan"] == ip_plan() | {"site": None, "exclusive_license": False}
    assert case["conditions_met"] == ["counterparty_foreign_influence"]
    assert "condition.counterparty_foreign_influence" in case["reason_codes"]
    assert case["reasons"] and all(isinstance(r, str) and r for r in case["reasons"])
    assert case["allowed_actions"] == ["start-review", "claim", "reassign"]
    assert get_case(api, acme, case_id)["allowed_actions"] == ["withdraw"]
    [h] = case["history"]
    assert (h["actor"], h["action"], h["from_status"], h["to_status"]) == (
        "sato (contractor, acme)", "submitted", None, "submitted")
    # The conclusion is the ministry's step (its review clock), not a deadline of the contractor's (DOMAIN.md §5 [r2]).
    assert not [d for d in deadlines(api, acme) if d.startswith("consultation_conclusion.")]
    with Session(engine) as s:
        assert [(m.kind, m.workflow_id) for m in s.exec(select(OutboxMessage).where(
            OutboxMessage.kind == "case.start"))] == [("case.start", f"consultation-{case_id}")]

    # Another ministry's officer and another contractor see nothing, and the case is 404 to them.
    for who in (mext, other):
        assert listing(api, who) == {"items": [], "next_after": None}
        problem(api.get(f"/v1/consultations/{case_id}", headers=who), 404)
    problem(api.get("/v1/consultations/case-nope", headers=officer), 404)


def test_case_numbers_count_per_ministry_and_year_of_submission(world: TestClient, admin, acme, clock: Clock) -> None:
    """「METI-2026-000001」…: one count per ministry and year; the next year starts again at 1; another ministry's
    cases have their own count."""
    world.post("/v1/programmes", json=ProgrammeBody(id="m-q1", ministry="mext"), headers=admin).raise_for_status()
    for contract, programme in (("c-001", "k-q1"), ("c-002", "k-q1"), ("c-m01", "m-q1")):
        r = world.post("/v1/contracts", json=ContractBody(id=contract, programme_id=programme), headers=admin)
        assert r.status_code == 201, r.text
    opened = []
    for day, contract in (("2026-06-01", "c-001"), ("2026-06-01", "c-m01"), ("2026-12-28", "c-002"),
                          ("2027-01-04", "c-001"), ("2027-01-04", "c-m01")):
        clock.set(day)
        _, case_id = plan(world, acme, clock, ip_plan(planned="2027-09-01"), contract=contract)
        opened.append(get_case(world, admin, case_id)["number"])
    assert opened == ["METI-2026-000001", "MEXT-2026-000001", "METI-2026-000002", "METI-2027-000001",
                      "MEXT-2027-000001"]


def test_each_side_sees_only_its_own_cases(world: TestClient, admin, acme, other, officer, mext,
                                           clock: Clock) -> None:
    for body in (ContractBody(), ContractBody(id="c-002", contractor_org="other")):
        assert world.post("/v1/contracts", json=body, headers=admin).status_code == 201
    assert world.post("/v1/programmes", json=ProgrammeBody(id="k-m1", ministry="mext"), headers=admin).status_code == 201
    assert world.post("/v1/contracts", json=ContractBody(id="c-003", programme_id="k-m1"),
                      headers=admin).status_code == 201
    clock.set("2026-06-01")
    _, a = plan(world, acme, clock)
    _, b = plan(world, other, clock, contract="c-002")
    _, m = plan(world, acme, clock, contract="c-003")
    assert sorted(ids(listing(world, acme))) == sorted([a, m])
    assert ids(listing(world, other)) == [b]
    assert sorted(ids(listing(world, officer))) == sorted([a, b])
    assert ids(listing(world, mext)) == [m]
    assert sorted(ids(listing(world, admin))) == sorted([a, b, m])
    for who, hidden in ((acme, b), (other, a), (other, m), (officer, m), (mext, a), (mext, b)):
        problem(world.get(f"/v1/consultations/{hidden}", headers=who), 404)
    # Acting on a case one cannot see is 404 as well, whatever the action.
    problem(act(world, mext, a, "start-review"), 404)
    problem(act(world, officer, m, "claim"), 404)
    problem(act(world, other, a, "withdraw", {"reason": "x"}), 404)
    assert get_case(world, officer, a)["status"] == "submitted"
    assert get_case(world, admin, m)["status"] == "submitted"


def test_no_token_is_401(api: TestClient, acme, clock: Clock) -> None:
    clock.set("2026-06-01")
    _, case_id = plan(api, acme, clock)
    problem(api.get("/v1/consultations"), 401)
    problem(api.get(f"/v1/consultations/{case_id}"), 401)
    problem(api.post(f"/v1/consultations/{case_id}/withdraw", json={"reason": "x"}), 401)


# --- every transition --------------------------------------------------------------------------------

def test_every_transition_through_http_with_its_history(api: TestClient, acme, officer, admin, clock: Clock,
                                                        engine: Engine) -> None:
    clock.set("2026-06-01")
    eid, case_id = plan(api, acme, clock)

    case = ok(act(api, officer, case_id, "claim"))
    assert (case["status"], case["assigned_to"]) == ("submitted", "tanaka")
    case = ok(act(api, officer, case_id, "start-review"))
    assert (case["status"], case["allowed_actions"]) == ("under_review", ["request-info", "conclude", "claim",
                                                                          "reassign"])
    case = ok(act(api, officer, case_id, "reassign", {"to": "yamada"}))
    assert (case["status"], case["assigned_to"]) == ("under_review", "yamada")

    clock.set("2026-06-05")
    case = ok(act(api, officer, case_id, "request-info", {"question": "Who will see it?", "respond_by": "2026-06-15"}))
    assert (case["status"], case["question"], case["respond_by"], case["review_clock"]) == (
        "info_requested", "Who will see it?", "2026-06-15", "paused")
    assert case["allowed_actions"] == ["claim", "reassign"]
    assert get_case(api, acme, case_id)["allowed_actions"] == ["respond", "withdraw"]
    clock.set("2026-06-08")
    case = ok(act(api, acme, case_id, "respond", {"answer": "Two engineers."}))
    assert (case["status"], case["paused_days"], case["review_target_on"], case["review_clock"]) == (
        "under_review", 3, "2026-07-04", "ok")

    clock.set("2026-06-10")
    case = ok(act(api, officer, case_id, "conclude", {"outcome": "conditions", "conditions": "No disclosure of "
                                                      "the source code.", "reason": "Manageable risk."}))
    assert (case["status"], case["outcome"], case["conditions"], case["decision_reason"], case["closed_on"],
            case["review_clock"], case["allowed_actions"], case["age_days"]) == (
        "concluded", "conditions", "No disclosure of the source code.", "Manageable risk.", "2026-06-10", "done",
        [], 9)
    clock.set("2026-07-01")
    assert get_case(api, acme, case_id)["age_days"] == 9  # a closed case ages no more

    officer_actor, contractor_actor = "tanaka (ministry_officer, meti)", "sato (contractor, acme)"
    history = get_case(api, acme, case_id)["history"]
    assert [(h["actor"], h["action"], h["from_status"], h["to_status"]) for h in history] == [
        (contractor_actor, "submitted", None, "submitted"),
        (officer_actor, "claim", "submitted", "submitted"),
        (officer_actor, "start-review", "submitted", "under_review"),
        (officer_actor, "reassign", "under_review", "under_review"),
        (officer_actor, "request-info", "under_review", "info_requested"),
        (contractor_actor, "respond", "info_requested", "under_review"),
        (officer_actor, "conclude", "under_review", "concluded")]
    assert history[3]["detail"] == {"from": "tanaka", "to": "yamada"}
    assert history[4]["detail"] == {"question": "Who will see it?", "respond_by": "2026-06-15"}
    assert history[5]["detail"] == {"answer": "Two engineers.", "paused_days": 3}
    assert history[6]["detail"] == {"outcome": "conditions", "conditions": "No disclosure of the source code.",
                                    "reason": "Manageable risk."}
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)

    # The contract's audit trail has each transition; one signal per transition for the case's workflow.
    trail = [(e["actor"], e["action"]) for e in api.get("/v1/contracts/c-001/audit", headers=officer).json()["entries"]]
    assert [a for _, a in trail if a.startswith("consultation.")] == [
        "consultation.claim", "consultation.start-review", "consultation.reassign", "consultation.request-info",
        "consultation.respond", "consultation.conclude"]
    with Session(engine) as s:
        kinds = [m.kind for m in s.exec(select(OutboxMessage).where(
            OutboxMessage.workflow_id == f"consultation-{case_id}").order_by(OutboxMessage.id))]
    assert kinds == ["case.start"] + ["case.update"] * 6


def test_an_admin_may_act_for_either_side(api: TestClient, acme, admin, clock: Clock) -> None:
    clock.set("2026-06-01")
    _, case_id = plan(api, acme, clock)
    case = get_case(api, admin, case_id)
    assert case["allowed_actions"] == ["start-review", "withdraw", "claim", "reassign"]
    ok(act(api, admin, case_id, "start-review"))
    ok(act(api, admin, case_id, "request-info", bodies(clock.day)["request-info"]))
    ok(act(api, admin, case_id, "respond", {"answer": "a"}))
    case = ok(act(api, admin, case_id, "conclude", {"outcome": "objection", "reason": "r"}))
    assert case["status"] == "concluded"
    assert case["history"][-1]["actor"] == "tester (admin, admin)"


@pytest.mark.parametrize("outcome", ["no_objection", "conditions", "objection"])
def test_conclude_tells_the_plan_and_the_act_is_judged_by_the_outcome(
        api: TestClient, acme, officer, clock: Clock, engine: Engine, outcome: str) -> None:
    clock.set("2026-06-01")
    eid, case_id = plan(api, acme, clock)
    ok(act(api, officer, case_id, "start-review"))
    clock.set("2026-06-20")
    conditions = "Only the published API may be shared." if outcome == "conditions" else None
    body = {"outcome": outcome, "reason": "Decided."} | ({"conditions": conditions} if conditions else {})
    case = ok(act(api, officer, case_id, "conclude", body))
    assert (case["status"], case["outcome"], case["conditions"], case["closed_on"]) == (
        "concluded", outcome, conditions, "2026-06-20")
    p = plan_state(engine, eid)
    assert (p["case_status"], p["outcome"], p["conditions"], p["concluded_on"]) == (
        "concluded", outcome, conditions, "2026-06-20")

    clock.set("2026-12-01")
    done = report(api, acme, clock, "ip_action.completed", {"plan_event_id": eid})
    detail = api.get("/v1/contracts/c-001", headers=officer).json()
    assert detail["violations"] == []  # B gives the ministry no veto (DOMAIN.md §5 [r2])
    assert detail["obligations"]["ip_consultation"] == "ok"
    if outcome == "objection":
        assert done["effects"] == [{"kind": "finding_recorded", "id": "finding.1", "code": "act_despite_objection"}]
        assert [(f["code"], f["event_id"], f["obligation"]) for f in detail["findings"]] == [
            ("act_despite_objection", done["event_id"], "ip_consultation")]
    else:
        assert done["effects"] == []
        assert detail["findings"] == []


def test_completing_the_act_before_the_conclusion_is_a_finding(api: TestClient, acme, officer,
                                                               clock: Clock) -> None:
    clock.set("2026-06-01")
    eid, case_id = plan(api, acme, clock)
    ok(act(api, officer, case_id, "start-review"))
    clock.set("2026-07-01")
    done = report(api, acme, clock, "ip_action.completed", {"plan_event_id": eid})
    assert done["effects"] == [{"kind": "finding_recorded", "id": "finding.1", "code": "act_before_conclusion"}]
    detail = api.get("/v1/contracts/c-001", headers=officer).json()
    assert detail["violations"] == []
    assert [f["code"] for f in detail["findings"]] == ["act_before_conclusion"]


def test_a_back_dated_completion_is_judged_on_the_act_s_day(api: TestClient, acme, officer, clock: Clock) -> None:
    # Issue 9 point 2: concluded on 20 Aug; the act was done on 10 Aug and reported on 25 Aug.
    clock.set("2026-06-01")
    eid, case_id = plan(api, acme, clock)
    ok(act(api, officer, case_id, "start-review"))
    clock.set("2026-08-20")
    ok(act(api, officer, case_id, "conclude", {"outcome": "no_objection", "reason": "ok"}))
    clock.set("2026-08-25")
    r = api.post("/v1/contracts/c-001/events", headers=acme, json={
        "type": "ip_action.completed", "occurred_on": "2026-08-10", "data": {"plan_event_id": eid}})
    assert r.status_code == 202, r.text
    # Reported 15 days after the act (policy act_report_days 14): a late report as well (DOMAIN.md §5 [r2]).
    assert r.json()["effects"] == [{"kind": "finding_recorded", "id": "finding.1", "code": "act_before_conclusion"},
                                   {"kind": "finding_recorded", "id": "finding.2", "code": "late_report"}]


@pytest.mark.parametrize("from_status", ["submitted", "under_review", "info_requested"])
def test_withdraw_closes_the_case(api: TestClient, acme, officer, clock: Clock, engine: Engine,
                                                   from_status: str) -> None:
    clock.set("2026-06-01")
    eid, case_id = plan(api, acme, clock)
    bring_to(api, {"officer": officer, "acme": acme}, clock, case_id, from_status)
    clock.set("2026-06-03")
    case = ok(act(api, acme, case_id, "withdraw", {"reason": "The deal fell through."}))
    assert (case["status"], case["closed_on"], case["decision_reason"], case["review_clock"], case["outcome"],
            case["allowed_actions"]) == ("withdrawn", "2026-06-03", "The deal fell through.", "done", None, [])
    assert case["history"][-1]["from_status"] == from_status
    assert plan_state(engine, eid)["case_status"] == "withdrawn"
    assert api.get("/v1/contracts/c-001", headers=acme).json()["obligations"]["ip_consultation"] == "ok"


def test_withdraw_without_a_body_is_fine(api: TestClient, acme, clock: Clock) -> None:
    clock.set("2026-06-01")
    _, case_id = plan(api, acme, clock)
    case = ok(act(api, acme, case_id, "withdraw"))
    assert (case["status"], case["decision_reason"]) == ("withdrawn", "")


# --- refused transitions -----------------------------------------------------------------------------

ALLOWED = {  # status -> (officer's allowed actions, contractor's)
    "submitted": (["start-review", "claim", "reassign"], ["withdraw"]),
    "under_review": (["request-info", "conclude", "claim", "reassign"], ["withdraw"]),
    "info_requested": (["claim", "reassign"], ["respond", "withdraw"]),
    "concluded": ([], []),
    "withdrawn": ([], []),
}


@pytest.mark.parametrize("status", list(ALLOWED))
def test_a_transition_not_allowed_now_is_409_with_the_allowed_actions(
        api: TestClient, acme, officer, clock: Clock, engine: Engine, status: str) -> None:
    clock.set("2026-06-01")
    _, case_id = plan(api, acme, clock)
    bring_to(api, {"officer": officer, "acme": acme}, clock, case_id, status)
    before = history_rows(engine, case_id)
    officer_allowed, contractor_allowed = ALLOWED[status]
    refused = [a for a in ALL_ACTIONS if a not in officer_allowed + contractor_allowed]
    assert refused  # every status refuses something
    for action in refused:
        who, allowed = (officer, officer_allowed) if action in OFFICER_ACTIONS else (acme, contractor_allowed)
        body = problem(act(api, who, case_id, action, bodies(clock.day)[action]), 409)
        assert body["allowed"] == allowed, action
        assert body["status_now"] == status, action
        assert action in body["detail"] and status in body["detail"]
    assert history_rows(engine, case_id) == before
    assert get_case(api, officer, case_id)["status"] == status


def test_the_wrong_side_is_403_whatever_the_status(api: TestClient, acme, officer, clock: Clock,
                                                   engine: Engine) -> None:
    clock.set("2026-06-01")
    _, case_id = plan(api, acme, clock)
    b = bodies(clock.day)
    for action in OFFICER_ACTIONS:  # a contractor cannot conclude, review, ask, claim or reassign
        problem(act(api, acme, case_id, action, b[action]), 403)
    ok(act(api, officer, case_id, "start-review"))
    problem(act(api, acme, case_id, "conclude", {"outcome": "no_objection"}), 403)
    ok(act(api, officer, case_id, "request-info", b["request-info"]))
    for action in CONTRACTOR_ACTIONS:  # an officer cannot respond or withdraw, even when the status allows it
        problem(act(api, officer, case_id, action, b[action]), 403)
    assert [a for a, _, _ in history_rows(engine, case_id)] == ["submitted", "start-review", "request-info"]
    assert get_case(api, acme, case_id)["status"] == "info_requested"


# --- validation --------------------------------------------------------------------------------------

def test_transition_bodies_are_validated(api: TestClient, acme, officer, clock: Clock, engine: Engine) -> None:
    clock.set("2026-06-10")
    _, case_id = plan(api, acme, clock)
    ok(act(api, officer, case_id, "start-review"))
    before = history_rows(engine, case_id)

    invalid(act(api, officer, case_id, "conclude", {"outcome": "conditions", "reason": "r"}), ["body"])
    invalid(act(api, officer, case_id, "conclude", {"outcome": "conditions", "conditions": "", "reason": "r"}),
            ["body"])
    invalid(act(api, officer, case_id, "conclude", {"outcome": "conditions", "conditions": "   "}), ["body"])
    invalid(act(api, officer, case_id, "conclude", {"outcome": "no_objection", "conditions": "c"}), ["body"])
    invalid(act(api, officer, case_id, "conclude", {"outcome": "objection", "conditions": "c"}), ["body"])
    invalid(act(api, officer, case_id, "conclude", {"outcome": "approved"}), ["body", "outcome"])
    invalid(act(api, officer, case_id, "conclude", {}), ["body"])
    invalid(act(api, officer, case_id, "conclude"), ["body"])
    invalid(act(api, officer, case_id, "conclude", {"outcome": "no_objection", "signed": True}), ["body"])

    past = {"question": "q?", "respond_by": "2026-06-09"}
    invalid(act(api, officer, case_id, "request-info", past), ["body", "respond_by"])
    invalid(act(api, officer, case_id, "request-info", {"question": "", "respond_by": "2026-06-20"}),
            ["body", "question"])
    invalid(act(api, officer, case_id, "request-info", {"respond_by": "2026-06-20"}), ["body", "question"])
    invalid(act(api, officer, case_id, "request-info", {"question": "q?"}), ["body", "respond_by"])
    invalid(act(api, officer, case_id, "request-info", {"question": "q?", "respond_by": "someday"}),
            ["body", "respond_by"])
    invalid(act(api, officer, case_id, "request-info", {"question": "q?", "respond_by": "2026-06-20", "cc": "x"}),
            ["body"])
    invalid(act(api, officer, case_id, "start-review", {"note": "x"}), ["body"])
    invalid(act(api, officer, case_id, "claim", {"who": "me"}), ["body"])
    invalid(act(api, officer, case_id, "reassign", {}), ["body"])
    invalid(act(api, officer, case_id, "reassign", {"to": ""}), ["body", "to"])
    invalid(act(api, officer, case_id, "reassign", {"to": "a\nb"}), ["body", "to"])
    invalid(act(api, acme, case_id, "withdraw", {"reason": "r", "now": True}), ["body"])
    assert history_rows(engine, case_id) == before

    # respond_by today is not in the past.
    case = ok(act(api, officer, case_id, "request-info", {"question": "q?", "respond_by": "2026-06-10"}))
    assert case["respond_by"] == "2026-06-10"
    invalid(act(api, acme, case_id, "respond", {"answer": ""}), ["body", "answer"])
    invalid(act(api, acme, case_id, "respond", {}), ["body"])
    invalid(act(api, acme, case_id, "respond", {"answer": "a", "files": []}), ["body"])
    assert get_case(api, acme, case_id)["status"] == "info_requested"


# --- the review clock with its pause -----------------------------------------------------------------

def test_the_review_target_moves_by_the_days_info_was_requested(api: TestClient, acme, officer, clock: Clock,
                                                                engine: Engine) -> None:
    clock.set("2026-06-01")
    _, case_id = plan(api, acme, clock)
    assert get_case(api, officer, case_id)["review_target_on"] == "2026-07-01"  # 30 days, the policy default
    ok(act(api, officer, case_id, "start-review"))

    clock.set("2026-06-10")  # day A
    case = ok(act(api, officer, case_id, "request-info", {"question": "q1", "respond_by": "2026-06-13"}))
    assert (case["review_clock"], case["review_target_on"], case["paused_days"]) == ("paused", "2026-07-01", 0)
    clock.set("2026-06-13")
    assert get_case(api, acme, case_id)["respond_overdue"] is False
    clock.set("2026-06-14")
    assert get_case(api, acme, case_id)["respond_overdue"] is True
    clock.set("2026-06-17")  # day B: 7 days later
    case = ok(act(api, acme, case_id, "respond", {"answer": "a1"}))
    assert (case["review_target_on"], case["paused_days"], case["review_clock"], case["respond_overdue"]) == (
        "2026-07-08", 7, "ok", False)

    case = ok(act(api, officer, case_id, "request-info", {"question": "q2", "respond_by": "2026-06-30"}))
    case = ok(act(api, acme, case_id, "respond", {"answer": "a2"}))  # answered the same day: no pause
    assert (case["review_target_on"], case["paused_days"]) == ("2026-07-08", 7)

    clock.set("2026-06-26")  # due soon from 2026-06-24 (14 days before 2026-07-08)
    ok(act(api, officer, case_id, "request-info", {"question": "q3", "respond_by": "2026-07-10"}))
    clock.set("2026-07-09")  # past the old target: but the clock stands still while paused
    assert get_case(api, officer, case_id)["review_clock"] == "paused"
    case = ok(act(api, acme, case_id, "respond", {"answer": "a3"}))
    # 13 more days: target 2026-07-21, and 2026-07-09 is within 14 days of it.
    assert (case["review_target_on"], case["paused_days"], case["review_clock"]) == ("2026-07-21", 20, "due_soon")
    clock.set("2026-07-22")
    case = ok(act(api, officer, case_id, "claim"))
    assert case["review_clock"] == "overdue"
    details = [h["detail"].get("paused_days") for h in case["history"] if h["action"] == "respond"]
    assert details == [7, 7, 20]


# --- idempotency -------------------------------------------------------------------------------------

def test_transitions_honour_the_idempotency_key(api: TestClient, acme, officer, clock: Clock,
                                                engine: Engine) -> None:
    clock.set("2026-06-01")
    _, case_id = plan(api, acme, clock)
    first = act(api, officer, case_id, "start-review", key="rev-1")
    ok(first)
    again = act(api, officer, case_id, "start-review", key="rev-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert [a for a, _, _ in history_rows(engine, case_id)] == ["submitted", "start-review"]
    # Without the key, a second start-review is refused: the case has moved on.
    problem(act(api, officer, case_id, "start-review"), 409)

    concluded = act(api, officer, case_id, "conclude", {"outcome": "objection", "reason": "r"}, key="dec-1")
    ok(concluded)
    clock.set("2026-06-02")  # a retry on another day still gets the first answer
    again = act(api, officer, case_id, "conclude", {"outcome": "objection", "reason": "r"}, key="dec-1")
    assert again.status_code == 200 and again.json() == concluded.json()
    # The same key with another body (or another transition) is a conflict, and writes nothing.
    problem(act(api, officer, case_id, "conclude", {"outcome": "no_objection", "reason": "r"}, key="dec-1"), 409)
    problem(act(api, officer, case_id, "claim", key="dec-1"), 409)
    # The first start-review, retried after the case moved on, still gets its first answer.
    assert act(api, officer, case_id, "start-review", key="rev-1").json() == first.json()
    assert [a for a, _, _ in history_rows(engine, case_id)] == ["submitted", "start-review", "conclude"]
    assert get_case(api, acme, case_id)["outcome"] == "objection"
    # Keys belong to their caller: the contractor's "rev-1" is its own, judged as a new request.
    assert problem(act(api, acme, case_id, "withdraw", {"reason": "x"}, key="rev-1"), 409)["status_now"] == \
        "concluded"
    problem(act(api, officer, case_id, "claim", key="x" * 201), 400)


# --- ministry notices --------------------------------------------------------------------------------

def notice(api: TestClient, who: dict[str, str], body: dict[str, Any], contract: str = "c-001") -> Any:
    return api.post(f"/v1/contracts/{contract}/notices", headers=who, json=body)


def test_notices_are_issued_by_officers_of_the_ministry(api: TestClient, acme, officer, mext, other, admin,
                                                        clock: Clock, engine: Engine) -> None:
    clock.set("2026-05-01")
    body = {"scope": "counterparty", "counterparty_name": "ＡＢＣ株式会社", "reason": "Reported links to a "
            "foreign military end user."}
    r = notice(api, officer, body)
    assert r.status_code == 201, r.text
    issued = r.json()
    assert issued["id"].startswith("ntc_")
    assert {k: v for k, v in issued.items() if k != "id"} == {
        "contract_id": "c-001", "scope": "counterparty", "counterparty_name": "ＡＢＣ株式会社", "action": None,
        "reason": body["reason"], "issued_by": "tanaka (ministry_officer, meti)", "issued_on": "2026-05-01",
        "effects": []}
    problem(notice(api, acme, {"scope": "contract", "reason": "r"}), 403)
    problem(notice(api, mext, {"scope": "contract", "reason": "r"}), 404)
    problem(notice(api, other, {"scope": "contract", "reason": "r"}), 404)
    problem(notice(api, officer, {"scope": "contract", "reason": "r"}, contract="c-nope"), 404)
    clock.set("2026-05-02")
    by_admin = notice(api, admin, {"scope": "action", "action": "joint_rd", "reason": "All joint R&D."})
    assert by_admin.status_code == 201, by_admin.text

    for who in (acme, officer, admin):
        listed = api.get("/v1/contracts/c-001/notices", headers=who)
        assert listed.status_code == 200, listed.text
        assert [n["id"] for n in listed.json()] == [issued["id"], by_admin.json()["id"]]
        assert listed.json()[0] == {k: v for k, v in issued.items() if k != "effects"}
    for who in (mext, other):
        problem(api.get("/v1/contracts/c-001/notices", headers=who), 404)

    trail = api.get("/v1/contracts/c-001/audit", headers=officer).json()["entries"]
    notices = [(e["actor"], e["detail"]) for e in trail if e["action"] == "notice.issued"]
    assert notices == [
        ("tanaka (ministry_officer, meti)", {"notice_id": issued["id"], "scope": "counterparty",
                                            "counterparty_name": "ＡＢＣ株式会社", "act": None, "reason": body["reason"]}),
        ("tester (admin, admin)", {"notice_id": by_admin.json()["id"], "scope": "action", "counterparty_name": None,
                                   "act": "joint_rd", "reason": "All joint R&D."})]

    # With a key, a retry issues nothing new.
    first = notice(api, officer, {"scope": "contract", "reason": "r"})
    assert first.status_code == 201
    h = dict(officer, **{"Idempotency-Key": "ntc-1"})
    a = api.post("/v1/contracts/c-001/notices", headers=h, json={"scope": "contract", "reason": "again"})
    b = api.post("/v1/contracts/c-001/notices", headers=h, json={"scope": "contract", "reason": "again"})
    assert (a.status_code, b.status_code) == (201, 201) and a.json() == b.json()
    with Session(engine) as s:
        assert len(s.exec(select(MinistryNotice)).all()) == 4


@pytest.mark.parametrize(("body", "loc"), [
    ({"scope": "counterparty", "reason": "r"}, ["body"]),
    ({"scope": "counterparty", "counterparty_name": "", "reason": "r"}, ["body"]),
    ({"scope": "action", "reason": "r"}, ["body"]),
    ({"scope": "action", "action": "sell", "reason": "r"}, ["body", "action"]),
    ({"scope": "contract", "counterparty_name": "ABC", "reason": "r"}, ["body"]),
    ({"scope": "contract", "action": "provide", "reason": "r"}, ["body"]),
    ({"scope": "counterparty", "counterparty_name": "ABC", "action": "provide", "reason": "r"}, ["body"]),
    ({"scope": "action", "action": "provide", "counterparty_name": "ABC", "reason": "r"}, ["body"]),
    ({"scope": "everything", "reason": "r"}, ["body", "scope"]),
    ({"scope": "contract"}, ["body", "reason"]),
    ({"scope": "contract", "reason": ""}, ["body", "reason"]),
    ({"scope": "contract", "reason": "r", "urgent": True}, ["body"]),
    ({"scope": "counterparty", "counterparty_name": "A\nB", "reason": "r"}, ["body", "counterparty_name"]),
])
def test_invalid_notices_are_422_and_write_nothing(api: TestClient, officer, engine: Engine,
                                                   body: dict[str, Any], loc: list[str]) -> None:
    invalid(notice(api, officer, body), loc)
    with Session(engine) as s:
        assert s.exec(select(MinistryNotice)).all() == []
    assert api.get("/v1/contracts/c-001/notices", headers=officer).json() == []


def benign(name: str = "ABC Co., Ltd.", action: str = "provide") -> dict[str, Any]:
    """A plan that needs no consultation by itself: a Japanese counterparty, no risk known."""
    return ip_plan(name, action=action, country="JP", influence=False)


def test_a_counterparty_notice_requires_consultation_for_that_counterparty_however_written(
        api: TestClient, acme, officer, clock: Clock) -> None:
    clock.set("2026-05-01")
    before_eid, before = plan(api, acme, clock, benign())  # planned before the notice: reached by it (r2)
    assert before is None
    r = notice(api, officer, {"scope": "counterparty", "counterparty_name": "ＡＢＣ株式会社", "reason": "r"})
    assert r.status_code == 201
    assert [e["id"] for e in r.json()["effects"]] == [f"case-{before_eid}"]
    clock.set("2026-05-02")
    eid, case_id = plan(api, acme, clock, benign("ABC Co., Ltd."))
    assert case_id == f"case-{eid}"
    case = get_case(api, officer, case_id)
    assert case["conditions_met"] == ["ministry_notice"]
    assert "condition.ministry_notice" in case["reason_codes"]
    _, also = plan(api, acme, clock, benign("abc inc", action="joint_rd"))
    assert also is not None
    for other_name in ("ABD Co., Ltd.", "ABC Trading Co., Ltd.", "XYZ株式会社"):
        _, none = plan(api, acme, clock, benign(other_name))
        assert none is None, other_name
    _, own = plan(api, acme, clock, ip_plan(action="overseas_rd"))  # no counterparty at all
    assert own is None
    # With a risk of its own as well, both conditions are named.
    _, both = plan(api, acme, clock, ip_plan("ABC Co., Ltd."))
    assert get_case(api, officer, both)["conditions_met"] == ["counterparty_foreign_influence", "ministry_notice"]
    assert sorted(ids(listing(api, officer))) == sorted([f"case-{before_eid}", case_id, also, both])


def test_a_notice_after_a_plan_reaches_it_and_opens_its_case(api: TestClient, acme, officer, clock: Clock,
                                                             engine: Engine) -> None:
    """Issue 9 point 1: plan a provide to "Y Corp" with no condition, then a counterparty notice for "Y Corp",
    then the act: the notice opens the case, and the act before the conclusion is recorded."""
    clock.set("2026-06-01")
    eid, case_id = plan(api, acme, clock, ip_plan("Y Corp", influence=False))
    assert case_id is None
    done_id, _ = plan(api, acme, clock, ip_plan("Y Corp", influence=False))
    report(api, acme, clock, "ip_action.completed", {"plan_event_id": done_id})  # done before the notice
    clock.set("2026-06-10")
    r = notice(api, officer, {"scope": "counterparty", "counterparty_name": "Ｙ ＣＯＲＰ株式会社", "reason": "risk"})
    assert r.status_code == 201, r.text
    assert r.json()["effects"] == [{"kind": "consultation_opened", "id": f"case-{eid}", "due_on": "2026-10-02"}]
    case = get_case(api, officer, f"case-{eid}")
    assert (case["status"], case["submitted_on"], case["late"], case["conditions_met"]) == (
        "submitted", "2026-06-10", False, ["ministry_notice"])
    assert ids(listing(api, officer)) == [f"case-{eid}"]
    with Session(engine) as s:
        assert [m.kind for m in s.exec(select(OutboxMessage).where(OutboxMessage.kind == "case.start"))] == [
            "case.start"]
    clock.set("2026-06-20")
    done = report(api, acme, clock, "ip_action.completed", {"plan_event_id": eid})
    assert done["effects"] == [{"kind": "finding_recorded", "id": "finding.1", "code": "act_before_conclusion"}]
    # A second notice that matches reaches nothing more: the plan is done, and the other one too.
    again = notice(api, officer, {"scope": "contract", "reason": "everything"})
    assert again.status_code == 201 and again.json()["effects"] == []


def test_an_action_notice_matches_only_that_act(api: TestClient, acme, officer, clock: Clock) -> None:
    clock.set("2026-05-01")
    assert notice(api, officer, {"scope": "action", "action": "joint_rd", "reason": "r"}).status_code == 201
    _, joint = plan(api, acme, clock, benign("Anyone K.K.", action="joint_rd"))
    assert joint is not None
    assert get_case(api, officer, joint)["conditions_met"] == ["ministry_notice"]
    for action in ("provide", "transfer"):
        _, none = plan(api, acme, clock, benign("Anyone K.K.", action=action))
        assert none is None, action
    _, rd = plan(api, acme, clock, ip_plan(action="overseas_rd"))
    assert rd is None


def test_a_contract_notice_matches_every_plan(api: TestClient, acme, officer, clock: Clock) -> None:
    clock.set("2026-05-01")
    before_eid, before = plan(api, acme, clock, ip_plan(action="overseas_rd"))
    assert before is None
    assert notice(api, officer, {"scope": "contract", "reason": "r"}).status_code == 201
    opened = [f"case-{before_eid}"]  # the open plan reported before the notice is reached by it (r2)
    for data in (benign(), benign("Other K.K.", action="joint_rd"), benign(action="transfer"),
                 ip_plan(action="overseas_rd"), ip_plan(action="overseas_production")):
        _, case_id = plan(api, acme, clock, data)
        assert case_id is not None, data
        assert get_case(api, officer, case_id)["conditions_met"] == ["ministry_notice"]
        opened.append(case_id)
    # An act that is not covered (a capacity rise of exactly 10%) still needs nothing: the notice is a
    # condition, not an act.
    _, none = plan(api, acme, clock, {
        "action": "overseas_production", "planned_date": "2026-12-01",
        "site": {"country": "TH", "new_site": False, "capacity_before": "0.3", "capacity_after": "0.33",
                 "local_consumption_share": 0}})
    assert none is None
    assert sorted(ids(listing(api, acme))) == sorted(opened)


# --- the inbox: filters, sorting and pagination ------------------------------------------------------

@pytest.fixture
def inbox(world: TestClient, admin, acme, other, officer, clock: Clock) -> dict[str, Any]:
    """Cases across contracts and programmes, in every status, some overdue (see each comment)."""
    for body in (ProgrammeBody(id="k-q2", name="K: second"), ProgrammeBody(id="k-m1", ministry="mext")):
        assert world.post("/v1/programmes", json=body, headers=admin).status_code == 201
    for body in (ContractBody(), ContractBody(id="c-002", contractor_org="other"),
                 ContractBody(id="c-003", programme_id="k-q2"), ContractBody(id="c-004", programme_id="k-m1")):
        assert world.post("/v1/contracts", json=body, headers=admin).status_code == 201, body
    c: dict[str, str] = {}
    clock.set("2026-05-01")  # target 2026-05-31
    for name, contract, who in (("a1", "c-001", acme), ("a2", "c-001", acme), ("b1", "c-002", other),
                                ("c1", "c-003", acme), ("m1", "c-004", acme)):
        c[name] = plan(world, who, clock, contract=contract)[1]  # type: ignore[assignment]
    ok(act(world, officer, c["a1"], "start-review"))
    ok(act(world, officer, c["a2"], "start-review"))
    clock.set("2026-05-02")
    ok(act(world, officer, c["a1"], "request-info", {"question": "q", "respond_by": "2026-05-30"}))
    clock.set("2026-05-10")  # target 2026-06-09
    c["a3"] = plan(world, acme, clock)[1]  # type: ignore[assignment]
    c["b2"] = plan(world, other, clock, contract="c-002")[1]  # type: ignore[assignment]
    ok(act(world, officer, c["a2"], "conclude", {"outcome": "objection", "reason": "r"}))
    ok(act(world, other, c["b1"], "withdraw", {"reason": "r"}))
    clock.set("2026-05-20")  # target 2026-06-19
    c["c2"] = plan(world, acme, clock, contract="c-003")[1]  # type: ignore[assignment]
    clock.set("2026-05-22")
    ok(act(world, acme, c["a1"], "respond", {"answer": "a"}))  # paused 20 days: target 2026-06-20
    clock.set("2026-06-10")
    ok(act(world, officer, c["b2"], "claim"))  # its clock is judged again: overdue
    ok(act(world, officer, c["c1"], "claim"))
    return c


# (submitted_on, review_target_on, status, review_clock) of each case of the inbox fixture
INBOX = {
    "a1": ("2026-05-01", "2026-06-20", "under_review", "ok"),
    "a2": ("2026-05-01", "2026-05-31", "concluded", "done"),
    "b1": ("2026-05-01", "2026-05-31", "withdrawn", "done"),
    "c1": ("2026-05-01", "2026-05-31", "submitted", "overdue"),
    "m1": ("2026-05-01", "2026-05-31", "submitted", "ok"),
    "a3": ("2026-05-10", "2026-06-09", "submitted", "ok"),
    "b2": ("2026-05-10", "2026-06-09", "submitted", "overdue"),
    "c2": ("2026-05-20", "2026-06-19", "submitted", "ok"),
}
METI = ["a1", "a2", "b1", "c1", "a3", "b2", "c2"]


def by_age(c: dict[str, str], names: list[str]) -> list[str]:
    return [c[n] for n in sorted(names, key=lambda n: (INBOX[n][0], c[n]))]


def by_target(c: dict[str, str], names: list[str]) -> list[str]:
    return [c[n] for n in sorted(names, key=lambda n: (INBOX[n][1], c[n]))]


def test_the_inbox_fixture_is_what_the_filters_are_checked_against(world: TestClient, inbox, admin) -> None:
    for name, (submitted, target, status, clock_state) in INBOX.items():
        case = get_case(world, admin, inbox[name])
        assert (case["submitted_on"], case["review_target_on"], case["status"], case["review_clock"]) == (
            submitted, target, status, clock_state), name


def test_inbox_filters(world: TestClient, inbox, officer, acme, other, mext, admin) -> None:
    c = inbox
    assert ids(listing(world, officer)) == by_age(c, METI)
    assert ids(listing(world, acme)) == by_age(c, ["a1", "a2", "c1", "m1", "a3", "c2"])
    assert ids(listing(world, other)) == by_age(c, ["b1", "b2"])
    assert ids(listing(world, mext)) == [c["m1"]]
    assert ids(listing(world, admin)) == by_age(c, list(INBOX))

    def names(**params: Any) -> list[str]:
        return ids(listing(world, officer, **params))

    assert names(status="submitted") == by_age(c, ["c1", "a3", "b2", "c2"])
    assert names(status="under_review") == [c["a1"]]
    assert names(status="info_requested") == []
    assert names(status="concluded") == [c["a2"]]
    assert names(status="withdrawn") == [c["b1"]]
    assert names(status="open") == by_age(c, ["a1", "c1", "a3", "b2", "c2"])
    assert names(programme_id="k-q2") == by_age(c, ["c1", "c2"])
    assert names(programme_id="k-q1") == by_age(c, ["a1", "a2", "b1", "a3", "b2"])
    assert names(programme_id="k-m1") == []  # another ministry's programme: still scoped
    assert names(contractor_org="other") == by_age(c, ["b1", "b2"])
    assert names(contract_id="c-001") == by_age(c, ["a1", "a2", "a3"])
    assert names(overdue="true") == by_age(c, ["c1", "b2"])
    assert names(overdue="false") == by_age(c, ["a1", "a2", "b1", "a3", "c2"])
    assert names(status="open", contractor_org="acme", overdue="true") == [c["c1"]]
    assert names(status="open", programme_id="k-q1", overdue="false") == by_age(c, ["a1", "a3"])
    assert ids(listing(world, acme, contractor_org="other")) == []  # a filter never widens the scope
    assert ids(listing(world, mext, programme_id="k-m1")) == [c["m1"]]

    for params in ({"status": "draft"}, {"status": ""}, {"overdue": "maybe"}, {"sort": "name"}, {"limit": 0},
                   {"limit": 201}, {"limit": "ten"}):
        invalid(world.get("/v1/consultations", headers=officer, params=params), ["query"])


def test_inbox_sorting(world: TestClient, inbox, officer) -> None:
    c = inbox
    assert ids(listing(world, officer, sort="age")) == by_age(c, METI)
    assert ids(listing(world, officer, sort="target")) == by_target(c, METI)
    assert ids(listing(world, officer, sort="target"))[-1] == c["a1"]  # its pause put it last
    assert ids(listing(world, officer, sort="target", status="open")) == by_target(c, ["a1", "c1", "a3", "b2", "c2"])


@pytest.mark.parametrize("sort", ["age", "target"])
@pytest.mark.parametrize("limit", [1, 2, 3, 6, 7])
def test_keyset_pagination_has_no_duplicates_and_no_gaps(world: TestClient, inbox, officer, sort: str,
                                                         limit: int) -> None:
    expected = ids(listing(world, officer, sort=sort, limit=200))
    assert len(expected) == 7
    seen: list[str] = []
    params: dict[str, Any] = {"sort": sort, "limit": limit}
    pages = 0
    while True:
        page = listing(world, officer, **params)
        pages += 1
        assert 0 < len(page["items"]) <= limit
        seen += ids(page)
        if page["next_after"] is None:
            break
        assert len(page["items"]) == limit
        params["after"] = page["next_after"]
        assert pages < 20
    assert seen == expected
    assert pages == -(-7 // limit)


def test_pagination_with_a_filter(world: TestClient, inbox, officer) -> None:
    first = listing(world, officer, status="open", limit=2)
    second = listing(world, officer, status="open", limit=2, after=first["next_after"])
    third = listing(world, officer, status="open", limit=2, after=second["next_after"])
    assert ids(first) + ids(second) + ids(third) == by_age(inbox, ["a1", "c1", "a3", "b2", "c2"])
    assert third["next_after"] is None


@pytest.mark.parametrize("after", ["nonsense", "2026-02-30|case-x", "|case-x", "2026-05-01x", "2026-13-01|case-x"])
def test_a_bad_cursor_is_422(world: TestClient, inbox, officer, after: str) -> None:
    body = invalid(world.get("/v1/consultations", headers=officer, params={"after": after}), ["query", "after"])
    assert body["errors"][0]["loc"] == ["query", "after"]


def test_the_inbox_searches_by_case_number_counterparty_and_contractor_and_by_whom_it_is_assigned(
        api: TestClient, acme, officer, clock: Clock) -> None:
    clock.set("2026-06-01")
    _, first = plan(api, acme, clock, ip_plan("Shenzhen Optics Co."))
    _, second = plan(api, acme, clock, ip_plan("Harbin 100%_Partner"))
    assert ok(act(api, officer, second, "claim"))

    def found(**params: Any) -> list[str]:
        return sorted(ids(listing(api, officer, **params)), key=[first, second].index)

    assert found(q="METI-2026-000001") == [first]
    assert found(q="meti-2026") == [first, second]
    assert found(q="optics") == [first]
    assert found(q="100%_") == [second]  # LIKE's wildcards are searched for as themselves
    assert found(q="%") == found(q="_") == [second] and found(q="Shenzhen%Co") == []
    assert found(q="Acme") == [first, second]  # the contractor's name
    assert found(q="nobody") == []
    assert found(assigned_to="tanaka") == [second]
