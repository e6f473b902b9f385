"""How long researchers' personal data is kept (issue 14, item 8): the programme's policy
`research_retention_years` after its last day; on that day the personal fields are erased and the decisions kept.
The source sets no period (the personal-data law leaves it to the purpose); the figure is ours."""

from __future__ import annotations

from datetime import date

from service.rules.dates import add_years


def erase_on(ends_on: date | None, years: int) -> date | None:
    """The day the personal data of a programme that ends on `ends_on` is erased (None while it has no end)."""
    return None if ends_on is None else add_years(ends_on, years)
