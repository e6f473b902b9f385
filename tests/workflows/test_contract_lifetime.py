"""The contract workflow on Temporal's time-skipping server: years of timers in seconds of wall time."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from service.contracts.models import Contract
from service.db import session_scope
from service.rules.dates import JST, deadline_instant
from service.rules.period import obligation_period_end
from service.workflow_io import ContractState, ContractTerms
from tests.factories import seed_contract
from workflows.contract.workflows import ContractWorkflow
from workflows.worker import build_worker


def _terms(contract_id: str, start: date, end: date) -> ContractTerms:
    return ContractTerms(contract_id=contract_id, programme_id="k-q1", contractor_org="acme",
                         start_date=start, end_date=end, obligation_period_end=obligation_period_end(start, end))


async def _now(env: WorkflowEnvironment) -> datetime:
    return await env.get_current_time()


async def test_five_year_contract_closes_at_term_plus_three_years(ts_env: WorkflowEnvironment,
                                                                  sqlite_engine: Engine) -> None:
    env = ts_env
    today = (await _now(env)).astimezone(JST).date()
    start, end = today, date(today.year + 5, today.month, today.day if today.day < 29 else 28)
    cid = f"c-{uuid.uuid4().hex[:8]}"
    seed_contract(sqlite_engine, contract_id=cid, start=start, end=end)
    terms = _terms(cid, start, end)
    closes_at = deadline_instant(terms.obligation_period_end)
    queue = f"tq-{uuid.uuid4()}"
    async with build_worker(env.client, sqlite_engine, queue):
        handle = await env.client.start_workflow(ContractWorkflow.run, ContractState(terms=terms),
                                                 id=f"contract-{cid}", task_queue=queue)
        # One second before the obligation period's last instant (23:59:59 JST on its last day).
        await env.sleep(closes_at - await _now(env) - timedelta(seconds=1))
        status = await handle.query(ContractWorkflow.status)
        assert status.phase == "active"
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        with session_scope(sqlite_engine) as s:
            assert s.get(Contract, cid).closed_at is None

        result = await handle.result()
        finished_at = await _now(env)

    assert result.phase == "closed"
    assert result.obligation_period_end == terms.obligation_period_end == date(end.year + 3, end.month, end.day)
    assert result.closes_at == closes_at
    assert finished_at >= closes_at
    # 8 years of timers cannot fit one bounded run: the state crossed continue-as-new intact.
    assert result.runs >= 2
    with session_scope(sqlite_engine) as s:
        assert s.get(Contract, cid).closed_at == closes_at.astimezone(UTC)


async def test_workflow_for_an_already_ended_period_closes_at_once(ts_env: WorkflowEnvironment,
                                                                   sqlite_engine: Engine) -> None:
    env = ts_env
    cid = f"c-{uuid.uuid4().hex[:8]}"
    start, end = date(2015, 4, 1), date(2020, 3, 31)
    seed_contract(sqlite_engine, contract_id=cid, start=start, end=end)
    queue = f"tq-{uuid.uuid4()}"
    async with build_worker(env.client, sqlite_engine, queue):
        before = await _now(env)
        result = await env.client.execute_workflow(ContractWorkflow.run, ContractState(terms=_terms(cid, start, end)),
                                                   id=f"contract-{cid}", task_queue=queue)
    assert result.phase == "closed" and result.runs == 1
    # The workflow's own clock when it closed: no timer ran. (The test server's clock may jump on
    # afterwards, to stale timers of earlier tests, so the server's time proves nothing here.)
    assert result.as_of - before < timedelta(minutes=1)
