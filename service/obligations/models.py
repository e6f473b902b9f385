"""The database copies of each contract's obligation state and of its deadlines (for lists and dashboards)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class ObligationRecord(SQLModel, table=True):
    """The whole ObligationState of one contract, as JSON; `version` grows with every change."""

    __tablename__ = "obligation_state"

    contract_id: str = Field(foreign_key="contract.id", primary_key=True, max_length=64)
    version: int = 0
    state: dict[str, Any] = Field(sa_type=sa.JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeadlineRow(SQLModel, table=True):
    __tablename__ = "deadline"
    # Deadlines across contracts, soonest first (issue 11): one index per scope, the scope's column (copied
    # from the contract, which keeps its ministry and contractor) then the order; the state is filtered on the
    # way, as most deadlines are open ones.
    __table_args__ = (
        sa.Index("ix_deadline_ministry_due", "ministry", "due_on", "id", "contract_id"),
        sa.Index("ix_deadline_contractor_due", "contractor_org", "due_on", "id", "contract_id"),
        sa.Index("ix_deadline_due", "due_on", "id", "contract_id"),
    )

    contract_id: str = Field(foreign_key="contract.id", primary_key=True, max_length=64)
    id: str = Field(primary_key=True, max_length=200)
    ministry: str = Field(max_length=64)
    contractor_org: str = Field(max_length=64)
    kind: str = Field(max_length=50)
    obligation: str = Field(max_length=50)
    subject: str = Field(max_length=200)
    due_on: date
    state: str = Field(max_length=20)
    opened_by: str | None = Field(default=None, max_length=100)
    resolved_by: str | None = Field(default=None, max_length=100)
    resolved_on: date | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
