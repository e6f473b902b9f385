"""An application's review rounds (source lines 1604-1620: ② the institution submits its due diligence and
mitigation plan to the FA; ③ the FA, with the ministry, checks it and may ask for more mitigation; ④ adding a
researcher repeats ② for that person).

A round is the review of one submission: the application's first (its researchers at submission) or one
researcher added later. Its states:

    submitted ──request-mitigation──▶ mitigation_requested ──respond──▶ submitted ──accept──▶ accepted

While `submitted` the FA's review clock runs (policy `research_review_days`, 30 by default, from the submission or
from the institution's last answer: the target the FA sets itself, not law); while `mitigation_requested` the
institution's respond-by day runs instead. Each clock has the contracts' reminder ladder (rules/reminders.py),
with the step's owner reminded first and the next party up told once it is late.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from service.rules import reminders
from service.rules.dates import add_days
from service.rules.invalid import InvalidValue
from service.rules.policy import Policy

RoundState = Literal["submitted", "mitigation_requested", "accepted"]
Action = Literal["request_mitigation", "respond", "accept"]
Audience = Literal["institution_officer", "fa_officer", "ministry_officer"]

# Which state each action needs, and which it leads to.
TRANSITIONS: dict[Action, tuple[RoundState, RoundState]] = {
    "request_mitigation": ("submitted", "mitigation_requested"),
    "respond": ("mitigation_requested", "submitted"),
    "accept": ("submitted", "accepted"),
}
# Whose action each is: the FA (or the ministry, 「資金配分機関は、所管府省とともに」) asks; only the FA accepts.
ACTORS: dict[Action, tuple[str, ...]] = {
    "request_mitigation": ("fa_officer", "ministry_officer", "admin"),
    "respond": ("institution_officer", "admin"),
    "accept": ("fa_officer", "admin"),
}


def next_state(state: str, action: Action) -> RoundState:
    needs, leads = TRANSITIONS[action]
    if state != needs:
        raise InvalidValue("'{action}' is not possible while the review is {state}.", action=action, state=state)
    return leads


def review_due(since: date, policy: Policy) -> date:
    """The last day of the FA's review target, counted from the submission or the institution's last answer."""
    return add_days(since, policy.research_review_days)


def check_respond_by(respond_by: date, today: date) -> None:
    if respond_by <= today:
        raise InvalidValue("{field} must be after today ({today}).", field="respond_by", today=today)


class Clock(BaseModel):
    """The running clock of a round: whose step, the day it started (the submission, the request, the answer)
    and its last day."""

    model_config = ConfigDict(frozen=True)

    owner: Literal["institution", "fa"]
    due_on: date
    since: date | None = None


def clock(state: str, *, review_due_on: date | None, respond_by: date | None,
          since: date | None = None) -> Clock | None:
    if state == "submitted" and review_due_on is not None:
        return Clock(owner="fa", due_on=review_due_on, since=since)
    if state == "mitigation_requested" and respond_by is not None:
        return Clock(owner="institution", due_on=respond_by, since=since)
    return None


class Rung(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    kind: str
    audience: Audience
    send_on: date
    due_on: date
    owner: Literal["institution", "fa"]


def ladder(c: Clock, policy: Policy) -> list[Rung]:
    """The contracts' ladder on this clock (without the reminders that fall on or before its start): reminders and
    the due-day notice to the step's owner, the first
    escalation to the owner again (as a contract's goes to its compliance lead), the later ones to the party
    above (the institution's late answer to the FA; the FA's late review to the ministry)."""
    owner: Audience = "institution_officer" if c.owner == "institution" else "fa_officer"
    above: Audience = "fa_officer" if c.owner == "institution" else "ministry_officer"
    out = []
    for r in reminders.ladder(c.due_on, policy, owner="contractor"):
        # A reminder due on or before the day the clock started says nothing the step's owner was not just told
        # (a 30-day review clock would otherwise send "30 days left" the moment it starts).
        if r.kind == "notice" or (r.kind == "reminder" and c.since is not None and r.send_on <= c.since):
            continue
        audience = above if r.audience == "ministry_officer" else owner
        out.append(Rung(key=r.key, kind=r.kind, audience=audience, send_on=r.send_on, due_on=c.due_on, owner=c.owner))
    return out


def rungs_due(rungs: list[Rung], *, today: date, sent: set[str]) -> list[Rung]:
    """The rungs to send on `today` that were not sent: of the reminders and the due-day notice only the latest
    reached, and only if it was not sent (a clock set late gives one message, not a flurry; an earlier reminder is
    never sent after a later one), and each escalation reached."""
    reached = [r for r in rungs if r.send_on <= today]
    before = [r for r in reached if r.kind in ("reminder", "due")]
    latest = [before[-1]] if before and before[-1].key not in sent else []
    return latest + [r for r in reached if r.kind == "escalation" and r.key not in sent]


def wake_days(rungs: list[Rung], *, after: date) -> list[date]:
    return sorted({r.send_on for r in rungs if r.send_on > after})
