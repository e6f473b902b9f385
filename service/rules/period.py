"""The obligation period of a contract (DOMAIN.md §3; source line 1742).

Obligations B and C apply "契約期間中及び契約終了後３年間": from the start date to the end of the three
years after the end date, counted as the Civil Code counts a period of years. Art. 140: the day the
period starts from (the end date) is not counted, so the three years start on the next day. Art. 143:
they end on the day before the day that corresponds, three years later, to their first day; when that
year has no such day (a first day of 29 February), they end on the last day of that month.
So 2031-03-31 gives 2034-03-31, 2028-02-29 gives 2031-02-28, and 2025-02-28 gives 2028-02-29.
"""

from __future__ import annotations

from datetime import date

from service.rules.dates import add_days, add_years
from service.rules.invalid import InvalidValue

YEARS_AFTER_END = 3


def years_after(day: date, years: int) -> date:
    """The last day of a period of `years` years that starts from `day` (the day itself not counted)."""
    first = add_days(day, 1)
    corresponding = add_years(first, years)  # clamped to the month's end when there is no such day
    # Art. 143(2): the day before the corresponding day; with none (29 Feb in a common year), the month's end.
    return corresponding if corresponding.day != first.day else add_days(corresponding, -1)


def obligation_period_end(start_date: date, end_date: date) -> date:
    """The last day on which the contract's obligations B and C still apply."""
    if end_date < start_date:
        raise InvalidValue("{field} must not be before start_date.", field="end_date")
    return years_after(end_date, YEARS_AFTER_END)


def within_obligation_period(d: date, period_end: date) -> bool:
    """Whether day ``d`` is still inside a period whose last day is ``period_end``."""
    return d <= period_end
