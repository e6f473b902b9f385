"""What crosses between the service and its workflows: plain pydantic models, and the names by which the
service starts and signals workflows. A leaf module: both sides import it, neither's code comes with it,
so the API process never imports workflow code and the workflow sandbox passes this module through.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

CONTRACT_WORKFLOW = "ContractWorkflow"
CONTRACT_EVENT_SIGNAL = "event_applied"
CONTRACT_TERMS_SIGNAL = "terms_changed"
CASE_WORKFLOW = "ConsultationWorkflow"
CASE_UPDATED_SIGNAL = "case_updated"
RESCREEN_WORKFLOW = "RescreenWorkflow"
ROUND_WORKFLOW = "ReviewRoundWorkflow"
ROUND_UPDATED_SIGNAL = "round_updated"
RETENTION_WORKFLOW = "RetentionWorkflow"
RETENTION_CHANGED_SIGNAL = "retention_changed"
RESEARCH_RESCREEN_WORKFLOW = "ResearchRescreenWorkflow"
DRAFT_WORKFLOW = "DeclarationDraftWorkflow"


def contract_workflow_id(contract_id: str) -> str:
    """The contract's workflow id, derived from its id so that a retry can never start a second one."""
    return f"contract-{contract_id}"


def case_workflow_id(case_id: str) -> str:
    return f"consultation-{case_id}"


def round_workflow_id(round_id: str) -> str:
    """One workflow per review round of an application (research security, issue 14)."""
    return f"research-round-{round_id}"


def draft_workflow_id(draft_id: str) -> str:
    """One workflow per draft of the declaration form: it deletes the draft (personal data) when it expires."""
    return f"research-draft-{draft_id}"


def retention_workflow_id(programme_id: str) -> str:
    return f"research-retention-{programme_id}"


def research_rescreen_workflow_id(version_id: str) -> str:
    return f"research-rescreen-{version_id}"


def rescreen_workflow_id(version_id: str) -> str:
    """One re-screening per list version: a redelivered start finds it (or, finished, is refused)."""
    return f"rescreen-{version_id}"


class ClockSnapshot(BaseModel):
    """The days on which a record's state changes by the calendar alone, as of its state `version`."""

    version: int = 0
    wake_on: list[date] = Field(default_factory=list)
    closed: bool = False
    # Instants at which a message of the reminder ladder is due (09:00 JST on working days).
    wake_at: list[datetime] = Field(default_factory=list)


class ContractTerms(BaseModel):
    contract_id: str
    programme_id: str
    contractor_org: str
    start_date: date
    end_date: date
    obligation_period_end: date


class EventApplied(BaseModel):
    """Signal: an accepted contractor event changed the state; here is the clock after it."""

    event_id: str
    snapshot: ClockSnapshot


class ContractState(BaseModel):
    """The whole state of a contract's workflow: it is what continue-as-new carries to the next run."""

    terms: ContractTerms
    # "rights": the obligation period is over and only Bayh-Dole's approvals are kept (DOMAIN.md §3 [r2]).
    phase: Literal["active", "rights", "closed"] = "active"
    runs: int = 1
    clock: ClockSnapshot = Field(default_factory=ClockSnapshot)
    # The most recent event ids applied, so that a redelivered signal is ignored.
    applied_event_ids: list[str] = Field(default_factory=list)
    wakes: int = 0


class ContractStatus(BaseModel):
    contract_id: str
    phase: Literal["active", "rights", "closed"]
    obligation_period_end: date
    closes_at: datetime
    as_of: datetime
    runs: int
    clock_version: int
    next_wake_on: date | None
    applied_events: int
    wakes: int


class CaseState(BaseModel):
    case_id: str
    clock: ClockSnapshot = Field(default_factory=ClockSnapshot)
    wakes: int = 0


class CaseUpdate(BaseModel):
    """Signal: the case changed (a transition); here is its clock after it."""

    case_id: str
    snapshot: ClockSnapshot


class CaseStatus(BaseModel):
    case_id: str
    clock_version: int
    next_wake_on: date | None
    closed: bool
    wakes: int


class RescreenState(BaseModel):
    """The re-screening of every open party against a new list version (issue 13): where it has got to, carried
    by continue-as-new from one run to the next."""

    version_id: str
    batch_size: int = 50
    batches_per_run: int = 50
    after: str | None = Field(None, description="the last party id done; the next batch starts after it")
    screened: int = 0
    potential_matches: int = 0
    batches: int = 0
    # A second pass finds any party whose report was being recorded while the import committed (it read the
    # versions before, and its id fell behind the first pass's cursor); the parties done are skipped in a query.
    passes: int = 0
    done: bool = False


class RoundState(BaseModel):
    """A review round's workflow input: the round and the instants its ladder's messages are due."""

    round_id: str
    clock: ClockSnapshot
    wakes: int = 0


class RoundUpdate(BaseModel):
    round_id: str
    snapshot: ClockSnapshot


class RoundAdvanced(BaseModel):
    """What the round's `research.advance` activity answers: the clock after the messages due were recorded, and
    the messages of the round still to be sent (including ones an earlier crash left pending)."""

    snapshot: ClockSnapshot
    pending: list[str] = Field(default_factory=list)


class RoundStatus(BaseModel):
    round_id: str
    clock_version: int
    next_wake_at: datetime | None
    closed: bool
    wakes: int


class RetentionState(BaseModel):
    """A programme's retention: on `erase_on` the personal data of its researchers is erased. Also the signal
    that a changed end day sends: its `erase_on` replaces the day waited for."""

    programme_id: str
    erase_on: date
    erased: int | None = Field(None, description="how many researchers were erased, once done")


class ResearchRescreenState(BaseModel):
    """The re-screening of every declaration in use against a new list version (issue 14), carried by
    continue-as-new from one run to the next, like RescreenState."""

    version_id: str
    after: str | None = None
    batch_size: int = 50
    batches_per_run: int = 50
    screened: int = 0
    potential_matches: int = 0
    batches: int = 0
    # A second pass finds a declaration that came into use (an application submitted) while the import committed.
    passes: int = 0
    done: bool = False


class DraftState(BaseModel):
    """A declaration draft's life: it is deleted once `expires_at` passes without a change."""

    draft_id: str
    expires_at: datetime
