"""Deadlines and the calendar: due soon, overdue, the departure violation, wake days, closing (DOMAIN.md §3, §4 A2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.rules.obligations.clock import advance, clock_state, close, next_change_on, wake_dates
from service.rules.obligations.effects import Transition
from service.rules.obligations.state import OPEN_STATES, Deadline, Grant, ObligationState, Violation
from service.rules.obligations.status import obligation_statuses
from service.rules.policy import Policy

POLICY = Policy()  # due_soon_days = 14
DUE = date(2026, 6, 30)


def deadline(due_on: date = DUE, *, kind: str = "access_review", subject: str = "ITEM-1", state: str = "ok",
             id: str | None = None) -> Deadline:
    return Deadline(id=id or f"{kind}.{subject}.1", kind=kind, subject=subject, due_on=due_on,  # type: ignore[arg-type]
                    state=state, opened_by="e1")  # type: ignore[arg-type]


def state_of(*deadlines: Deadline, grants: list[Grant] | None = None) -> ObligationState:
    return ObligationState(version=7, deadlines={d.id: d for d in deadlines}, grants=grants or [])


def grant(employee: str, revoked_on: date | None = None) -> Grant:
    return Grant(item_ref="ITEM-1", employee_ref=employee, granted_on=date(2026, 1, 1), reason="",
                 granted_by_event="e0", revoked_on=revoked_on)


# --------------------------------------------------------------------------------------------
# clock_state and next_change_on


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 1, 1), "ok"),
    (date(2026, 6, 15), "ok"),        # the day before due_soon_days before
    (date(2026, 6, 16), "due_soon"),  # exactly 14 days before
    (date(2026, 6, 29), "due_soon"),
    (date(2026, 6, 30), "due_soon"),  # the due day itself: it holds until 23:59:59 JST
    (date(2026, 7, 1), "overdue"),    # the day after
    (date(2027, 1, 1), "overdue"),
])
def test_clock_state_on_the_exact_days(today: date, expected: str) -> None:
    assert clock_state(deadline(), today, POLICY) == expected


@pytest.mark.parametrize(("days", "ok_until", "soon_from"), [
    (0, date(2026, 6, 29), date(2026, 6, 30)), (1, date(2026, 6, 28), date(2026, 6, 29)),
    (30, date(2026, 5, 30), date(2026, 5, 31)),
])
def test_clock_state_follows_the_policy_s_due_soon_days(days: int, ok_until: date, soon_from: date) -> None:
    policy = Policy(due_soon_days=days)
    assert clock_state(deadline(), ok_until, policy) == "ok"
    assert clock_state(deadline(), soon_from, policy) == "due_soon"
    assert clock_state(deadline(), DUE, policy) == "due_soon"
    assert clock_state(deadline(), DUE + timedelta(days=1), policy) == "overdue"


def test_next_change_of_an_ok_deadline_is_the_first_due_soon_day() -> None:
    assert next_change_on(deadline(state="ok"), date(2026, 1, 1), POLICY) == date(2026, 6, 16)
    assert next_change_on(deadline(state="ok"), date(2026, 6, 15), POLICY) == date(2026, 6, 16)


def test_next_change_of_a_due_soon_deadline_is_the_day_after_the_due_day() -> None:
    assert next_change_on(deadline(state="due_soon"), date(2026, 6, 16), POLICY) == date(2026, 7, 1)
    assert next_change_on(deadline(state="due_soon"), DUE, POLICY) == date(2026, 7, 1)


@pytest.mark.parametrize("state", ["overdue", "met", "violated", "closed"])
def test_overdue_and_resolved_deadlines_change_no_more_by_the_calendar(state: str) -> None:
    assert next_change_on(deadline(state=state), date(2026, 1, 1), POLICY) is None


# --------------------------------------------------------------------------------------------
# advance


def test_advance_moves_each_open_deadline_to_its_state_on_the_day() -> None:
    s = state_of(deadline(date(2026, 6, 30), subject="A"), deadline(date(2026, 7, 10), subject="B"),
                 deadline(date(2026, 6, 20), subject="C", state="due_soon"),
                 deadline(date(2026, 6, 1), subject="D", state="met"))
    out = advance(s, today=date(2026, 6, 21), policy=POLICY)
    assert out == [
        Transition(deadline_id="access_review.C.1", kind="access_review", before="due_soon", after="overdue",
                   on=date(2026, 6, 21)),
        Transition(deadline_id="access_review.A.1", kind="access_review", before="ok", after="due_soon",
                   on=date(2026, 6, 21)),
    ]
    assert {d.id: d.state for d in s.deadlines.values()} == {
        "access_review.A.1": "due_soon", "access_review.B.1": "ok", "access_review.C.1": "overdue",
        "access_review.D.1": "met"}
    assert s.version == 8


def test_advance_without_change_leaves_the_version_alone() -> None:
    s = state_of(deadline())
    assert advance(s, today=date(2026, 6, 15), policy=POLICY) == []
    assert s.version == 7


def test_advance_on_the_due_day_is_not_overdue_and_the_day_after_is() -> None:
    s = state_of(deadline(state="due_soon"))
    assert advance(s, today=DUE, policy=POLICY) == []
    assert [t.after for t in advance(s, today=DUE + timedelta(days=1), policy=POLICY)] == ["overdue"]


def test_a_departure_passed_with_access_still_open_becomes_a_violation() -> None:
    d = deadline(kind="departure", subject="EMP-1", state="due_soon")
    s = state_of(d, grants=[grant("EMP-1"), grant("EMP-2")])
    s.violations.append(Violation(id="violation.1", kind="supplier_nda_missing", event_id="e0", deadline_id=None,
                                  on=date(2026, 1, 1), detail="earlier"))
    out = advance(s, today=date(2026, 7, 1), policy=POLICY)
    assert out == [Transition(deadline_id="departure.EMP-1.1", kind="departure", before="due_soon", after="violated",
                              on=date(2026, 7, 1), violation_id="violation.2")]
    v = s.violations[1]
    assert (v.id, v.kind, v.event_id, v.deadline_id, v.on) == (
        "violation.2", "access_not_revoked_by_departure", None, "departure.EMP-1.1", date(2026, 7, 1))
    assert (d.state, d.resolved_on) == ("violated", date(2026, 7, 1))
    assert obligation_statuses(s)["employees"] == "violated"
    assert advance(s, today=date(2026, 7, 2), policy=POLICY) == []  # recorded once


def test_a_departure_passed_without_access_is_only_overdue() -> None:
    d = deadline(kind="departure", subject="EMP-1", state="due_soon")
    s = state_of(d, grants=[grant("EMP-1", revoked_on=date(2026, 6, 29)), grant("EMP-2")])
    out = advance(s, today=date(2026, 7, 1), policy=POLICY)
    assert out == [Transition(deadline_id="departure.EMP-1.1", kind="departure", before="due_soon", after="overdue",
                              on=date(2026, 7, 1))]
    assert s.violations == []
    assert obligation_statuses(s)["employees"] == "overdue"


def test_a_departure_on_its_due_day_with_access_open_is_not_yet_a_violation() -> None:
    s = state_of(deadline(kind="departure", subject="EMP-1", state="due_soon"), grants=[grant("EMP-1")])
    assert advance(s, today=DUE, policy=POLICY) == []
    assert s.violations == []


def test_after_the_period_only_bayh_dole_keeps_its_clock() -> None:
    """DOMAIN.md §3 [r2]: closing the period closes A, B and C; a Bayh-Dole approval still goes overdue."""
    s = state_of(deadline(state="ok"), deadline(kind="prior_approval", subject="evt-1", state="ok"))
    close(s, today=date(2029, 3, 31))
    assert s.deadlines["access_review.ITEM-1.1"].state == "closed"
    assert s.deadlines["prior_approval.evt-1.1"].state == "ok"
    version = s.version
    moved = advance(s, today=date(2030, 1, 1), policy=POLICY)
    assert [(t.deadline_id, t.after) for t in moved] == [("prior_approval.evt-1.1", "overdue")]
    assert s.deadlines["access_review.ITEM-1.1"].state == "closed" and s.version == version + 1


@pytest.mark.parametrize(("today", "expected"), [
    (date(2027, 3, 30), "due_soon"), (date(2027, 3, 31), "due_soon"), (date(2027, 4, 1), "closed")])
def test_a_deadline_closes_the_day_after_its_obligation_ends(today: date, expected: str) -> None:
    """A with policy core_tech_period "term": its deadlines close the day after the term ends, not at term + 3."""
    d = deadline(date(2027, 4, 10)).model_copy(update={"ends_after": date(2027, 3, 31)})
    s = state_of(d)
    advance(s, today=today, policy=POLICY)
    assert s.deadlines[d.id].state == expected
    assert next_change_on(d.model_copy(update={"state": "due_soon"}), date(2027, 3, 30), POLICY) == date(2027, 4, 1)


# --------------------------------------------------------------------------------------------
# wake_dates


def test_wake_dates_are_sorted_unique_and_after_today() -> None:
    s = state_of(deadline(date(2026, 7, 10), subject="A"),              # wakes 06-26
                 deadline(date(2026, 6, 30), subject="B", state="due_soon"),  # wakes 07-01
                 deadline(date(2026, 6, 30), subject="C", state="due_soon"),  # wakes 07-01 again
                 deadline(date(2026, 6, 10), subject="D", state="overdue"),
                 deadline(date(2026, 6, 25), subject="E", state="met"),
                 deadline(date(2026, 8, 20), subject="F"))              # wakes 08-06
    assert wake_dates(s, today=date(2026, 6, 20), policy=POLICY) == [date(2026, 6, 26), date(2026, 7, 1),
                                                                      date(2026, 8, 6)]


def test_nothing_to_wake_for_when_nothing_is_open() -> None:
    s = state_of(deadline(state="met"), deadline(subject="X", state="overdue"))
    assert wake_dates(s, today=date(2026, 6, 20), policy=POLICY) == []


# --------------------------------------------------------------------------------------------
# close


def test_close_closes_every_open_deadline_and_leaves_resolved_ones_alone() -> None:
    s = state_of(deadline(subject="A", state="ok"), deadline(subject="B", state="due_soon"),
                 deadline(subject="C", state="overdue"), deadline(subject="D", state="met"),
                 deadline(subject="E", state="violated"))
    out = close(s, today=date(2034, 3, 31))
    assert sorted((t.deadline_id, t.before, t.after, t.on) for t in out) == [
        ("access_review.A.1", "ok", "closed", date(2034, 3, 31)),
        ("access_review.B.1", "due_soon", "closed", date(2034, 3, 31)),
        ("access_review.C.1", "overdue", "closed", date(2034, 3, 31))]
    assert {d.id[-3]: d.state for d in s.deadlines.values()} == {
        "A": "closed", "B": "closed", "C": "closed", "D": "met", "E": "violated"}
    assert s.closed is True
    assert s.version == 8
    assert wake_dates(s, today=date(2034, 3, 31), policy=POLICY) == []
    assert set(obligation_statuses(s).values()) == {"closed"}


# --------------------------------------------------------------------------------------------
# Properties

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
KINDS = st.sampled_from(["shareholder_declaration", "access_review", "departure", "supplier_review",
                         "consultation_conclusion", "prior_approval"])
STATES = st.sampled_from(["ok", "due_soon", "overdue", "met", "violated"])


@st.composite
def states(draw: st.DrawFn) -> ObligationState:
    n = draw(st.integers(1, 6))
    deadlines = []
    for i in range(n):
        kind = draw(KINDS)
        subject = draw(st.sampled_from(["EMP-1", "EMP-2", "X"]))
        deadlines.append(Deadline(id=f"d{i}", kind=kind, subject=subject, due_on=draw(DAYS), state=draw(STATES)))
    grants = [grant(e, revoked_on=draw(st.none() | DAYS)) for e in draw(st.lists(st.sampled_from(["EMP-1", "EMP-2"]),
                                                                                   max_size=3))]
    return ObligationState(version=draw(st.integers(0, 100)), deadlines={d.id: d for d in deadlines}, grants=grants)


@settings(max_examples=300, deadline=None)
@given(s=states(), today=DAYS, soon=st.integers(0, 60))
def test_after_advance_every_open_deadline_changes_next_after_today_or_never(
        s: ObligationState, today: date, soon: int) -> None:
    policy = Policy(due_soon_days=soon)
    advance(s, today=today, policy=policy)
    for d in s.deadlines.values():
        if d.is_open:
            assert d.state == clock_state(d, today, policy)
            n = next_change_on(d, today, policy)
            assert n is None or n > today, (d, n)
    wakes = wake_dates(s, today=today, policy=policy)
    assert wakes == sorted(set(wakes))
    assert all(w > today for w in wakes)


@settings(max_examples=300, deadline=None)
@given(due=DAYS, today=DAYS, soon=st.integers(0, 60))
def test_a_single_deadline_after_advance_is_current_and_wakes_after_today(due: date, today: date, soon: int) -> None:
    policy = Policy(due_soon_days=soon)
    s = state_of(deadline(due))
    advance(s, today=today, policy=policy)
    d = s.deadlines["access_review.ITEM-1.1"]
    assert d.state == clock_state(d, today, policy)
    n = next_change_on(d, today, policy)
    assert n is None or n > today


@settings(max_examples=200, deadline=None)
@given(s=states(), today=DAYS, soon=st.integers(0, 30))
def test_between_wake_days_advance_changes_nothing_and_on_a_wake_day_it_does(
        s: ObligationState, today: date, soon: int) -> None:
    policy = Policy(due_soon_days=soon)
    advance(s, today=today, policy=policy)
    wakes = wake_dates(s, today=today, policy=policy)
    if not wakes:
        assert advance(s, today=today + timedelta(days=4000), policy=policy) == []
        return
    first = wakes[0]
    if first - today > timedelta(days=1):
        quiet = s.model_copy(deep=True)
        assert advance(quiet, today=first - timedelta(days=1), policy=policy) == []
    assert advance(s, today=first, policy=policy) != []


@settings(max_examples=200, deadline=None)
@given(s=states(), today=DAYS, soon=st.integers(0, 30))
def test_advance_is_idempotent_on_the_same_day(s: ObligationState, today: date, soon: int) -> None:
    policy = Policy(due_soon_days=soon)
    advance(s, today=today, policy=policy)
    after = s.model_copy(deep=True)
    assert advance(s, today=today, policy=policy) == []
    assert s == after


@settings(max_examples=200, deadline=None)
@given(s=states(), today=DAYS)
def test_close_leaves_nothing_open_but_bayh_dole(s: ObligationState, today: date) -> None:
    resolved = {d.id: d.state for d in s.deadlines.values() if d.state not in OPEN_STATES}
    bayh_dole = {d.id: d.state for d in s.deadlines.values() if d.is_open and d.obligation == "bayh_dole"}
    opened = {d.id for d in s.deadlines.values() if d.state in OPEN_STATES} - set(bayh_dole)
    out = close(s, today=today)
    assert {t.deadline_id for t in out} == opened
    assert all(t.after == "closed" for t in out)
    assert {d.id: d.state for d in s.deadlines.values() if d.id not in opened and d.id not in bayh_dole} == resolved
    assert {d.id: d.state for d in s.deadlines.values() if d.is_open} == bayh_dole


def test_traffic_lights_show_the_worst_state() -> None:
    from service.rules.obligations.lights import traffic_light
    assert traffic_light([]) == traffic_light(["ok", "met", "closed"]) == "green"
    assert traffic_light(["ok", "due_soon"]) == "yellow"
    assert traffic_light(["ok"], awaiting_answer=True) == "yellow"
    assert traffic_light(["due_soon", "overdue"]) == traffic_light(["violated"]) == "red"
    assert traffic_light(["violated"], closed=True) == "closed"
