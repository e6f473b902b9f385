"""Re-screening every open party against a new list version (issue 13): bounded batches, each one activity
(one transaction) that is idempotent, so a batch repeated after a crash screens nobody twice; the run hands
over to a fresh one (continue-as-new) every few dozen batches so that its history stays small."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from service.workflow_io import RESCREEN_WORKFLOW, RescreenState
    from workflows.constants import ACTIVITY_RETRY

# A batch matches a few hundred names against tens of thousands of entries: minutes at most. It beats every
# 2 s (workflows/screening/activities.py), so a batch whose worker died is run again after HEARTBEAT_TIMEOUT.
BATCH_TIMEOUT = timedelta(minutes=10)
HEARTBEAT_TIMEOUT = timedelta(seconds=10)


@workflow.defn(name=RESCREEN_WORKFLOW)
class RescreenWorkflow:
    @workflow.run
    async def run(self, state: RescreenState) -> RescreenState:
        for _ in range(state.batches_per_run):
            done = await workflow.execute_activity(
                "screening.rescreen_batch", args=[state.version_id, state.after, state.batch_size], result_type=dict,
                start_to_close_timeout=BATCH_TIMEOUT, heartbeat_timeout=HEARTBEAT_TIMEOUT,
                retry_policy=ACTIVITY_RETRY)
            state.batches += 1
            state.screened += done["screened"]
            state.potential_matches += done["potential_matches"]
            state.after = done["next_after"]
            if state.after is None:
                state.passes += 1
                if state.passes == 2:
                    state.done = True
                    return state
        workflow.continue_as_new(state)
