"""Whole contracts on Temporal's time-skipping server, through the real API, relay, worker and database:
each deadline's state on the day before, the day of and the day after it changes, and nothing after
the obligation period ends."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment

from service.audit import AuditEntry
from service.contracts.models import Contract
from service.obligations.models import DeadlineRow
from service.rules.dates import JST, add_months, add_years, deadline_instant
from tests.factories import ContractBody
from tests.workflows.harness import Harness, harness, settled

D = timedelta(days=1)


def _register(h: Harness, start: date, years: int) -> tuple[str, date]:
    cid = f"c-{uuid.uuid4().hex[:8]}"
    end = add_years(start, years) - D
    r = h.client.post("/v1/contracts", headers=h.admin,
                      json=ContractBody(id=cid, programme_id=h.programme_id, start_date=start.isoformat(),
                                         end_date=end.isoformat()))
    assert r.status_code == 201, r.text
    return cid, date.fromisoformat(r.json()["obligation_period_end"])


def _states(h: Harness, cid: str) -> dict[str, str]:
    with Session(h.engine) as s:
        return {r.id: r.state for r in s.exec(select(DeadlineRow).where(DeadlineRow.contract_id == cid))}


async def test_five_year_contract_with_every_obligation(ts_env: WorkflowEnvironment, sqlite_engine: Engine) -> None:
    async with harness(ts_env, sqlite_engine, policy={"due_soon_days": 7}) as h:
        R = (await h.sync_clock()).astimezone(JST).date()  # registration day
        cid, period_end = _register(h, R, 5)
        assert period_end == add_years(add_years(R, 5) - D, 3)
        decl = "shareholder_declaration.1"

        h.event(cid, "core_item.registered", R, {"item_ref": "item-1", "title": "sensor design"})
        h.event(cid, "access.granted", R, {"item_ref": "item-1", "employee_ref": "emp-1", "reason": "designer"})
        h.event(cid, "employee.departing", R, {"employee_ref": "emp-1", "departure_date": (R + 60 * D).isoformat()})
        h.event(cid, "supplier.engaged", R, {"supplier_ref": "s-1", "name": "Precision Parts", "country": "VN",
                                             "holds_core_tech": True, "nda_signed_on": R.isoformat()})
        plan = h.event(cid, "ip_action.planned", R, {
            "action": "provide", "planned_date": (R + 100 * D).isoformat(),
            "counterparty": {"name": "Risky Co.", "country": "CN", "foreign_government_influence": True}})
        assert {e["kind"] for e in plan["effects"]} == {"consultation_opened"}
        review1, supplier1 = "access_review.item-1.1", "supplier_review.s-1.1"
        await settled(h, cid)

        # C: initial declaration due R+14; due soon from R+7 (7 days before); overdue from R+15.
        assert h.deadline(cid, decl).due_on == R + 14 * D
        await h.go_to(cid, R + 6 * D)
        assert h.deadline(cid, decl).state == "ok"
        await h.go_to(cid, R + 7 * D)
        assert h.deadline(cid, decl).state == "due_soon"
        await h.go_to(cid, R + 14 * D, hour=23)
        assert h.deadline(cid, decl).state == "due_soon"
        await h.go_to(cid, R + 15 * D, hour=0)
        assert h.deadline(cid, decl).state == "overdue"
        filed = h.event(cid, "shareholding.declared", R + 15 * D, {"shares_outstanding": 3000, "holders": []})
        assert [e["kind"] for e in filed["effects"]] == ["shareholder_report_filed", "deadline_met", "late_filing"]
        await settled(h, cid)
        assert h.deadline(cid, decl).state == "met"

        # A2: departure on R+60 with access never revoked: violated from the next day.
        dep = "departure.emp-1.1"
        await h.go_to(cid, R + 52 * D)
        assert h.deadline(cid, dep).state == "ok"
        await h.go_to(cid, R + 53 * D)
        assert h.deadline(cid, dep).state == "due_soon"
        await h.go_to(cid, R + 60 * D, hour=23)
        assert h.deadline(cid, dep).state == "due_soon"
        await h.go_to(cid, R + 61 * D, hour=0)
        assert h.deadline(cid, dep).state == "violated"
        detail = h.client.get(f"/v1/contracts/{cid}", headers=h.contractor).json()
        assert detail["obligations"]["employees"] == "violated"
        assert [v["kind"] for v in detail["violations"]] == ["access_not_revoked_by_departure"]

        # B: the case not concluded by the planned day is the ministry's step, not the contractor's: nothing of
        # the contractor's is overdue (DOMAIN.md §5 [r2]).
        await h.go_to(cid, R + 101 * D)
        assert not [d for d in h.deadlines(cid) if d.startswith("consultation_conclusion.")]
        assert h.client.get(f"/v1/contracts/{cid}", headers=h.contractor).json()["obligations"]["ip_consultation"] \
            == "ok"

        # A1: the access review is done on time; the next one is anchored on the item's registration.
        due1 = add_months(R, 6)
        await h.go_to(cid, due1 - 8 * D)
        assert h.deadline(cid, review1).state == "ok"
        done = h.event(cid, "access_review.completed", due1 - 8 * D,
                       {"item_refs": ["item-1"], "removed_employee_refs": ["emp-1"]})
        assert [e["kind"] for e in done["effects"]] == ["deadline_met", "deadline_set"]
        assert done["effects"][1] == {"kind": "deadline_set", "id": "access_review.item-1.2",
                                      "due_on": add_months(R, 12).isoformat()}
        await settled(h, cid)
        await h.go_to(cid, due1 + D)
        assert h.deadline(cid, review1).state == "met"

        # A3: the supplier review is missed: overdue the day after its due day, and it stays so.
        due_s = add_months(R, 12)
        await h.go_to(cid, due_s)
        assert h.deadline(cid, supplier1).state == "due_soon"
        await h.go_to(cid, due_s + D)
        assert h.deadline(cid, supplier1).state == "overdue"

        # The end: active on the last day of the obligation period, closed from the next day.
        await h.go_to(cid, period_end, hour=23)
        with Session(h.engine) as s:
            assert s.get(Contract, cid).closed_at is None
        open_before = {k for k, v in _states(h, cid).items() if v in ("ok", "due_soon", "overdue")}
        assert open_before  # the overdue reviews are still open
        result = await h.finish(cid)
        assert result.phase == "closed" and result.runs >= 2
        with Session(h.engine) as s:
            assert s.get(Contract, cid).closed_at == deadline_instant(period_end)
        states = _states(h, cid)
        assert all(states[k] == "closed" for k in open_before)
        assert states[decl] == "met" and states[dep] == "violated" and states[review1] == "met"
        with Session(h.engine) as s:
            due_dates = [r.due_on for r in s.exec(select(DeadlineRow).where(DeadlineRow.contract_id == cid))]
        assert max(due_dates) <= period_end

        # Nothing fires afterwards, and the record is read-only.
        with Session(h.engine) as s:
            audit_before = len(s.exec(select(AuditEntry).where(AuditEntry.contract_id == cid)).all())
        await h.sleep(timedelta(days=400))
        await h.sync_clock()
        with Session(h.engine) as s:
            assert len(s.exec(select(AuditEntry).where(AuditEntry.contract_id == cid)).all()) == audit_before
        assert _states(h, cid) == states
        r = h.client.post(f"/v1/contracts/{cid}/events", headers=h.contractor,
                          json={"type": "incident.reported", "occurred_on": h.clock().astimezone(JST).date().isoformat(),
                                "data": {"severity": "near_miss", "summary": "late report"}})
        assert r.status_code == 409
        assert h.client.get(f"/v1/contracts/{cid}", headers=h.contractor).json()["obligations"] == {
            k: "closed" for k in ("shareholders", "access_control", "employees", "suppliers", "ip_consultation",
                                  "bayh_dole", "incidents", "releases")}


async def test_ten_year_contract_runs_across_continue_as_new(ts_env: WorkflowEnvironment,
                                                             sqlite_engine: Engine) -> None:
    async with harness(ts_env, sqlite_engine) as h:
        R = (await h.sync_clock()).astimezone(JST).date()
        cid, period_end = _register(h, R, 10)
        h.event(cid, "core_item.registered", R, {"item_ref": "core", "title": "process"})
        await settled(h, cid)
        # Reviews done on time for eight years, each on its due day.
        for k in range(1, 17):
            due = add_months(R, 6 * k)
            await h.go_to(cid, due)
            assert h.deadline(cid, f"access_review.core.{k}").state == "due_soon"
            h.event(cid, "access_review.completed", due, {"item_refs": ["core"]})
            await settled(h, cid)
            assert h.deadline(cid, f"access_review.core.{k}").state == "met"
        status = await h.status(cid)
        assert status.runs >= 2  # a run spans at most four years
        result = await h.finish(cid)
        assert result.phase == "closed" and result.runs >= 3
        assert result.closes_at == deadline_instant(period_end)
        states = _states(h, cid)
        assert sum(v == "met" for v in states.values()) == 16
        # The reviews due after year 8 were never done: overdue, then closed with the contract.
        assert states[f"access_review.core.{2 * 13 - 9}"] == "closed"
        assert set(states.values()) <= {"met", "closed"}
