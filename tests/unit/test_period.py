"""Obligation period: the contract term and the three years after it, counted as the Civil Code counts
(arts. 140, 143; DOMAIN.md §3 [r2], source line 1742)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.rules.period import obligation_period_end, within_obligation_period


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 4, 1), date(2030, 3, 31), date(2033, 3, 31)),
        (date(2021, 4, 1), date(2024, 2, 29), date(2027, 2, 28)),
        (date(2020, 2, 29), date(2028, 2, 29), date(2031, 2, 28)),
        (date(2024, 2, 29), date(2025, 2, 28), date(2028, 2, 29)),   # DOMAIN.md's own example
        (date(2025, 2, 28), date(2029, 2, 28), date(2032, 2, 29)),
        (date(2025, 4, 1), date(2031, 3, 31), date(2034, 3, 31)),
        (date(2020, 4, 1), date(2024, 2, 28), date(2027, 2, 28)),    # first day 29 Feb 2024: no 29 Feb 2027
        (date(2020, 4, 1), date(2027, 2, 28), date(2030, 2, 28)),
        (date(2020, 4, 1), date(2026, 12, 31), date(2029, 12, 31)),
        (date(2025, 6, 1), date(2025, 6, 1), date(2028, 6, 1)),
    ],
)
def test_obligation_period_end(start: date, end: date, expected: date) -> None:
    assert obligation_period_end(start, end) == expected


def test_end_before_start_is_rejected() -> None:
    with pytest.raises(ValueError):
        obligation_period_end(date(2025, 4, 2), date(2025, 4, 1))


def test_last_day_is_inside_and_the_next_day_outside() -> None:
    last = obligation_period_end(date(2021, 4, 1), date(2024, 2, 29))
    assert last == date(2027, 2, 28)
    assert within_obligation_period(date(2027, 2, 27), last)
    assert within_obligation_period(date(2027, 2, 28), last)
    assert not within_obligation_period(date(2027, 3, 1), last)


dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))


@given(dates, st.integers(min_value=0, max_value=20 * 366))
def test_period_is_three_calendar_years_after_the_end(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    last = obligation_period_end(start, end)
    assert (last.year, last.month) == (end.year + 3, end.month)
    assert 3 * 365 <= (last - end).days <= 3 * 365 + 1
    assert within_obligation_period(last, last)
    assert not within_obligation_period(last + timedelta(days=1), last)


def _civil_code(end: date) -> date:
    """The period counted day by day as arts. 140 and 143 read: from the next day, to the day before the
    day of the same number three years on (the month's last day when there is none)."""
    first = end + timedelta(days=1)
    year = first.year + 3
    try:
        corresponding = first.replace(year=year)
    except ValueError:  # 29 February, and the target year has none
        return date(year, 2, 28)
    return corresponding - timedelta(days=1)


def test_every_end_date_of_a_leap_cycle() -> None:
    day = date(2023, 1, 1)
    while day < date(2031, 1, 1):  # two full four-year cycles, every 28 and 29 February among them
        assert obligation_period_end(date(2020, 1, 1), day) == _civil_code(day), day
        day += timedelta(days=1)


@given(dates)
def test_the_period_is_the_civil_codes(end: date) -> None:
    last = obligation_period_end(end, end)
    assert last == _civil_code(end)
    assert last > end


def test_a_period_past_the_calendar_is_refused() -> None:
    with pytest.raises(ValueError):
        obligation_period_end(date(9990, 1, 1), date(9997, 12, 31))
