"""The body and answer of POST /v1/contracts/{id}/events (API.md, "Contractor events")."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.rules.dates import CalendarDay
from service.rules.obligations.effects import Effect
from service.rules.obligations.events import EventType


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: EventType
    occurred_on: CalendarDay = Field(description="the Japan date on which it happened (not after today)")
    data: dict[str, Any] = Field(description="the fields of this event type (see API.md)")


class EventAccepted(BaseModel):
    event_id: str
    effects: list[Effect]


class EventBatch(BaseModel):
    """Events of one contract, applied in this order in one transaction: all of them, or none."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventCreate] = Field(min_length=1, max_length=500)


class EventBatchAccepted(BaseModel):
    results: list[EventAccepted] = Field(description="one per event, in the order given")


class EventPublic(BaseModel):
    id: str
    type: str
    occurred_on: date
    reported_on: date
    data: dict[str, Any]
    effects: list[Effect]
    actor: str
