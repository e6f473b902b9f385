"""Timing shared by every workflow of tlc: sleeps, activity time-outs and retries, and the start of a day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from temporalio.common import RetryPolicy

from service.rules.dates import deadline_instant

# A run waits in bounded chunks and hands over to a fresh run after a few years, so that histories
# stay small and no single run outlives a server's execution cap (the Java test server's is 10 years).
MAX_SLEEP = timedelta(days=366)
MAX_RUN_SPAN = timedelta(days=4 * 366)
MAX_EVENTS_PER_RUN = 2000
REMEMBERED_EVENT_IDS = 1000
ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))
# A message is retried with back-off for a day, then marked failed in the notification log.
DELIVERY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), backoff_coefficient=2.0,
                             maximum_interval=timedelta(hours=1))
DELIVERY_GIVE_UP = timedelta(hours=24)
# One attempt: an SMTP or webhook exchange (their own time-outs are 20 s and 10 s); a worker that dies in one
# is noticed after this long, and the attempt is made again.
DELIVERY_ATTEMPT = timedelta(seconds=30)


def start_of_day(d: date) -> datetime:
    """00:00 JST on day d: when the calendar moves a deadline to its state of that day."""
    return deadline_instant(d - timedelta(days=1))

# workflow.patched ids: each marks a change of the contract workflow that running histories must replay around.
BAYH_DOLE_OUTLIVES_PERIOD = "bayh-dole-outlives-period"
