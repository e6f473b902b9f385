"""`tlc dev`: the whole service on one machine — a Temporal dev server with its own SQLite file, the
SQLite database, the worker and the API — in one process tree that Ctrl-C stops as a whole.

It owns its lifecycle: it binds the API socket itself before anything starts (a busy port is refused before
"up", and a restart right after a crash is not tripped by TIME_WAIT), watches the Temporal child, and
handles SIGINT/SIGTERM itself, so that stopping is bounded (STOP_GRACE) whatever state it is in."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import socket
import subprocess
import sys

import uvicorn

from service import migrate
from service.config import Settings
from service.main import create_app
from service.toolchain import temporal_cli
from tlc.devsecret import ensure_dev_secret
from workflows.worker import connect_with_retry, run_worker

log = logging.getLogger("tlc.dev")

# How long the API and the worker get to stop on their own, then the Temporal dev server after SIGTERM;
# with the dev server's SIGKILL, Ctrl-C returns within about 3 s.
STOP_GRACE = 1.0
POLL = 0.1


class DevFailed(RuntimeError):
    """tlc dev cannot start or cannot go on; the message is one sentence for the terminal."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _reusable_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # Without it, the sockets a crashed run left in TIME_WAIT block the port for a minute; with it, Linux
    # still refuses the bind while anything listens there.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def bind_api_socket(host: str, port: int) -> socket.socket:
    """The API's listening socket, bound now and handed to uvicorn, so nothing can take the port between
    a check and the start."""
    try:
        sock = _reusable_socket(host, port)
    except OSError as exc:
        raise DevFailed(f"the API port {host}:{port} is in use ({exc.strerror}): stop whatever listens there "
                        f"(another tlc dev?) or pick another port with --port.", exit_code=2) from None
    sock.listen(2048)
    return sock


def _port_free(host: str, port: int) -> bool:
    try:
        _reusable_socket(host, port).close()
    except OSError:
        return False
    return True


# Loaded here, not in the forked child, where only async-signal-safe calls are wise.
_LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the Temporal child, before exec: get SIGTERM when tlc dev dies, even by SIGKILL, so that a crashed
    tlc dev leaves no server holding the ports."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start_dev_server(settings: Settings, port: int) -> subprocess.Popen:
    cli = temporal_cli(settings)
    for p in (port, port + 1000):
        if not _port_free("127.0.0.1", p):
            raise DevFailed(f"port 127.0.0.1:{p} (Temporal {'gRPC' if p == port else 'UI'}) is in use: is another "
                            f"Temporal server or tlc dev running? Stop it or pick others with --temporal-port.",
                            exit_code=2)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # The state lives in its own SQLite file, so that workflows and timers survive a restart.
    cmd = [str(cli), "server", "start-dev", "--db-filename", str(settings.temporal_db_file),
           "--ip", "127.0.0.1", "--port", str(port), "--ui-port", str(port + 1000),
           "--namespace", settings.temporal_namespace, "--log-level", "warn", "--log-format", "text"]
    log.info("starting the Temporal dev server: %s", " ".join(cmd))
    # Its own session: Ctrl-C in the terminal reaches tlc dev only, which stops the worker while the server
    # still answers, then the server.
    server = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
    log.info("Temporal dev server running as pid %d", server.pid)
    return server


async def _exited(server: subprocess.Popen) -> int:
    while (code := server.poll()) is None:
        await asyncio.sleep(POLL)
    return code


async def _stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        await asyncio.wait_for(_exited(server), STOP_GRACE)
    except TimeoutError:
        log.info("the Temporal dev server did not stop within %.0f s of SIGTERM; killing it (its SQLite file "
                 "survives that)", STOP_GRACE)
        server.kill()
        await asyncio.to_thread(server.wait)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: tlc dev stops the API together with everything else."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn
        pass


async def _serve(api: uvicorn.Server, sock: socket.socket) -> None:
    try:
        await api.serve(sockets=[sock])
    except SystemExit:  # uvicorn's answer to a failed startup; in a task it would tear the loop down
        raise DevFailed("the API failed to start; its error is in the log above.") from None


async def _first(*tasks: asyncio.Task) -> None:
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)


async def run_dev(settings: Settings, *, host: str, port: int, temporal_port: int) -> int:
    # A configured TLC_JWT_SECRET wins, as it does for `tlc token`; otherwise the data directory's own.
    settings = settings.model_copy(update={"temporal_address": f"127.0.0.1:{temporal_port}",
                                           "webhook_allow_private": True, "dev_login": True,
                                           "jwt_secret": settings.jwt_secret or ensure_dev_secret(settings),
                                           "cookie_secure": False, "public_base_url": f"http://{host}:{port}",
                                           # SQLite has no NOTIFY for a separate relay: the API delivers.
                                           "relay_in_api": True})
    api_sock = bind_api_socket(host, port)
    try:
        return await _run(settings, api_sock, host=host, port=port, temporal_port=temporal_port)
    finally:
        api_sock.close()


async def _run(settings: Settings, api_sock: socket.socket, *, host: str, port: int, temporal_port: int) -> int:
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_requested.set)
    url = settings.resolved_database_url()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(url)
    server = start_dev_server(settings, temporal_port)
    stopped = asyncio.create_task(stop_requested.wait(), name="tlc-dev-stop")
    temporal = asyncio.create_task(_exited(server), name="tlc-dev-temporal")
    worker_stop = asyncio.Event()
    api = _Server(uvicorn.Config(create_app(settings), host=host, port=port, log_level="info",
                                 timeout_graceful_shutdown=STOP_GRACE))
    worker_task: asyncio.Task | None = None
    api_task: asyncio.Task | None = None

    def failure() -> DevFailed | None:
        if temporal.done():
            return DevFailed(f"the Temporal dev server (pid {server.pid}) exited with code {temporal.result()}, "
                             f"so tlc dev stopped everything; its log is above.")
        for name, task in (("worker", worker_task), ("API", api_task)):
            if task is not None and task.done():
                exc = task.exception()
                if isinstance(exc, DevFailed):
                    return exc
                why = f" ({exc!r})" if exc is not None else ""
                return DevFailed(f"the {name} stopped{why}, so tlc dev stopped everything; see the log above.")
        return None

    try:
        connecting = asyncio.create_task(connect_with_retry(settings), name="tlc-dev-connect")
        await _first(connecting, temporal, stopped)
        connecting.cancel()
        if stopped.done():
            return 0
        if (failed := failure()) is not None:
            raise failed
        if (exc := connecting.exception()) is not None:
            raise DevFailed(f"the Temporal dev server at {settings.temporal_address} did not answer ({exc}); "
                            f"its log is above.")
        worker_task = asyncio.create_task(run_worker(settings, worker_stop), name="tlc-worker")
        api_task = asyncio.create_task(_serve(api, api_sock), name="tlc-api")
        while not api.started:
            if stopped.done():
                return 0
            if (failed := failure()) is not None:
                raise failed
            await asyncio.sleep(POLL / 2)
        print(f"\n  tlc dev is up:\n"
              f"    API            http://{host}:{port}   (OpenAPI: http://{host}:{port}/docs)\n"
              f"    Inbox (pages)  http://{host}:{port}/inbox   (development login form; ?lang=en for English)\n"
              f"    Temporal       127.0.0.1:{temporal_port}   (UI: http://127.0.0.1:{temporal_port + 1000})\n"
              f"    database       {url}\n"
              f"    Temporal data  {settings.temporal_db_file}\n"
              f"  Get a token: tlc token --sub me --role admin --org admin\n"
              f"  Ctrl-C stops everything.\n", flush=True)
        await _first(stopped, temporal, worker_task, api_task)
        if stopped.done():
            return 0
        raise failure() or DevFailed("tlc dev stopped for no known reason; see the log above.")
    finally:
        log.info("stopping tlc dev")
        await _stop_all(api, api_task, worker_stop, worker_task)
        await _stop_server(server)
        for task in (stopped, temporal):
            task.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _stop_all(api: uvicorn.Server, api_task: asyncio.Task | None, worker_stop: asyncio.Event,
                    worker_task: asyncio.Task | None) -> None:
    """The API and the worker stop together, each given STOP_GRACE, then are cut short."""
    api.should_exit = True
    worker_stop.set()
    running = [t for t in (api_task, worker_task) if t is not None and not t.done()]
    if not running:
        return
    _, late = await asyncio.wait(running, timeout=STOP_GRACE)
    if late:
        log.warning("%s did not stop within %.0f s; cutting it short",
                    " and ".join(t.get_name() for t in late), STOP_GRACE)
        api.force_exit = True
        for t in late:
            t.cancel()
        await asyncio.wait(late, timeout=STOP_GRACE / 2)
    for t in running:
        if t.done() and not t.cancelled() and t.exception() is not None:
            log.debug("%s ended with %r", t.get_name(), t.exception())
