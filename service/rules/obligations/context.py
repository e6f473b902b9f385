"""What the rules know of the contract itself."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from service.rules.notices import Notice


class ContractContext(BaseModel):
    contract_id: str
    start_date: date
    end_date: date
    obligation_period_end: date
    commissioned: bool
    registered_on: date
    # The programme's switch (DOMAIN.md §3 [r2]): off, obligations A, B and C do not apply; D still does.
    leakage_measures_required: bool = True
    # None: not read, as the event's rules do not read them (engine.NOTICE_READERS).
    notices: list[Notice] | None = Field(default_factory=list, description="the ministry's notices (condition 2)")
