"""Bodies and answers of subscriptions, the notification log and calendar feeds (API.md, "Reminders")."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.rules.invalid import FieldName, InvalidValue
from service.rules.text import single_line

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
Audience = Literal["contractor", "compliance_lead", "ministry_officer"]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract_id: str | None = None
    programme_id: str | None = None
    audience: Audience
    channel: Literal["email", "webhook"]
    address: single_line(2000)  # type: ignore[valid-type]
    lang: Literal["ja", "en"] = "ja"

    @model_validator(mode="after")
    def _target(self) -> SubscriptionCreate:
        if (self.contract_id is None) == (self.programme_id is None):
            raise InvalidValue("name exactly one of {a} or {b}.", a=FieldName("contract_id"), b=FieldName("programme_id"))
        if self.programme_id is not None and self.audience != "ministry_officer":
            raise InvalidValue("programme subscriptions are for ministry officers.", field="audience")
        if self.channel == "email" and not EMAIL.match(self.address):
            raise InvalidValue("{field} must be an e-mail address.", field="address")
        if self.channel == "webhook":
            url = urlsplit(self.address)
            if url.scheme not in ("https", "http") or not url.hostname:
                raise InvalidValue("{field} must be an http(s) URL with a host.", field="address")
        return self


class SubscriptionPublic(BaseModel):
    id: str
    contract_id: str | None
    programme_id: str | None
    audience: str
    channel: str
    address: str
    lang: str
    active: bool
    created_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    secret: str | None = Field(description="the webhook's HMAC key; shown once, at creation")


class NotificationPublic(BaseModel):
    id: str
    contract_id: str
    deadline_id: str
    rung: str
    audience: str
    channel: str
    address: str
    lang: str
    scheduled_for: datetime
    status: str = Field(description="pending, sent, failed or cancelled")
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    subject: str


class CalendarFeedCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(default=365, ge=1, le=366, description="how long the URL works; make a new one before then")


class CalendarFeedPublic(BaseModel):
    id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool


class CalendarFeedCreated(CalendarFeedPublic):
    url: str = Field(description="secret URL of an iCalendar feed of your upcoming deadlines; keep it private. "
                                 "It is shown in this answer only (and again to a retry with the same Idempotency-Key)")
