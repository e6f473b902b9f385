"""Keyset pagination: stable under inserts, cheap at any depth.

A page is `WHERE (sort key, id) > (the last row's) ORDER BY sort key, id LIMIT n + 1`: written as a row-value
comparison, it is one range of an index on (scope columns..., sort key, id), which both SQLite (>= 3.15) and
PostgreSQL scan in order and stop after n + 1 rows. Written with OR, neither could use it as a range (issue 11).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import literal, tuple_
from sqlmodel import Session

from service.problems import Invalid

T = TypeVar("T")

AFTER = "the next page: the `after` of the previous page's `Link: <…>; rel=\"next\"` header"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_after: str | None = Field(description="pass as ?after= to get the next page; null on the last")


def after_row(columns: tuple[Any, ...], values: tuple[Any, ...], *, descending: bool = False) -> Any:
    """`(columns) > (values)`: the rows after the cursor's, in the order of `columns` (`<` for a descending
    order). Each value is bound with its column's type, so that an instant is stored and compared alike."""
    left = tuple_(*columns)
    right = tuple_(*(literal(v, c.type) for c, v in zip(columns, values, strict=True)))
    return left < right if descending else left > right


def opaque_cursor(*values: str | date | datetime) -> str:
    """A cursor for keys that may hold any character (deadline ids hold their subject): the values as
    JSON in URL-safe base64, for `?after=` to give back as it came."""
    raw = json.dumps([v.isoformat() if isinstance(v, date | datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def parse_opaque_cursor(after: str, *kinds: type) -> tuple[Any, ...]:
    """The values an `opaque_cursor` holds, each read as `kinds` says; anything else is a 422 on `after`."""
    try:
        values = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
        if not isinstance(values, list) or len(values) != len(kinds) or not all(isinstance(v, str) for v in values):
            raise ValueError("not this API's cursor")
        parsed = tuple(k.fromisoformat(v) if k in (date, datetime) else v for k, v in zip(kinds, values, strict=True))
        if any(isinstance(v, datetime) and v.tzinfo is None for v in parsed):
            raise ValueError("a cursor's instant carries its zone")
        return parsed
    except ValueError as exc:  # also binascii.Error and json.JSONDecodeError
        raise Invalid(["query", "after"], "{field} is not a cursor this API gave.") from exc


def date_cursor(day: date, last_id: str) -> str:
    return f"{day.isoformat()}|{last_id}"


def parse_date_cursor(after: str) -> tuple[date, str]:
    """The (day, id) a `date_cursor` holds; a string this API did not give is a 422 on `after`."""
    day, _, last_id = after.partition("|")
    try:
        return date.fromisoformat(day), last_id
    except ValueError as exc:
        raise Invalid(["query", "after"], "{field} is not a cursor this API gave.") from exc


def link_next(request: Any, response: Any, cursor: str | None) -> None:
    """A list that answers a bare JSON array (as API.md has it) says where its next page is in a
    `Link: <…?after=…>; rel="next"` header (RFC 8288), the other query parameters kept."""
    if cursor is not None:
        response.headers["Link"] = f'<{request.url.include_query_params(after=cursor)}>; rel="next"'


def split_page(rows: list[Any], limit: int, cursor_of: Any) -> tuple[list[Any], str | None]:
    """The page of `limit + 1` rows asked for: its first `limit`, and `cursor_of(last row)` when more follow."""
    more, rows = len(rows) > limit, rows[:limit]
    return rows, (cursor_of(rows[-1]) if more and rows else None)


def keyed(query: Any, key_col: Any, after: str | None, limit: int) -> Any:
    """`query`'s page after `after` by a unique key: what `page_of` runs."""
    if after is not None:
        query = query.where(key_col > after)
    return query.order_by(key_col).limit(limit + 1)


def page_of(session: Session, query: Any, key_col: Any, after: str | None, limit: int,
            public: type[BaseModel], convert=None) -> Page:
    rows, cursor = split_page(list(session.exec(keyed(query, key_col, after, limit)).all()), limit,
                              lambda last: getattr(last, key_col.key))
    items = [convert(r) if convert else public.model_validate(r) for r in rows]
    return Page(items=items, next_after=cursor)


def every_page(fetch: Callable[[str | None], tuple[list[T], str | None]]) -> Iterator[list[T]]:
    """Each page of a keyset list in turn, `fetch(after)` giving a page and the next page's cursor: for reading a
    whole list (an export) one page in memory at a time."""
    after: str | None = None
    while True:
        rows, after = fetch(after)
        if rows:
            yield rows
        if after is None:
            return
