"""A settable clock for the API (`create_app(now=...)`): noon JST on a given day, or an exact instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from service.rules.dates import JST


class Clock:
    def __init__(self, day: date):
        self.set(day)

    def set(self, day: date | str) -> None:
        self.day = date.fromisoformat(day) if isinstance(day, str) else day
        self.instant = datetime.combine(self.day, time(12), tzinfo=JST).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.instant
