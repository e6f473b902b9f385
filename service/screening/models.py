"""The screening lists' versions and entries, the parties of contracts that are screened, and their screenings
(DOMAIN.md §12 [r2], issue 13)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class ListVersion(SQLModel, table=True):
    """One import of a list's published file: immutable; a new publication is a new version."""

    __tablename__ = "list_version"
    __table_args__ = (sa.UniqueConstraint("source", "number", name="uq_list_version_source_number"),
                      sa.UniqueConstraint("source", "sha256", name="uq_list_version_source_sha256"))

    id: str = Field(primary_key=True, max_length=40)
    source: str = Field(max_length=10, description="eul or csl")
    number: int = Field(description="1, 2, 3 ... per list, in the order imported")
    published_on: date | None = None
    edition: str | None = Field(default=None, max_length=10)
    filename: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    entry_count: int
    previous_id: str | None = Field(default=None, max_length=40)
    # What changed since the previous version: counts and the keys (service/rules/screening/versions.py).
    diff: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    imported_by: str = Field(max_length=300)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ListEntryRow(SQLModel, table=True):
    __tablename__ = "list_entry"
    __table_args__ = (sa.UniqueConstraint("version_id", "key", name="uq_list_entry_version_key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: str = Field(foreign_key="list_version.id", max_length=40)
    key: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=1000)
    aliases: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    countries: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class ScreenedParty(SQLModel, table=True):
    """A party of a contract that is screened against every list version while it is open: a plan's
    counterparty, a holder of one third or more, a supplier holding core technology."""

    __tablename__ = "screened_party"
    __table_args__ = (sa.UniqueConstraint("contract_id", "role", "subject", name="uq_screened_party_subject"),
                      sa.Index("ix_screened_party_open", "open", "id"))

    id: str = Field(primary_key=True, max_length=40)
    contract_id: str = Field(foreign_key="contract.id", max_length=64, index=True)
    # The contract's scope, copied so that lists need no join (as on deadlines and cases).
    contractor_org: str = Field(max_length=64)
    ministry: str = Field(max_length=64)
    role: str = Field(max_length=20, description="counterparty, holder or supplier")
    subject: str = Field(max_length=300, description="the plan's event id, the holder's identity, the supplier's ref")
    name: str = Field(max_length=300)
    country: str | None = Field(default=None, max_length=2)
    event_id: str = Field(max_length=40, description="the event that reported it (last)")
    open: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Screening(SQLModel, table=True):
    """One party screened against list versions: the candidates with their scores and why, then a person's
    disposition. `basis` says why it was screened: "reported" (when the party was reported, against the
    current versions) or "version:<id>" (re-screened against a new version); one of each per party."""

    __tablename__ = "screening"
    __table_args__ = (sa.UniqueConstraint("party_id", "basis", name="uq_screening_party_basis"),
                      sa.Index("ix_screening_scope_state", "ministry", "state", "screened_at"),
                      sa.Index("ix_screening_contractor_state", "contractor_org", "state", "screened_at"),
                      sa.Index("ix_screening_contract", "contract_id", "screened_at"))

    id: str = Field(primary_key=True, max_length=40)
    party_id: str = Field(foreign_key="screened_party.id", max_length=40)
    contract_id: str = Field(foreign_key="contract.id", max_length=64)
    contractor_org: str = Field(max_length=64)
    ministry: str = Field(max_length=64)
    role: str = Field(max_length=20)
    name: str = Field(max_length=300)
    country: str | None = Field(default=None, max_length=2)
    basis: str = Field(max_length=60)
    list_versions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    threshold: float
    candidates: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    state: str = Field(max_length=20, description="clear, potential_match, true_match or false_positive")
    screened_by: str = Field(max_length=300)
    screened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decision_entry: str | None = Field(default=None, max_length=320, description="source:key of the true match")
    decision_reason: str | None = Field(default=None, max_length=5000)
    decided_by: str | None = Field(default=None, max_length=300)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
