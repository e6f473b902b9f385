"""Bad input is a 422, never a 500, and writes nothing (issue 10, defect 4), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.api.test_events_api import EVENTS, ip_plan, post, problem, records

JSON = {"Content-Type": "application/json"}


def test_a_lone_surrogate_anywhere_in_a_body_is_a_422_that_names_where(api: TestClient, acme, engine: Engine) -> None:
    before = records(engine)
    raw = '{"type": "incident.reported", "occurred_on": "2026-04-01", "data": {"severity": "near_miss", ' \
          '"summary": "a\\ud800b"}}'
    body = problem(api.post(EVENTS, content=raw, headers={**acme, **JSON}), 422)
    assert body["errors"][0]["loc"] == ["body", "data", "summary"]
    assert "lone surrogate" in body["errors"][0]["msg"]
    raw_key = '{"type": "incident.reported", "occurred_on": "2026-04-01", "data": {"\\udc00": 1}}'
    assert problem(api.post(EVENTS, content=raw_key, headers={**acme, **JSON}), 422)["errors"][0]["loc"] == \
        ["body", "data"]
    assert records(engine) == before
    # A proper pair (an emoji written as two escapes) is valid text and accepted.
    pair = '{"type": "incident.reported", "occurred_on": "2026-04-01", "data": {"severity": "near_miss", ' \
           '"summary": "USB \\ud83d\\udcbe found"}}'
    assert api.post(EVENTS, content=pair, headers={**acme, **JSON}).status_code == 202


def test_a_respond_by_beyond_the_calendar_is_a_422(api: TestClient, acme, auth, engine: Engine) -> None:
    r = post(api, acme, "ip_action.planned", "2026-04-01", ip_plan())
    case_id = r.json()["effects"][0]["id"]
    officer = auth("ministry_officer", "meti")
    assert api.post(f"/v1/consultations/{case_id}/start-review", headers=officer).status_code == 200
    before = records(engine)
    body = problem(api.post(f"/v1/consultations/{case_id}/request-info", headers=officer,
                            json={"question": "q", "respond_by": "9999-12-31"}), 422)
    assert body["errors"][0]["loc"] == ["body", "respond_by"]
    assert records(engine) == before


def test_a_departure_before_the_calendar_is_a_422_and_its_first_day_is_judged(api: TestClient, acme,
                                                                              engine: Engine) -> None:
    post(api, acme, "core_item.registered", "2026-04-01", {"item_ref": "i", "title": "t"})
    post(api, acme, "access.granted", "2026-04-01", {"item_ref": "i", "employee_ref": "e"})
    before = records(engine)
    body = problem(post(api, acme, "employee.departing", "2026-04-01",
                        {"employee_ref": "e", "departure_date": "0001-01-01"}), 422)
    assert body["errors"][0]["loc"][-1] == "departure_date" and "1900-01-01 and 2199-12-31" in body["errors"][0]["msg"]
    assert records(engine) == before
    r = post(api, acme, "employee.departing", "2026-04-01", {"employee_ref": "e", "departure_date": "1900-01-01"})
    # Departed long before it is reported: the case is judged at once (access still open).
    assert r.status_code == 202, r.text
    assert [e["kind"] for e in r.json()["effects"]] == ["deadline_set", "violation_recorded"]


OUT_OF_RANGE = ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_every_date_of_a_request_is_bounded_and_the_error_says_so(api: TestClient, acme, admin, auth,
                                                                 engine: Engine, day: str) -> None:
    """Issue 10 defect 4: each date field, out of the calendar tlc counts in, is a 422 that names it and the range."""
    from tests.factories import ContractBody

    post(api, acme, "core_item.registered", "2026-04-01", {"item_ref": "i", "title": "t"})
    post(api, acme, "access.granted", "2026-04-01", {"item_ref": "i", "employee_ref": "e"})
    before = records(engine)
    plan = ip_plan()
    calls = {
        "contract start_date": api.post("/v1/contracts", headers=admin, json=ContractBody(id="c-x", start_date=day)),
        "contract end_date": api.post("/v1/contracts", headers=admin, json=ContractBody(id="c-x", end_date=day)),
        "event occurred_on": post(api, acme, "incident.reported", day, {"severity": "near_miss", "summary": "s"}),
        "departure_date": post(api, acme, "employee.departing", "2026-04-01",
                               {"employee_ref": "e", "departure_date": day}),
        "planned_date": post(api, acme, "ip_action.planned", "2026-04-01", {**plan, "planned_date": day}),
        "nda_signed_on": post(api, acme, "supplier.engaged", "2026-04-01",
                              {"supplier_ref": "s", "name": "n", "country": "JP", "holds_core_tech": True,
                               "nda_signed_on": day}),
        "period end_date": api.post("/v1/determinations/obligation-period", headers=acme,
                                    json={"start_date": "2026-04-01", "end_date": day}),
        "determination planned_date": api.post("/v1/determinations/ip-action", headers=acme,
                                               json={**plan, "planned_date": day}),
        "determination as_of": api.post("/v1/determinations/ip-action", headers=acme, json={**plan, "as_of": day}),
    }
    for what, r in calls.items():
        assert r.status_code == 422, (what, r.status_code, r.text)
        msgs = " ".join(e["msg"] for e in r.json()["errors"])
        assert "1900-01-01 and 2199-12-31" in msgs or "after today" in msgs or "before" in msgs, (what, r.text)
    assert records(engine) == before


def test_the_last_day_of_the_calendar_still_has_a_whole_obligation_period(api: TestClient, acme, admin) -> None:
    from tests.factories import ContractBody

    r = api.post("/v1/determinations/obligation-period", headers=acme,
                 json={"start_date": "2199-01-01", "end_date": "2199-12-31"})
    assert r.status_code == 200 and r.json()["obligation_period_end"] == "2202-12-31"
    r = api.post("/v1/contracts", headers=admin, json=ContractBody(id="c-far", start_date="2198-04-01",
                                                                    end_date="2199-12-31"))
    assert r.status_code == 201 and r.json()["obligation_period_end"] == "2202-12-31"


def test_a_contractor_never_sees_the_ministrys_messages_nor_where_they_go(api: TestClient, acme, auth,
                                                                          engine: Engine) -> None:
    """Issue 10, defect 5: escalations to the ministry (and their addresses) are not listed to the contractor."""
    from sqlmodel import Session

    from service.notifications.models import Notification
    from service.rules.dates import JST
    from tests.support.rows import contract_scope

    with Session(engine) as s:
        for audience in ("contractor", "ministry_officer"):
            s.add(Notification(id=f"msg_{audience}", contract_id="c-001", **contract_scope(s, "c-001"), deadline_id="shareholder_declaration.1",
                               due_on_text="2026-04-15", rung="escalation-7" if audience != "contractor" else "due",
                               audience=audience, subscription_id="sub_x", channel="webhook",
                               address=f"https://{audience}.example/hook?secret=s", lang="ja",
                               scheduled_for=datetime(2026, 4, 15, 9, tzinfo=JST)))
        s.commit()
    seen = api.get("/v1/notifications?contract_id=c-001", headers=acme)
    assert seen.status_code == 200, seen.text
    assert "ministry_officer.example" not in seen.text and "contractor.example" in seen.text
    officer = api.get("/v1/notifications?contract_id=c-001", headers=auth("ministry_officer", "meti")).text
    assert "ministry_officer.example" in officer
    # The contract page reads the same scoped log (service.notifications.service.log_of).
