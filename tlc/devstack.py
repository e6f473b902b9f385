"""`tlc dev`: the whole service on one machine — a Temporal dev server with its own SQLite file, the
SQLite database, the worker and the API — in one process tree that Ctrl-C stops as a whole."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess

import uvicorn

from service import migrate
from service.config import Settings
from service.main import create_app
from service.toolchain import ToolMissing, temporal_cli
from workflows.worker import connect_with_retry, run_worker

log = logging.getLogger("tlc.dev")


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def start_dev_server(settings: Settings, port: int) -> subprocess.Popen:
    cli = temporal_cli(settings)
    if not _port_free("127.0.0.1", port) or not _port_free("127.0.0.1", port + 1000):
        raise ToolMissing(f"port {port} or {port + 1000} is in use: is another Temporal server running? "
                          f"Pick others with --temporal-port.")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # The state lives in its own SQLite file, so that workflows and timers survive a restart.
    cmd = [str(cli), "server", "start-dev", "--db-filename", str(settings.temporal_db_file),
           "--ip", "127.0.0.1", "--port", str(port), "--ui-port", str(port + 1000),
           "--namespace", settings.temporal_namespace, "--log-level", "warn", "--log-format", "text"]
    log.info("starting the Temporal dev server: %s", " ".join(cmd))
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL)


async def run_dev(settings: Settings, *, host: str, port: int, temporal_port: int) -> int:
    settings = settings.model_copy(update={"temporal_address": f"127.0.0.1:{temporal_port}",
                                           "webhook_allow_private": True,
                                           "public_base_url": f"http://{host}:{port}"})
    url = settings.resolved_database_url()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(url)
    server = start_dev_server(settings, temporal_port)
    stop = asyncio.Event()
    try:
        await connect_with_retry(settings)
        worker_task = asyncio.create_task(run_worker(settings, stop), name="tlc-worker")
        config = uvicorn.Config(create_app(settings), host=host, port=port, log_level="info")
        api = uvicorn.Server(config)
        print(f"\n  tlc dev is up:\n"
              f"    API            http://{host}:{port}   (OpenAPI: http://{host}:{port}/docs)\n"
              f"    Inbox (pages)  http://{host}:{port}/inbox   (development login form; ?lang=en for English)\n"
              f"    Temporal       127.0.0.1:{temporal_port}   (UI: http://127.0.0.1:{temporal_port + 1000})\n"
              f"    database       {url}\n"
              f"    Temporal data  {settings.temporal_db_file}\n"
              f"  Get a token: tlc token --sub me --role admin --org admin\n"
              f"  Ctrl-C stops everything.\n", flush=True)
        await api.serve()  # returns on Ctrl-C / SIGTERM (uvicorn handles the signal)
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(worker_task, timeout=15)
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0
