"""The prior-consultation case (DOMAIN.md §5): its lifecycle and the ministry's review clock.

Lifecycle: submitted -> under_review -> (info_requested <-> under_review)* -> concluded
(no_objection | conditions | objection), or withdrawn by the contractor from any open state.
The review target (policy default 30 days from submission) pauses while information is requested:
each day spent in info_requested moves the target one day later.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from service.rules.dates import add_days

CaseStatus = Literal["submitted", "under_review", "info_requested", "concluded", "withdrawn"]
Outcome = Literal["no_objection", "conditions", "objection"]
CaseAction = Literal["start-review", "request-info", "respond", "conclude", "withdraw", "claim", "reassign"]
OPEN_CASE_STATES: frozenset[str] = frozenset({"submitted", "under_review", "info_requested"})

# action -> (states it may be taken from, the state it leads to (None: unchanged), who may take it)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None, str]] = {
    "start-review": (frozenset({"submitted"}), "under_review", "ministry_officer"),
    "request-info": (frozenset({"under_review"}), "info_requested", "ministry_officer"),
    "respond": (frozenset({"info_requested"}), "under_review", "contractor"),
    "conclude": (frozenset({"under_review"}), "concluded", "ministry_officer"),
    "withdraw": (OPEN_CASE_STATES, "withdrawn", "contractor"),
    "claim": (OPEN_CASE_STATES, None, "ministry_officer"),
    "reassign": (OPEN_CASE_STATES, None, "ministry_officer"),
}

ReviewClock = Literal["ok", "due_soon", "overdue", "paused", "done"]


def allowed_actions(status: str, role: str) -> list[str]:
    """The actions `role` may take on a case in `status` (admins act for either side)."""
    return [a for a, (sources, _, who) in TRANSITIONS.items()
            if status in sources and (role == who or role == "admin")]


def may_attach(status: str, role: str) -> bool:
    """Files go with the contractor's answer to the ministry's question: attached while the question is open,
    by the contractor (or an admin acting for it), as `respond` is."""
    return "respond" in allowed_actions(status, role)


def next_status(status: str, action: str) -> str | None:
    """The status after `action`, or None when `action` is not allowed from `status`."""
    sources, target, _ = TRANSITIONS[action]
    if status not in sources:
        return None
    return target or status


def review_target(submitted_on: date, target_days: int, paused_days: int) -> date:
    return add_days(submitted_on, target_days + paused_days)


def paused_days_between(paused_since: date, resumed_on: date) -> int:
    """Days the clock stood still: asked on day A and answered on day B pauses B - A days."""
    return max(0, (resumed_on - paused_since).days)


def review_clock(status: str, target_on: date, today: date, due_soon_days: int) -> ReviewClock:
    if status not in OPEN_CASE_STATES:
        return "done"
    if status == "info_requested":
        return "paused"
    if today > target_on:
        return "overdue"
    if today >= add_days(target_on, -due_soon_days):
        return "due_soon"
    return "ok"


def review_clock_changes_on(status: str, target_on: date, today: date, due_soon_days: int) -> date | None:
    """The next day after `today` on which review_clock changes by the calendar alone."""
    state = review_clock(status, target_on, today, due_soon_days)
    if state == "ok":
        return add_days(target_on, -due_soon_days)
    if state == "due_soon":
        return add_days(target_on, 1)
    return None


def respond_clock(respond_by: date | None, today: date) -> Literal["ok", "overdue"] | None:
    if respond_by is None:
        return None
    return "overdue" if today > respond_by else "ok"


def case_number(ministry: str, year: int, count: int) -> str:
    """The number people quote for a case: 「METI-2026-000123」 (the ministry's id in capitals, the year of
    submission, the count within both, six digits and more once a ministry passes a million in a year)."""
    return f"{ministry.upper()}-{year:04d}-{count:06d}"
