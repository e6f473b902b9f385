"""Browser fixtures: the real app served by uvicorn on a free local port (with its outbox relay), a real
worker on the Temporal dev server, a fresh migrated SQLite file, and Debian's Chromium driven by
Playwright. Nothing is mocked; the browser talks HTTP to the app exactly as a user's browser would."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, async_playwright
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import issue_token
from service.config import Settings
from service.main import create_app
from tests.support import db as testdb
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import free_port
from workflows.worker import build_worker

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@dataclass
class LiveApp:
    base_url: str
    settings: Settings
    engine: Engine
    env: WorkflowEnvironment
    task_queue: str

    def bearer(self, role: str, org: str, sub: str = "seed") -> dict[str, str]:
        token = issue_token(self.settings, sub=sub, role=role, org=org, ttl_seconds=3600)
        return {"Authorization": f"Bearer {token}"}

    def api(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=20)

    async def delivered(self, timeout: float = 20) -> None:
        """Wait until the app's outbox relay has handed every outbox row to Temporal."""
        from service.outbox import OutboxMessage

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with Session(self.engine) as s:
                if s.exec(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))).first() is None:
                    return
            await asyncio.sleep(0.05)
        raise AssertionError("the outbox relay did not deliver every row to Temporal")


class _Server(threading.Thread):
    """uvicorn in a thread of its own (its own event loop); stopped through should_exit."""

    def __init__(self, app, port: int):
        super().__init__(name=f"uvicorn-{port}", daemon=True)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                    lifespan="on", access_log=False))

    def run(self) -> None:
        self.server.run()

    def stop(self) -> None:
        self.server.should_exit = True
        self.join(timeout=15)
        assert not self.is_alive(), "uvicorn did not stop"


def _wait_healthy(base_url: str, thread: _Server, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise AssertionError("uvicorn exited during start-up")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{base_url}/healthz did not answer within {timeout} s")


@pytest.fixture(scope="module")
def browser_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A fresh SQLite file migrated with Alembic, this module's alone (no other test empties it)."""
    path = tmp_path_factory.mktemp("browser-db") / "tlc.sqlite3"
    engine = testdb.migrated_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
async def live_app(dev_env: WorkflowEnvironment, browser_engine: Engine) -> AsyncIterator[LiveApp]:
    queue = f"tq-browser-{uuid.uuid4()}"
    settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue, dev_login=True, cookie_secure=False,
                        temporal_address=dev_env.client.service_client.config.target_host)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    async with build_worker(dev_env.client, browser_engine, queue):
        server = _Server(create_app(settings, engine=browser_engine), port)
        server.start()
        try:
            await asyncio.to_thread(_wait_healthy, base_url, server)
            yield LiveApp(base_url, settings, browser_engine, dev_env, queue)
        finally:
            await asyncio.to_thread(server.stop)
            await _terminate_workflows(dev_env, browser_engine)


@pytest.fixture(scope="module")
async def plain_app(browser_engine: Engine) -> AsyncIterator[str]:
    """The app alone, for pages that start no workflow (sign-in, /docs, /redoc): no worker, no outbox relay, a
    Temporal address where nothing listens. Its base URL."""
    settings = Settings(jwt_secret=TEST_JWT_SECRET, dev_login=True, cookie_secure=False,
                        temporal_address="127.0.0.1:1")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = _Server(create_app(settings, engine=browser_engine, run_relay=False), port)
    server.start()
    try:
        await asyncio.to_thread(_wait_healthy, base_url, server)
        yield base_url
    finally:
        await asyncio.to_thread(server.stop)


async def _terminate_workflows(env: WorkflowEnvironment, engine: Engine) -> None:
    """The contracts' workflows run for years; end this module's so they do not wait for a gone worker."""
    from service.consultations.models import ConsultationCase
    from service.contracts.models import Contract

    with Session(engine) as s:
        ids = [c.workflow_id for c in s.exec(select(Contract)).all()]
        ids += [f"consultation-{c.id}" for c in s.exec(select(ConsultationCase)).all()]
    for workflow_id in ids:
        try:
            handle = env.client.get_workflow_handle(workflow_id)
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                await handle.terminate("browser test finished")
        except Exception:
            pass


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (no cookies) per test, Japanese-speaking like the ministry's PCs."""
    ctx = await browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                    viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        await ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
