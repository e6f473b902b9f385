"""Contracts: one contractor organisation, one programme, a term, and the obligation period after it."""

from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ConfigDict, model_validator
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.ids import Identifier, Name
from service.rules.dates import within_calendar
from service.rules.period import obligation_period_end

ContractStatus = Literal["active", "closed"]


class ContractBase(SQLModel):
    id: Identifier = Field(primary_key=True, max_length=64)
    programme_id: Identifier = Field(foreign_key="programme.id", max_length=64, index=True)
    contractor_org: Identifier = Field(foreign_key="organisation.id", max_length=64)
    title: Name = Field(max_length=300)
    start_date: date
    end_date: date
    commissioned: bool = Field(default=True, description="results come from commissioned R&D (Bayh-Dole)")


class ContractCreate(ContractBase):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _term(self) -> "ContractCreate":
        within_calendar(self.start_date)
        within_calendar(self.end_date)
        obligation_period_end(self.start_date, self.end_date)  # ValueError (422) when it cannot be computed
        return self


class Contract(ContractBase, table=True):
    # The officers' scope and list order (issue 11): the ministry of the programme, copied at registration (a
    # programme keeps its ministry), so that a ministry's contracts are one range of (ministry, id).
    __table_args__ = (sa.Index("ix_contract_ministry_id", "ministry", "id"),
                      sa.Index("ix_contract_contractor_id", "contractor_org", "id"))

    ministry: str = Field(max_length=64)
    obligation_period_end: date
    workflow_id: str = Field(max_length=100, unique=True)
    # Set by the contract's workflow when the obligation period has ended and everything is closed.
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
    # The programme's switches when the contract was registered (DOMAIN.md §3 [r2]); None for contracts
    # registered before they were kept, which follow the programme's as they are.
    switches: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class ContractPublic(ContractBase):
    obligation_period_end: date
    status: ContractStatus
    switches: dict[str, Any] | None = Field(default=None, description="the programme's switches at registration")
    workflow_id: str
    created_at: datetime
