"""How deadlines and obligation statuses are shown (API.md: GET /v1/contracts/{id}, /deadlines)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class DeadlinePublic(BaseModel):
    contract_id: str
    id: str
    kind: str
    obligation: str
    subject: str
    due_on: date
    state: str
    opened_by: str | None
    resolved_by: str | None
    resolved_on: date | None
    source: str


class ViolationPublic(BaseModel):
    id: str
    kind: str
    obligation: str
    on: date
    event_id: str | None
    deadline_id: str | None
    detail: str


class FindingPublic(BaseModel):
    id: str
    code: str
    obligation: str
    on: date
    event_id: str | None
    deadline_id: str | None
    detail: str
