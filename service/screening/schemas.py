"""Bodies and answers of the screening API (issue 13): list versions, screenings, dispositions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.rules.countries import CountryCode
from service.rules.invalid import InvalidValue
from service.rules.obligations.effects import Effect
from service.rules.text import multi_line, single_line

ScreeningState = Literal["clear", "potential_match", "true_match", "false_positive"]
Decision = Literal["true_match", "false_positive"]


class ListVersionDiff(BaseModel):
    added: int
    removed: int
    changed: int
    added_keys: list[str] = Field(description="at most 200 of each; the counts are whole")
    removed_keys: list[str]
    changed_keys: list[str]


class ListVersionPublic(BaseModel):
    id: str
    source: Literal["eul", "csl"]
    number: int = Field(description="1, 2, 3 ... per list, in the order imported")
    published_on: date | None
    edition: str | None
    filename: str
    sha256: str
    entry_count: int
    previous_id: str | None
    diff: ListVersionDiff
    imported_by: str
    imported_at: datetime


class ListEntryPublic(BaseModel):
    key: str
    source: str
    kind: str
    name: str
    aliases: list[str]
    countries: list[str]
    details: dict[str, Any]


class ListEntriesPage(BaseModel):
    entries: list[ListEntryPublic]
    next_after: int | None = Field(description="pass as ?after= for the next page; null on the last")


class ListDiffPublic(BaseModel):
    """What a version changed since the one before it, with the entries themselves."""

    version: ListVersionPublic
    previous: ListVersionPublic | None
    added: list[ListEntryPublic]
    removed: list[ListEntryPublic]
    changed: list[ListEntryPublic]


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: single_line(300, min_length=1)  # type: ignore[valid-type]
    country: CountryCode | None = None
    kind: Literal["organization", "person"] = "organization"


class CandidatePublic(BaseModel):
    entry_key: str
    source: str
    score: float
    matched_name: str = Field(description="the list's name or alias that matched")
    party_form: str = Field(description="the form of the screened name that matched (as given, or its reading)")
    feature: str = Field(description="the matcher's deciding feature")
    explanation: str = Field(description="why, in the matcher's words")
    country_match: bool | None
    version_id: str
    entry: dict[str, Any] = Field(description="the list entry as that version gives it")
    decided_before: str | None = Field(None, description="true_match or false_positive: decided for this party "
                                                         "in an earlier screening; potential_match: awaiting its "
                                                         "decision in an earlier one; so not asked again here")


class ScreenResult(BaseModel):
    name: str
    country: str | None
    threshold: float
    list_versions: list[str]
    candidates: list[CandidatePublic]


class ScreeningPublic(BaseModel):
    id: str
    contract_id: str
    party_id: str
    role: Literal["counterparty", "holder", "supplier"]
    name: str
    country: str | None
    basis: str = Field(description="reported:<event id> (screened when reported) or version:<id> (re-screened)")
    list_versions: list[str]
    threshold: float
    candidates: list[CandidatePublic]
    state: ScreeningState = Field(description=(
        "potential_match: a candidate awaits a person's decision; clear: nothing new to decide (no candidate at the "
        "threshold, or each was decided for this party before: see candidates[].decided_before); true_match or "
        "false_positive: decided"))
    screened_by: str
    screened_at: datetime
    decision_entry: str | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None


class ScreeningsPage(BaseModel):
    screenings: list[ScreeningPublic]
    next_after: str | None = Field(description="pass as ?after= for the next page; null on the last")


class DispositionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    entry: single_line(320) | None = Field(  # type: ignore[valid-type]
        None, description="source:entry_key of the candidate that is the party; required for a true match")
    reason: multi_line(5000, min_length=1)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _entry(self) -> DispositionCreate:
        if self.decision == "true_match" and not self.entry:
            raise InvalidValue("a true match names the list entry ({field}).", field="entry")
        if self.decision == "false_positive" and self.entry:
            raise InvalidValue("{field} goes with a true match only.", field="entry")
        return self


class DispositionRecorded(ScreeningPublic):
    effects: list[Effect]
