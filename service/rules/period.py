"""The obligation period of a contract (DOMAIN.md §3; source line 1742).

Obligations B, C and D apply "契約期間中及び契約終了後３年間": from the start date to the end date
plus three calendar years, the last day included.
"""

from __future__ import annotations

from datetime import date

from service.rules.dates import add_years

YEARS_AFTER_END = 3


def obligation_period_end(start_date: date, end_date: date) -> date:
    """The last day on which the contract's obligations still apply."""
    if end_date < start_date:
        raise ValueError("end_date must not be before start_date")
    return add_years(end_date, YEARS_AFTER_END)


def within_obligation_period(d: date, period_end: date) -> bool:
    """Whether day ``d`` is still inside a period whose last day is ``period_end``."""
    return d <= period_end
