"""The prior-consultation case's lifecycle and the ministry's review clock (DOMAIN.md §5).

Lifecycle: submitted -> under_review -> (info_requested <-> under_review)* -> concluded, or withdrawn by
the contractor from any open state. Review target: submission + target days + days paused while
information was requested. Clock: ok, due_soon (from target - due_soon_days), overdue (from target + 1),
paused (info requested), done (closed).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.rules.consultation import (
    OPEN_CASE_STATES,
    allowed_actions,
    case_number,
    next_status,
    paused_days_between,
    respond_clock,
    review_clock,
    review_clock_changes_on,
    review_target,
)

D = timedelta(days=1)
STATUSES = ["submitted", "under_review", "info_requested", "concluded", "withdrawn"]
ACTIONS = ["start-review", "request-info", "respond", "conclude", "withdraw", "claim", "reassign"]
OFFICER_ACTIONS = {"start-review", "request-info", "conclude", "claim", "reassign"}
CONTRACTOR_ACTIONS = {"respond", "withdraw"}

# The full table, written out: (status, action) -> the status after it; absent = not allowed.
NEXT: dict[tuple[str, str], str] = {
    ("submitted", "start-review"): "under_review",
    ("submitted", "withdraw"): "withdrawn",
    ("submitted", "claim"): "submitted",
    ("submitted", "reassign"): "submitted",
    ("under_review", "request-info"): "info_requested",
    ("under_review", "conclude"): "concluded",
    ("under_review", "withdraw"): "withdrawn",
    ("under_review", "claim"): "under_review",
    ("under_review", "reassign"): "under_review",
    ("info_requested", "respond"): "under_review",
    ("info_requested", "withdraw"): "withdrawn",
    ("info_requested", "claim"): "info_requested",
    ("info_requested", "reassign"): "info_requested",
}


# --- allowed_actions ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "officer", "contractor"), [
    ("submitted", ["start-review", "claim", "reassign"], ["withdraw"]),
    ("under_review", ["request-info", "conclude", "claim", "reassign"], ["withdraw"]),
    ("info_requested", ["claim", "reassign"], ["respond", "withdraw"]),
    ("concluded", [], []),
    ("withdrawn", [], []),
])
def test_allowed_actions_per_status_and_role(status: str, officer: list[str], contractor: list[str]) -> None:
    assert allowed_actions(status, "ministry_officer") == officer
    assert allowed_actions(status, "contractor") == contractor
    # An admin acts for either side: everything either side may do, in the same order.
    assert allowed_actions(status, "admin") == [a for a in ACTIONS if a in officer or a in contractor]


@pytest.mark.parametrize("role", ["funding_agency", "auditor", "", "ministry officer", "Contractor"])
def test_other_roles_may_do_nothing(role: str) -> None:
    for status in STATUSES:
        assert allowed_actions(status, role) == []


def test_unknown_status_allows_nothing() -> None:
    for role in ("ministry_officer", "contractor", "admin"):
        assert allowed_actions("draft", role) == []


@given(st.sampled_from(STATUSES), st.sampled_from(["ministry_officer", "contractor", "admin"]))
def test_allowed_actions_agree_with_next_status(status: str, role: str) -> None:
    allowed = allowed_actions(status, role)
    for action in ACTIONS:
        side_ok = role == "admin" or action in (OFFICER_ACTIONS if role == "ministry_officer" else CONTRACTOR_ACTIONS)
        assert (action in allowed) == (side_ok and next_status(status, action) is not None)


# --- next_status -------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_next_status_for_every_pair(status: str, action: str) -> None:
    assert next_status(status, action) == NEXT.get((status, action))


def test_closed_cases_allow_no_action() -> None:
    for status in ("concluded", "withdrawn"):
        assert all(next_status(status, a) is None for a in ACTIONS)
    assert OPEN_CASE_STATES == {"submitted", "under_review", "info_requested"}


@given(st.lists(st.sampled_from(ACTIONS), max_size=30))
def test_any_sequence_of_allowed_actions_stays_in_the_lifecycle(actions: list[str]) -> None:
    status, seen = "submitted", ["submitted"]
    for action in actions:
        after = next_status(status, action)
        if after is None:
            continue
        if status not in OPEN_CASE_STATES:
            pytest.fail(f"{action} allowed from closed {status}")
        if after != status:
            seen.append(after)
        status = after
    # Closed is final: once concluded or withdrawn, nothing follows.
    for i, s in enumerate(seen):
        if s in ("concluded", "withdrawn"):
            assert i == len(seen) - 1
        # under_review is reached only from submitted or info_requested; concluded only from under_review.
        if i and s == "concluded":
            assert seen[i - 1] == "under_review"
        if i and s == "info_requested":
            assert seen[i - 1] == "under_review"


# --- review_target and paused_days_between -----------------------------------------------------------

@pytest.mark.parametrize(("submitted", "days", "paused", "target"), [
    (date(2026, 6, 1), 30, 0, date(2026, 7, 1)),
    (date(2026, 6, 1), 30, 7, date(2026, 7, 8)),
    (date(2026, 12, 15), 30, 3, date(2027, 1, 17)),  # across the year
    (date(2028, 2, 1), 30, 0, date(2028, 3, 2)),  # leap year: February has 29 days
    (date(2027, 2, 1), 30, 0, date(2027, 3, 3)),
    (date(2026, 6, 1), 1, 0, date(2026, 6, 2)),
])
def test_review_target(submitted: date, days: int, paused: int, target: date) -> None:
    assert review_target(submitted, days, paused) == target


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 365),
       st.integers(0, 365), st.integers(0, 365))
def test_each_paused_day_moves_the_target_one_day(submitted: date, days: int, p1: int, p2: int) -> None:
    assert review_target(submitted, days, 0) == submitted + days * D
    assert review_target(submitted, days, p1 + p2) - review_target(submitted, days, p1) == p2 * D


@pytest.mark.parametrize(("asked", "answered", "days"), [
    (date(2026, 6, 10), date(2026, 6, 17), 7),
    (date(2026, 6, 10), date(2026, 6, 10), 0),  # answered the same day: no pause
    (date(2026, 6, 10), date(2026, 6, 11), 1),
    (date(2026, 12, 28), date(2027, 1, 4), 7),
    (date(2028, 2, 28), date(2028, 3, 1), 2),  # 29 February counts
    (date(2026, 6, 10), date(2026, 6, 9), 0),  # never negative
])
def test_paused_days_between(asked: date, answered: date, days: int) -> None:
    assert paused_days_between(asked, answered) == days


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 3000))
def test_paused_days_is_b_minus_a(a: date, n: int) -> None:
    assert paused_days_between(a, a + n * D) == n


# --- review_clock ------------------------------------------------------------------------------------

TARGET = date(2026, 7, 1)


@pytest.mark.parametrize("status", ["submitted", "under_review"])
@pytest.mark.parametrize(("today", "due_soon_days", "clock"), [
    (date(2026, 6, 1), 14, "ok"),
    (date(2026, 6, 16), 14, "ok"),  # target - 15
    (date(2026, 6, 17), 14, "due_soon"),  # target - 14
    (date(2026, 6, 30), 14, "due_soon"),
    (date(2026, 7, 1), 14, "due_soon"),  # the target day itself
    (date(2026, 7, 2), 14, "overdue"),  # target + 1
    (date(2027, 7, 2), 14, "overdue"),
    (date(2026, 6, 25), 5, "ok"),  # target - 6
    (date(2026, 6, 26), 5, "due_soon"),  # target - 5
    (date(2026, 6, 30), 0, "ok"),  # no warning period
    (date(2026, 7, 1), 0, "due_soon"),
    (date(2026, 7, 2), 0, "overdue"),
])
def test_review_clock_on_exact_days(status: str, today: date, due_soon_days: int, clock: str) -> None:
    assert review_clock(status, TARGET, today, due_soon_days) == clock


@pytest.mark.parametrize("today", [date(2026, 6, 1), date(2026, 6, 17), date(2026, 7, 1), date(2026, 7, 2),
                                   date(2030, 1, 1)])
def test_paused_while_info_is_requested_and_done_when_closed(today: date) -> None:
    assert review_clock("info_requested", TARGET, today, 14) == "paused"
    assert review_clock("concluded", TARGET, today, 14) == "done"
    assert review_clock("withdrawn", TARGET, today, 14) == "done"


@given(st.sampled_from(["submitted", "under_review"]), st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
       st.integers(-400, 400), st.integers(0, 100))
def test_review_clock_property(status: str, target: date, offset: int, due_soon_days: int) -> None:
    today = target + offset * D
    expected = "overdue" if offset > 0 else "due_soon" if offset >= -due_soon_days else "ok"
    assert review_clock(status, target, today, due_soon_days) == expected


# --- review_clock_changes_on -------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "today", "changes_on"), [
    ("submitted", date(2026, 6, 1), date(2026, 6, 17)),  # ok -> due_soon on target - 14
    ("under_review", date(2026, 6, 16), date(2026, 6, 17)),
    ("under_review", date(2026, 6, 17), date(2026, 7, 2)),  # due_soon -> overdue on target + 1
    ("under_review", date(2026, 7, 1), date(2026, 7, 2)),
    ("under_review", date(2026, 7, 2), None),  # overdue stays overdue by the calendar
    ("info_requested", date(2026, 6, 1), None),  # paused: only a transition changes it
    ("concluded", date(2026, 6, 1), None),
    ("withdrawn", date(2026, 6, 1), None),
])
def test_review_clock_changes_on(status: str, today: date, changes_on: date | None) -> None:
    assert review_clock_changes_on(status, TARGET, today, 14) == changes_on


@given(st.sampled_from(["submitted", "under_review"]), st.integers(-120, 60), st.integers(0, 60))
def test_the_clock_changes_exactly_on_the_day_named(status: str, offset: int, due_soon_days: int) -> None:
    today = TARGET + offset * D
    now = review_clock(status, TARGET, today, due_soon_days)
    change = review_clock_changes_on(status, TARGET, today, due_soon_days)
    if change is None:
        assert now == "overdue"
        return
    assert change > today
    # The same state every day until the change, another one on the day of the change.
    day = today
    while day < change:
        assert review_clock(status, TARGET, day, due_soon_days) == now
        day += D
    assert review_clock(status, TARGET, change, due_soon_days) != now


# --- respond_clock -----------------------------------------------------------------------------------

def test_respond_clock() -> None:
    by = date(2026, 6, 20)
    assert respond_clock(None, date(2030, 1, 1)) is None
    assert respond_clock(by, date(2026, 6, 19)) == "ok"
    assert respond_clock(by, by) == "ok"
    assert respond_clock(by, date(2026, 6, 21)) == "overdue"


def test_case_numbers_read_as_people_quote_them() -> None:
    assert case_number("meti", 2026, 123) == "METI-2026-000123"
    assert case_number("mext", 2027, 1_234_567) == "MEXT-2027-1234567"


@given(st.integers(1, 999_999), st.integers(1, 999_999), st.integers(1900, 2199))
def test_case_numbers_sort_as_they_count_within_a_year(a: int, b: int, year: int) -> None:
    assert (case_number("meti", year, a) < case_number("meti", year, b)) == (a < b)
