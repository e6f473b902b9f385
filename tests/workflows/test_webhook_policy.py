"""Issue 10 on Temporal's time-skipping server, through the real API, relay, worker and database: a webhook
whose name resolved to a public address when it was subscribed, and to the server's own loopback when the
message went out, is refused at delivery (every attempt, until the message is given up), with nothing
reaching the loopback receiver and only a vague reason in the notification log."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment

from service.notifications.models import Notification
from service.rules.dates import JST
from tests.support.receivers import WebhookReceiver
from tests.support.resolvers import PUBLIC, TableResolver
from tests.workflows.harness import Harness, harness, settled
from tests.workflows.test_contract_walkthrough import _register

D = timedelta(days=1)
POLICY_TEXT = "not delivered (refused by policy)"


def _notes(h: Harness, subscription_id: str) -> list[Notification]:
    with Session(h.engine) as s:
        return list(s.exec(select(Notification).where(Notification.subscription_id == subscription_id)).all())


async def _until(check, timeout: float = 20) -> None:
    for _ in range(int(timeout * 20)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("did not happen")


async def test_a_name_that_turns_private_is_refused_at_delivery(ts_env: WorkflowEnvironment,
                                                               sqlite_engine: Engine) -> None:
    resolver = TableResolver(names={"hooks.meti.example": [PUBLIC]})
    with WebhookReceiver() as hook:
        async with harness(ts_env, sqlite_engine, resolver=resolver, webhook_allow_private=False) as h:
            R = (await h.sync_clock()).astimezone(JST).date()
            cid, _ = _register(h, R, 2)
            r = h.client.post("/v1/subscriptions", headers=h.officer, json={
                "programme_id": h.programme_id, "audience": "ministry_officer", "channel": "webhook",
                "address": f"http://hooks.meti.example:{hook.port}/hooks/tlc", "lang": "ja"})
            assert r.status_code == 201, r.text
            sub_id = r.json()["id"]
            # The name's owner points it at the server's loopback (where a receiver does listen).
            resolver.names["hooks.meti.example"] = ["127.0.0.1"]
            await h.go_to(cid, R + 3 * D, hour=15)
            h.event(cid, "incident.reported", R + 3 * D, {"severity": "incident", "summary": "PCを紛失"})
            await settled(h, cid)
            await _until(lambda: any(n.attempts >= 1 for n in _notes(h, sub_id)))
            [note] = _notes(h, sub_id)
            assert (note.status, note.last_error) == ("pending", POLICY_TEXT)
            # Retried with back-off for a day, judged afresh each time, then shown as failed.
            await h.sleep(D + timedelta(hours=1))
            await h.sync_clock()
            await _until(lambda: _notes(h, sub_id)[0].status == "failed")
            [note] = _notes(h, sub_id)
            assert note.attempts > 3 and note.last_error == POLICY_TEXT
            assert resolver.lookups.count("hooks.meti.example") >= 1 + note.attempts
            r = h.client.get("/v1/notifications", headers=h.officer, params={"contract_id": cid})
            assert r.status_code == 200, r.text
            [shown] = [n for n in r.json() if n["id"] == note.id]
            assert shown["last_error"] == POLICY_TEXT
            assert hook.attempts == [] and hook.hosts == []
