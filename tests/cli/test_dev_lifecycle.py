"""`tlc dev` as a real subprocess on free loopback ports (Issue 10 defect 9): a busy port is refused before
"up", a dead Temporal child stops it, Ctrl-C/SIGTERM stop it within 3 s, a crash does not block the restart,
and `tlc token` against the same data directory signs tokens the running API accepts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from service.config import Settings
from service.toolchain import ToolMissing, temporal_cli
from tests.cli.procs import alive, clean_env, descendants, free_dev_ports, kill_tree, tlc, wait_for_text

UP = "tlc dev is up"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever the env says

try:
    temporal_cli(Settings())
except ToolMissing as exc:
    pytestmark = pytest.mark.skip(reason=str(exc))


@dataclass
class Dev:
    proc: subprocess.Popen
    log: Path
    children: list[int] = field(default_factory=list)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_up(self, timeout: float = 90) -> None:
        assert wait_for_text(self.log, UP, self.proc, timeout), self.text()
        self.children = descendants(self.proc.pid)
        assert self.children, "no Temporal child"

    def wait_exit(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"tlc dev still running after {timeout} s:\n{self.text()}") from None


@pytest.fixture
def ports() -> tuple[int, int]:
    return free_dev_ports()


@pytest.fixture
def start_dev(tmp_path: Path, ports: tuple[int, int]) -> Iterator[Callable[[], Dev]]:
    started: list[Dev] = []
    env = clean_env(tmp_path)
    api, temporal = ports

    def start() -> Dev:
        log = tmp_path / f"dev-{len(started)}.log"
        dev = Dev(tlc("dev", "--host", "127.0.0.1", "--port", str(api), "--temporal-port", str(temporal),
                      env=env, log=log), log)
        started.append(dev)
        return dev

    yield start
    for dev in started:
        kill_tree(dev.proc, dev.children)
        assert not [p for p in dev.children if alive(p)], "a Temporal dev server was left running"


def _get(url: str, token: str | None = None) -> int:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with NO_PROXY.open(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _token(tmp_path: Path) -> str:
    out = subprocess.run([sys.executable, "-m", "tlc.cli", "token", "--sub", "me", "--role", "admin", "--org",
                          "admin"], env=clean_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_busy_api_port_is_refused_before_up(start_dev: Callable[[], Dev], ports: tuple[int, int]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports[0]))
        busy.listen(1)
        dev = start_dev()
        code = dev.wait_exit(30)
    assert code == 2
    assert f"tlc dev: the API port 127.0.0.1:{ports[0]} is in use" in dev.text()
    assert UP not in dev.text()


def test_busy_temporal_port_is_refused_before_up(start_dev: Callable[[], Dev], ports: tuple[int, int]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports[1] + 1000))
        busy.listen(1)
        dev = start_dev()
        code = dev.wait_exit(30)
    assert code == 2
    assert f"tlc dev: port 127.0.0.1:{ports[1] + 1000} (Temporal UI) is in use" in dev.text()
    assert UP not in dev.text()


def test_token_works_and_sigint_stops_everything_within_3_s(
    start_dev: Callable[[], Dev], ports: tuple[int, int], tmp_path: Path
) -> None:
    dev = start_dev()
    dev.wait_up()
    secret_file = tmp_path / "data" / "dev-jwt-secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    url = f"http://127.0.0.1:{ports[0]}/v1/contracts"
    assert _get(url) == 401
    assert _get(url, _token(tmp_path)) == 200
    started = time.monotonic()
    os.kill(dev.proc.pid, signal.SIGINT)
    code = dev.wait_exit(10)
    took = time.monotonic() - started
    print(json.dumps({"sigint_stop_seconds": round(took, 2)}))
    assert code == 0, dev.text()
    assert took < 3, f"SIGINT took {took:.1f} s"
    deadline = time.monotonic() + 2
    while any(alive(p) for p in dev.children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in dev.children if alive(p)], "the Temporal dev server outlived tlc dev"


def test_sigterm_stops_within_3_s(start_dev: Callable[[], Dev]) -> None:
    dev = start_dev()
    dev.wait_up()
    started = time.monotonic()
    os.kill(dev.proc.pid, signal.SIGTERM)
    code = dev.wait_exit(10)
    took = time.monotonic() - started
    print(json.dumps({"sigterm_stop_seconds": round(took, 2)}))
    assert code == 0 and took < 3, (took, dev.text())


def test_dead_temporal_child_stops_tlc_dev_with_a_sentence(start_dev: Callable[[], Dev]) -> None:
    dev = start_dev()
    dev.wait_up()
    [temporal] = dev.children
    os.kill(temporal, signal.SIGKILL)
    code = dev.wait_exit(15)
    assert code != 0
    assert f"tlc dev: the Temporal dev server (pid {temporal}) exited with code -9, so tlc dev stopped everything" \
        in dev.text()


def test_restart_at_once_after_a_crash(start_dev: Callable[[], Dev], ports: tuple[int, int],
                                       tmp_path: Path) -> None:
    first = start_dev()
    first.wait_up()
    token = _token(tmp_path)
    url = f"http://127.0.0.1:{ports[0]}/v1/contracts"
    assert _get(url, token) == 200
    kill_tree(first.proc, first.children)  # kill -9 of tlc dev and its Temporal child
    second = start_dev()
    second.wait_up(60)
    assert "in use" not in second.text()
    assert _get(url, token) == 200  # the same data directory, the same secret
