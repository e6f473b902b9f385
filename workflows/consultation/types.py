"""What crosses the consultation workflow's boundary."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from workflows.contract.types import ClockSnapshot


class CaseState(BaseModel):
    case_id: str
    clock: ClockSnapshot = Field(default_factory=ClockSnapshot)
    wakes: int = 0


class CaseUpdate(BaseModel):
    """Signal: the case changed (a transition); here is its clock after it."""

    case_id: str
    snapshot: ClockSnapshot


class CaseStatus(BaseModel):
    case_id: str
    clock_version: int
    next_wake_on: date | None
    closed: bool
    wakes: int
