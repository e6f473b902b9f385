"""Keyset pagination on the id: stable under inserts, cheap at any depth."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlmodel import Session

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_after: str | None = Field(description="pass as ?after= to get the next page; null on the last")


def page_of(session: Session, query: Any, key_col: Any, after: str | None, limit: int,
            public: type[BaseModel], convert=None) -> Page:
    if after is not None:
        query = query.where(key_col > after)
    rows = list(session.exec(query.order_by(key_col).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    items = [convert(r) if convert else public.model_validate(r) for r in rows]
    return Page(items=items, next_after=getattr(rows[-1], key_col.key) if more and rows else None)
