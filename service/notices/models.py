"""Ministry notices (condition (2) of prior consultation, DOMAIN.md §5): plans matching one must be consulted on."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.rules.notices import Notice


class MinistryNotice(SQLModel, table=True):
    """Condition (2): the ministry told the contractor to consult on plans matching this notice."""

    __tablename__ = "ministry_notice"

    id: str = Field(primary_key=True, max_length=40)
    contract_id: str = Field(foreign_key="contract.id", max_length=64, index=True)
    scope: str = Field(max_length=20)
    counterparty_name: str | None = Field(default=None, max_length=300)
    action: str | None = Field(default=None, max_length=30)
    reason: str = Field(max_length=5000)
    issued_by: str = Field(max_length=300)
    issued_on: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def as_rule(self) -> Notice:
        """The notice as the rules read it (rules/notices.py)."""
        return Notice(id=self.id, scope=self.scope, counterparty_name=self.counterparty_name,  # type: ignore[arg-type]
                      action=self.action)
