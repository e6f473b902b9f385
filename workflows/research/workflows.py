"""The durable part of research security (issue 14): a review round's clock and its messages, a programme's
retention of researchers' personal data, and the re-screening of declarations against a new list version.

Thin and deterministic like the contract and consultation workflows: they know only the instants at which
something is due (the round's ClockSnapshot, the day of erasure) and sleep until the next one, or until a signal
brings a newer one; on waking an activity (workflows/research/activities.py) does the work in one transaction.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from service.rules.dates import JST
    from service.workflow_io import (
        DRAFT_WORKFLOW,
        RESEARCH_RESCREEN_WORKFLOW,
        RETENTION_CHANGED_SIGNAL,
        RETENTION_WORKFLOW,
        ROUND_UPDATED_SIGNAL,
        ROUND_WORKFLOW,
        ClockSnapshot,
        DraftState,
        ResearchRescreenState,
        RetentionState,
        RoundAdvanced,
        RoundState,
        RoundStatus,
        RoundUpdate,
    )
    from workflows.constants import (
        ACTIVITY_RETRY,
        ACTIVITY_TIMEOUT,
        MAX_RUN_SPAN,
        MAX_SLEEP,
        start_of_day,
    )
    from workflows.delivery import deliver_or_give_up

# A batch matches a few hundred names against the lists: minutes at most; it beats every 2 s.
BATCH_TIMEOUT = timedelta(minutes=10)
HEARTBEAT_TIMEOUT = timedelta(seconds=10)


@workflow.defn(name=ROUND_WORKFLOW)
class ReviewRoundWorkflow:
    """One review round of an application, from its submission until the FA accepts it: wakes at each instant of
    the running clock's ladder (the FA's review target, or the institution's respond-by day), records the messages
    due then and sends each by e-mail, retried with back-off for a day. A transition (a request for mitigation,
    an answer, the acceptance) signals the clock after it; the round ends once accepted and its messages are done."""

    @workflow.init
    def __init__(self, state: RoundState) -> None:
        # The state exists before any handler runs: a signal may come in the very first activation.
        self._state: RoundState = state
        self._woken = False
        self._sending: set[str] = set()
        self._deliveries: list[asyncio.Task] = []

    @workflow.run
    async def run(self, state: RoundState) -> RoundStatus:
        state = self._state
        run_started = workflow.now()
        while not (state.clock.closed and not self._sending):
            now = workflow.now()
            wake_at = None if state.clock.closed else min(state.clock.wake_at, default=None)
            if wake_at is not None and wake_at <= now:
                await self._advance(now)
                continue
            self._woken = False
            timeout = MAX_SLEEP if wake_at is None else min(wake_at - now, MAX_SLEEP)
            try:
                await workflow.wait_condition(lambda: self._woken or (state.clock.closed and not self._sending),
                                              timeout=timeout)
            except TimeoutError:
                pass
            if workflow.info().is_continue_as_new_suggested() or workflow.now() - run_started >= MAX_RUN_SPAN:
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self._sending)
                workflow.continue_as_new(state)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status()

    async def _advance(self, now: datetime) -> None:
        done = await workflow.execute_activity(
            "research.advance", args=[self._state.round_id, now], result_type=RoundAdvanced,
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY)
        self._state.wakes += 1
        snap = done.snapshot
        # Only instants after now can wake us again, whatever a stale snapshot said.
        snap.wake_at = [t for t in snap.wake_at if t > now]
        self._adopt(snap)
        for message_id in done.pending:
            if message_id not in self._sending:
                self._sending.add(message_id)
                self._deliveries.append(asyncio.create_task(self._deliver(message_id)))

    async def _deliver(self, message_id: str) -> None:
        try:
            await deliver_or_give_up("research", message_id)
        finally:
            self._sending.discard(message_id)

    def _adopt(self, snap: ClockSnapshot) -> None:
        # The database is never behind a signal (signals are sent after commit), so the newest version wins and an
        # activity's fresh reading replaces a signal's of the same version.
        if snap.version >= self._state.clock.version:
            self._state.clock = snap

    @workflow.signal(name=ROUND_UPDATED_SIGNAL)
    def round_updated(self, update: RoundUpdate) -> None:
        self._adopt(update.snapshot)
        self._woken = True

    @workflow.query(name="status")
    def status(self) -> RoundStatus:
        return self._status()

    def _status(self) -> RoundStatus:
        c = self._state.clock
        return RoundStatus(round_id=self._state.round_id, clock_version=c.version,
                           next_wake_at=min(c.wake_at) if c.wake_at and not c.closed else None, closed=c.closed,
                           wakes=self._state.wakes)


@workflow.defn(name=RETENTION_WORKFLOW)
class RetentionWorkflow:
    """A programme's retention: waits until the start (00:00 JST) of its erase day, then erases the personal data
    of its researchers and ends. A changed end day (the relay's signal-with-start) replaces the day waited for."""

    @workflow.init
    def __init__(self, state: RetentionState) -> None:
        self._state: RetentionState = state
        self._changed = False

    @workflow.run
    async def run(self, state: RetentionState) -> RetentionState:
        state = self._state
        run_started = workflow.now()
        while True:
            now = workflow.now()
            at = start_of_day(state.erase_on)
            if at <= now:
                day = state.erase_on
                state.erased = await workflow.execute_activity(
                    "research.erase", args=[state.programme_id, now.astimezone(JST).date()], result_type=int,
                    start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY)
                if state.erase_on == day or start_of_day(state.erase_on) <= workflow.now():
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    return state
                continue  # a later day came while it erased: wait for that one too
            self._changed = False
            try:
                await workflow.wait_condition(lambda: self._changed, timeout=min(at - now, MAX_SLEEP))
            except TimeoutError:
                pass
            if workflow.info().is_continue_as_new_suggested() or workflow.now() - run_started >= MAX_RUN_SPAN:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(state)

    @workflow.signal(name=RETENTION_CHANGED_SIGNAL)
    def retention_changed(self, changed: RetentionState) -> None:
        if changed.programme_id == self._state.programme_id:
            self._state.erase_on = changed.erase_on
            self._changed = True

    @workflow.query(name="status")
    def status(self) -> RetentionState:
        return self._state


@workflow.defn(name=RESEARCH_RESCREEN_WORKFLOW)
class ResearchRescreenWorkflow:
    """Every declaration in use re-screened against a new list version, in bounded batches (each one idempotent
    activity), twice over: the second pass finds a declaration that came into use while the import committed
    (its subjects done already are skipped without a match). Hands over to a fresh run every few dozen batches."""

    @workflow.run
    async def run(self, state: ResearchRescreenState) -> ResearchRescreenState:
        for _ in range(state.batches_per_run):
            today = workflow.now().astimezone(JST).date()
            done = await workflow.execute_activity(
                "research.rescreen_batch", args=[state.version_id, state.after, state.batch_size, today],
                result_type=dict, start_to_close_timeout=BATCH_TIMEOUT, heartbeat_timeout=HEARTBEAT_TIMEOUT,
                retry_policy=ACTIVITY_RETRY)
            state.batches += 1
            if state.passes == 0:
                state.screened += done["screened"]
            state.potential_matches += done["potential_matches"]
            state.after = done["next_after"]
            if state.after is None:
                state.passes += 1
                if state.passes == 2:
                    state.done = True
                    return state
        workflow.continue_as_new(state)


@workflow.defn(name=DRAFT_WORKFLOW)
class DeclarationDraftWorkflow:
    """A draft of the declaration form, from its start until it is gone: sleeps until it expires, then lets the
    activity delete it, or learn that a save moved its expiry (sleep again) or that it became a declaration or was
    discarded (end). A draft holds personal data, so it must not outlive its days by waiting for its author."""

    @workflow.run
    async def run(self, state: DraftState) -> DraftState:
        run_started = workflow.now()
        while True:
            now = workflow.now()
            if state.expires_at > now:
                await workflow.sleep(min(state.expires_at - now, MAX_SLEEP))
                if workflow.now() - run_started >= MAX_RUN_SPAN:
                    workflow.continue_as_new(state)
                continue
            later = await workflow.execute_activity(
                "research.expire_draft", args=[state.draft_id, now], result_type=datetime | None,
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY)
            if later is None:
                return state
            # Never before the instant asked about: a clock that went backwards must not spin.
            state.expires_at = max(later, now + timedelta(seconds=1))
