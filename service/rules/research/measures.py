"""What follows a breach of the procedure (source lines 1559-1569, 1637-1639): a deliberate false or hidden
declaration leads to a restriction on applying for competitive funding, for a period the FA sets under the
competitive-funding guideline; an institution that followed the procedure is not held liable for a leak that
happened anyway, and after a leak the set-up is reviewed for whether it existed and worked."""

from __future__ import annotations

from datetime import date
from typing import Literal

from service.rules.dates import add_days, add_years
from service.rules.invalid import InvalidValue

Breach = Literal["false_declaration", "hidden_declaration", "insufficient_procedure"]
MAX_RESTRICTION_YEARS = 10  # the guideline's longest restriction on applying (適正な執行に関する指針: up to 10 years)


def restriction_end(starts_on: date, years: int) -> date:
    """The last day of a restriction of `years` years that starts on `starts_on` (the day counted)."""
    if not 1 <= years <= MAX_RESTRICTION_YEARS:
        raise InvalidValue("{field} must be between 1 and {max} years.", field="years", max=MAX_RESTRICTION_YEARS)
    return add_days(add_years(starts_on, years), -1)


def restricted_on(day: date, starts_on: date, ends_on: date) -> bool:
    return starts_on <= day <= ends_on


# The institution's checklist (source line 1558 foresees one; its items are not published in the source, so these
# follow the procedure's own steps, each answered yes / no / partly with a note).
CHECKLIST: tuple[str, ...] = (
    "policy",               # a research-security policy and who is responsible for it
    "declarations",         # researchers' self-declarations collected for designated programmes
    "screening",            # names checked against the End User List and the CSL
    "lookback",             # items (3)-(8), (10), (11) checked for three years
    "mitigation",           # mitigation measures decided and followed up
    "additions",            # researchers added later checked before joining
    "training",             # researchers and staff trained
    "records",              # records kept and protected (personal data)
    "export_control",       # export control (deemed exports, specific category) in place
    "incident_response",    # a way to report and handle a suspected leak
)
Answer = Literal["yes", "partly", "no"]


def checklist_complete(answers: dict[str, str]) -> None:
    missing = [k for k in CHECKLIST if k not in answers]
    unknown = [k for k in answers if k not in CHECKLIST]
    if unknown:
        raise InvalidValue("unknown checklist item(s): {items}.", field="answers", items=unknown)
    if missing:
        raise InvalidValue("the checklist's item(s) {items} are not answered.", field="answers", items=missing)
