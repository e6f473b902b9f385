"""Accepted contractor events, append-only, with the effects they had."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class ContractEvent(SQLModel, table=True):
    __tablename__ = "contract_event"

    id: str = Field(primary_key=True, max_length=40)
    contract_id: str = Field(foreign_key="contract.id", max_length=64, index=True)
    type: str = Field(max_length=50)
    occurred_on: date
    reported_on: date
    data: dict[str, Any] = Field(sa_type=sa.JSON)
    effects: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    actor: str = Field(max_length=300)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
