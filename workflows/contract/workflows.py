"""One workflow per contract: it owns the contract's clock from registration to term + 3 years."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from service.rules.dates import deadline_instant
    from workflows.contract.types import ContractState, ContractStatus

# A run sleeps in bounded chunks and hands over to a fresh run after a few years, so that histories
# stay small and no single run outlives a server's execution cap (the Java test server's is 10 years).
MAX_SLEEP = timedelta(days=366)
MAX_RUN_SPAN = timedelta(days=4 * 366)
ACTIVITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


@workflow.defn(name="ContractWorkflow")
class ContractWorkflow:
    def __init__(self) -> None:
        self._state: ContractState | None = None

    @workflow.run
    async def run(self, state: ContractState) -> ContractStatus:
        self._state = state
        closes_at = deadline_instant(state.terms.obligation_period_end)
        run_started = workflow.now()
        while workflow.now() < closes_at:
            remaining = closes_at - workflow.now()
            await workflow.sleep(min(remaining, MAX_SLEEP))
            if workflow.now() >= closes_at:
                break
            if workflow.info().is_continue_as_new_suggested() or workflow.now() - run_started >= MAX_RUN_SPAN:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(state.model_copy(update={"runs": state.runs + 1}))
        state.phase = "closed"
        await workflow.execute_activity(
            "contract.mark_closed", args=[state.terms.contract_id, closes_at],
            start_to_close_timeout=timedelta(seconds=30), retry_policy=ACTIVITY_RETRY)
        return self._status()

    @workflow.query(name="status")
    def status(self) -> ContractStatus:
        return self._status()

    def _status(self) -> ContractStatus:
        assert self._state is not None
        terms = self._state.terms
        return ContractStatus(contract_id=terms.contract_id, phase=self._state.phase,
                              obligation_period_end=terms.obligation_period_end,
                              closes_at=deadline_instant(terms.obligation_period_end),
                              as_of=workflow.now(), runs=self._state.runs)
