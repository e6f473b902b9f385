"""The worker: runs every workflow and activity of tlc on one task queue."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from service.config import Settings, get_settings
from workflows.consultation.activities import ConsultationActivities
from workflows.consultation.workflows import ConsultationWorkflow
from workflows.contract.activities import ContractActivities
from workflows.contract.workflows import ContractWorkflow
from workflows.notify.activities import NotifyActivities

WORKFLOWS = [ContractWorkflow, ConsultationWorkflow]

# Pydantic and our pure modules are deterministic; importing them afresh in every sandbox would cost
# ~240 ms per workflow instance for nothing.
SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "pydantic", "pydantic_core", "annotated_types", "service.rules", "workflows.contract.types", "workflows.consultation.types"))


def build_worker(client: Client, engine: Engine, task_queue: str, settings: Settings | None = None) -> Worker:
    contract, case = ContractActivities(engine), ConsultationActivities(engine)
    notify = NotifyActivities(engine, settings or get_settings())
    return Worker(client, task_queue=task_queue, workflows=WORKFLOWS, workflow_runner=SANDBOX,
                  activities=[contract.advance, contract.close, case.advance, notify.plan, notify.deliver,
                              notify.give_up])
