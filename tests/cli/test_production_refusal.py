"""`tlc api`, `tlc worker` and `tlc relay` refuse unsafe settings before they bind or connect (Issue 10 defect 1): run as
real subprocesses with a clean environment."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.procs import clean_env, kill_tree, tlc
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import free_port

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever the env says

UNSAFE = [
    ({}, "No token key is configured: set TLC_JWT_JWKS_URL"),
    ({"TLC_JWT_SECRET": "tlc-local-development-secret-change-me"}, "TLC_JWT_SECRET is a publicly known default"),
    ({"TLC_JWT_SECRET": "secret"}, "TLC_JWT_SECRET is a publicly known default"),
    ({"TLC_JWT_SECRET": "too-short-a-secret"}, "TLC_JWT_SECRET is 18 bytes long, shorter than the 32 bytes"),
    ({"TLC_JWT_SECRET": TEST_JWT_SECRET, "TLC_DEV_LOGIN": "true"}, "TLC_DEV_LOGIN is on"),
    ({"TLC_JWT_JWKS_URL": "https://idp.example.test/jwks.json", "TLC_DEV_LOGIN": "true"}, "TLC_DEV_LOGIN is on"),
]


@pytest.fixture
def temporal_listener() -> Iterator[socket.socket]:
    """A listening socket standing in for Temporal: a process that connects would show in its backlog."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        s.setblocking(False)
        yield s


def _run(tmp_path: Path, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    log = tmp_path / "out.log"
    proc = tlc(*args, env=env, log=log)
    try:
        code = proc.wait(timeout=60)
    finally:
        kill_tree(proc)
    return code, log.read_text()


def _nobody_connected(listener: socket.socket) -> bool:
    try:
        listener.accept()[0].close()
    except BlockingIOError:
        return True
    return False


@pytest.mark.parametrize("command", ["api", "worker", "relay"])
@pytest.mark.parametrize(("tlc_env", "sentence"), UNSAFE)
def test_unsafe_settings_are_refused_before_binding_or_connecting(
    tmp_path: Path, command: str, tlc_env: dict[str, str], sentence: str, temporal_listener: socket.socket
) -> None:
    port = free_port()
    address = f"127.0.0.1:{temporal_listener.getsockname()[1]}"
    env = clean_env(tmp_path, TLC_TEMPORAL_ADDRESS=address, **tlc_env)
    args = [command] + (["--host", "127.0.0.1", "--port", str(port)] if command == "api" else [])
    code, out = _run(tmp_path, args, env)
    assert code == 2, out
    assert f"tlc {command}: refusing to start: {sentence}" in out
    assert "Uvicorn running" not in out and "Started server process" not in out
    assert _nobody_connected(temporal_listener)
    assert not (tmp_path / "data" / "tlc.sqlite3").exists()  # not even the database was opened


def test_a_safe_api_does_start(tmp_path: Path) -> None:
    """The control: with a long secret and no dev login the same command listens."""
    port = free_port()
    env = clean_env(tmp_path, TLC_JWT_SECRET=TEST_JWT_SECRET, TLC_TEMPORAL_ADDRESS="127.0.0.1:1")
    subprocess.run([sys.executable, "-m", "tlc.cli", "migrate"], env=env, check=True, capture_output=True, timeout=60)
    log = tmp_path / "api.log"
    proc = tlc("api", "--host", "127.0.0.1", "--port", str(port), env=env, log=log)
    try:
        for _ in range(300):
            try:
                with NO_PROXY.open(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.1)
        else:
            raise AssertionError(log.read_text())
    finally:
        kill_tree(proc)


def test_tlc_relay_on_sqlite_is_refused(tmp_path: Path, temporal_listener: socket.socket) -> None:
    """No NOTIFY on SQLite to wake it: there the API's own relay delivers (`tlc dev`)."""
    address = f"127.0.0.1:{temporal_listener.getsockname()[1]}"
    env = clean_env(tmp_path, TLC_TEMPORAL_ADDRESS=address, TLC_JWT_SECRET=TEST_JWT_SECRET)
    code, out = _run(tmp_path, ["relay"], env)
    assert code == 2, out
    assert "tlc relay: refusing to start: tlc relay needs PostgreSQL, whose NOTIFY wakes it" in out
    assert _nobody_connected(temporal_listener)
    assert not (tmp_path / "data" / "tlc.sqlite3").exists()
