"""Research security for designated programmes (DOMAIN.md §8 [r2], issue 14): researchers and their
declarations, the screenings of what they declare, applications and their review rounds, the FA's due diligence
on PD/PO, the measures after a breach, the institutions' checklists and leak reviews, and the audit trail of who
read a declaration."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class Researcher(SQLModel, table=True):
    """A researcher of an institution. The personal fields are erased (set to None, `erased_at` set) once the
    retention period of every programme they were submitted to has passed; the ids and decisions stay."""

    id: str = Field(primary_key=True, max_length=40)
    institution: str = Field(foreign_key="organisation.id", max_length=64, index=True)
    name: str | None = Field(default=None, max_length=300)
    name_latin: str | None = Field(default=None, max_length=300)
    nationality: str | None = Field(default=None, max_length=2)
    current_declaration_id: str | None = Field(default=None, max_length=40)
    created_by: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Declaration(SQLModel, table=True):
    """One self-declaration of the 13 items: never edited; a new one supersedes it. Of a researcher, or of a
    person the FA appoints as PD or PO (`appointment_id`)."""

    __table_args__ = (sa.Index("ix_declaration_researcher", "researcher_id", "number"),)

    id: str = Field(primary_key=True, max_length=40)
    researcher_id: str | None = Field(default=None, foreign_key="researcher.id", max_length=40)
    appointment_id: str | None = Field(default=None, max_length=40, index=True)
    number: int = Field(description="1, 2, 3 ... per researcher")
    declared_on: date
    items: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="None once erased")
    recorded_by: str = Field(max_length=300)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    superseded_by: str | None = Field(default=None, max_length=40)
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SubjectScreening(SQLModel, table=True):
    """A subject of a declaration (the researcher, an affiliation, a co-author ...) screened against list
    versions, with the candidates, then the institution's (or FA's) disposition."""

    __tablename__ = "subject_screening"
    __table_args__ = (sa.UniqueConstraint("declaration_id", "subject_key", "basis", name="uq_subject_screening"),
                      sa.Index("ix_subject_screening_state", "state", "declaration_id"))

    id: str = Field(primary_key=True, max_length=40)
    declaration_id: str = Field(foreign_key="declaration.id", max_length=40, index=True)
    subject_key: str = Field(max_length=64, description="hash of role, kind, name and country")
    role: str = Field(max_length=30)
    kind: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=2)
    basis: str = Field(max_length=60, description="declared, or version:<id> for a re-screening")
    list_versions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    threshold: float
    candidates: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    state: str = Field(max_length=20, description="clear, potential_match, true_match or false_positive")
    screened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decision_entry: str | None = Field(default=None, max_length=320)
    decision_reason: str | None = Field(default=None, max_length=5000)
    decided_by: str | None = Field(default=None, max_length=300)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Application(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_application_institution", "institution", "created_at"),
                      sa.Index("ix_application_fa", "funding_agency", "state"),
                      sa.Index("ix_application_ministry", "ministry", "state"))

    id: str = Field(primary_key=True, max_length=40)
    programme_id: str = Field(foreign_key="programme.id", max_length=64)
    institution: str = Field(foreign_key="organisation.id", max_length=64)
    # The programme's scope, copied so that lists need no join.
    ministry: str = Field(max_length=64)
    funding_agency: str = Field(max_length=64)
    title: str = Field(max_length=300)
    state: str = Field(default="draft", max_length=30, description="draft, submitted, mitigation_requested, accepted")
    mitigations: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_by: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_on: date | None = None
    accepted_on: date | None = None


class ApplicationResearcher(SQLModel, table=True):
    __tablename__ = "application_researcher"

    application_id: str = Field(foreign_key="application.id", primary_key=True, max_length=40)
    researcher_id: str = Field(foreign_key="researcher.id", primary_key=True, max_length=40, index=True)
    declaration_id: str = Field(foreign_key="declaration.id", max_length=40,
                                description="the declaration the check used")
    round_id: str | None = Field(default=None, max_length=40, description="the review round that covers them")
    added_on: date
    added_by: str = Field(max_length=300)


class ReviewRound(SQLModel, table=True):
    """The review of one submission: the application's first, or one researcher added later."""

    __tablename__ = "review_round"
    __table_args__ = (sa.Index("ix_review_round_fa", "funding_agency", "state"),)

    id: str = Field(primary_key=True, max_length=40)
    application_id: str = Field(foreign_key="application.id", max_length=40, index=True)
    researcher_id: str | None = Field(default=None, max_length=40, description="set for a researcher added later")
    institution: str = Field(max_length=64)
    ministry: str = Field(max_length=64)
    funding_agency: str = Field(max_length=64)
    state: str = Field(max_length=30, description="submitted, mitigation_requested or accepted")
    submitted_on: date
    review_due_on: date | None = None
    respond_by: date | None = None
    requests: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    accepted_on: date | None = None
    accepted_by: str | None = Field(default=None, max_length=300)
    clock_version: int = 0
    sent_rungs: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class ResearchMessage(SQLModel, table=True):
    """A reminder or escalation of a review round to one person of the directory (issue 14, item 4)."""

    __tablename__ = "research_message"

    id: str = Field(primary_key=True, max_length=40)
    round_id: str = Field(foreign_key="review_round.id", max_length=40, index=True)
    application_id: str = Field(max_length=40)
    rung: str = Field(max_length=60)
    audience: str = Field(max_length=30)
    org: str = Field(max_length=64)
    sub: str = Field(max_length=200)
    address: str = Field(max_length=300)
    lang: str = Field(default="ja", max_length=2)
    due_on: date
    scheduled_for: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=10)
    subject: str = Field(default="", max_length=500)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Appointment(SQLModel, table=True):
    """The FA's due diligence on a PD or PO of a programme before appointing them (source line 1612)."""

    id: str = Field(primary_key=True, max_length=40)
    programme_id: str = Field(foreign_key="programme.id", max_length=64, index=True)
    ministry: str = Field(max_length=64)
    funding_agency: str = Field(max_length=64)
    role: str = Field(max_length=2, description="PD or PO")
    name: str | None = Field(default=None, max_length=300)
    name_latin: str | None = Field(default=None, max_length=300)
    affiliation: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=2)
    declaration_id: str = Field(max_length=40)
    state: str = Field(default="checking", max_length=20, description="checking, appointed or declined")
    decision_note: str | None = Field(default=None, max_length=5000)
    decided_by: str | None = Field(default=None, max_length=300)
    decided_on: date | None = None
    created_by: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ResearchMeasure(SQLModel, table=True):
    """A breach of the procedure found later and the FA's measure: a restriction on applying, its period."""

    __tablename__ = "research_measure"

    id: str = Field(primary_key=True, max_length=40)
    researcher_id: str = Field(foreign_key="researcher.id", max_length=40, index=True)
    application_id: str | None = Field(default=None, foreign_key="application.id", max_length=40)
    institution: str = Field(max_length=64)
    funding_agency: str = Field(max_length=64)
    ministry: str = Field(max_length=64)
    breach: str = Field(max_length=30)
    found_on: date
    description: str = Field(max_length=5000)
    restriction_starts_on: date
    restriction_ends_on: date
    institution_followed_procedure: bool
    recorded_by: str = Field(max_length=300)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InstitutionChecklist(SQLModel, table=True):
    __tablename__ = "institution_checklist"
    __table_args__ = (sa.UniqueConstraint("institution", "year", name="uq_institution_checklist_year"),)

    id: str = Field(primary_key=True, max_length=40)
    institution: str = Field(foreign_key="organisation.id", max_length=64)
    year: int
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    recorded_by: str = Field(max_length=300)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LeakReview(SQLModel, table=True):
    """After a leak: whether the risk-management set-up existed and worked (source lines 1567-1569)."""

    __tablename__ = "leak_review"

    id: str = Field(primary_key=True, max_length=40)
    institution: str = Field(foreign_key="organisation.id", max_length=64, index=True)
    application_id: str | None = Field(default=None, foreign_key="application.id", max_length=40)
    occurred_on: date
    setup_existed: bool
    setup_worked: bool
    followed_procedure: bool
    findings: str = Field(max_length=10000)
    recorded_by: str = Field(max_length=300)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ResearchAuditEntry(SQLModel, table=True):
    """The audit trail of research security, one hash chain per researcher (or per appointment): who recorded,
    screened, submitted, decided, and every read of a declaration by the FA or the ministry."""

    __tablename__ = "research_audit_entry"
    __table_args__ = (sa.UniqueConstraint("chain", "seq", name="uq_research_audit_chain_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(max_length=60, description="researcher:<id> or appointment:<id> or application:<id>")
    seq: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=300)
    action: str = Field(max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class DeclarationDraft(SQLModel, table=True):
    """A declaration being typed on the pages' stepped form (issue 14, item 9): what was typed so far, by the form's
    field names, kept between the steps for the person who started it and nobody else. It is no declaration: one
    is recorded from it at the last step, and the draft goes. `researcher_id` is set for a new declaration of a
    researcher on record (which supersedes theirs), absent for a new researcher."""

    __tablename__ = "declaration_draft"
    __table_args__ = (sa.Index("ix_declaration_draft_owner", "owner_org", "owner_sub"),)

    id: str = Field(primary_key=True, max_length=40)
    owner_org: str = Field(max_length=200)
    owner_sub: str = Field(max_length=200)
    researcher_id: str | None = Field(default=None, foreign_key="researcher.id", max_length=40)
    values: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, description="what was typed, by field")
    reached: int = Field(default=1, description="the furthest step reached with every step before it valid")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
