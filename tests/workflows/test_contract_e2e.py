"""End to end on the Temporal dev server (the one `tlc dev` runs): the API registers a contract, the
outbox relay starts its workflow, and the worker runs it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import issue_token
from service.config import Settings
from service.main import create_app
from service.outbox import OutboxMessage
from tests.factories import ContractBody, OrganisationBody, ProgrammeBody
from tests.support.secrets import TEST_JWT_SECRET
from workflows.contract.workflows import ContractWorkflow
from workflows.worker import build_worker


@pytest.fixture
async def running_worker(dev_env: WorkflowEnvironment, engine: Engine) -> AsyncIterator[str]:
    queue = f"tq-{uuid.uuid4()}"
    async with build_worker(dev_env.client, engine, queue):
        yield queue


def _settings(dev_env: WorkflowEnvironment, queue: str, address: str | None = None) -> Settings:
    return Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue,
                    temporal_address=address or dev_env.client.service_client.config.target_host)


def _seed(client: TestClient, headers: dict[str, str]) -> None:
    for body in (OrganisationBody(id="meti", name="METI", kind="ministry"), OrganisationBody(id="jst", kind="funding_agency"),
                 OrganisationBody()):
        assert client.post("/v1/organisations", json=body, headers=headers).status_code == 201
    assert client.post("/v1/programmes", json=ProgrammeBody(), headers=headers).status_code == 201


async def _wait_running(dev_env: WorkflowEnvironment, workflow_id: str, seconds: float = 20) -> None:
    handle = dev_env.client.get_workflow_handle(workflow_id)
    for _ in range(int(seconds * 10)):
        try:
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                return
        except RPCError:
            pass  # not started yet
        await asyncio.sleep(0.1)
    raise AssertionError(f"workflow {workflow_id} is not running after {seconds} s")


async def test_registering_a_contract_starts_its_workflow(dev_env: WorkflowEnvironment, engine: Engine,
                                                          running_worker: str) -> None:
    settings = _settings(dev_env, running_worker)
    headers = {"Authorization": f"Bearer {issue_token(settings, sub='a', role='admin', org='admin')}"}
    cid = f"c-{uuid.uuid4().hex[:8]}"
    with TestClient(create_app(settings, engine=engine)) as client:
        _seed(client, headers)
        r = client.post("/v1/contracts", json=ContractBody(id=cid), headers=headers)
        assert r.status_code == 201, r.text
        workflow_id = r.json()["workflow_id"]
        await _wait_running(dev_env, workflow_id)
        # The relay marks the row delivered just after Temporal has it, in a transaction of its own.
        for _ in range(100):
            with Session(engine) as s:
                msg = s.exec(select(OutboxMessage).where(OutboxMessage.workflow_id == workflow_id)).one()
            if msg.delivered_at is not None:
                break
            await asyncio.sleep(0.05)
        assert msg.delivered_at is not None
    status = await dev_env.client.get_workflow_handle(workflow_id).query(ContractWorkflow.status)
    assert status.contract_id == cid and status.phase == "active"
    assert str(status.obligation_period_end) == "2034-03-31"


async def test_contract_registered_while_temporal_is_away_starts_when_it_is_back(
        dev_env: WorkflowEnvironment, engine: Engine, running_worker: str) -> None:
    cid = f"c-{uuid.uuid4().hex[:8]}"
    # First the API can reach no Temporal at all: registration is still accepted and recorded.
    away = _settings(dev_env, running_worker, address="127.0.0.1:1")
    headers = {"Authorization": f"Bearer {issue_token(away, sub='a', role='admin', org='admin')}"}
    with TestClient(create_app(away, engine=engine)) as client:
        _seed(client, headers)
        r = client.post("/v1/contracts", json=ContractBody(id=cid), headers=headers)
        assert r.status_code == 201, r.text
        assert client.get("/readyz").status_code == 503
    with Session(engine) as s:
        msg = s.exec(select(OutboxMessage).where(OutboxMessage.workflow_id == f"contract-{cid}")).one()
        assert msg.delivered_at is None
    # Then an API process that can reach Temporal delivers what was left, without any new request.
    with TestClient(create_app(_settings(dev_env, running_worker), engine=engine)) as client:
        await _wait_running(dev_env, f"contract-{cid}")
        assert client.get("/readyz").status_code == 200
