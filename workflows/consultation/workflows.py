"""One workflow per consultation case: the ministry's review clock (target paused while information is
requested) and the contractor's respond-by date, from submission until the case is concluded or withdrawn.

Like the contract workflow it knows only the days on which the clocks change (a ClockSnapshot), sleeps
until the next one or until a transition signal brings a newer snapshot, and on waking lets the
`case.advance` activity apply the pure rules to the database.
"""

from __future__ import annotations

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from service.rules.dates import JST
    from service.workflow_io import CASE_UPDATED_SIGNAL, CASE_WORKFLOW, CaseState, CaseStatus, CaseUpdate, ClockSnapshot
    from workflows.constants import ACTIVITY_RETRY, ACTIVITY_TIMEOUT, MAX_SLEEP, start_of_day


@workflow.defn(name=CASE_WORKFLOW)
class ConsultationWorkflow:
    @workflow.init
    def __init__(self, state: CaseState) -> None:
        # The state exists before any handler runs: a signal may come in the very first activation.
        self._state: CaseState = state
        self._woken = False

    @workflow.run
    async def run(self, state: CaseState) -> CaseStatus:
        state = self._state
        while not state.clock.closed:
            now = workflow.now()
            wake_at = min((start_of_day(d) for d in state.clock.wake_on), default=None)
            if wake_at is not None and wake_at <= now:
                await self._advance(now.astimezone(JST).date())
                continue
            self._woken = False
            timeout = MAX_SLEEP if wake_at is None else min(wake_at - now, MAX_SLEEP)
            try:
                await workflow.wait_condition(lambda: self._woken, timeout=timeout)
            except TimeoutError:
                pass
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(state)
        return self._status()

    async def _advance(self, today: date) -> None:
        snap = await workflow.execute_activity(
            "case.advance", args=[self._state.case_id, today], result_type=ClockSnapshot,
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY)
        self._state.wakes += 1
        snap.wake_on = [d for d in snap.wake_on if d > today]
        self._adopt(snap)

    def _adopt(self, snap: ClockSnapshot) -> None:
        if snap.version >= self._state.clock.version:
            self._state.clock = snap

    @workflow.signal(name=CASE_UPDATED_SIGNAL)
    def case_updated(self, update: CaseUpdate) -> None:
        self._adopt(update.snapshot)
        self._woken = True

    @workflow.query(name="status")
    def status(self) -> CaseStatus:
        return self._status()

    def _status(self) -> CaseStatus:
        c = self._state.clock
        return CaseStatus(case_id=self._state.case_id, clock_version=c.version,
                          next_wake_on=min(c.wake_on) if c.wake_on else None, closed=c.closed,
                          wakes=self._state.wakes)
