"""Bodies and answers of the notices API (API.md, "Notices")."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.rules.invalid import InvalidValue
from service.rules.names import normalise_name
from service.rules.notices import NoticeScope
from service.rules.obligations.effects import Effect
from service.rules.text import multi_line, single_line


class NoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: NoticeScope
    counterparty_name: single_line(300) | None = None  # type: ignore[valid-type]
    action: Literal["transfer", "provide", "joint_rd", "overseas_rd", "overseas_production"] | None = None
    reason: multi_line(5000, min_length=1)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _scope(self) -> NoticeCreate:
        if self.scope == "counterparty" and not self.counterparty_name:
            raise InvalidValue("a counterparty notice names the counterparty ({field}).", field="counterparty_name")
        if self.counterparty_name and not normalise_name(self.counterparty_name):
            raise InvalidValue("{field} is only a legal form (株式会社, Co., Ltd., ...): name the company.",
                               field="counterparty_name")
        if self.scope == "action" and not self.action:
            raise InvalidValue("an action notice names the act ({field}).", field="action")
        if self.scope != "counterparty" and self.counterparty_name:
            raise InvalidValue("{field} goes with scope 'counterparty' only.", field="counterparty_name")
        if self.scope != "action" and self.action:
            raise InvalidValue("{field} goes with scope 'action' only.", field="action")
        return self


class NoticePublic(BaseModel):
    id: str
    contract_id: str
    scope: str
    counterparty_name: str | None
    action: str | None
    reason: str
    issued_by: str
    issued_on: date


class NoticeIssued(NoticePublic):
    effects: list[Effect] = Field(description="a consultation_opened for each open plan the notice reached")
