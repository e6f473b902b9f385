"""Request and answer bodies of research security (API.md, "Research security for designated programmes")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.ids import CountryCode, Identifier, Name
from service.rules.dates import CalendarDay
from service.rules.research.declaration import Items, ItemSummary, Window
from service.rules.research.measures import Answer, Breach
from service.rules.research.risk import Flag
from service.rules.text import multi_line, single_line

Measure = multi_line(2000, min_length=1)
Note = multi_line(5000, min_length=1)
Id = single_line(40)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- researchers and declarations ---------------------------------------------------------------------------

class DeclarationCreate(_In):
    declared_on: CalendarDay = Field(description="the day the researcher declared (not after today)")
    items: Items


class ResearcherCreate(DeclarationCreate):
    institution: Identifier = Field(description="the research institution the researcher belongs to")
    name: Name = Field(description="the name as the researcher writes it, e.g. 山田 花子")
    name_latin: Name | None = Field(default=None, description="the name in Latin letters, as on papers")
    nationality: CountryCode | None = None


class SubjectScreeningPublic(BaseModel):
    id: str
    declaration_id: str
    role: str
    kind: str
    name: str | None
    country: str | None
    basis: str
    list_versions: list[str]
    threshold: float
    candidates: list[dict[str, Any]]
    state: str
    screened_at: datetime
    decision_entry: str | None = None
    decision_reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


class DeclarationPublic(BaseModel):
    id: str
    researcher_id: str | None
    number: int
    declared_on: date
    lookback: Window = Field(description="the three years items (3)-(8), (10), (11) are checked for (computed)")
    fresh_through: date = Field(description="the last day it may be used for an application")
    fresh: bool = Field(description="whether it may be used today")
    items: Items | None = Field(description="null once erased after the retention period")
    summary: list[ItemSummary]
    flags: list[Flag]
    superseded_by: str | None
    superseded_at: datetime | None
    recorded_by: str
    recorded_at: datetime
    screenings: list[SubjectScreeningPublic]


class ResearcherPublic(BaseModel):
    id: str
    institution: str
    name: str | None
    name_latin: str | None
    nationality: str | None
    erased_at: datetime | None
    created_at: datetime
    declaration: DeclarationPublic | None = Field(description="the current declaration")
    history: list[str] = Field(description="ids of every declaration, oldest first")
    restricted_until: date | None = Field(default=None, description="last day of a restriction on applying, if one "
                                          "is in force")


class ResearcherSummary(BaseModel):
    id: str
    institution: str
    name: str | None
    declared_on: date | None
    fresh_through: date | None
    flags: int
    pending_screenings: int


class ResearchDisposition(_In):
    decision: Literal["true_match", "false_positive"]
    entry: single_line(320) | None = Field(default=None, description="source:key of the entry a true match is")
    reason: Note


# --- applications -------------------------------------------------------------------------------------------

class Mitigation(_In):
    researcher_id: Id | None = Field(default=None, description="the researcher it concerns; null for all")
    measure: Measure


class ApplicationCreate(_In):
    programme_id: Identifier
    institution: Identifier
    title: Name
    researchers: list[Id] = Field(min_length=1, max_length=200)
    mitigations: list[Mitigation] = Field(default_factory=list, max_length=200)


class MitigationRequestCreate(_In):
    request: Note
    respond_by: CalendarDay
    researcher_id: Id | None = Field(default=None, description="the round of a researcher added later")


class ResponseCreate(_In):
    answer: Note
    mitigations: list[Mitigation] = Field(default_factory=list, max_length=200)
    researcher_id: Id | None = None


class AcceptCreate(_In):
    researcher_id: Id | None = None
    note: Note | None = None


class SubmitCreate(_In):
    pass


class AddResearcherCreate(_In):
    researcher_id: Id
    mitigations: list[Mitigation] = Field(default_factory=list, max_length=50)


class ApplicationResearcherPublic(BaseModel):
    researcher_id: str
    name: str | None
    declaration_id: str
    declared_on: date | None
    round_id: str | None
    added_on: date
    flags: list[Flag]


class RoundPublic(BaseModel):
    id: str
    researcher_id: str | None
    state: str
    submitted_on: date
    review_due_on: date | None
    respond_by: date | None
    requests: list[dict[str, Any]]
    accepted_on: date | None
    accepted_by: str | None


class ApplicationPublic(BaseModel):
    id: str
    programme_id: str
    institution: str
    ministry: str
    funding_agency: str
    title: str
    state: str
    mitigations: list[dict[str, Any]]
    created_by: str
    created_at: datetime
    submitted_on: date | None
    accepted_on: date | None
    researchers: list[ApplicationResearcherPublic]
    rounds: list[RoundPublic]
    next_step: str = Field(description="whose step it is now: institution, fa or none")


# --- the FA's due diligence on PD/PO ------------------------------------------------------------------------

class AppointmentCreate(DeclarationCreate):
    programme_id: Identifier
    role: Literal["PD", "PO"]
    person: Name = Field(description="the person's name")
    name_latin: Name | None = None
    affiliation: Name | None = None
    country: CountryCode | None = None


class AppointmentDecision(_In):
    decision: Literal["appointed", "declined"]
    note: Note | None = None


class AppointmentPublic(BaseModel):
    id: str
    programme_id: str
    role: str
    person: str | None
    name_latin: str | None
    affiliation: str | None
    country: str | None
    state: str
    declaration: DeclarationPublic
    decision_note: str | None
    decided_by: str | None
    decided_on: date | None
    created_at: datetime


# --- consequences, checklists, leak reviews -----------------------------------------------------------------

class MeasureCreate(_In):
    researcher_id: Id
    application_id: Id | None = None
    breach: Breach
    found_on: CalendarDay
    description: Note
    restriction_starts_on: CalendarDay
    restriction_years: int = Field(ge=1, le=10, description="the restriction on applying, in years (the FA's measure "
                                   "under the competitive-funding guideline)")
    institution_followed_procedure: bool = Field(description="the institution did what the procedure asks: it is "
                                                 "not held liable")


class MeasurePublic(BaseModel):
    id: str
    researcher_id: str
    application_id: str | None
    institution: str
    funding_agency: str
    breach: str
    found_on: date
    description: str
    restriction_starts_on: date
    restriction_ends_on: date
    in_force: bool
    institution_followed_procedure: bool
    recorded_by: str
    recorded_at: datetime


class ChecklistAnswer(_In):
    answer: Answer
    note: multi_line(2000) | None = None


class ChecklistCreate(_In):
    institution: Identifier
    year: int = Field(ge=2025, le=2199, description="the fiscal year assessed")
    answers: dict[str, ChecklistAnswer]


class ChecklistPublic(BaseModel):
    id: str
    institution: str
    year: int
    answers: dict[str, Any]
    recorded_by: str
    recorded_at: datetime


class LeakReviewCreate(_In):
    institution: Identifier
    application_id: Id | None = None
    occurred_on: CalendarDay
    setup_existed: bool
    setup_worked: bool
    followed_procedure: bool
    findings: Note


class LeakReviewPublic(BaseModel):
    id: str
    institution: str
    application_id: str | None
    occurred_on: date
    setup_existed: bool
    setup_worked: bool
    followed_procedure: bool
    findings: str
    recorded_by: str
    recorded_at: datetime


class ResearchAuditEntryPublic(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class ResearchAuditTrail(BaseModel):
    chain: str
    verified: bool = Field(description="whether the hash chain holds from its first entry to its last")
    entries: list[ResearchAuditEntryPublic]


class ReviewQueueRow(BaseModel):
    """A review round not accepted yet, with its application: the FA's queue (issue 14, item 9)."""

    application_id: str
    title: str
    programme_id: str
    institution: str
    round: RoundPublic
    researcher_name: str | None = Field(default=None, description="the researcher of a round of one added later")
    owner: Literal["institution", "fa"] = Field(description="whose step it is: the FA reviews, the institution answers")
    due_on: date | None = Field(description="the review's due day, or the institution's respond-by day")
