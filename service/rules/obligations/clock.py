"""Time-driven deadline states: `due_soon` from `due_soon_days` before the due day, `overdue` from the day
after it (a deadline on day D holds until 23:59:59 JST on D, DOMAIN.md §3), and the departure case that
becomes a violation when access is still open once the day has passed (DOMAIN.md §4 A2)."""

from __future__ import annotations

from datetime import date

from service.rules.dates import add_days
from service.rules.obligations.effects import Transition
from service.rules.obligations.state import Deadline, ObligationState, Violation
from service.rules.policy import Policy


def clock_state(deadline: Deadline, today: date, policy: Policy) -> str:
    """The state an open deadline has on `today` from the calendar alone."""
    if today > deadline.due_on:
        return "overdue"
    if today >= add_days(deadline.due_on, -policy.due_soon_days):
        return "due_soon"
    return "ok"


def next_change_on(deadline: Deadline, today: date, policy: Policy) -> date | None:
    """The first day after `today` on which the calendar changes this deadline's state, if any."""
    if not deadline.is_open:
        return None
    ends = add_days(deadline.ends_after, 1) if deadline.ends_after is not None else None
    if deadline.state == "overdue":
        return ends
    soon = add_days(deadline.due_on, -policy.due_soon_days)
    change = soon if today < soon and deadline.state == "ok" else add_days(deadline.due_on, 1)
    return change if ends is None else min(change, ends)


def advance(state: ObligationState, *, today: date, policy: Policy, bump: bool = True) -> list[Transition]:
    """Move every open deadline to its state on `today`; mutates `state`, returns what changed.

    `bump=False` when the caller counts the change itself (an event: one version per event).
    """
    out: list[Transition] = []
    for d in sorted(state.deadlines.values(), key=lambda d: (d.due_on, d.id)):
        if not d.is_open:
            continue
        if d.ends_after is not None and today > d.ends_after:
            # Its obligation has ended (A by its own policy period, DOMAIN.md §3 [r2]): nothing is due any more.
            out.append(Transition(deadline_id=d.id, kind=d.kind, before=d.state, after="closed", on=today))
            d.state, d.resolved_on = "closed", today
            continue
        after = clock_state(d, today, policy)
        violation_id = None
        if after == "overdue" and d.kind == "departure" and state.active_grants(employee_ref=d.subject):
            # Access still open after the departure day: the A2 measure was not taken in time.
            after = "violated"
            violation_id = f"violation.{len(state.violations) + 1}"
            state.violations.append(Violation(
                id=violation_id, kind="access_not_revoked_by_departure", event_id=None, deadline_id=d.id,
                on=today, detail=f"employee {d.subject} still had access after the departure date {d.due_on}"))
        if after != d.state:
            out.append(Transition(deadline_id=d.id, kind=d.kind, before=d.state, after=after, on=today,
                                  violation_id=violation_id))
            d.state = after  # type: ignore[assignment]
            if after == "violated":
                d.resolved_on = today
    if out and bump:
        state.version += 1
    return out


def wake_dates(state: ObligationState, *, today: date, policy: Policy) -> list[date]:
    """The days on which the contract workflow must wake to advance this state (sorted, unique)."""
    days = {n for d in state.deadlines.values() if (n := next_change_on(d, today, policy)) is not None}
    return sorted(days)


def close(state: ObligationState, *, today: date) -> list[Transition]:
    """The obligation period has ended: every open deadline closes but Bayh-Dole's (D lasts as long as the
    rights, DOMAIN.md §3 [r2]), and only what serves D can change any more."""
    out = []
    for d in state.deadlines.values():
        if d.is_open and d.obligation != "bayh_dole":
            out.append(Transition(deadline_id=d.id, kind=d.kind, before=d.state, after="closed", on=today))
            d.state = "closed"
    state.closed = True
    state.version += 1
    return out
