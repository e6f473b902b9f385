"""What crosses the contract workflow's boundary: plain pydantic models, never table models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel


class ContractTerms(BaseModel):
    contract_id: str
    programme_id: str
    contractor_org: str
    start_date: date
    end_date: date
    obligation_period_end: date


class ContractState(BaseModel):
    """The whole state of a contract's workflow: it is what continue-as-new carries to the next run."""

    terms: ContractTerms
    phase: Literal["active", "closed"] = "active"
    runs: int = 1


class ContractStatus(BaseModel):
    contract_id: str
    phase: Literal["active", "closed"]
    obligation_period_end: date
    closes_at: datetime
    as_of: datetime
    runs: int
