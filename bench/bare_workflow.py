"""The baseline of bench/worker_memory.py: a workflow that holds nothing and waits, as a contract's does."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow


@workflow.defn(name="BenchBareWorkflow")
class BareWorkflow:
    @workflow.run
    async def run(self, arg: dict) -> None:
        await workflow.sleep(timedelta(days=3650))
