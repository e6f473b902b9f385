"""Bodies and answers of the consultation inbox API (API.md, "Consultation inbox")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.attachments.schemas import AttachmentPublic
from service.rules.consultation import Outcome
from service.rules.dates import CalendarDay
from service.rules.invalid import InvalidValue
from service.rules.text import multi_line, single_line


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestInfo(_Body):
    question: multi_line(5000, min_length=1)  # type: ignore[valid-type]
    respond_by: CalendarDay


class Respond(_Body):
    answer: multi_line(5000, min_length=1)  # type: ignore[valid-type]


class Conclude(_Body):
    outcome: Outcome
    conditions: multi_line(5000) | None = None  # type: ignore[valid-type]
    reason: multi_line(5000) = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _conditions(self) -> Conclude:
        if self.outcome == "conditions" and not self.conditions:
            raise InvalidValue("an outcome of 'conditions' needs the {field}.", field="conditions")
        if self.outcome != "conditions" and self.conditions:
            raise InvalidValue("{field} go with the outcome 'conditions' only.", field="conditions")
        return self


class Withdraw(_Body):
    reason: multi_line(5000) = ""  # type: ignore[valid-type]


class Reassign(_Body):
    to: single_line(200) = Field(description="the officer (token `sub`) who takes the case")  # type: ignore[valid-type]


class Empty(_Body):
    pass


class HistoryEntryPublic(BaseModel):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


class CasePublic(BaseModel):
    id: str
    number: str = Field(description="the case number people quote: ministry, year of submission, a count",
                        examples=["METI-2026-000123"])
    contract_id: str
    programme_id: str
    contractor_org: str
    plan_event_id: str
    status: str
    action: str
    planned_date: date
    consult_by: date
    submitted_on: date
    late: bool
    plan: dict[str, Any] = Field(description="the plan as the contractor reported it")
    reason_codes: list[str]
    conditions_met: list[str]
    assigned_to: str | None
    review_target_on: date
    review_clock: str = Field(description="ok, due_soon, overdue, paused (info requested) or done")
    paused_days: int
    question: str | None
    respond_by: date | None
    respond_overdue: bool
    outcome: str | None
    conditions: str | None
    decision_reason: str | None
    closed_on: date | None
    age_days: int
    allowed_actions: list[str] = Field(description="what the caller may do now")


class CaseDetail(CasePublic):
    reasons: list[str]
    history: list[HistoryEntryPublic]
    attachments: list[AttachmentPublic] = Field(description="files attached to the contractor's answers, oldest "
                                                            "first (download: …/attachments/{id})")


class CasePage(BaseModel):
    items: list[CasePublic]
    next_after: str | None
