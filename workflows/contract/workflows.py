"""One workflow per contract: it owns the contract's clock from registration to term + 3 years, and after
that for as long as a Bayh-Dole approval is open (DOMAIN.md §3 [r2]).

Thin by design: it knows only the days on which the obligation state changes by the calendar (a
ClockSnapshot) and sleeps until the next one, or until an event signal brings a newer snapshot
(the updatable-timer pattern). On waking it runs the `contract.advance` activity, which applies the
pure clock rules to the database state and returns the next snapshot. At the end of the obligation
period it closes A, B and C; it ends when no Bayh-Dole approval is left open (a later one starts it again,
by signal-with-start from the relay).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from service.rules.dates import JST, deadline_instant
    from service.workflow_io import (
        CONTRACT_EVENT_SIGNAL,
        CONTRACT_TERMS_SIGNAL,
        CONTRACT_WORKFLOW,
        ClockSnapshot,
        ContractState,
        ContractStatus,
        ContractTerms,
        EventApplied,
    )
    from workflows.constants import (
        ACTIVITY_RETRY,
        ACTIVITY_TIMEOUT,
        BAYH_DOLE_OUTLIVES_PERIOD,
        MAX_EVENTS_PER_RUN,
        MAX_RUN_SPAN,
        MAX_SLEEP,
        REMEMBERED_EVENT_IDS,
        start_of_day,
    )
    from workflows.delivery import deliver_or_give_up


@workflow.defn(name=CONTRACT_WORKFLOW)
class ContractWorkflow:
    @workflow.init
    def __init__(self, state: ContractState) -> None:
        # The state exists before any handler runs: a signal may be delivered in the very first activation,
        # together with the start (the relay sends both as soon as it can).
        self._state: ContractState = state
        self._woken = False
        self._events_this_run = 0
        self._sending: set[str] = set()
        self._deliveries: list[asyncio.Task] = []

    @workflow.run
    async def run(self, state: ContractState) -> ContractStatus:
        state = self._state
        if state.phase == "active":
            await self._keep_clock(until=lambda: deadline_instant(state.terms.obligation_period_end))
            closes_at = deadline_instant(state.terms.obligation_period_end)
            # Messages already on their way finish (or give up) before the period closes; none start after.
            await workflow.wait_condition(lambda: not self._sending)
            await workflow.execute_activity("contract.close", args=[state.terms.contract_id, closes_at],
                                            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY)
            if workflow.patched(BAYH_DOLE_OUTLIVES_PERIOD):
                # DOMAIN.md §3 [r2]: Bayh-Dole approvals stay open after the period; their clock goes on.
                state.phase = "rights"
                await self._advance(workflow.now().astimezone(JST).date())
        if state.phase == "rights":
            await self._keep_clock(until=None)
            await workflow.wait_condition(lambda: not self._sending)
        state.phase = "closed"
        state.clock = ClockSnapshot(version=state.clock.version, wake_on=[], closed=True)
        return self._status()

    async def _keep_clock(self, *, until: Callable[[], datetime] | None) -> None:
        """Wake on each day and instant of the clock until `until()` (read again on each turn: corrected terms
        move it) or, without one (after the period), until the clock says nothing can change any more; continue
        as new when the history grows long."""
        state = self._state
        run_started = workflow.now()
        while True:
            now = workflow.now()
            end = until() if until is not None else None
            if end is not None and now >= end:
                return
            if end is None and state.clock.closed and workflow.all_handlers_finished() and not self._sending:
                return
            times = [start_of_day(d) for d in state.clock.wake_on] + list(state.clock.wake_at)
            wake_at = min(times + ([end] if end is not None else []), default=None)
            if wake_at is not None and wake_at <= now and (end is None or wake_at < end):
                await self._advance(now.astimezone(JST).date())
                if workflow.patched("reminder-ladder"):
                    await self._remind(now)
                continue
            self._woken = False
            try:
                await workflow.wait_condition(lambda: self._woken,
                                              timeout=MAX_SLEEP if wake_at is None else min(wake_at - now, MAX_SLEEP))
            except TimeoutError:
                pass
            if (workflow.info().is_continue_as_new_suggested() or workflow.now() - run_started >= MAX_RUN_SPAN
                    or self._events_this_run >= MAX_EVENTS_PER_RUN):
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self._sending)
                workflow.continue_as_new(state.model_copy(update={"runs": state.runs + 1}))

    async def _advance(self, today: date) -> None:
        snap = await workflow.execute_activity(
            "contract.advance", args=[self._state.terms.contract_id, today], result_type=ClockSnapshot,
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY)
        self._state.wakes += 1
        # Only days after today, and instants after now, can wake us again, whatever a stale snapshot said.
        snap.wake_on = [d for d in snap.wake_on if d > today]
        snap.wake_at = [t for t in snap.wake_at if t > workflow.now()]
        self._adopt(snap)

    async def _remind(self, now: datetime) -> None:
        """Record the ladder's messages due now and send each in the background, retried with back-off."""
        ids = await workflow.execute_activity(
            "notify.plan", args=[self._state.terms.contract_id, now], result_type=list[str],
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY)
        for message_id in ids:
            if message_id not in self._sending:
                self._sending.add(message_id)
                self._deliveries.append(asyncio.create_task(self._deliver(message_id)))

    async def _deliver(self, message_id: str) -> None:
        try:
            await deliver_or_give_up("notify", message_id)
        finally:
            self._sending.discard(message_id)

    def _adopt(self, snap: ClockSnapshot) -> None:
        # The database is never behind a signal (signals are sent after commit), so the newest version wins
        # and an activity's fresh reading replaces a signal's of the same version.
        if snap.version >= self._state.clock.version:
            self._state.clock = snap

    @workflow.signal(name=CONTRACT_EVENT_SIGNAL)
    def event_applied(self, applied: EventApplied) -> None:
        if applied.event_id in self._state.applied_event_ids:
            return  # a redelivery: already applied
        self._state.applied_event_ids = (self._state.applied_event_ids + [applied.event_id])[-REMEMBERED_EVENT_IDS:]
        self._events_this_run += 1
        self._adopt(applied.snapshot)
        self._woken = True

    @workflow.signal(name=CONTRACT_TERMS_SIGNAL)
    def terms_changed(self, terms: ContractTerms) -> None:
        """Corrected terms (a data migration): the period's last day may move, and the clock with it."""
        self._state.terms = terms
        self._woken = True

    @workflow.query(name="status")
    def status(self) -> ContractStatus:
        return self._status()

    def _status(self) -> ContractStatus:
        s = self._state
        return ContractStatus(contract_id=s.terms.contract_id, phase=s.phase,
                              obligation_period_end=s.terms.obligation_period_end,
                              closes_at=deadline_instant(s.terms.obligation_period_end), as_of=workflow.now(),
                              runs=s.runs, clock_version=s.clock.version,
                              next_wake_on=min(s.clock.wake_on) if s.clock.wake_on else None,
                              applied_events=len(s.applied_event_ids), wakes=s.wakes)
