"""Obligation period: contract term plus three calendar years (DOMAIN.md §3, source line 1742)."""

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
        (date(2024, 2, 29), date(2025, 2, 28), date(2028, 2, 28)),
        (date(2025, 2, 28), date(2029, 2, 28), date(2032, 2, 28)),
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
