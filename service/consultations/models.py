"""Prior-consultation cases (DOMAIN.md §5), opened by a planned IP act that needs one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class ConsultationCase(SQLModel, table=True):
    __tablename__ = "consultation_case"

    id: str = Field(primary_key=True, max_length=60)
    contract_id: str = Field(foreign_key="contract.id", max_length=64, index=True)
    plan_event_id: str = Field(max_length=40)
    status: str = Field(max_length=20, index=True)
    action: str = Field(max_length=30)
    planned_date: date
    consult_by: date
    submitted_on: date
    late: bool
    determination: dict[str, Any] = Field(sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
