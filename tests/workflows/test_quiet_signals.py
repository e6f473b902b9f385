"""Issue 11: an event signal after which nothing is due now wakes no activity of the contract workflow (the
state is only recorded), while a signal that sets a deadline late still gets its latest reached rung sent,
once. On Temporal's time-skipping server, through the real API, relay, worker, database and an SMTP sink."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from service.notifications.models import Notification
from service.rules.dates import JST
from service.rules.policy import Policy
from service.rules.reminders import ladder
from tests.support.receivers import SmtpSink
from tests.workflows.harness import Harness, harness, settled
from tests.workflows.test_contract_walkthrough import _register

D = timedelta(days=1)
POLICY = Policy(due_soon_days=7)


async def _scheduled(h: Harness, cid: str) -> int:
    """ActivityTaskScheduled events in the contract's history, once no activity is in flight any more."""
    handle = h.handle(cid)
    last = -1
    for _ in range(200):
        description = await handle.describe()
        history = await handle.fetch_history()
        count = sum(1 for e in history.events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        if not description.raw_description.pending_activities and count == last:
            return count
        last = count
        await asyncio.sleep(0.1)
    raise AssertionError("the workflow's activities did not settle")


def _late_departure_day(today: date) -> date:
    """A departure day whose 7-day reminder is already past today and whose 1-day reminder is still to come:
    set today, the deadline is set late, with exactly one reached rung due at once (picked by the rule, not
    by the day the test happens to run)."""
    day = today + 3 * D
    while True:
        rungs = {r.key: r for r in ladder(day, POLICY)}
        if {"reminder-7", "reminder-1"} <= rungs.keys() and rungs["reminder-7"].send_on < today < rungs["reminder-1"].send_on:
            return day
        day += D


def _messages(h: Harness, cid: str, deadline_id: str) -> list[Notification]:
    with Session(h.engine) as s:
        return list(s.exec(select(Notification).where(Notification.contract_id == cid,
                                                      Notification.deadline_id == deadline_id)).all())


async def test_a_signal_that_brings_nothing_due_schedules_no_activity(ts_env: WorkflowEnvironment,
                                                                      sqlite_engine: Engine) -> None:
    with SmtpSink() as smtp:
        async with harness(ts_env, sqlite_engine, policy={"due_soon_days": 7}, smtp_host="127.0.0.1",
                           smtp_port=smtp.port) as h:
            R = (await h.sync_clock()).astimezone(JST).date()
            # Registered today: the shareholder declaration is due in 14 days, so its 30-day reminder is
            # already past (a deadline set late), which every later signal used to bring again.
            cid, _ = _register(h, R, 5)
            await settled(h, cid)
            await _scheduled(h, cid)
            # Subscribed once that rung is planned (to nobody): no message of it may go out late from here on.
            r = h.client.post("/v1/subscriptions", headers=h.contractor, json={
                "contract_id": cid, "audience": "contractor", "channel": "email",
                "address": "compliance@acme.example", "lang": "en"})
            assert r.status_code == 201, r.text
            before = await _scheduled(h, cid)

            for type_, data in [
                ("core_item.registered", {"item_ref": "item-1", "title": "design"}),
                ("access.granted", {"item_ref": "item-1", "employee_ref": "emp-1"}),
                ("supplier.engaged", {"supplier_ref": "s-1", "name": "S", "country": "VN",
                                      "holds_core_tech": True, "nda_signed_on": R.isoformat()}),
            ]:
                h.event(cid, type_, R, data)
                await settled(h, cid)
                assert await _scheduled(h, cid) == before, f"{type_} made the workflow run an activity"

            # A departure set late: its 7-day reminder is due at once, and goes out once.
            h.event(cid, "employee.departing", R, {"employee_ref": "emp-1",
                                                   "departure_date": _late_departure_day(R).isoformat()})
            await settled(h, cid)
            woken = await _scheduled(h, cid)
            assert woken > before
            departure = "departure.emp-1.1"
            assert [n.rung for n in _messages(h, cid, departure)] == ["reminder-7"]
            for _ in range(200):
                if smtp.messages:
                    break
                await asyncio.sleep(0.05)

            # The rung is planned: later signals do not bring it (or anything else) again.
            h.event(cid, "core_item.registered", R, {"item_ref": "item-2", "title": "process"})
            await settled(h, cid)
            assert await _scheduled(h, cid) == woken
            assert [n.rung for n in _messages(h, cid, departure)] == ["reminder-7"]
            assert [n.status for n in _messages(h, cid, departure)] == ["sent"]
            assert len(smtp.messages) == 1 and smtp.messages[0].to == "compliance@acme.example"
            with Session(h.engine) as s:
                assert [n.deadline_id for n in s.exec(select(Notification).where(Notification.contract_id == cid))] \
                    == [departure]
