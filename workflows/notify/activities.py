"""Messages as activities: which are due (one short transaction), and sending each (retried by Temporal)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.engine import Engine
from temporalio import activity

from service.config import Settings
from service.db import session_scope
from service.notifications import service as notes
from service.notifications.models import Notification, Subscription
from service.obligations import service as obligations
from service.rules.dates import today_jst


class NotifyActivities:
    def __init__(self, engine: Engine, settings: Settings):
        self._engine, self._settings = engine, settings

    @activity.defn(name="notify.plan")
    async def plan(self, contract_id: str, now: datetime) -> list[str]:
        """Record the messages due at `now` and return those still to be sent."""
        return await asyncio.to_thread(self._plan, contract_id, now)

    def _plan(self, contract_id: str, now: datetime) -> list[str]:
        with session_scope(self._engine) as session:
            contract = obligations.lock_contract(session, contract_id)
            if contract is None:
                raise LookupError(f"contract {contract_id} is not in the database")
            state = obligations.load(session, contract_id)
            return notes.plan(session, contract=contract, state=state,
                              policy=obligations.policy_of(session, contract), now=now)

    @activity.defn(name="notify.deliver")
    async def deliver(self, message_id: str) -> str:
        """Send one message unless it was already sent; every attempt is counted in the log."""
        loaded = await asyncio.to_thread(self._load, message_id)
        if loaded is None:
            return "already sent"
        note, contract, state, secret = loaded
        try:
            subject = await notes.send(self._settings, note, contract, state, secret, today=today_jst())
        except Exception as exc:
            await asyncio.to_thread(self._mark, message_id, None, f"{type(exc).__name__}: {exc}", None)
            raise
        # A crash right here (sent, not yet recorded) makes Temporal retry: the message goes again with
        # the same id, which receivers use to drop the repeat (delivery.py).
        await asyncio.to_thread(self._mark, message_id, "sent", None, subject)
        return "sent"

    def _load(self, message_id: str):  # noqa: ANN202
        with session_scope(self._engine) as session:
            note = session.get(Notification, message_id)
            if note is None:
                raise LookupError(f"no message {message_id}")
            if note.status != "pending":
                return None
            contract = obligations.lock_contract(session, note.contract_id)
            state = obligations.load(session, note.contract_id)
            d = state.deadlines.get(note.deadline_id)
            sub = session.get(Subscription, note.subscription_id)
            if d is None or not d.is_open or d.due_on.isoformat() != note.due_on_text or state.closed \
                    or sub is None or not sub.active:
                # Met, moved or closed since it was planned (or the subscription ended): not sent.
                note.status, note.last_error = "cancelled", "no longer due when its turn came"
                session.add(note)
                return None
            return note, contract, state, sub.secret

    def _mark(self, message_id: str, status: str | None, error: str | None, subject: str | None) -> None:
        with session_scope(self._engine) as session:
            notes.mark(session, message_id, status=status, error=error, subject=subject)

    @activity.defn(name="notify.give_up")
    async def give_up(self, message_id: str, error: str) -> None:
        """Retries ran out: the message is marked failed, visibly, in the notification log."""
        await asyncio.to_thread(self._give_up, message_id, error)

    def _give_up(self, message_id: str, error: str) -> None:
        with session_scope(self._engine) as session:
            note = session.get(Notification, message_id)
            if note is not None and note.status == "pending":
                note.status, note.last_error = "failed", error[:2000]
                session.add(note)
