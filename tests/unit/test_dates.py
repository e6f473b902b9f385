"""Calendar arithmetic: Civil Code art. 143 month ends and JST deadlines (DOMAIN.md §3)."""

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.rules.dates import JST, add_days, add_months, add_years, deadline_instant, today_jst


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 3, date(2027, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2024, 2, 29), -1, date(2023, 2, 28)),
        (date(2023, 2, 28), 1, date(2024, 2, 28)),
        (date(2025, 3, 31), 3, date(2028, 3, 31)),
        (date(2025, 12, 31), 0, date(2025, 12, 31)),
    ],
)
def test_add_years(start: date, years: int, expected: date) -> None:
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2022, 8, 31), 6, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 5, 31), 1, date(2024, 6, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 1, 15), -1, date(2023, 12, 15)),
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
        (date(2024, 6, 30), 6, date(2024, 12, 30)),
        (date(2024, 6, 30), 0, date(2024, 6, 30)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_months(date(9999, 12, 1), 1),
        lambda: add_months(date(1, 1, 1), -1),
        lambda: add_years(date(9998, 1, 1), 3),
        lambda: add_days(date.max, 1),
        lambda: add_days(date.min, -1),
        lambda: deadline_instant(date.max),
    ],
)
def test_out_of_calendar_is_a_value_error(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_add_days() -> None:
    assert add_days(date(2024, 2, 28), 1) == date(2024, 2, 29)
    assert add_days(date(2024, 3, 1), -1) == date(2024, 2, 29)
    assert add_days(date(2026, 6, 1), -60) == date(2026, 4, 2)


def test_today_jst_turns_at_jst_midnight() -> None:
    assert today_jst(datetime(2025, 3, 31, 14, 59, 59, 999999, tzinfo=UTC)) == date(2025, 3, 31)
    assert today_jst(datetime(2025, 3, 31, 15, 0, tzinfo=UTC)) == date(2025, 4, 1)
    assert today_jst(datetime(2025, 4, 1, 0, 0, tzinfo=JST)) == date(2025, 4, 1)


def test_today_jst_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        today_jst(datetime(2025, 3, 31, 12, 0))


def test_today_jst_defaults_to_now() -> None:
    before = datetime.now(UTC).astimezone(JST).date()
    got = today_jst()
    after = datetime.now(UTC).astimezone(JST).date()
    assert before <= got <= after


def test_deadline_instant_is_next_jst_midnight_in_utc() -> None:
    instant = deadline_instant(date(2025, 3, 31))
    assert instant == datetime(2025, 3, 31, 15, 0, tzinfo=UTC)
    assert instant.utcoffset() == timedelta(0)
    assert deadline_instant(date(2024, 12, 31)) == datetime(2024, 12, 31, 15, 0, tzinfo=UTC)


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@given(dates, st.integers(min_value=-100, max_value=100))
def test_add_years_lands_in_the_same_month(d: date, years: int) -> None:
    got = add_years(d, years)
    assert (got.year, got.month) == (d.year + years, d.month)
    assert got.day == min(d.day, calendar.monthrange(got.year, got.month)[1])


@given(dates, st.integers(min_value=-1200, max_value=1200))
def test_add_months_lands_in_the_right_month(d: date, months: int) -> None:
    got = add_months(d, months)
    assert got.year * 12 + got.month == d.year * 12 + d.month + months
    assert got.day == min(d.day, calendar.monthrange(got.year, got.month)[1])


@given(dates, dates, st.integers(min_value=-240, max_value=240))
def test_add_months_is_monotone(a: date, b: date, months: int) -> None:
    lo, hi = sorted((a, b))
    assert add_months(lo, months) <= add_months(hi, months)


@given(dates)
def test_deadline_holds_through_the_last_jst_second(d: date) -> None:
    instant = deadline_instant(d)
    assert today_jst(instant) == d + timedelta(days=1)
    assert today_jst(instant - timedelta(microseconds=1)) == d


def test_the_japanese_calendar_names_the_era_and_its_first_year() -> None:
    from service.rules.dates import day_in_words, wareki

    assert day_in_words(date(2027, 4, 2), "ja", "wareki") == "令和9年4月2日（金）"
    assert wareki(date(2019, 5, 1)) == "令和元年" and wareki(date(2019, 4, 30)) == "平成31年"
    assert wareki(date(1989, 1, 8)) == "平成元年" and wareki(date(1989, 1, 7)) == "昭和64年"
    assert wareki(date(1926, 12, 25)) == "昭和元年" and wareki(date(1926, 12, 24)) == "大正15年"
    assert wareki(date(1912, 7, 30)) == "大正元年" and wareki(date(1912, 7, 29)) == "明治45年"
    assert wareki(date(1900, 1, 1)) == "明治33年" and wareki(date(2199, 12, 31)) == "令和181年"
    assert day_in_words(date(2027, 4, 2), "en", "wareki") == day_in_words(date(2027, 4, 2), "en")  # English: Gregorian


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_an_era_year_counts_from_its_first_day(d: date) -> None:
    """The era's year plus the first year's offset is the Gregorian year; a day and the next day are in the
    same era's year or the next one (never back)."""
    import re

    from service.rules.dates import _ERAS, wareki

    name, year = re.fullmatch(r"(\D+?)(元|\d+)年", wareki(d)).groups()
    first = next(f for f, n in _ERAS if n == name)
    assert d >= first and first.year + (1 if year == "元" else int(year)) - 1 == d.year
