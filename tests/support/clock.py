"""A settable clock for the API (`create_app(now=...)`): noon JST on a given day, or an exact instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from service.rules.dates import JST


class Clock:
    def __init__(self, day: date):
        self.set(day)

    def set(self, day: date | str) -> None:
        self.day = date.fromisoformat(day) if isinstance(day, str) else day
        self.instant = datetime.combine(self.day, time(12), tzinfo=JST).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta
        self.day = self.instant.astimezone(JST).date()

    @classmethod
    def real(cls) -> Clock:
        """The real time, for tests whose tokens come from outside the app (an identity provider's, signed at
        the real time): only durations are judged by it, never a day."""
        clock = cls(date(2000, 1, 1))
        clock.instant = datetime.now(UTC)
        clock.day = clock.instant.astimezone(JST).date()
        return clock
