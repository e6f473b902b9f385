"""Who is told what (subscriptions), every message sent or tried (the notification log), calendar feeds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class Subscription(SQLModel, table=True):
    """A recipient of a contract's messages (contractor, compliance lead) or of a programme's (officer)."""

    id: str = Field(primary_key=True, max_length=40)
    contract_id: str | None = Field(default=None, foreign_key="contract.id", max_length=64, index=True)
    programme_id: str | None = Field(default=None, foreign_key="programme.id", max_length=64, index=True)
    audience: str = Field(max_length=30)
    channel: str = Field(max_length=10)
    address: str = Field(max_length=2000)
    lang: str = Field(default="ja", max_length=2)
    secret: str | None = Field(default=None, max_length=100, description="HMAC key of a webhook")
    created_by: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    active: bool = True


class Notification(SQLModel, table=True):
    """One message to one recipient. Its id is derived from what it is about, so it exists once."""

    # The message log, newest first (issue 11): one index per scope, the scope's column (copied from the
    # contract) then the order, and one per contract for a contract's own log.
    __table_args__ = (
        sa.Index("ix_notification_ministry_time", "ministry", "scheduled_for", "id"),
        sa.Index("ix_notification_contractor_time", "contractor_org", "scheduled_for", "id"),
        sa.Index("ix_notification_contract_time", "contract_id", "scheduled_for", "id"),
        sa.Index("ix_notification_time", "scheduled_for", "id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    contract_id: str = Field(foreign_key="contract.id", max_length=64)
    ministry: str = Field(max_length=64)
    contractor_org: str = Field(max_length=64)
    deadline_id: str = Field(max_length=200)
    due_on_text: str = Field(max_length=10)
    rung: str = Field(max_length=30)
    audience: str = Field(max_length=30)
    subscription_id: str = Field(max_length=40)
    channel: str = Field(max_length=10)
    address: str = Field(max_length=2000)
    lang: str = Field(max_length=2)
    scheduled_for: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    subject: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A secret feed URL of one person's upcoming deadlines; only the token's hash is stored."""

    __tablename__ = "calendar_feed"

    token_hash: str = Field(primary_key=True, max_length=64)
    id: str = Field(max_length=40, unique=True, description="the feed's public name, to list and revoke it by")
    sub: str = Field(max_length=200)
    role: str = Field(max_length=30)
    org: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
