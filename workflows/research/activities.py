"""The research-security workflows' I/O (issue 14): each activity one short transaction of service/research/, and
the sending of a round's messages by e-mail (retried by Temporal, as workflows/notify/ sends the contracts')."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine
from temporalio import activity

from service.config import Settings
from service.db import run_in_transaction
from service.notifications import service as notes
from service.research import declarations, drafts, oversight
from service.research import messages as round_messages
from service.research.models import ResearchMessage
from service.rules.dates import today_jst
from service.workflow_io import RoundAdvanced
from workflows.attempts import beating, send_and_record

log = logging.getLogger("tlc.research")


class ResearchActivities:
    def __init__(self, engine: Engine, settings: Settings):
        self._engine, self._settings = engine, settings

    @activity.defn(name="research.expire_draft")
    async def expire_draft(self, draft_id: str, now: datetime) -> datetime | None:
        """Delete the draft if it expired by `now`; else the instant it expires at now (None once it is gone)."""
        return await asyncio.to_thread(run_in_transaction, self._engine, drafts.expire, draft_id, now)

    @activity.defn(name="research.advance")
    async def advance(self, round_id: str, now: datetime) -> RoundAdvanced:
        """Record the round's messages due at `now` (an instant given by the workflow); answer its clock after it
        and the messages still to be sent."""
        return await asyncio.to_thread(run_in_transaction, self._engine, round_messages.advance, round_id, now)

    @activity.defn(name="research.deliver")
    async def deliver(self, message_id: str) -> str:
        """Send one message unless it was already sent or is no longer due; every attempt is counted."""
        out = await asyncio.to_thread(run_in_transaction, self._engine, round_messages.still_due, message_id,
                                      self._settings, today_jst())
        if out is None:
            return "not sent"
        return await send_and_record(self._engine, message_id, lambda: round_messages.send(self._settings, out),
                                     partial(notes.mark, log_of=ResearchMessage), log)

    @activity.defn(name="research.give_up")
    async def give_up(self, message_id: str, error: str) -> None:
        await asyncio.to_thread(run_in_transaction, self._engine, notes.give_up, message_id, error, ResearchMessage)

    @activity.defn(name="research.erase")
    async def erase(self, programme_id: str, today: date) -> int:
        """The programme's retention has run out on `today` (a Japan date given by the workflow): erase the personal
        data of its researchers (oversight.erase_programme checks the day again, from the database)."""
        return await asyncio.to_thread(run_in_transaction, self._engine, oversight.erase_programme, programme_id,
                                       today)

    @activity.defn(name="research.rescreen_batch")
    async def rescreen_batch(self, version_id: str, after: str | None, limit: int, today: date) -> dict[str, Any]:
        return await beating(self._engine, declarations.rescreen_batch, version_id, after, limit, today)
