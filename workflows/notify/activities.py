"""Messages as activities: which are due (one short transaction), and sending each (retried by Temporal)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.engine import Engine
from temporalio import activity

from service.config import Settings
from service.db import run_in_transaction
from service.notifications import addresses
from service.notifications import service as notes
from service.rules.dates import today_jst
from workflows.attempts import send_and_record

log = logging.getLogger("tlc.notify")


class NotifyActivities:
    def __init__(self, engine: Engine, settings: Settings, resolver: addresses.Resolver = addresses.system_resolver):
        self._engine, self._settings, self._resolver = engine, settings, resolver

    @activity.defn(name="notify.plan")
    async def plan(self, contract_id: str, now: datetime) -> list[str]:
        """Record the messages due at `now` and return those still to be sent."""
        return await asyncio.to_thread(run_in_transaction, self._engine, notes.plan_due, contract_id, now)

    @activity.defn(name="notify.deliver")
    async def deliver(self, message_id: str) -> str:
        """Send one message unless it was already sent; every attempt is counted in the log."""
        loaded = await asyncio.to_thread(run_in_transaction, self._engine, notes.still_due, message_id)
        if loaded is None:
            return "already sent"
        note, contract, state, secret, parties = loaded
        return await send_and_record(
            self._engine, message_id, lambda: notes.send(self._settings, note, contract, state, secret,
                                                         parties=parties, today=today_jst(), resolver=self._resolver),
            notes.mark, log)

    @activity.defn(name="notify.give_up")
    async def give_up(self, message_id: str, error: str) -> None:
        """Retries ran out: the message is marked failed, visibly, in the notification log."""
        await asyncio.to_thread(run_in_transaction, self._engine, notes.give_up, message_id, error)
