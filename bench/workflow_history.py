"""How long a contract workflow's history grows over a whole contract (issue 11, item 2).

One 13-year contract (a 10-year term + 3) with a typical event stream (the shareholder declaration and three
changes, core items and their six-monthly access reviews, access grants, two departures, suppliers and their
reviews, four IP plans with their consultations, two incidents: about 60 signals) runs on Temporal's
time-skipping server through the real API, relay, worker and database, twice in this one process:

- before: the clock snapshot as it was before issue 11, which did not know which reminders were planned
  (`reminders.planned_through` answers "nothing", so a late deadline's past rung comes back with every signal);
- after: today's code.

It counts the history events of every run of the workflow (continue-as-new included) and the activities
scheduled, and appends the ratio to bench/RESULTS.md: `python bench/workflow_history.py` (a few minutes).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from temporalio.api.enums.v1 import EventType

from service.rules import reminders
from service.rules.dates import JST, add_months, add_years
from tests.factories import ContractBody
from tests.support import servers
from tests.support.db import migrated_engine
from tests.support.receivers import SmtpSink
from tests.workflows.harness import Harness, harness, settled

D = timedelta(days=1)
TERM_YEARS = 10


@contextmanager
def before_issue_11():
    """The old snapshot and plan: no rung is ever known to be planned."""
    kept = reminders.planned_through
    reminders.planned_through = lambda deadline: None
    try:
        yield
    finally:
        reminders.planned_through = kept


def stream(R: date) -> list[tuple[date, str, dict]]:
    """(day, event type, data) of a typical contract, in day order; `plan:N` and `incident:N` refer back."""
    out: list[tuple[date, str, dict]] = [
        (R, "shareholding.declared", {"shares_outstanding": 9, "holders": []}),
        (R, "core_item.registered", {"item_ref": "item-1", "title": "sensor design"}),
        (R, "core_item.registered", {"item_ref": "item-2", "title": "process recipe"}),
        (R, "access.granted", {"item_ref": "item-1", "employee_ref": "emp-1"}),
        (R, "access.granted", {"item_ref": "item-1", "employee_ref": "emp-2"}),
        (R, "access.granted", {"item_ref": "item-2", "employee_ref": "emp-3"}),
        (R, "supplier.engaged", {"supplier_ref": "s-1", "name": "Precision Parts", "country": "VN",
                                 "holds_core_tech": True, "nda_signed_on": R.isoformat()}),
        (R, "supplier.engaged", {"supplier_ref": "s-2", "name": "Office Supplies", "country": "JP",
                                 "holds_core_tech": False}),
    ]
    # Each six-monthly access review done a week before it is due, for the whole obligation period.
    for k in range(1, 2 * (TERM_YEARS + 3)):
        out.append((add_months(R, 6 * k) - 7 * D, "access_review.completed", {"item_refs": ["item-1", "item-2"]}))
    for k in (1, 2, 3):
        out.append((add_months(R, 12 * k) - 10 * D, "supplier.reviewed", {"supplier_ref": "s-1",
                                                                           "outcome": "compliant"}))
    out.append((add_months(R, 37), "supplier.ended", {"supplier_ref": "s-1"}))
    for year, held in ((2, 2), (5, 4), (8, 1)):
        out.append((add_months(R, 12 * year + 2), "shareholding.changed", {
            "holder": {"name": "Holder K.K.", "country": "JP"}, "shares_held": held, "shares_outstanding": 9}))
    for year, emp, item in ((3, "emp-2", "item-1"), (7, "emp-3", "item-2")):
        day = add_months(R, 12 * year + 4)
        out += [(day, "employee.departing", {"employee_ref": emp, "departure_date": (day + 30 * D).isoformat()}),
                (day + 25 * D, "access.revoked", {"item_ref": item, "employee_ref": emp}),
                (day + 30 * D, "employee.departed", {"employee_ref": emp, "confidentiality_pledge": "obtained",
                                                     "noncompete_pledge": "not_requested"}),
                (day + 31 * D, "access.granted", {"item_ref": item, "employee_ref": f"{emp}-successor"})]
    for n, year in enumerate((1, 4, 6, 9)):
        day = add_months(R, 12 * year + 7)
        out += [(day, "ip_action.planned", {"action": "provide", "planned_date": (day + 120 * D).isoformat(),
                                            "counterparty": {"name": f"Partner {n}", "country": "CN",
                                                             "foreign_government_influence": True}}),
                (day + 5 * D, "consultation:start-review", {"plan": n}),
                (day + 20 * D, "consultation:conclude", {"plan": n}),
                (day + 120 * D, "ip_action.completed", {"plan": n})]
    for n, year in enumerate((2, 6)):
        day = add_months(R, 12 * year + 9)
        out += [(day, "incident.reported", {"severity": "incident", "summary": f"a badge lent to a visitor ({n})"}),
                (day + 20 * D, "incident.followed_up", {"incident": n})]
    return sorted(out, key=lambda e: e[0])


async def history_of(h: Harness, cid: str) -> tuple[Counter, int, int]:
    """Activity types scheduled, events and signals, over every run of the contract's workflow."""
    activities, events, signals, runs = Counter(), 0, 0, 0
    run_id = (await h.handle(cid).describe()).run_id
    while run_id:
        history = await h.env.client.get_workflow_handle(f"contract-{cid}", run_id=run_id).fetch_history()
        runs += 1
        events += len(history.events)
        run_id = None
        for e in history.events:
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                activities[e.activity_task_scheduled_event_attributes.activity_type.name] += 1
            elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
                signals += 1
            elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                run_id = e.workflow_execution_started_event_attributes.continued_execution_run_id or None
    activities["runs"] = runs
    return activities, events, signals


async def one_contract(env, engine) -> tuple[Counter, int, int]:
    with SmtpSink() as smtp:
        async with harness(env, engine, policy={"due_soon_days": 7}, smtp_host="127.0.0.1",
                           smtp_port=smtp.port) as h:
            R = (await h.sync_clock()).astimezone(JST).date()
            cid = f"c-{uuid.uuid4().hex[:8]}"
            r = h.client.post("/v1/contracts", headers=h.admin, json=ContractBody(
                id=cid, programme_id=h.programme_id, start_date=R.isoformat(),
                end_date=(add_years(R, TERM_YEARS) - D).isoformat()))
            assert r.status_code == 201, r.text
            for audience, address in (("contractor", "compliance@acme.example"), ("compliance_lead", "lead@acme.example")):
                r = h.client.post("/v1/subscriptions", headers=h.contractor, json={
                    "contract_id": cid, "audience": audience, "channel": "email", "address": address, "lang": "ja"})
                assert r.status_code == 201, r.text
            await settled(h, cid)
            plans: list[tuple[str, str]] = []  # (event id, case id)
            incidents: list[str] = []
            for day, type_, data in stream(R):
                if day > h.clock().astimezone(JST).date():
                    await h.go_to(cid, day, hour=10)
                if type_.startswith("consultation:"):
                    action = type_.split(":")[1]
                    body = {"outcome": "no_objection", "reason": "no concern"} if action == "conclude" else None
                    r = h.client.post(f"/v1/consultations/{plans[data['plan']][1]}/{action}", headers=h.officer,
                                      json=body)
                    assert r.status_code == 200, r.text
                elif type_ == "ip_action.completed":
                    h.event(cid, type_, day, {"plan_event_id": plans[data["plan"]][0]})
                elif type_ == "incident.followed_up":
                    h.event(cid, type_, day, {"incident_event_id": incidents[data["incident"]],
                                              "summary": "badges are checked at the door"})
                else:
                    accepted = h.event(cid, type_, day, data)
                    if type_ == "ip_action.planned":
                        case = next(e["id"] for e in accepted["effects"] if e["kind"] == "consultation_opened")
                        plans.append((accepted["event_id"], case))
                    elif type_ == "incident.reported":
                        incidents.append(accepted["event_id"])
                await settled(h, cid)
            status = await h.finish(cid)
            assert status.phase == "closed", status
            return await history_of(h, cid)


async def main() -> None:
    env = await servers.start_time_skipping()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = migrated_engine(f"sqlite:///{tmp}/bench.sqlite3")
            with before_issue_11():
                old = await one_contract(env, engine)
            new = await one_contract(env, engine)
            engine.dispose()
    finally:
        await env.shutdown()
    (old_acts, old_events, signals), (new_acts, new_events, _) = old, new
    print("before:", old_events, "events", dict(old_acts), "signals", signals)
    print("after: ", new_events, "events", dict(new_acts))
    line = (f"| {date.today().isoformat()} | contract workflow history, 13-year contract ({signals} signals): "
            f"before / after issue 11 | {old_events / new_events:.2f}x | {old_events} vs {new_events} history events "
            f"over {old_acts['runs']} vs {new_acts['runs']} runs; contract.advance {old_acts['contract.advance']} vs "
            f"{new_acts['contract.advance']}, notify.plan {old_acts['notify.plan']} vs {new_acts['notify.plan']}, "
            f"notify.deliver {old_acts['notify.deliver']} vs {new_acts['notify.deliver']} |")
    print(line)
    with (Path(__file__).parent / "RESULTS.md").open("a") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    asyncio.run(main())
