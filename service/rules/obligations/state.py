"""The obligation state of one contract: registers, deadlines and violations (DOMAIN.md §4-§7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from service.rules.ip_models import ListedEntry
from service.rules.names import party_key

DeadlineState = Literal["ok", "due_soon", "overdue", "met", "violated", "closed"]
OPEN_STATES: frozenset[str] = frozenset({"ok", "due_soon", "overdue"})

# The obligation each deadline belongs to, as DOMAIN.md names them.
Obligation = Literal["access_control", "employees", "suppliers", "ip_consultation", "shareholders",
                     "bayh_dole", "incidents", "releases"]
DeadlineKind = Literal[
    "shareholder_declaration",  # C: initial declaration, 14 days after registration
    "access_review",            # A1: every 6 months from the item's registration
    "departure",                # A2: access revoked and confidentiality pledge by the departure date
    "supplier_review",          # A3: every 12 months from engagement (or from receiving core technology)
    "supplier_follow_up",       # A3: a review's findings followed up (policy 30 days)
    "consultation_conclusion",  # B: the case concluded before the planned act
    "prior_approval",           # D: Bayh-Dole approval granted on or before the planned act
    "approval_application",     # D: the approval applied for a policy lead (30 days) before the act
    "incident_follow_up",       # A: the measures reviewed after an incident (policy 30 days)
    "release_report",           # A (good practice): a release of results reported after it (policy 14 days)
]
OBLIGATION_OF: dict[str, Obligation] = {
    "shareholder_declaration": "shareholders", "access_review": "access_control", "departure": "employees",
    "supplier_review": "suppliers", "supplier_follow_up": "suppliers", "consultation_conclusion": "ip_consultation", "prior_approval": "bayh_dole",
    "approval_application": "bayh_dole", "incident_follow_up": "incidents",
    "release_report": "releases",
}
# Whose step each deadline is: the contractor's, but for the state's decision on a Bayh-Dole approval.
MINISTRY_STEPS: frozenset[str] = frozenset({"prior_approval"})
CORE_TECH_OBLIGATIONS: frozenset[str] = frozenset({"access_control", "employees", "suppliers", "incidents",
                                                   "releases"})
# The ground of each obligation in words a contractor can check (DOMAIN.md §11 [r2]): what people read in
# messages, pages and calendars. Never an internal reference.
GROUND_OF: dict[str, dict[str, str]] = {
    "shareholders": {"ja": "技術流出防止策：株式又は持分の3分の1以上を保有する者の報告",
                     "en": "Technology-leakage measures: reporting holders of one third or more of the shares"},
    "access_control": {"ja": "技術流出防止策：コア重要技術等へのアクセス管理",
                       "en": "Technology-leakage measures: access control to the core technology"},
    "employees": {"ja": "技術流出防止策：コア重要技術等にアクセスする従業員の管理（退職時の誓約）",
                  "en": "Technology-leakage measures: employees with access to the core technology (pledges on leaving)"},
    "suppliers": {"ja": "技術流出防止策：取引先における管理（秘密保持契約と実施状況の確認）",
                  "en": "Technology-leakage measures: suppliers (confidentiality agreement and reviews)"},
    "ip_consultation": {"ja": "技術流出防止策：知的財産の移転等に関する事業所管府省庁への事前相談",
                        "en": "Technology-leakage measures: prior consultation with the ministry on IP acts"},
    "releases": {"ja": "本プログラムの公募：研究成果の公表・提供の前後の資金配分機関への報告",
                 "en": "This programme's call: reports to the funder before and after results are published or provided"},
    "incidents": {"ja": "技術流出防止策：インシデントの報告と対策の見直し",
                  "en": "Technology-leakage measures: incidents reported and the measures reviewed after them"},
    "bayh_dole": {"ja": "委託契約（日本版バイ・ドール制度）：知的財産権の移転等の国の事前承認",
                  "en": "Commissioned R&D contract (Japanese Bayh-Dole): the state's prior approval of transfers etc."},
}


def ground(obligation: str, lang: str) -> str:
    return GROUND_OF[obligation]["en" if lang == "en" else "ja"]


# Where each rule comes from (DOMAIN.md section; source lines of ../shared/seed/000_7adb3b3e8b27f12b.txt),
# for auditors and developers reading the API's `source` field; people read `ground`.
SOURCE_OF: dict[str, str] = {
    "shareholders": "DOMAIN.md §6; source l.1762-1767",
    "access_control": "DOMAIN.md §4 A1; source l.1778-1779",
    "employees": "DOMAIN.md §4 A2; source l.1780-1783",
    "suppliers": "DOMAIN.md §4 A3; source l.1784-1786",
    "ip_consultation": "DOMAIN.md §5; source l.1744-1760",
    "bayh_dole": "DOMAIN.md §7; source l.1675-1711",
    "incidents": "DOMAIN.md §4 [r2]; source l.1700",
    "releases": "DOMAIN.md §4 [r2]; source l.1700",
}


class LadderPlanned(BaseModel):
    """How far a deadline's reminder ladder has been planned: every rung reached by `through` is a recorded
    message (or was passed over on purpose, see reminders.due_now), for the ladder of the due day `due_on`."""

    due_on: date
    through: datetime


class Deadline(BaseModel):
    id: str
    kind: DeadlineKind
    subject: str = Field(description="what it is about: an item, employee, supplier or plan reference")
    due_on: date
    state: DeadlineState = "ok"
    opened_by: str | None = Field(None, description="the event that set it")
    resolved_by: str | None = Field(None, description="the event that met or violated it")
    resolved_on: date | None = None
    set_on: date | None = Field(None, description="the day it was set or last moved (for the reminder ladder)")
    # The last day its obligation binds (DOMAIN.md §3 [r2]); None: no end (Bayh-Dole), or a state saved
    # before it was kept, whose deadlines the end of the obligation period closes.
    ends_after: date | None = None
    # Set by the contract workflow's reminder step, so that a rung already planned is never a reason to wake
    # the workflow again (issue 11). A moved deadline has a new ladder: a mark for another due day counts nil.
    ladder_planned: LadderPlanned | None = None

    @property
    def obligation(self) -> Obligation:
        return OBLIGATION_OF[self.kind]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def owner(self) -> Literal["contractor", "ministry"]:
        return "ministry" if self.kind in MINISTRY_STEPS else "contractor"

    @property
    def notice_on(self) -> date | None:
        """The day the ministry is told of what opened it, at once (an incident, DOMAIN.md §4 [r2])."""
        return self.set_on if self.kind == "incident_follow_up" else None


class Holder(BaseModel):
    name: str
    country: str
    shares_held: int
    shares_outstanding: int
    at_or_above_third: bool
    changed_on: date


class CoreItem(BaseModel):
    item_ref: str
    title: str
    registered_on: date


class Grant(BaseModel):
    item_ref: str
    employee_ref: str
    granted_on: date
    reason: str
    granted_by_event: str
    revoked_on: date | None = None


class Supplier(BaseModel):
    supplier_ref: str
    name: str
    country: str
    holds_core_tech: bool
    engaged_on: date
    nda_signed_on: date | None
    core_tech_since: date | None = None  # when it started holding core technology (None: at engagement, if it does)
    flow_down_on: date | None = None
    ended_on: date | None = None


class Plan(BaseModel):
    event_id: str
    action: str
    planned_date: date
    consultation_required: bool
    case_id: str | None = None
    case_status: str | None = None
    consult_by: date | None = None
    prior_approval_required: bool = False
    prior_approval_granted: bool = False
    completed_on: date | None = None
    notice_ids: list[str] = Field(default_factory=list)
    conditions_met: list[str] = Field(default_factory=list, description="conditions (1)(2) that held")
    reasons: list[dict] = Field(default_factory=list, description="the determination's reasons (code, params)")
    outcome: str | None = None
    conditions: str | None = None
    # The days an act is judged against (DOMAIN.md §5, §7 [r2]). None in states saved before they were kept:
    # such a plan is taken as filed, and approved, in time.
    filed_on: date | None = None
    concluded_on: date | None = None
    approval_granted_on: date | None = None
    approval_applied_on: date | None = None
    cancelled_on: date | None = None
    # List entries confirmed, in screening, to be the counterparty: condition (1) evidence (DOMAIN.md §12 [r2]).
    listed: list[ListedEntry] = Field(default_factory=list)
    # The plan as reported and since changed (learned risks, a new date): what a new determination reads.
    # None in states saved before it was kept; the events service fills it from the plan's event.
    request: dict | None = None

    @property
    def is_open(self) -> bool:
        return self.completed_on is None and self.cancelled_on is None


class Incident(BaseModel):
    event_id: str
    severity: str
    summary: str
    occurred_on: date
    reported_on: date
    followed_up_on: date | None = None


class Release(BaseModel):
    release_ref: str
    kind: str
    title: str
    planned_date: date
    reported_on: date
    released_on: date | None = None


class Violation(BaseModel):
    id: str
    kind: str
    event_id: str | None
    deadline_id: str | None
    on: date
    detail: str


class Finding(BaseModel):
    """Something the ministry should see that is not a violation (DOMAIN.md §10): shown beside violations,
    never mixed with them."""

    id: str
    code: str
    event_id: str | None
    deadline_id: str | None = None
    on: date
    detail: str


class ObligationState(BaseModel):
    """Everything the rules need to judge the next event or the next day. Versioned: each change +1."""

    version: int = 0
    deadlines: dict[str, Deadline] = Field(default_factory=dict)
    holders: dict[str, Holder] = Field(default_factory=dict)
    items: dict[str, CoreItem] = Field(default_factory=dict)
    grants: list[Grant] = Field(default_factory=list)
    suppliers: dict[str, Supplier] = Field(default_factory=dict)
    plans: dict[str, Plan] = Field(default_factory=dict)
    violations: list[Violation] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    incidents: dict[str, Incident] = Field(default_factory=dict)
    releases: dict[str, Release] = Field(default_factory=dict)
    closed: bool = Field(False, description="the obligation period has ended: only Bayh-Dole (D) stays open")

    @model_validator(mode="after")
    def _bayh_dole_outlives_the_period(self) -> ObligationState:
        # Before DOMAIN.md revision 2 the end of the obligation period closed D's approvals too. One closed
        # that way (by the clock: resolved by nothing) on a plan not yet done is open again, to decide; it was
        # due within the period (later ones were never set), so it is overdue now.
        if self.closed:
            for d in self.deadlines.values():
                plan = self.plans.get(d.subject)
                if (d.kind == "prior_approval" and d.state == "closed" and d.resolved_by is None
                        and plan is not None and plan.is_open):
                    d.state = "overdue"
        return self

    @model_validator(mode="after")
    def _no_contractor_deadline_for_the_ministrys_conclusion(self) -> ObligationState:
        # B is a duty to consult, not an approval (DOMAIN.md §5 [r2]): the conclusion is the ministry's step,
        # on the case's review clock. States saved with the old contractor deadline for it close that deadline.
        for d in self.deadlines.values():
            if d.kind == "consultation_conclusion" and d.is_open:
                d.state = "closed"
        return self

    @model_validator(mode="after")
    def _holders_by_identity(self) -> ObligationState:
        # States saved before holders were keyed by the shared name normaliser (DOMAIN.md §6 [r2]) are
        # re-keyed on reading; two old entries that are one holder keep the one changed last.
        keyed: dict[str, Holder] = {}
        for h in sorted(self.holders.values(), key=lambda h: h.changed_on):
            keyed[party_key(h.name, h.country)] = h
        self.holders = keyed
        return self

    def ever_had_access(self, employee_ref: str) -> bool:
        """Whether the employee has or had access to an item on the register (DOMAIN.md §4 A2 [r2])."""
        return any(g.employee_ref == employee_ref for g in self.grants)

    def active_grants(self, *, employee_ref: str | None = None, item_ref: str | None = None) -> list[Grant]:
        return [g for g in self.grants if g.revoked_on is None
                and (employee_ref is None or g.employee_ref == employee_ref)
                and (item_ref is None or g.item_ref == item_ref)]

    def next_deadline_id(self, kind: str, subject: str) -> str:
        n = sum(1 for d in self.deadlines.values() if d.kind == kind and d.subject == subject) + 1
        return f"{kind}.{subject}.{n}" if subject else f"{kind}.{n}"

    def open_deadline(self, kind: str, subject: str) -> Deadline | None:
        for d in self.deadlines.values():
            if d.kind == kind and d.subject == subject and d.is_open:
                return d
        return None

VIOLATION_OBLIGATION: dict[str, Obligation] = {
    "access_not_revoked_by_departure": "employees",
    "confidentiality_pledge_missing": "employees",
    "supplier_nda_missing": "suppliers",
    "act_without_consultation": "ip_consultation",
    "act_before_conclusion": "ip_consultation",  # only where the programme makes the answer binding (policy)
    # Recorded as violations before DOMAIN.md revision 2 (now findings); kept so that old records still read.
    "act_before_consultation_concluded": "ip_consultation",
    "act_despite_objection": "ip_consultation",
    "transfer_without_prior_approval": "bayh_dole",
}
OBLIGATIONS: tuple[Obligation, ...] = ("shareholders", "access_control", "employees", "suppliers",
                                       "ip_consultation", "bayh_dole", "incidents", "releases")
FINDING_OBLIGATION: dict[str, Obligation] = {
    "noncompete_not_requested": "employees",
    "act_before_conclusion": "ip_consultation",
    "act_despite_objection": "ip_consultation",
    "late_report": "ip_consultation",
    # A party confirmed in screening to be on a list (DOMAIN.md §12 [r2]), by the role it has in the contract.
    "listed_counterparty": "ip_consultation",
    "listed_holder": "shareholders",
    "listed_supplier": "suppliers",
}
