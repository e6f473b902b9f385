"""Prior-consultation cases (DOMAIN.md §5), opened by a planned IP act that needs one, and their history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class ConsultationCase(SQLModel, table=True):
    __tablename__ = "consultation_case"
    # The inbox's pages, one index per scope and sort (issue 11): the scope's column (an officer's ministry, a
    # contractor's organisation, nothing for an admin), then the sort key and the id, so that a page is one
    # ordered range scan that stops at the page's end; with a status filter, the ministry's by status.
    __table_args__ = (
        sa.Index("ix_case_ministry_age", "ministry", "submitted_on", "id"),
        sa.Index("ix_case_ministry_target", "ministry", "review_target_on", "id"),
        sa.Index("ix_case_ministry_status_age", "ministry", "status", "submitted_on", "id"),
        sa.Index("ix_case_ministry_status_target", "ministry", "status", "review_target_on", "id"),
        sa.Index("ix_case_contractor_age", "contractor_org", "submitted_on", "id"),
        sa.Index("ix_case_contractor_target", "contractor_org", "review_target_on", "id"),
        sa.Index("ix_case_age", "submitted_on", "id"),
        sa.Index("ix_case_target", "review_target_on", "id"),
    )

    id: str = Field(primary_key=True, max_length=60)
    # What people read and quote (「METI-2026-000123」): the ministry, the year of submission, a count per both.
    number: str = Field(max_length=80, unique=True, index=True)
    contract_id: str = Field(foreign_key="contract.id", max_length=64, index=True)
    # Copied from the contract so that the inbox filters and scopes without joins.
    programme_id: str = Field(max_length=64, index=True)
    ministry: str = Field(max_length=64)
    contractor_org: str = Field(max_length=64)
    plan_event_id: str = Field(max_length=40)
    # The plan's counterparty by name, for the inbox's search (the plan itself is JSON).
    counterparty: str | None = Field(default=None, max_length=300)
    status: str = Field(max_length=20, index=True)
    action: str = Field(max_length=30)
    planned_date: date
    consult_by: date
    submitted_on: date
    late: bool
    determination: dict[str, Any] = Field(sa_type=sa.JSON, description="the plan as reported")
    # The determination's reasons as {code, params}, rendered in the reader's language when shown.
    reason_codes: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    conditions_met: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    assigned_to: str | None = Field(default=None, max_length=200)
    review_target_on: date
    paused_since: date | None = None
    paused_days: int = 0
    review_clock: str = Field(default="ok", max_length=20)
    question: str | None = Field(default=None, max_length=5000)
    respond_by: date | None = None
    outcome: str | None = Field(default=None, max_length=20)
    conditions: str | None = Field(default=None, max_length=5000)
    decision_reason: str | None = Field(default=None, max_length=5000)
    closed_on: date | None = None
    version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseNumberCounter(SQLModel, table=True):
    """The last case number given per ministry and year; taken by an upsert in the opening transaction."""
    __tablename__ = "case_number_counter"

    ministry: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    last: int = 0


class CaseHistoryEntry(SQLModel, table=True):
    __tablename__ = "consultation_history"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="consultation_case.id", max_length=60, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=300)
    action: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
