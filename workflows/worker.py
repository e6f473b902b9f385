"""The worker: runs every workflow and activity of tlc on one task queue."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from workflows.consultation.activities import ConsultationActivities
from workflows.consultation.workflows import ConsultationWorkflow
from workflows.contract.activities import ContractActivities
from workflows.contract.workflows import ContractWorkflow

WORKFLOWS = [ContractWorkflow, ConsultationWorkflow]

# Pydantic and our pure modules are deterministic; importing them afresh in every sandbox would cost
# ~240 ms per workflow instance for nothing.
SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "pydantic", "pydantic_core", "annotated_types", "service.rules", "workflows.contract.types", "workflows.consultation.types"))


def build_worker(client: Client, engine: Engine, task_queue: str) -> Worker:
    contract, case = ContractActivities(engine), ConsultationActivities(engine)
    return Worker(client, task_queue=task_queue, workflows=WORKFLOWS,
                  activities=[contract.advance, contract.close, case.advance], workflow_runner=SANDBOX)
