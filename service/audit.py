"""The contract's append-only audit trail: who did what, when, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from service.db import UTCDateTime, utcnow
from service.rules.dates import JST


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: str = Field(foreign_key="contract.id", max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=300, description="sub/role/org of a person, or 'system'")
    action: str = Field(max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class AuditEntryPublic(SQLModel):
    id: int
    at_utc: datetime
    at_jst: datetime
    actor: str
    action: str
    detail: dict[str, Any]


def append(session: Session, *, contract_id: str, actor: str, action: str, **detail: Any) -> None:
    session.add(AuditEntry(contract_id=contract_id, actor=actor, action=action, detail=detail))


def effects(session: Session, *, contract_id: str, effects: list[dict[str, Any]], **cause: Any) -> None:
    """One system entry per effect (as JSON), naming what caused it (`event_id=...`, `notice_id=...`)."""
    for e in effects:
        append(session, contract_id=contract_id, actor="system", action=f"effect.{e['kind']}", **cause,
               **{k: v for k, v in e.items() if k != "kind"})


def trail(session: Session, contract_id: str) -> list[AuditEntryPublic]:
    rows = session.exec(select(AuditEntry).where(AuditEntry.contract_id == contract_id)
                        .order_by(AuditEntry.id)).all()
    return [AuditEntryPublic(id=r.id, at_utc=r.at, at_jst=r.at.astimezone(JST), actor=r.actor,
                             action=r.action, detail=r.detail) for r in rows]
