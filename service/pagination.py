"""Keyset pagination: stable under inserts, cheap at any depth.

A page is `WHERE (sort key, id) > (the last row's) ORDER BY sort key, id LIMIT n + 1`: written as a row-value
comparison, it is one range of an index on (scope columns..., sort key, id), which both SQLite (>= 3.15) and
PostgreSQL scan in order and stop after n + 1 rows. Written with OR, neither could use it as a range (issue 11).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import tuple_
from sqlmodel import Session

from service.problems import Invalid

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_after: str | None = Field(description="pass as ?after= to get the next page; null on the last")


def after_row(columns: tuple[Any, ...], values: tuple[Any, ...]) -> Any:
    """`(columns) > (values)`: the rows after the cursor's, in the order of `columns`."""
    return tuple_(*columns) > tuple_(*values)


def date_cursor(day: date, last_id: str) -> str:
    return f"{day.isoformat()}|{last_id}"


def parse_date_cursor(after: str) -> tuple[date, str]:
    """The (day, id) a `date_cursor` holds; a string this API did not give is a 422 on `after`."""
    day, _, last_id = after.partition("|")
    try:
        return date.fromisoformat(day), last_id
    except ValueError as exc:
        raise Invalid(["query", "after"], "bad cursor", detail="after is not a cursor this API gave.") from exc


def keyed(query: Any, key_col: Any, after: str | None, limit: int) -> Any:
    """`query`'s page after `after` by a unique key: what `page_of` runs."""
    if after is not None:
        query = query.where(key_col > after)
    return query.order_by(key_col).limit(limit + 1)


def page_of(session: Session, query: Any, key_col: Any, after: str | None, limit: int,
            public: type[BaseModel], convert=None) -> Page:
    rows = list(session.exec(keyed(query, key_col, after, limit)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    items = [convert(r) if convert else public.model_validate(r) for r in rows]
    return Page(items=items, next_after=getattr(rows[-1], key_col.key) if more and rows else None)
