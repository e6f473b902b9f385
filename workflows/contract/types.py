"""What crosses the contract workflow's boundary: plain pydantic models, never table models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class ContractTerms(BaseModel):
    contract_id: str
    programme_id: str
    contractor_org: str
    start_date: date
    end_date: date
    obligation_period_end: date


class ClockSnapshot(BaseModel):
    """The days on which the obligation state changes by the calendar alone, as of state `version`."""

    version: int = 0
    wake_on: list[date] = Field(default_factory=list)
    closed: bool = False
    # Instants at which a message of the reminder ladder is due (09:00 JST on working days).
    wake_at: list[datetime] = Field(default_factory=list)


class EventApplied(BaseModel):
    """Signal: an accepted contractor event changed the state; here is the clock after it."""

    event_id: str
    snapshot: ClockSnapshot


class ContractState(BaseModel):
    """The whole state of a contract's workflow: it is what continue-as-new carries to the next run."""

    terms: ContractTerms
    phase: Literal["active", "closed"] = "active"
    runs: int = 1
    clock: ClockSnapshot = Field(default_factory=ClockSnapshot)
    # The most recent event ids applied, so that a redelivered signal is ignored.
    applied_event_ids: list[str] = Field(default_factory=list)
    wakes: int = 0


class ContractStatus(BaseModel):
    contract_id: str
    phase: Literal["active", "closed"]
    obligation_period_end: date
    closes_at: datetime
    as_of: datetime
    runs: int
    clock_version: int
    next_wake_on: date | None
    applied_events: int
    wakes: int
