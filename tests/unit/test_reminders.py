"""The reminder ladder (issue: reminders and escalations): exact dates around weekends and Japanese
public holidays, 09:00 JST sends, which rungs are due at an instant, and message ids.

Reminders and the due-day notice move to the previous working day (never late); escalations move to the
next working day (never early); the deadline itself never moves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.rules.dates import JST, deadline_instant
from service.rules.obligations.state import Deadline
from service.rules.policy import Policy
from service.rules.reminders import (
    Rung,
    due_now,
    is_day_off,
    ladder,
    mark_planned,
    message_id,
    next_send_at,
    planned_through,
    wake_instants,
    working_day_on_or_after,
    working_day_on_or_before,
)

DEFAULT = Policy()
ONE_SECOND = timedelta(seconds=1)


@cache
def _jp(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def off(d: date) -> bool:
    """The oracle, independent of the module under test: weekend or a Japanese public holiday."""
    return d.weekday() >= 5 or d in _jp(d.year)


def d(s: str) -> date:
    return date.fromisoformat(s)


def sends(due_on: str, policy: Policy = DEFAULT) -> dict[str, date]:
    return {r.key: r.send_on for r in ladder(d(due_on), policy)}


def at9(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=JST)


# --------------------------------------------------------------------------------------------
# The calendar the ladder uses


@pytest.mark.parametrize(("day", "expected"), [
    ("2027-01-01", True),   # New Year's Day (Fri)
    ("2027-01-02", True),   # Saturday (not itself a public holiday)
    ("2027-01-03", True),   # Sunday
    ("2026-12-31", False),  # Thursday, a working day
    ("2027-01-04", False),  # Monday
    ("2026-05-06", True),   # substitute holiday for Constitution Day on a Sunday
    ("2026-09-22", True),   # the "national holiday" between two holidays (Silver Week)
    ("2027-03-22", True),   # substitute holiday for the Vernal Equinox on a Sunday
    ("2026-04-28", False),  # Tuesday before Golden Week
])
def test_is_day_off(day: str, expected: bool) -> None:
    assert is_day_off(d(day)) is expected
    assert off(d(day)) is expected


def test_working_day_helpers() -> None:
    assert working_day_on_or_before(d("2027-01-03")) == d("2026-12-31")
    assert working_day_on_or_after(d("2027-01-01")) == d("2027-01-04")
    assert working_day_on_or_before(d("2026-12-31")) == d("2026-12-31")  # already a working day
    assert working_day_on_or_after(d("2026-12-31")) == d("2026-12-31")
    assert working_day_on_or_after(d("2026-05-02")) == d("2026-05-07")   # Sat .. substitute holiday Wed
    assert working_day_on_or_before(d("2026-05-06")) == d("2026-05-01")
    # A custom day-off predicate is honoured (nothing off: the date itself).
    assert working_day_on_or_before(d("2027-01-03"), lambda _: False) == d("2027-01-03")


# --------------------------------------------------------------------------------------------
# The ladder on exact days


def test_plain_weekday_ladder() -> None:
    # Due Thu 2026-06-18: 30 days before is Tue 05-19, 7 before Thu 06-11, 1 before Wed 06-17; no holidays.
    rungs = ladder(d("2026-06-18"), DEFAULT)
    assert [(r.key, r.kind, r.offset_days, r.audience, r.send_on) for r in rungs] == [
        ("reminder-30", "reminder", 30, "contractor", d("2026-05-19")),
        ("reminder-7", "reminder", 7, "contractor", d("2026-06-11")),
        ("reminder-1", "reminder", 1, "contractor", d("2026-06-17")),
        ("due", "due", 0, "contractor", d("2026-06-18")),
        ("escalation-1", "escalation", 1, "compliance_lead", d("2026-06-19")),
        ("escalation-7", "escalation", 7, "ministry_officer", d("2026-06-25")),
    ]
    for r in rungs:
        assert r.send_at == at9(r.send_on)
        assert r.send_at.utcoffset() == timedelta(hours=9)
        assert r.send_at.astimezone(UTC).time() == time(0, 0)


def test_new_year_due_monday() -> None:
    # Due Mon 2027-01-04. The day before is Sun 01-03; Sat 01-02 and New Year's Day (Fri 01-01) are off too,
    # so reminder-1 goes on Thu 2026-12-31. The due day itself is a working day and does not move.
    s = sends("2027-01-04")
    assert s["reminder-1"] == d("2026-12-31")
    assert s["reminder-7"] == d("2026-12-28")  # Mon
    assert s["reminder-30"] == d("2026-12-04")  # Fri
    assert s["due"] == d("2027-01-04")
    assert s["escalation-1"] == d("2027-01-05")
    assert s["escalation-7"] == d("2027-01-12")  # Mon 01-11 is Coming of Age Day: the next day


def test_golden_week_2027() -> None:
    # Thu 04-29 Showa Day, Sat 05-01, Sun 05-02, Mon-Wed 05-03..05-05 holidays.
    s = sends("2027-05-06")  # Thu
    assert s["reminder-1"] == d("2027-04-30")  # 05-05 .. 05-01 off: Fri 04-30
    assert s["reminder-7"] == d("2027-04-28")  # Thu 04-29 Showa Day: Wed 04-28
    assert s["due"] == d("2027-05-06")

    s = sends("2027-05-03")  # Constitution Day, a Monday
    assert s["due"] == d("2027-04-30")  # the notice before the weekend; the deadline stays 05-03
    assert "reminder-1" not in s  # Sun 05-02 -> Fri too: one message, the due notice, says both
    assert s["escalation-1"] == d("2027-05-06")  # 05-04, 05-05 are holidays: Thu 05-06
    assert s["escalation-7"] == d("2027-05-10")  # Mon

    s = sends("2027-04-28")  # Wed, the day before Showa Day
    assert s["escalation-1"] == d("2027-04-30")  # 04-29 off: Fri 04-30, never 04-28
    assert s["escalation-7"] == d("2027-05-06")  # 05-05 off: Thu 05-06


def test_golden_week_2026_substitute_holiday() -> None:
    # 2026: Sun 05-03 Constitution Day, so Wed 05-06 is a substitute holiday.
    s = sends("2026-05-07")  # Thu
    assert s["reminder-1"] == d("2026-05-01")  # 05-06 .. 05-02 off: Fri 05-01
    assert s["reminder-7"] == d("2026-04-30")  # Thu
    s = sends("2026-05-01")  # Fri, due
    assert s["escalation-1"] == d("2026-05-07")  # 05-02 .. 05-06 off


def test_due_on_a_sunday_notice_on_friday() -> None:
    s = sends("2026-06-21")  # Sunday
    assert s["due"] == d("2026-06-19")  # Friday
    assert "reminder-1" not in s  # Saturday -> Friday as well: merged into the due notice
    assert s["escalation-1"] == d("2026-06-22")  # Monday
    assert s["escalation-7"] == d("2026-06-29")  # Sunday 06-28 -> Monday


def test_due_on_a_saturday_before_a_monday_holiday() -> None:
    s = sends("2026-07-18")  # Sat; Mon 07-20 is Marine Day
    assert s["due"] == d("2026-07-17")
    assert s["escalation-1"] == d("2026-07-21")  # Sun 07-19, Mon 07-20 off: Tue


def test_silver_week_2026() -> None:
    # Sat 09-19 .. Wed 09-23: five days off in a row.
    s = sends("2026-09-18")  # Fri
    assert s["escalation-1"] == d("2026-09-24")
    s = sends("2026-09-24")  # Thu
    assert s["reminder-1"] == d("2026-09-18")
    s = sends("2026-09-21")  # Respect for the Aged Day, due
    assert s["due"] == d("2026-09-18")
    assert s["escalation-1"] == d("2026-09-24")


def test_custom_policy_rungs() -> None:
    policy = Policy(reminder_days_before=(14, 3, 0, 3), escalation_days_after=(30, 2, 10))
    rungs = ladder(d("2026-06-18"), policy)
    # 0 days before is the due-day notice, not a reminder; duplicates are sent once.
    assert [r.key for r in rungs] == ["reminder-14", "reminder-3", "due", "escalation-2", "escalation-10",
                                      "escalation-30"]
    assert [r.audience for r in rungs] == ["contractor"] * 3 + ["compliance_lead", "ministry_officer",
                                                                "ministry_officer"]
    assert Policy(reminder_days_before=()).reminder_days_before == ()
    assert [r.key for r in ladder(d("2026-06-18"), Policy(reminder_days_before=(), escalation_days_after=()))] == \
        ["due"]


def test_injected_calendar() -> None:
    # With no days off, every rung lands on its nominal day.
    s = {r.key: r.send_on for r in ladder(d("2027-01-04"), DEFAULT, day_off=lambda _: False)}
    assert s["reminder-1"] == d("2027-01-03")
    assert s["escalation-7"] == d("2027-01-11")


# --------------------------------------------------------------------------------------------
# Properties over random dates and policies

due_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2085, 12, 31))
policies = st.builds(
    lambda r, e: Policy(reminder_days_before=tuple(r), escalation_days_after=tuple(e)),
    st.lists(st.integers(0, 400), max_size=6),
    st.lists(st.integers(1, 400), max_size=4),
)


def _check_ladder(due_on: date, policy: Policy) -> list[Rung]:
    rungs = ladder(due_on, policy)
    end_of_due_day = deadline_instant(due_on)  # 24:00 JST of the due day, as an instant
    reminders = [n for n in policy.reminder_days_before if n != 0]
    before_due = [r for r in rungs if r.kind != "escalation"]
    # Every reminder is there unless a later one (or the due notice) went out the same day: one message a day.
    kept = {r.key for r in before_due}
    for n in reminders:
        day = working_day_on_or_before(due_on - timedelta(days=n))
        assert f"reminder-{n}" in kept or any(r.send_on == day and r.offset_days < n for r in before_due), n
    assert len({r.send_on for r in before_due}) == len(before_due)
    assert [r.key for r in rungs] == ([f"reminder-{n}" for n in sorted(reminders, reverse=True)
                                       if f"reminder-{n}" in kept] + ["due"]
                                      + [f"escalation-{n}" for n in sorted(policy.escalation_days_after)])
    for r in rungs:
        assert r.send_at == datetime.combine(r.send_on, time(9), tzinfo=JST)
        assert r.send_at.utcoffset() == timedelta(hours=9)
        assert not off(r.send_on), r
        if r.kind in ("reminder", "due"):
            nominal = due_on - timedelta(days=r.offset_days)
            assert r.audience == "contractor"
            assert r.send_on <= nominal
            assert r.send_at < end_of_due_day
            # The previous working day, not any earlier one: everything skipped is a day off.
            skipped = [r.send_on + timedelta(days=i) for i in range(1, (nominal - r.send_on).days + 1)]
            assert all(off(x) for x in skipped), r
        else:
            nominal = due_on + timedelta(days=r.offset_days)
            assert r.send_on >= nominal
            assert r.send_at >= at9(nominal)
            assert r.send_at > end_of_due_day  # never before the deadline has passed
            skipped = [nominal + timedelta(days=i) for i in range((r.send_on - nominal).days)]
            assert all(off(x) for x in skipped), r
    # In sending order.
    assert [r.send_at for r in rungs] == sorted(r.send_at for r in rungs)
    escalations = [r for r in rungs if r.kind == "escalation"]
    if escalations:
        assert escalations[0].audience == "compliance_lead"
        assert all(r.audience == "ministry_officer" for r in escalations[1:])
    return rungs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(due_on=due_days, policy=policies)
def test_ladder_properties(due_on: date, policy: Policy) -> None:
    _check_ladder(due_on, policy)


@settings(max_examples=200, deadline=None)
@given(due_on=due_days)
def test_ladder_properties_default_policy(due_on: date) -> None:
    rungs = _check_ladder(due_on, DEFAULT)
    assert [r.key for r in rungs][-3:] == ["due", "escalation-1", "escalation-7"]


# --------------------------------------------------------------------------------------------
# Which rungs are due at an instant


def _keys(rungs: list[Rung]) -> list[str]:
    return [r.key for r in rungs]


def test_due_now_step_by_step() -> None:
    rungs = ladder(d("2026-06-18"), DEFAULT)
    by_key = {r.key: r for r in rungs}
    set_on = d("2026-04-01")

    def at(instant: datetime) -> list[str]:
        return _keys(due_now(rungs, now=instant, set_on=set_on))

    assert at(by_key["reminder-30"].send_at - ONE_SECOND) == []
    assert at(datetime(2000, 1, 1, tzinfo=UTC)) == []
    assert at(by_key["reminder-30"].send_at) == ["reminder-30"]
    assert at(by_key["reminder-7"].send_at - ONE_SECOND) == ["reminder-30"]
    assert at(by_key["reminder-7"].send_at) == ["reminder-7"]
    assert at(by_key["reminder-1"].send_at) == ["reminder-1"]
    assert at(by_key["due"].send_at - ONE_SECOND) == ["reminder-1"]
    assert at(by_key["due"].send_at) == ["due"]
    assert at(deadline_instant(d("2026-06-18"))) == ["due"]
    assert at(by_key["escalation-1"].send_at - ONE_SECOND) == ["due"]
    assert at(by_key["escalation-1"].send_at) == ["due", "escalation-1"]
    assert at(by_key["escalation-7"].send_at - ONE_SECOND) == ["due", "escalation-1"]
    assert at(by_key["escalation-7"].send_at) == ["due", "escalation-1", "escalation-7"]
    assert at(datetime(2030, 1, 1, tzinfo=UTC)) == ["due", "escalation-1", "escalation-7"]


def test_due_now_compares_instants_across_time_zones() -> None:
    rungs = ladder(d("2026-06-18"), DEFAULT)
    due = next(r for r in rungs if r.key == "due")
    # 09:00 JST is 00:00 UTC: the same instant given in UTC.
    assert _keys(due_now(rungs, now=datetime(2026, 6, 18, 0, 0, tzinfo=UTC), set_on=None)) == ["due"]
    assert _keys(due_now(rungs, now=datetime(2026, 6, 17, 23, 59, 59, tzinfo=UTC), set_on=None)) == ["reminder-1"]
    assert due.send_at == datetime(2026, 6, 18, 0, 0, tzinfo=UTC)


def test_due_now_deadline_set_late() -> None:
    # Set three days before it is due: the 30- and 7-day reminders are both in the past, one message goes.
    rungs = ladder(d("2026-06-18"), DEFAULT)
    now = datetime(2026, 6, 15, 10, 0, tzinfo=JST)
    assert _keys(due_now(rungs, now=now, set_on=d("2026-06-15"))) == ["reminder-7"]


def test_due_now_deadline_set_already_overdue() -> None:
    # Set after it was already past due and escalated: the escalations speak for it, no stale "due" notice.
    rungs = ladder(d("2026-06-18"), DEFAULT)
    now = datetime(2026, 6, 22, 10, 0, tzinfo=JST)
    assert _keys(due_now(rungs, now=now, set_on=d("2026-06-22"))) == ["escalation-1"]
    # Set before the due notice went: the due notice is still the latest pre-due message.
    assert _keys(due_now(rungs, now=now, set_on=d("2026-06-01"))) == ["due", "escalation-1"]


@settings(max_examples=300, deadline=None)
@given(due_on=due_days, policy=policies,
       offset_minutes=st.integers(min_value=-500 * 24 * 60, max_value=500 * 24 * 60),
       set_on_offset=st.one_of(st.none(), st.integers(-500, 500)))
def test_due_now_properties(due_on: date, policy: Policy, offset_minutes: int, set_on_offset: int | None) -> None:
    rungs = ladder(due_on, policy)
    now = deadline_instant(due_on) + timedelta(minutes=offset_minutes)
    set_on = None if set_on_offset is None else due_on + timedelta(days=set_on_offset)
    out = due_now(rungs, now=now, set_on=set_on)
    # Nothing before its time.
    assert all(r.send_at <= now for r in out)
    pre = [r for r in out if r.kind != "escalation"]
    esc = [r for r in out if r.kind == "escalation"]
    # Every reached escalation, once, in order, after at most one pre-due message.
    assert esc == [r for r in rungs if r.kind == "escalation" and r.send_at <= now]
    assert out == pre + esc
    assert len(pre) <= 1
    reached_pre = [r for r in rungs if r.kind != "escalation" and r.send_at <= now]
    stale = bool(esc) and set_on is not None and bool(reached_pre) and reached_pre[-1].send_on < set_on
    if pre:
        assert pre[0] == reached_pre[-1]  # only the latest reached
        assert not stale
    else:
        # Nothing reached yet, or a deadline set when already overdue: the escalations speak for it.
        assert reached_pre == [] or stale
    # One second before any rung's time, that rung is not due.
    for r in rungs:
        assert r not in due_now(rungs, now=r.send_at - ONE_SECOND, set_on=set_on)


def test_next_send_at() -> None:
    rungs = ladder(d("2026-06-18"), DEFAULT)
    first = rungs[0].send_at
    assert next_send_at(rungs, now=first - ONE_SECOND) == first
    assert next_send_at(rungs, now=first) == rungs[1].send_at
    assert next_send_at(rungs, now=rungs[-1].send_at) is None


# --------------------------------------------------------------------------------------------
# Message ids


def test_message_id_deterministic_and_distinct() -> None:
    parts = ("c-001", "access_review.ITEM-1.1", "2027-02-28", "reminder-7", "sub_0123456789abcdef0123")
    mid = message_id(*parts)
    assert mid == message_id(*parts)
    assert mid.startswith("msg_") and len(mid) == 4 + 32 and len(mid) <= 40  # fits Notification.id
    assert all(c in "0123456789abcdef" for c in mid[4:])
    ids = {mid}
    for i in range(len(parts)):
        changed = list(parts)
        changed[i] = changed[i] + "x"
        ids.add(message_id(*changed))
    assert len(ids) == 1 + len(parts)  # each part matters
    # Boundaries between parts matter, and so does their order.
    assert message_id("ab", "c") != message_id("a", "bc")
    assert message_id("a", "b") != message_id("b", "a")
    # The same rung of a moved deadline (new due date) is a new message.
    moved = list(parts)
    moved[2] = "2027-03-31"
    assert message_id(*moved) != mid


def test_message_id_per_rung_and_recipient() -> None:
    rungs = ladder(d("2026-06-18"), DEFAULT)
    ids = {message_id("c-001", "dl.1", "2026-06-18", r.key, sub) for r in rungs for sub in ("sub_a", "sub_b")}
    assert len(ids) == len(rungs) * 2


def test_a_ministry_step_reminds_and_escalates_to_the_ministry_only() -> None:
    """DOMAIN.md §11 [r2]: each message to the party whose step it is; the state's approval is the ministry's."""
    contractor = ladder(date(2026, 6, 18), DEFAULT)
    ministry = ladder(date(2026, 6, 18), DEFAULT, owner="ministry")
    assert [r.key for r in ministry] == [r.key for r in contractor]
    assert [r.send_on for r in ministry] == [r.send_on for r in contractor]
    assert {r.audience for r in ministry} == {"ministry_officer"}
    assert [r.audience for r in contractor] == ["contractor"] * 4 + ["compliance_lead", "ministry_officer"]


# --- which instants still wake the contract's workflow (issue 11) ------------------------------------

def _deadline(due_on: date, set_on: date) -> Deadline:
    return Deadline(id="departure.emp-1.1", kind="departure", subject="emp-1", due_on=due_on, set_on=set_on)


def test_a_deadline_set_late_wakes_at_once_for_its_latest_reached_rung_until_that_is_planned() -> None:
    due = date(2027, 3, 10)  # a Wednesday: reminders on 8 February, 3 March and 9 March
    d = _deadline(due, set_on=date(2027, 3, 5))
    rungs = ladder(due, DEFAULT)
    since = deadline_instant(date(2027, 3, 4))  # 00:00 JST on 5 March, the day it was set
    later = [r.send_at for r in rungs if r.send_at >= since]
    assert wake_instants(rungs, since=since, planned=planned_through(d)) == [_at(date(2027, 3, 3))] + later

    now = datetime.combine(date(2027, 3, 5), time(14), tzinfo=JST)
    assert [r.key for r in due_now(rungs, now=now, set_on=d.set_on, planned=planned_through(d))] == ["reminder-7"]
    assert mark_planned(d, now) and not mark_planned(d, now - ONE_SECOND)
    # Planned: the same day's next signal brings only what is still to come, and nothing is planned twice.
    assert wake_instants(rungs, since=since, planned=planned_through(d)) == later
    assert all(t > now for t in later)
    assert due_now(rungs, now=now + timedelta(hours=1), set_on=d.set_on, planned=planned_through(d)) == []
    assert [r.key for r in due_now(rungs, now=_at(date(2027, 3, 9)), set_on=d.set_on,
                                   planned=planned_through(d))] == ["reminder-1"]


def test_a_moved_deadline_has_a_new_ladder_whatever_was_planned_of_the_old_one() -> None:
    d = _deadline(date(2027, 3, 10), set_on=date(2027, 3, 1))
    mark_planned(d, datetime.combine(date(2027, 3, 5), time(14), tzinfo=JST))
    d.due_on, d.set_on = date(2027, 3, 8), date(2027, 3, 6)  # moved earlier on Saturday 6 March
    rungs = ladder(d.due_on, DEFAULT)
    since = deadline_instant(date(2027, 3, 5))
    assert planned_through(d) is None
    # Its 1-day reminder moved to Friday 5 March, before the old ladder's mark: still due at once.
    assert min(wake_instants(rungs, since=since, planned=planned_through(d))) == _at(date(2027, 3, 5))


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=JST)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(due=st.dates(date(2026, 1, 1), date(2030, 12, 31)), since_days=st.integers(-60, 30),
       planned_days=st.one_of(st.none(), st.integers(-90, 30)), hour=st.integers(0, 23))
def test_no_rung_still_to_plan_is_without_a_wake(due: date, since_days: int, planned_days: int | None,
                                                 hour: int) -> None:
    rungs = ladder(due, DEFAULT, off)
    since = deadline_instant(due + timedelta(days=since_days - 1))
    planned = None if planned_days is None else datetime.combine(due + timedelta(days=planned_days), time(hour),
                                                                 tzinfo=JST)
    if planned is not None and planned > since:
        return  # the workflow plans only up to its own now, never past the day a snapshot is taken on
    wakes = wake_instants(rungs, since=since, planned=planned)
    unplanned = [r.send_at for r in rungs if planned is None or r.send_at > planned]
    # Every rung to come wakes the workflow on its instant; one not planned that is already reached wakes it
    # at once; and no planned rung is ever a reason to wake.
    assert {t for t in unplanned if t >= since} <= set(wakes)
    assert any(t < since for t in wakes) == any(t < since for t in unplanned)
    assert all(planned is None or t > planned for t in wakes)
