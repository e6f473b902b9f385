"""A researcher's self-declaration: the 13 items the institution checks before applying (source lines 1622-1634).

Items (3)-(8), (10) and (11) are checked for the three years before the declaration (「(3)～(8)、(10)、(11)は過去3年分
を確認」, line 1634). The window is computed, never typed: it is the three years that end on the day before the
declaration, counted backwards as the Civil Code counts a period of years (arts. 140, 143), plus the day of the
declaration itself, which the declaration also speaks for. A declaration on 2026-04-01 looks back to 2023-04-01;
on 2028-02-29 to 2025-03-01; on 2027-03-01 to 2024-02-29. An entry of those items counts when any day of it lies in
the window; the older ones stay on record, marked outside it.

A declaration is reused for the researcher's applications while it is fresh (policy `declaration_fresh_months`,
12 by default: one of 2026-04-01 serves through 2027-03-31), and it is never edited: a new one supersedes it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.rules.countries import CountryCode
from service.rules.dates import CalendarDay, add_days, add_months, add_years
from service.rules.invalid import InvalidValue
from service.rules.text import multi_line, single_line

LOOKBACK_YEARS = 3  # (source) 「過去3年分」
# The items whose entries are checked for the lookback window only (source line 1634).
WINDOWED_ITEMS: tuple[str, ...] = ("funding", "other_support", "papers", "patents", "talent_programmes",
                                   "sanctions", "listed_affiliations", "listed_relations")
# Every item, numbered as the procedure numbers them.
ITEM_NUMBERS: dict[str, int] = {
    "education": 1, "career": 2, "funding": 3, "other_support": 4, "papers": 5, "patents": 6,
    "talent_programmes": 7, "sanctions": 8, "listed": 9, "listed_affiliations": 10, "listed_relations": 11,
    "export_control": 12, "fa_items": 13}

Text = single_line(300)
LongText = multi_line(2000, min_length=1)
_Many = 200  # entries an item may hold: a career of 40 years of papers is well within


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    """An entry that lasts: from `start_on` to `end_on` (absent while it goes on)."""

    start_on: CalendarDay
    end_on: CalendarDay | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end_on is not None and self.end_on < self.start_on:
            raise InvalidValue("{field} must not be before start_on.", field="end_on")
        return self

    def first_day(self) -> date:
        return self.start_on

    def last_day(self) -> date | None:
        return self.end_on


class Dated(_Strict):
    """An entry of one day (a paper's publication, a patent's filing)."""

    on: CalendarDay

    def first_day(self) -> date:
        return self.on

    def last_day(self) -> date | None:
        return self.on


class Person(_Strict):
    name: Text
    affiliation: Text | None = None
    country: CountryCode | None = None


class Organisation(_Strict):
    name: Text
    country: CountryCode | None = None


class Education(Period):                     # (1)
    institution: Text
    country: CountryCode
    degree: Text
    field: Text | None = None


class Career(Period):                        # (2)
    organisation: Text
    country: CountryCode
    position: Text


class Funding(Period):                       # (3)
    funder: Text
    country: CountryCode
    title: Text
    amount_jpy: int | None = Field(default=None, ge=0, le=10**13)


class Support(Period):                       # (4)
    provider: Text
    country: CountryCode
    kind: Literal["equipment", "facilities", "personnel", "travel", "honorarium", "in_kind", "other"]
    description: Text


class Paper(Dated):                          # (5)
    title: Text
    role: Literal["first", "corresponding", "first_and_corresponding", "co_author"]
    co_authors: list[Person] = Field(default_factory=list, max_length=500)


class Patent(Dated):                         # (6) `on`: the filing day
    title: Text
    application_number: Text | None = None
    co_inventors: list[Person] = Field(default_factory=list, max_length=100)
    co_applicants: list[Organisation] = Field(default_factory=list, max_length=100)


class TalentProgramme(Period):               # (7)
    programme: Text
    country: CountryCode
    sponsor: Text | None = None


class Sanction(Dated):                       # (8) `on`: the day it was imposed
    measure: Text
    imposed_by: Text
    until_on: CalendarDay | None = None


class ListedAffiliation(Period):             # (10)
    institution: Text
    country: CountryCode


class ListedRelation(Period):                # (11)
    researcher: Text
    institution: Text
    country: CountryCode
    kind: Literal["joint_research", "commissioned_research", "co_authored_paper", "joint_presentation"]


class ExportControl(_Strict):                # (12)
    non_resident: bool
    specific_category: bool
    note: Text | None = None


class FaItem(_Strict):                       # (13)
    question: Text
    answer: LongText


class Items(_Strict):
    """The 13 items. An empty list is a declaration that there is nothing to declare for the item."""

    education: Annotated[list[Education], Field(min_length=1, max_length=_Many)]
    career: Annotated[list[Career], Field(min_length=1, max_length=_Many)]
    funding: Annotated[list[Funding], Field(max_length=_Many)] = []
    other_support: Annotated[list[Support], Field(max_length=_Many)] = []
    papers: Annotated[list[Paper], Field(max_length=_Many)] = []
    patents: Annotated[list[Patent], Field(max_length=_Many)] = []
    talent_programmes: Annotated[list[TalentProgramme], Field(max_length=_Many)] = []
    sanctions: Annotated[list[Sanction], Field(max_length=_Many)] = []
    listed: bool = Field(description="(9) the researcher is on the End User List or the Consolidated Screening List")
    listed_affiliations: Annotated[list[ListedAffiliation], Field(max_length=_Many)] = []
    listed_relations: Annotated[list[ListedRelation], Field(max_length=_Many)] = []
    export_control: ExportControl
    fa_items: Annotated[list[FaItem], Field(max_length=50)] = []


class Window(BaseModel):
    model_config = ConfigDict(frozen=True)

    start_on: date
    end_on: date


def lookback(declared_on: date) -> Window:
    """The lookback window of a declaration made on `declared_on` (see the module's docstring)."""
    last_before = add_days(declared_on, -1)
    back = add_years(last_before, -LOOKBACK_YEARS)  # 29 Feb becomes 28 Feb in a common year
    # Counting backwards, the period ends at the start of the day after the corresponding day.
    return Window(start_on=add_days(back, 1), end_on=declared_on)


def in_window(entry: Period | Dated, window: Window) -> bool:
    """Whether any day of the entry lies in the window."""
    last = entry.last_day()
    return entry.first_day() <= window.end_on and (last is None or last >= window.start_on)


def future_entries(items: BaseModel, declared_on: date) -> list[tuple[str, int]]:
    """(item, index) of entries that begin after the declaration: what has not happened cannot be declared.
    `items` is the 13 items, or a model of some of them (a step of the pages' form): the others count as empty."""
    out = []
    for name in ("education", "career", *WINDOWED_ITEMS):
        for i, entry in enumerate(getattr(items, name, ())):
            if entry.first_day() > declared_on:
                out.append((name, i))
    return out


def check_day(declared_on: date, today: date) -> None:
    """A declaration is not dated after the day it is recorded."""
    if declared_on > today:
        raise InvalidValue("{field} must not be after today ({today}).", field="declared_on", today=today)


def check(items: Items, declared_on: date, today: date) -> None:
    """What a declaration must be to be recorded, beyond its shape: not dated after today, no entry starting
    after the day it was declared."""
    check_day(declared_on, today)
    found = future_entries(items, declared_on)
    if found:
        name, i = found[0]
        raise InvalidValue("{item}[{index}] begins after the declaration ({declared_on}).",
                           field="items", item=name, index=i, declared_on=declared_on)


class ItemSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    item: str
    number: int
    windowed: bool
    entries: int
    in_window: int


def summary(items: Items, declared_on: date) -> list[ItemSummary]:
    """Per item: how many entries, and (for the windowed items) how many fall in the lookback window."""
    w = lookback(declared_on)
    out = []
    for name, number in ITEM_NUMBERS.items():
        value = getattr(items, name)
        if isinstance(value, list):
            windowed = name in WINDOWED_ITEMS
            inside = sum(1 for e in value if in_window(e, w)) if windowed else len(value)
            out.append(ItemSummary(item=name, number=number, windowed=windowed, entries=len(value), in_window=inside))
        else:
            out.append(ItemSummary(item=name, number=number, windowed=False, entries=1, in_window=1))
    return out


def fresh_through(declared_on: date, months: int) -> date:
    """The last day a declaration of `declared_on` may be used for an application: `months` later, less a day
    (the Civil Code's way: 2026-04-01 and 12 months serve through 2027-03-31; 2024-02-29 through 2025-02-28)."""
    corresponding = add_months(declared_on, months)
    return add_days(corresponding, -1) if corresponding.day == declared_on.day else corresponding


def is_fresh(declared_on: date, on: date, months: int) -> bool:
    return declared_on <= on <= fresh_through(declared_on, months)


def supersedes(new_declared_on: date, current_declared_on: date | None) -> None:
    """A new declaration supersedes the current one; it may not be dated before it (the record's order is the
    order of the declarations)."""
    if current_declared_on is not None and new_declared_on < current_declared_on:
        raise InvalidValue("{field} must not be before the declaration it supersedes ({current}).",
                           field="declared_on", current=current_declared_on)
