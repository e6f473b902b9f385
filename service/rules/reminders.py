"""The reminder ladder of a deadline (issue: reminders and escalations), as pure functions.

Before the due day the contractor is reminded (policy default 30, 7 and 1 days before) and told on
the due day; after it, the escalations go to the contractor's compliance lead (+1 day) and to the
ministry officer in charge (+7 days). Messages go out at 09:00 JST. A reminder or due-day notice that
would fall on a Saturday, Sunday or Japanese public holiday goes out on the previous working day, so
it is never late (two that land on one day go out as one message, and a due-day notice sent early says
「期日が近づいています」, never 「本日」); an escalation that would fall on one goes out on the next working day, so it is
never early (it must not reach anyone before the deadline has passed). The deadline never moves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, time
from functools import lru_cache
from typing import Literal

import holidays
from pydantic import BaseModel

from service.rules.dates import JST, add_days
from service.rules.obligations.state import Deadline, LadderPlanned
from service.rules.policy import Policy

Audience = Literal["contractor", "compliance_lead", "ministry_officer"]
RungKind = Literal["notice", "reminder", "due", "escalation"]
SEND_TIME = time(9, 0)


@lru_cache(maxsize=64)
def _japan(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def is_day_off(d: date) -> bool:
    """Saturday, Sunday or a Japanese public holiday (the maintained `holidays` calendar)."""
    return d.weekday() >= 5 or d in _japan(d.year)


def working_day_on_or_before(d: date, day_off: Callable[[date], bool] = is_day_off) -> date:
    while day_off(d):
        d = add_days(d, -1)
    return d


def working_day_on_or_after(d: date, day_off: Callable[[date], bool] = is_day_off) -> date:
    while day_off(d):
        d = add_days(d, 1)
    return d


class Rung(BaseModel):
    key: str                  # "reminder-30", "due", "escalation-1", ...
    kind: RungKind
    offset_days: int          # days before (reminders) or after (escalations) the due day
    audience: Audience
    send_on: date
    send_at: datetime         # 09:00 JST on send_on, as an aware instant


def ladder(due_on: date, policy: Policy, day_off: Callable[[date], bool] = is_day_off, *,
           owner: Literal["contractor", "ministry"] = "contractor", notice_on: date | None = None) -> list[Rung]:
    """Every message of a deadline due on `due_on`, in sending order. A deadline that is the ministry's own step
    (a Bayh-Dole decision) reminds and escalates to the ministry's officers only: each message goes to the party
    whose step it is (DOMAIN.md §11 [r2])."""
    before: Audience = "contractor" if owner == "contractor" else "ministry_officer"
    rungs = []
    if notice_on is not None:
        # What opened the deadline is told to the ministry's officers at once, whatever day it is.
        rungs.append(Rung(key="notice", kind="notice", offset_days=(due_on - notice_on).days,
                          audience="ministry_officer", send_on=notice_on, send_at=_at(notice_on)))
    for n in sorted(set(policy.reminder_days_before) - {0}, reverse=True):
        day = working_day_on_or_before(add_days(due_on, -n), day_off)
        rungs.append(Rung(key=f"reminder-{n}", kind="reminder", offset_days=n, audience=before,
                          send_on=day, send_at=_at(day)))
    day = working_day_on_or_before(due_on, day_off)
    rungs.append(Rung(key="due", kind="due", offset_days=0, audience=before, send_on=day, send_at=_at(day)))
    # Two rungs moved onto one working day (the day before a due day that is a day off, say) are one message:
    # the later one, which counts the days from the day it goes out and so says both.
    rungs = [r for i, r in enumerate(rungs)
             if r.kind == "notice" or all(later.send_on != r.send_on for later in rungs[i + 1:] if later.kind != "notice")]
    for i, n in enumerate(sorted(policy.escalation_days_after)):
        day = working_day_on_or_after(add_days(due_on, n), day_off)
        rungs.append(Rung(key=f"escalation-{n}", kind="escalation", offset_days=n,
                          audience="compliance_lead" if i == 0 and owner == "contractor" else "ministry_officer",
                          send_on=day, send_at=_at(day)))
    return rungs


def ladder_of(deadline: Deadline, policy: Policy) -> list[Rung]:
    """The ladder of one deadline: its due day, whose step it is, and what opened it that the ministry is told."""
    return ladder(deadline.due_on, policy, owner=deadline.owner, notice_on=deadline.notice_on)


def _at(day: date) -> datetime:
    return datetime.combine(day, SEND_TIME, tzinfo=JST)


def due_now(rungs: list[Rung], *, now: datetime, set_on: date | None, planned: datetime | None = None) -> list[Rung]:
    """The rungs to send at `now` (the caller skips those already sent). Each escalation once; of the
    reminders and the due-day notice only the latest reached, so that a deadline set late, or a clock
    that was stopped for a while, gives one message at once rather than a flurry of stale ones. Rungs
    reached by `planned` (the ladder's planned_through) were planned then, to whoever was subscribed: they
    are never planned again, not even to a subscriber who came later."""
    reached = [r for r in rungs if r.send_at <= now and (planned is None or r.send_at > planned)]
    notices = [r for r in reached if r.kind == "notice"]
    before = [r for r in reached if r.kind in ("reminder", "due")]
    escalations = [r for r in reached if r.kind == "escalation"]
    out = [before[-1]] if before else []
    if out and escalations and set_on is not None and out[0].send_on < set_on:
        out = []  # set when it was already overdue: the escalations speak for it
    return notices + out + escalations


def planned_through(deadline: Deadline) -> datetime | None:
    """The instant up to which this deadline's ladder (of its current due day) has been planned, if at all."""
    mark = deadline.ladder_planned
    return mark.through if mark is not None and mark.due_on == deadline.due_on else None


def mark_planned(deadline: Deadline, now: datetime) -> bool:
    """Record that the ladder was planned at `now` (never moving the mark back); True if it changed."""
    through = planned_through(deadline)
    if through is not None and through >= now:
        return False
    deadline.ladder_planned = LadderPlanned(due_on=deadline.due_on, through=now)
    return True


def wake_instants(rungs: list[Rung], *, since: datetime, planned: datetime | None) -> list[datetime]:
    """The instants at which the contract workflow must plan this ladder: every rung from `since` on that is
    not planned yet and, for a deadline set late (or a clock stopped for a while), the latest rung reached
    before `since` if it is not planned yet either (due at once: due_now sends only that one). A rung planned
    already is no reason to wake: without this every event signal woke the workflow for the same past rung."""
    fresh = [r.send_at for r in rungs if planned is None or r.send_at > planned]
    past = [t for t in fresh if t < since]
    return ([max(past)] if past else []) + [t for t in fresh if t >= since]


def next_send_at(rungs: list[Rung], *, now: datetime) -> datetime | None:
    future = [r.send_at for r in rungs if r.send_at > now]
    return min(future) if future else None


def message_id(*parts: str) -> str:
    """A deterministic message id: the same rung to the same recipient is always the same message."""
    return "msg_" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


__all__ = ["Rung", "ladder", "ladder_of", "due_now", "next_send_at", "planned_through", "mark_planned", "wake_instants", "message_id", "is_day_off", "working_day_on_or_before",
           "working_day_on_or_after"]
