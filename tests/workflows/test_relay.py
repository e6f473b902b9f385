"""The outbox relay against the Temporal dev server (issue 11): workflows delivered to concurrently, each
workflow's rows in id order, a failure holding back only its own workflow, delivered rows marked a page at
a time, several relays at once ending where one relay ends, and `tlc relay` woken by PostgreSQL's NOTIFY."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from service.config import Settings
from service.db import make_engine
from service.main import create_app
from service.outbox import OutboxMessage, enqueue
from service.relay import Relay, drain, run_relay
from service.temporal_link import TemporalLink
from tests.support import db as testdb
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import REPO
from tests.workflows.test_faults import Api, signalled_event_ids, state_version, status, until
from workflows.worker import build_worker


def _settings(env: WorkflowEnvironment, queue: str, **overrides: object) -> Settings:
    return Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue,
                    temporal_address=env.client.service_client.config.target_host, **overrides)


def _rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def _undelivered(engine: Engine) -> int:
    return sum(m.delivered_at is None for m in _rows(engine))


def _backlog(client: TestClient, settings: Settings, contracts: int, events: int) -> list[Api]:
    """`contracts` contracts and `events` events each, posted by turns, with nobody delivering yet."""
    apis = []
    for _ in range(contracts):
        api = Api(client, settings)
        api.register()
        apis.append(api)
    for i in range(events):
        for api in apis:
            api.post_event(i)
    return apis


async def _terminate(client: Client, apis: list[Api]) -> None:
    for api in apis:
        with suppress(Exception):
            await client.get_workflow_handle(f"contract-{api.contract_id}").terminate("test over")


@pytest.fixture
def updates(engine: Engine) -> Iterator[list[str]]:
    """Every UPDATE statement sent to outbox_message while the test runs."""
    seen: list[str] = []

    def _count(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX_MESSAGE"):
            seen.append(statement)

    sa_event.listen(engine, "before_cursor_execute", _count)
    yield seen
    sa_event.remove(engine, "before_cursor_execute", _count)


async def test_a_failing_row_holds_back_its_own_workflow_only(dev_env: WorkflowEnvironment, engine: Engine) -> None:
    stuck, other = f"contract-stuck-{uuid.uuid4().hex[:6]}", f"contract-gone-{uuid.uuid4().hex[:6]}"
    signal = {"event_id": "e-1", "snapshot": {"version": 1}}
    with Session(engine) as s:
        # A row no relay can deliver (a kind of a newer release, say) first; the same workflow's next row, and
        # another workflow's row (a signal to a workflow that has ended: dropped, so delivered) after it.
        enqueue(s, kind="contract.renamed", workflow_id=stuck, payload={})
        enqueue(s, kind="contract.event", workflow_id=stuck, payload=signal)
        enqueue(s, kind="contract.event", workflow_id=other, payload=signal)
        s.commit()

    assert await drain(engine, dev_env.client, f"tq-{uuid.uuid4()}") == 2
    first, second, third = _rows(engine)
    assert third.delivered_at is not None and third.attempts == 1  # went on with the other workflow
    assert second.delivered_at is None and second.attempts == 0  # never sent before the row ahead of it
    assert first.delivered_at is None and first.attempts == 1
    assert first.last_error == "ValueError: unknown outbox message kind 'contract.renamed'"

    assert await drain(engine, dev_env.client, f"tq-{uuid.uuid4()}") == 2  # the same again, counted again
    assert [m.attempts for m in _rows(engine)] == [2, 0, 1]


async def test_each_workflow_gets_its_rows_in_id_order_and_a_page_is_marked_at_once(
        dev_env: WorkflowEnvironment, engine: Engine, updates: list[str]) -> None:
    queue = f"tq-{uuid.uuid4()}"
    settings = _settings(dev_env, queue)
    with TestClient(create_app(settings, engine=engine, run_relay=False)) as client:
        apis = _backlog(client, settings, contracts=6, events=8)
    try:
        rows = _rows(engine)
        assert len(rows) == 6 * 9
        assert await drain(engine, dev_env.client, queue) == 0
        assert _undelivered(engine) == 0
        assert all(m.attempts == 1 for m in _rows(engine))
        # 54 rows, one page: one UPDATE for all of them (not one transaction per row).
        assert len(updates) == 1, updates
        for api in apis:
            handle = dev_env.client.get_workflow_handle(f"contract-{api.contract_id}")
            # The workflow's history has the signals in the order of their outbox rows, which is the order
            # the API accepted them in.
            assert await signalled_event_ids(dev_env.client, handle) == api.accepted
    finally:
        await _terminate(dev_env.client, apis)


async def _outcome(env: WorkflowEnvironment, engine: Engine, apis: list[Api]) -> list[tuple]:
    """Each contract's workflow, once it has applied everything: what it holds, and how often it was told."""
    out = []
    for api in apis:
        handle = env.client.get_workflow_handle(f"contract-{api.contract_id}")
        version = state_version(engine, api.contract_id)

        async def caught_up(handle=handle, version=version, n=len(api.accepted)):
            st = await status(handle)
            return st if st.applied_events == n and st.clock_version == version else None
        st = await until(caught_up, 30, f"{handle.id} caught up")
        signalled = await signalled_event_ids(env.client, handle)
        assert set(signalled) == set(api.accepted)
        out.append(((st.phase, st.runs, st.applied_events, st.clock_version, st.next_wake_on),
                    len(signalled) - len(api.accepted)))
    return out


async def test_three_relays_at_once_end_where_one_relay_ends(dev_env: WorkflowEnvironment, engine: Engine) -> None:
    queue = f"tq-{uuid.uuid4()}"
    settings = _settings(dev_env, queue)
    url = engine.url.render_as_string(hide_password=False)
    apis: list[Api] = []
    async with build_worker(dev_env.client, engine, queue, settings):
        with TestClient(create_app(settings, engine=engine, run_relay=False)) as client:
            try:
                # The same contracts and events twice: delivered by one relay, then by three racing.
                outcomes = []
                for relays in (1, 3):
                    group = _backlog(client, settings, contracts=6, events=9)
                    apis += group
                    # Each relay as its own process would have it: its engine, its connection to Temporal.
                    engines = [make_engine(url) for _ in range(relays)]
                    running = [Relay(e, TemporalLink(settings), queue, concurrency=4) for e in engines]
                    for relay in running:
                        relay.start()
                    for relay in running:
                        relay.poke()
                    try:
                        await until(lambda: asyncio.to_thread(lambda: _undelivered(engine) == 0), 60,
                                    f"{relays} relay(s) delivering the backlog")
                    finally:
                        for relay in running:
                            await relay.stop()
                        for e in engines:
                            e.dispose()
                    outcomes.append(await _outcome(dev_env, engine, group))
                one, three = outcomes
                # Every workflow holds exactly what it holds with one relay: each event applied once, the clock
                # at the database's version, one run, the same next wake; repeats (if any) were ignored.
                assert [state for state, _ in three] == [state for state, _ in one]
                assert all(repeats == 0 for _, repeats in one)
                assert all(repeats >= 0 for _, repeats in three)
                assert all(m.delivered_at is not None for m in _rows(engine))
            finally:
                await _terminate(dev_env.client, apis)


# --- `tlc relay` on PostgreSQL ---------------------------------------------------------------------------

@pytest.fixture
def pg_engine(postgres_engine: Engine) -> Engine:
    testdb.empty_all_tables(postgres_engine)
    return postgres_engine


def test_notify_is_sent_once_by_a_committing_transaction_only(pg_engine: Engine) -> None:
    import psycopg

    conninfo = pg_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as listener:
        listener.execute("LISTEN tlc_outbox")
        with Session(pg_engine) as s:
            for i in range(3):
                enqueue(s, kind="contract.start", workflow_id=f"contract-n{i}", payload={})
            s.flush()
            s.rollback()
        assert list(listener.notifies(timeout=0.5)) == []  # rolled back: nothing to deliver
        with Session(pg_engine) as s:
            for i in range(3):
                enqueue(s, kind="contract.start", workflow_id=f"contract-n{i}", payload={})
            s.commit()
        got = list(listener.notifies(timeout=2, stop_after=2))
        assert [n.channel for n in got] == ["tlc_outbox"]  # one for the transaction, not one per row


async def test_tlc_relay_process_is_woken_by_notify(dev_env: WorkflowEnvironment, pg_engine: Engine,
                                                    tmp_path: Path) -> None:
    queue = f"tq-{uuid.uuid4()}"
    url = pg_engine.url.render_as_string(hide_password=False)
    settings = _settings(dev_env, queue, relay_in_api=False)
    log_path = tmp_path / "relay.log"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1",
           "TLC_DATABASE_URL": url, "TLC_TEMPORAL_ADDRESS": settings.temporal_address,
           "TLC_TEMPORAL_TASK_QUEUE": queue, "TLC_JWT_SECRET": TEST_JWT_SECRET, "TLC_DATA_DIR": str(tmp_path / "d"),
           # An hour: within this test only a notification can wake it.
           "TLC_RELAY_SAFETY_PASS_SECONDS": "3600"}
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "tlc.cli", "relay"], cwd=REPO, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    apis: list[Api] = []
    try:
        async def listening() -> bool:
            assert proc.poll() is None, log_path.read_text()
            return "listening for tlc_outbox" in log_path.read_text()
        await until(listening, 30, "tlc relay listening")
        await asyncio.sleep(0.5)  # its first pass (of an empty outbox) is over
        with TestClient(create_app(settings, engine=pg_engine)) as client:
            # The API runs no relay of its own (TLC_RELAY_IN_API=false): `tlc relay` delivers.
            apis = _backlog(client, settings, contracts=2, events=2)
            await until(lambda: asyncio.to_thread(lambda: _undelivered(pg_engine) == 0), 30,
                        f"tlc relay delivering on NOTIFY:\n{log_path.read_text()}")
        for api in apis:
            desc = await dev_env.client.get_workflow_handle(f"contract-{api.contract_id}").describe()
            assert desc.task_queue == queue
    finally:
        proc.terminate()
        try:
            assert proc.wait(timeout=20) == 0, log_path.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            await _terminate(dev_env.client, apis)


async def test_a_lost_notification_is_made_up_for_by_the_safety_pass(
        dev_env: WorkflowEnvironment, pg_engine: Engine) -> None:
    settings = _settings(dev_env, f"tq-{uuid.uuid4()}", relay_safety_pass_seconds=0.5,
                         database_url=pg_engine.url.render_as_string(hide_password=False))
    stop = asyncio.Event()
    relay = asyncio.create_task(run_relay(settings, stop))
    try:
        await asyncio.sleep(1)
        # Written without the ORM (as a data migration does): no NOTIFY.
        with pg_engine.begin() as conn:
            conn.execute(sa.insert(OutboxMessage.__table__).values(
                kind="contract.event", workflow_id=f"contract-gone-{uuid.uuid4().hex[:6]}",
                payload={"event_id": "e-1", "snapshot": {"version": 1}}, attempts=0,
                created_at=sa.func.now()))
        await until(lambda: asyncio.to_thread(lambda: _undelivered(pg_engine) == 0), 20, "the safety pass")
    finally:
        stop.set()
        await asyncio.wait_for(relay, 20)
