"""The reminder ladder on Temporal's time-skipping server, through the real API, relay, worker, database, a
real SMTP server and a real webhook receiver: the exact messages, on the exact instants, in the right
language, none early, and none once a deadline is met or the obligation period has ended."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import issue_token
from service.config import Settings
from service.notifications.models import Notification
from service.rules.dates import JST, add_days, add_months, add_years, day_in_words
from service.rules.obligations.state import ground
from service.rules.policy import DEFAULT_POLICY
from service.rules.reminders import ladder
from tests.factories import ContractBody
from tests.support.receivers import SmtpSink, WebhookReceiver
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import free_port
from tests.workflows.harness import Harness, harness, settled

SECOND = timedelta(seconds=1)


async def _arrived(check, timeout: float = 20) -> None:
    for _ in range(int(timeout * 20)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("message did not arrive")


def _subscribe(h: Harness, body: dict, headers: dict) -> dict:
    r = h.client.post("/v1/subscriptions", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _plain_ladder_start(earliest: date) -> date:
    """The first day from `earliest` whose six-month review has a ladder that no day off moves: every rung
    on its own day. The shared time-skipping server's clock is wherever earlier tests left it, so the test
    picks its scenario by this rule instead of by the day it happens to run. (Rungs moved onto one day are
    issue 9's point 16, a product change of its own.)"""
    day = earliest
    while True:
        due = add_months(day, 6)
        rungs = ladder(due, DEFAULT_POLICY)
        sign = {"reminder": -1, "due": 0, "escalation": 1}
        if all(r.send_on == add_days(due, sign[r.kind] * r.offset_days) for r in rungs):
            return day
        day = add_days(day, 1)


async def _move_server_to(h: Harness, day: date) -> date:
    now = await h.sync_clock()
    noon = datetime.combine(day, time(12), tzinfo=JST)
    if noon > now:
        await h.sleep(noon - now)
    return (await h.sync_clock()).astimezone(JST).date()


async def test_every_rung_of_the_ladder_on_its_instant(ts_env: WorkflowEnvironment, sqlite_engine: Engine) -> None:
    with SmtpSink() as smtp, WebhookReceiver(fail_first=2) as hook:
        async with harness(ts_env, sqlite_engine, smtp_host="127.0.0.1", smtp_port=smtp.port) as h:
            server_today = (await h.sync_clock()).astimezone(JST).date()
            R = await _move_server_to(h, _plain_ladder_start(server_today))
            assert R == _plain_ladder_start(server_today)
            cid = f"c-{uuid.uuid4().hex[:8]}"
            r = h.client.post("/v1/contracts", headers=h.admin, json=ContractBody(
                id=cid, programme_id=h.programme_id, start_date=R.isoformat(),
                end_date=(add_years(R, 1) - timedelta(days=1)).isoformat()))
            assert r.status_code == 201, r.text
            officer = {"Authorization": "Bearer " + issue_token(Settings(jwt_secret=TEST_JWT_SECRET), sub="sato",
                                                                role="ministry_officer", org="meti")}
            _subscribe(h, {"contract_id": cid, "audience": "contractor", "channel": "email",
                           "address": "compliance@acme.example", "lang": "ja"}, h.contractor)
            _subscribe(h, {"contract_id": cid, "audience": "compliance_lead", "channel": "email",
                           "address": "lead@acme.example", "lang": "en"}, h.contractor)
            # A lead's webhook that never answers: retried with back-off for a day, then shown as failed.
            dead = _subscribe(h, {"contract_id": cid, "audience": "compliance_lead", "channel": "webhook",
                                  "address": f"http://127.0.0.1:{free_port()}/gone", "lang": "en"}, h.contractor)
            hook.secret = _subscribe(h, {"programme_id": h.programme_id, "audience": "ministry_officer",
                                         "channel": "webhook", "address": hook.url, "lang": "ja"}, officer)["secret"]
            h.event(cid, "shareholding.declared", R, {"shares_outstanding": 3, "holders": []})
            h.event(cid, "core_item.registered", R, {"item_ref": "kept", "title": "kept item"})
            h.event(cid, "core_item.registered", R, {"item_ref": "late", "title": "late item"})
            await settled(h, cid)

            due = add_months(R, 6)
            rungs = ladder(due, DEFAULT_POLICY)
            assert [x.key for x in rungs] == ["reminder-30", "reminder-7", "reminder-1", "due", "escalation-1",
                                              "escalation-7"]
            for rung in rungs:
                before = (len(smtp.messages), len(hook.messages))
                await h.go_to_instant(cid, rung.send_at - SECOND)
                await asyncio.sleep(0.3)
                assert (len(smtp.messages), len(hook.messages)) == before, f"{rung.key} came early"
                await h.go_to_instant(cid, rung.send_at + SECOND)
                if rung.audience == "ministry_officer":
                    await _arrived(lambda b=before: len(hook.messages) == b[1] + 2)  # one per open review
                    news = list(hook.messages.values())[before[1]:]
                    assert {m["deadline"]["id"] for m in news} == {"access_review.kept.1", "access_review.late.1"}
                    assert all(m["kind"] == "escalation_ministry" and m["lang"] == "ja" for m in news)
                    assert all(m["deadline"]["due_on"] == due.isoformat() for m in news)
                else:
                    await _arrived(lambda b=before: len(smtp.messages) == b[0] + 2)
                    news = smtp.messages[before[0]:]
                    expected_to = "lead@acme.example" if rung.audience == "compliance_lead" else "compliance@acme.example"
                    assert {m.to for m in news} == {expected_to}
                    # A Date header (RFC 5322), in Japan time; when it was sent, not the test's clock.
                    assert all(m.date is not None and parsedate_to_datetime(m.date).utcoffset() == timedelta(hours=9)
                               for m in news)
                    if rung.kind == "reminder":
                        # The real distance: a reminder moved off a weekend or holiday says so.
                        days = (due - rung.send_on).days
                        assert days >= rung.offset_days
                        assert all(m.subject.startswith(f"【期限の{days}日前】") for m in news), news[0].subject
                    elif rung.kind == "due":
                        assert all(m.subject.startswith("【本日期日】") for m in news)
                    else:
                        assert all(m.subject.startswith("[Overdue]") for m in news)  # the lead reads English
                    lang = "en" if rung.audience == "compliance_lead" else "ja"
                    assert all(day_in_words(due, lang) in m.text and ground("access_control", lang) in m.text
                               and "DOMAIN.md" not in m.text
                               and f"/inbox/contracts/{cid}" in m.text for m in news)
                with Session(h.engine) as s:
                    planned = s.exec(select(Notification).where(Notification.contract_id == cid,
                                                                Notification.rung == rung.key)).all()
                assert {n.scheduled_for for n in planned} == {rung.send_at}
                # Nothing on a Saturday, Sunday or holiday, and before the due day for reminders.
                assert rung.send_at.astimezone(JST).weekday() < 5

            with Session(h.engine) as s:
                dead_notes = s.exec(select(Notification).where(Notification.subscription_id == dead["id"])).all()
            assert len(dead_notes) == 2 and {n.rung for n in dead_notes} == {"escalation-1"}
            # Only the vague reason, not the OS error or the address (issue 10: no port-scan oracle).
            assert all(n.status == "failed" and n.attempts > 3 and n.last_error == "not delivered (connection refused)"
                       for n in dead_notes), [(n.status, n.attempts, n.last_error) for n in dead_notes]
            # The webhook receiver refused the first two attempts: retried with back-off, taken once each.
            assert [st for _, st in hook.attempts[:2]] == [503, 503] and hook.bad_signatures == 0
            assert len(hook.messages) == 2

            # One review is done: its next cycle's ladder starts, the other one's stays silent from here on.
            h.event(cid, "access_review.completed", h.clock().astimezone(JST).date(), {"item_refs": ["kept"]})
            await settled(h, cid)
            count = len(smtp.messages) + len(hook.messages)
            next_due = add_months(R, 12)
            first = ladder(next_due, DEFAULT_POLICY)[0]
            await h.go_to_instant(cid, first.send_at + SECOND)
            await _arrived(lambda: len(smtp.messages) + len(hook.messages) == count + 1)
            days = (next_due - first.send_on).days
            assert smtp.messages[-1].subject.startswith(f"【期限の{days}日前】") and "kept" in smtp.messages[-1].text

            # After the obligation period nothing is sent, however long the clock runs.
            result = await h.finish(cid)
            assert result.phase == "closed"
            total = len(smtp.messages) + len(hook.messages)
            await h.sleep(timedelta(days=800))
            await asyncio.sleep(0.5)
            assert len(smtp.messages) + len(hook.messages) == total
            with Session(h.engine) as s:
                notes = s.exec(select(Notification).where(Notification.contract_id == cid)).all()
            assert all(n.status in ("sent", "cancelled") or n.subscription_id == dead["id"] for n in notes)
            assert all(n.scheduled_for.astimezone(JST).date() <= add_years(add_years(R, 1) - timedelta(days=1), 3)
                       for n in notes)
