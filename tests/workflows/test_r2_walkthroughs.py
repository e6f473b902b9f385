"""DOMAIN.md revision 2 on Temporal's time-skipping server, through the real API, relay, worker and database:
a notice that arrives after a plan; a programme with the measures off; a Bayh-Dole approval decided after
the obligation period ended (and one planned after the contract's workflow had ended)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from service import outbox
from service.consultations.models import ConsultationCase
from service.contracts.models import Contract
from service.db import session_scope
from service.obligations import service as obligations
from service.rules.dates import JST, add_days, deadline_instant
from tests.support.receivers import WebhookReceiver
from tests.workflows.harness import Harness, harness, settled
from tests.workflows.test_contract_walkthrough import _register, _states

D = timedelta(days=1)
FOREIGN_SUBSIDIARY = {"name": "Acme US Inc.", "country": "US", "relation": "subsidiary"}


async def _ended(h: Harness, cid: str) -> bool:
    for _ in range(200):
        if (await h.handle(cid).describe()).status == WorkflowExecutionStatus.COMPLETED:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_notice_after_a_plan_opens_its_case_and_the_act_is_judged_by_its_day(
        ts_env: WorkflowEnvironment, sqlite_engine: Engine) -> None:
    async with harness(ts_env, sqlite_engine) as h:
        R = (await h.sync_clock()).astimezone(JST).date()
        cid, _ = _register(h, R, 3)
        plan = h.event(cid, "ip_action.planned", R, {
            "action": "provide", "planned_date": (R + 120 * D).isoformat(),
            "counterparty": {"name": "Ｙ株式会社", "country": "JP"}})
        assert plan["effects"] == []  # no condition yet
        await settled(h, cid)
        await h.go_to(cid, R + 10 * D)
        r = h.client.post(f"/v1/contracts/{cid}/notices", headers=h.officer, json={
            "scope": "counterparty", "counterparty_name": "Y Corp.", "reason": "foreign influence reported"})
        assert r.status_code == 201, r.text
        case_id = f"case-{plan['event_id']}"
        assert [(e["kind"], e["id"]) for e in r.json()["effects"]] == [("consultation_opened", case_id)]
        await h.delivered()
        with Session(h.engine) as s:
            case = s.get(ConsultationCase, case_id)
            assert (case.status, case.submitted_on, case.late) == ("submitted", R + 10 * D, False)
        # Done on R+100 (before the ministry concluded), reported on R+110: a finding by the act's day.
        await h.go_to(cid, R + 110 * D)
        done = h.client.post(f"/v1/contracts/{cid}/events", headers=h.contractor, json={
            "type": "ip_action.completed", "occurred_on": (R + 100 * D).isoformat(),
            "data": {"plan_event_id": plan["event_id"]}})
        assert done.status_code == 202, done.text
        assert [(e["kind"], e.get("code")) for e in done.json()["effects"]] == [
            ("finding_recorded", "act_before_conclusion")]
        # Leave nothing in flight: an activity cut off by the harness's clean-up stops the test server's clock.
        await settled(h, cid)


async def test_a_programme_with_the_measures_off_tracks_only_bayh_dole(ts_env: WorkflowEnvironment,
                                                                       sqlite_engine: Engine) -> None:
    async with harness(ts_env, sqlite_engine, programme={"leakage_measures_required": False}) as h:
        R = (await h.sync_clock()).astimezone(JST).date()
        cid, _ = _register(h, R, 2)
        assert h.deadlines(cid) == []  # no shareholder declaration
        r = h.client.post(f"/v1/contracts/{cid}/events", headers=h.contractor, json={
            "type": "core_item.registered", "occurred_on": R.isoformat(), "data": {"item_ref": "i", "title": "t"}})
        assert r.status_code == 409
        plan = h.event(cid, "ip_action.planned", R, {"action": "transfer", "planned_date": (R + 60 * D).isoformat(),
                                                     "forced_transfer_risk": True, "counterparty": FOREIGN_SUBSIDIARY})
        assert [e["kind"] for e in plan["effects"]] == ["prior_approval_requested", "deadline_set", "deadline_set"]
        await settled(h, cid)
        application, approval = f"approval_application.{plan['event_id']}.1", f"prior_approval.{plan['event_id']}.1"
        await h.go_to(cid, R + 30 * D)
        assert h.deadline(cid, application).state == "due_soon"
        await h.go_to(cid, R + 31 * D, hour=0)
        assert h.deadline(cid, application).state == "overdue"
        await h.go_to(cid, R + 61 * D, hour=0)
        assert h.deadline(cid, approval).state == "overdue"
        detail = h.client.get(f"/v1/contracts/{cid}", headers=h.contractor).json()
        assert detail["obligations"]["bayh_dole"] == "overdue"
        assert {k for k, v in detail["obligations"].items() if v != "ok"} == {"bayh_dole"}
        with Session(h.engine) as s:
            assert s.exec(select(ConsultationCase).where(ConsultationCase.contract_id == cid)).all() == []
        await settled(h, cid)


async def test_a_bayh_dole_approval_is_decided_after_the_obligation_period(ts_env: WorkflowEnvironment,
                                                                           sqlite_engine: Engine) -> None:
    async with harness(ts_env, sqlite_engine) as h:
        R = (await h.sync_clock()).astimezone(JST).date()
        cid, period_end = _register(h, R, 1)
        await h.go_to(cid, add_days(period_end, -40))
        planned = add_days(period_end, 60)
        plan = h.event(cid, "ip_action.planned", add_days(period_end, -40), {
            "action": "transfer", "planned_date": planned.isoformat(), "counterparty": FOREIGN_SUBSIDIARY})
        application, approval = f"approval_application.{plan['event_id']}.1", f"prior_approval.{plan['event_id']}.1"
        assert [(e["kind"], e.get("due_on")) for e in plan["effects"]] == [
            ("prior_approval_requested", planned.isoformat()),
            ("deadline_set", add_days(planned, -30).isoformat()), ("deadline_set", planned.isoformat())]
        await settled(h, cid)

        # The period ends: A, B and C close, the approval and its application stay open, the clock goes on.
        await h.go_to(cid, add_days(period_end, 1))
        with Session(h.engine) as s:
            assert s.get(Contract, cid).closed_at is not None
        states = _states(h, cid)
        assert states["shareholder_declaration.1"] == "closed"
        assert (states[application], states[approval]) == ("ok", "ok")
        assert (await h.status(cid)).phase == "rights"
        await h.go_to(cid, add_days(planned, -29), hour=0)
        assert h.deadline(cid, application).state == "overdue"

        # The officer decides after the period: granted; nothing is open any more, so the workflow ends.
        r = h.client.post(f"/v1/contracts/{cid}/approvals/approval-{plan['event_id']}/decide", headers=h.officer,
                          json={"granted": True, "reason": "ok"})
        assert r.status_code == 200, r.text
        assert [e["id"] for e in r.json()["effects"]] == [application, approval]
        await h.delivered()
        assert await _ended(h, cid)
        assert (await h.status(cid)).phase == "closed"
        done = h.client.post(f"/v1/contracts/{cid}/events", headers=h.contractor, json={
            "type": "ip_action.completed", "occurred_on": h.clock().astimezone(JST).date().isoformat(),
            "data": {"plan_event_id": plan["event_id"]}})
        assert done.status_code == 202 and done.json()["effects"] == [], done.text

        # A plan reported later starts the clock again (signal-with-start) and its approval goes overdue on time.
        today = h.clock().astimezone(JST).date()
        later = h.event(cid, "ip_action.planned", today, {
            "action": "provide", "exclusive_license": True, "planned_date": add_days(today, 40).isoformat(),
            "counterparty": {"name": "Licensee GmbH", "country": "DE"}})
        assert [e["kind"] for e in later["effects"]] == ["prior_approval_requested", "deadline_set", "deadline_set"]
        await h.delivered()
        assert (await h.status(cid)).phase == "rights"
        await h.go_to(cid, add_days(today, 41), hour=0)
        assert h.deadline(cid, f"prior_approval.{later['event_id']}.1").state == "overdue"
        cancelled = h.event(cid, "ip_action.cancelled", add_days(today, 41), {"plan_event_id": later["event_id"]})
        assert [e["kind"] for e in cancelled["effects"]] == ["deadline_closed", "deadline_closed"]
        await h.delivered()
        assert await _ended(h, cid)


async def test_an_incident_reaches_the_ministry_at_once_and_opens_its_follow_up(ts_env: WorkflowEnvironment,
                                                                                 sqlite_engine: Engine) -> None:
    with WebhookReceiver() as hook:
        async with harness(ts_env, sqlite_engine) as h:
            R = (await h.sync_clock()).astimezone(JST).date()
            cid, _ = _register(h, R, 2)
            r = h.client.post("/v1/subscriptions", headers=h.officer, json={
                "programme_id": h.programme_id, "audience": "ministry_officer", "channel": "webhook",
                "address": hook.url, "lang": "ja"})
            assert r.status_code == 201, r.text
            hook.secret = r.json()["secret"]
            await h.go_to(cid, R + 3 * D, hour=15)  # after 09:00: nothing waits for the next morning
            reported = h.event(cid, "incident.reported", R + 3 * D, {"severity": "incident",
                                                                   "summary": "設計データを含むPCを紛失"})
            follow_up = f"incident_follow_up.{reported['event_id']}.1"
            assert reported["effects"] == [{"kind": "deadline_set", "id": follow_up,
                                            "due_on": (R + 33 * D).isoformat()}]
            await settled(h, cid)
            for _ in range(400):
                if hook.messages:
                    break
                await asyncio.sleep(0.05)
            [message] = list(hook.messages.values())
            assert (message["kind"], message["incident"]["summary"]) == ("incident", "設計データを含むPCを紛失")
            assert message["deadline"]["id"] == follow_up
            done = h.event(cid, "incident.followed_up", R + 3 * D,
                           {"incident_event_id": reported["event_id"], "summary": "持出し規程を改定"})
            assert done["effects"] == [{"kind": "deadline_met", "id": follow_up, "due_on": (R + 33 * D).isoformat()}]
            await settled(h, cid)


async def test_corrected_terms_move_the_close_of_a_running_contract(ts_env: WorkflowEnvironment,
                                                                     sqlite_engine: Engine) -> None:
    """What migration 0005 does for a contract stored a day short: its workflow hears the new last day."""
    async with harness(ts_env, sqlite_engine) as h:
        R = (await h.sync_clock()).astimezone(JST).date()
        cid, period_end = _register(h, R, 1)
        await h.delivered()
        # The write lock from the first read, as the migration's own transaction holds it: a deferred
        # transaction that reads and then writes is refused at once if a worker wrote in between.
        with session_scope(h.engine) as s:
            contract = s.get(Contract, cid)
            terms = obligations.terms_of(contract).model_copy(update={"obligation_period_end": add_days(period_end, 1)})
            contract.obligation_period_end = terms.obligation_period_end
            s.add(contract)
            outbox.enqueue(s, kind="contract.terms", workflow_id=contract.workflow_id,
                           payload=terms.model_dump(mode="json"))
        h.client.app.state.ctx.relay_poke()  # as a restarted API process does with what a migration left
        await h.delivered()
        for _ in range(200):
            if (await h.status(cid)).closes_at == deadline_instant(add_days(period_end, 1)):
                break
            await asyncio.sleep(0.05)
        assert (await h.status(cid)).closes_at == deadline_instant(add_days(period_end, 1))
        result = await h.finish(cid)
        assert result.obligation_period_end == add_days(period_end, 1)
