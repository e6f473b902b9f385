"""Calendar arithmetic on Japan dates (DOMAIN.md §3; source line 1742, "契約終了後３年間").

Periods are added by the calendar, and a day missing from the target month becomes the last day
of that month (Civil Code art. 143): 2024-02-29 + 1 year = 2025-02-28. Every date is a Japan
date, and a deadline "on day D" holds until 23:59:59 JST on D.
"""

from __future__ import annotations

import calendar
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

from service.rules.invalid import InvalidValue

JST = ZoneInfo("Asia/Tokyo")

#: The days tlc takes in. Every date of a request lies here, so that what is counted from it (a term plus
#: three years, Bayh-Dole rights, lead times, reminder ladders, holidays) stays well inside the calendar that
#: Python and Temporal can count: issue 10 found dates near 0001 and 9999 that made the arithmetic fail.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
OUT_OF_RANGE = ("{field} must be between {first} and {last}: tlc counts obligation periods, lead times and "
                "reminders from dates within these years.")


def within_calendar(d: date) -> date:
    """A pydantic after-validator: the date, or a ValueError saying the range and why."""
    if not FIRST_DAY <= d <= LAST_DAY:
        raise InvalidValue(OUT_OF_RANGE, first=FIRST_DAY, last=LAST_DAY)
    return d


CalendarDay = Annotated[date, AfterValidator(within_calendar)]


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, clamped to the target month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    if not MINYEAR <= year <= MAXYEAR:
        # ValueError rather than OverflowError so that input validation turns it into a 422.
        raise InvalidValue("{day} plus {months} months is outside the calendar.", day=d, months=months)
    month = month0 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: date, years: int) -> date:
    """``d`` plus ``years`` calendar years; 29 February lands on 28 February in common years."""
    return add_months(d, 12 * years)


def add_days(d: date, n: int) -> date:
    """``d`` plus ``n`` days (``n`` may be negative)."""
    try:
        return d + timedelta(days=n)
    except OverflowError as exc:
        raise InvalidValue("{day} plus {days} days is outside the calendar.", day=d, days=n) from exc


def today_jst(now: datetime | None = None) -> date:
    """The Japan date at instant ``now`` (an aware datetime), or at the current instant."""
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        # A naive time could be the server's local time or UTC; guessing shifts dates by a day.
        raise ValueError("now must be timezone-aware")
    return now.astimezone(JST).date()


def deadline_instant(d: date) -> datetime:
    """The aware UTC instant from which a deadline on Japan date ``d`` has passed."""
    return datetime.combine(add_days(d, 1), time(0), tzinfo=JST).astimezone(UTC)


_JA_WEEKDAYS = "月火水木金土日"


# The eras of the Japanese calendar (和暦) from their first days, latest first; dates before Meiji's first day
# (1868-10-23) fall outside tlc's range of calendar days (1900-2199) anyway.
_ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"),
         (date(1912, 7, 30), "大正"), (date(1868, 10, 23), "明治"))


def wareki(d: date) -> str:
    """The Japanese-calendar year of a day: 令和8年, 令和元年 (an era's first year is 元年)."""
    for first, name in _ERAS:
        if d >= first:
            year = d.year - first.year + 1
            return f"{name}{'元' if year == 1 else year}年"
    raise ValueError(f"{d} is before the Meiji era")


def day_in_words(d: date | str, lang: str, calendar: str = "gregorian") -> str:
    """A date (or an ISO date string) as people read it (DOMAIN.md §11 [r2]): 2027年4月2日（金）, or Fri 2 Apr 2027."""
    if isinstance(d, str):
        d = date.fromisoformat(d)
    if lang == "en":
        return f"{d:%a} {d.day} {d:%b %Y}"
    year = wareki(d) if calendar == "wareki" else f"{d.year}年"
    return f"{year}{d.month}月{d.day}日（{_JA_WEEKDAYS[d.weekday()]}）"


def limit_in_words(d: date | str, lang: str) -> str:
    """The last instant of a deadline on Japan date ``d``, as a message states it (DOMAIN.md §3: a deadline "on
    day D" holds until 23:59:59 JST on D): 2027年4月2日（金）23時59分59秒（日本時間）, or Friday 2 April 2027,
    23:59:59 JST."""
    if isinstance(d, str):
        d = date.fromisoformat(d)
    if lang == "en":
        return f"{d:%A} {d.day} {d:%B %Y}, 23:59:59 JST"
    return f"{day_in_words(d, lang)}23時59分59秒（日本時間）"
