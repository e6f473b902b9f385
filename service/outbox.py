"""The outbox: what must reach Temporal is written in the same transaction as the record that causes it.

A request commits its rows and an outbox row together, so an accepted record is never without the
instruction to tell its workflow. The relay (service/relay.py) delivers each workflow's rows in id order until
Temporal has them; every delivery is idempotent on the Temporal side (workflow ids derived from
record ids), so delivering a row twice is harmless and losing one is impossible.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel

from service.db import UTCDateTime, utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=50)
    workflow_id: str = Field(max_length=100, index=True)
    payload: dict[str, Any] = Field(sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)


# A transaction that writes outbox rows NOTIFYs this channel on PostgreSQL; PostgreSQL sends it on commit
# (never on rollback), once per transaction however many rows, and `tlc relay` LISTENs (service/relay.py).
OUTBOX_CHANNEL = "tlc_outbox"


@sa_event.listens_for(OutboxMessage, "after_insert")
def _notify(_mapper: Any, connection: sa.Connection, _target: OutboxMessage) -> None:
    # On the mapper, not the API's sessions: rows written by a workflow activity wake `tlc relay` as well.
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"NOTIFY {OUTBOX_CHANNEL}")


def enqueue(session: Session, *, kind: str, workflow_id: str, payload: dict[str, Any]) -> OutboxMessage:
    msg = OutboxMessage(kind=kind, workflow_id=workflow_id, payload=payload)
    session.add(msg)
    return msg


_WAKE, _WRITTEN = "tlc.outbox_wake", "tlc.outbox_written"


def wake_after_commit(session: Session, wake: Callable[[], None]) -> None:
    """Call `wake` after each commit of `session` that wrote outbox rows, so the relay delivers them now.
    (The listeners are the Session class's, below: listening on each new session costs every request.)"""
    session.info[_WAKE] = wake


@sa_event.listens_for(OrmSession, "after_flush")
def _noticed(s: OrmSession, _flush_context: Any) -> None:  # `new` still lists what this flush inserted
    if _WAKE in s.info and any(isinstance(o, OutboxMessage) for o in s.new):
        s.info[_WRITTEN] = True


@sa_event.listens_for(OrmSession, "after_commit")
def _committed(s: OrmSession) -> None:
    if s.info.pop(_WRITTEN, False):
        s.info[_WAKE]()


@sa_event.listens_for(OrmSession, "after_soft_rollback")
def _rolled_back(s: OrmSession, _previous: Any) -> None:
    s.info.pop(_WRITTEN, None)
