"""Running the `tlc` command as a real subprocess: a clean environment (TLC_* only what the test sets, HOME
and TLC_DATA_DIR under tmp_path), its own process group, and a teardown that leaves nothing running."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support.servers import REPO


def clean_env(tmp_path: Path, **tlc: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    # The Temporal CLI is found where the bootstrap cached it (under the real HOME), not in the test's HOME.
    cache = Path(os.environ.get("TLC_CACHE_DIR") or Path.home() / ".cache" / "tlc")
    return {**keep, "HOME": str(home), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1",
            "TLC_DATA_DIR": str(tmp_path / "data"), "TLC_CACHE_DIR": str(cache), **tlc}


def tlc(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    out = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "tlc.cli", *args], env=env, cwd=REPO, stdout=out,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for tid in tasks:
        with contextlib.suppress(FileNotFoundError):
            for child in Path(f"/proc/{pid}/task/{tid}/children").read_text().split():
                found += [int(child), *descendants(int(child))]
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def kill_tree(proc: subprocess.Popen, known: list[int] = ()) -> None:
    """SIGKILL the process, its group and every descendant (the Temporal child has a session of its own)."""
    pids = {*known, *descendants(proc.pid)}
    for target in (lambda: os.killpg(proc.pid, signal.SIGKILL), *[(lambda p=p: os.kill(p, signal.SIGKILL))
                                                                   for p in pids]):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            target()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


def wait_for_text(log: Path, text: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        if proc.poll() is not None:
            return text in log.read_text(errors="replace")
        time.sleep(0.05)
    return False


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_dev_ports() -> tuple[int, int]:
    """An API port and a Temporal port whose UI port (+1000) is free too."""
    for _ in range(200):
        with socket.socket() as a, socket.socket() as t:
            a.bind(("127.0.0.1", 0))
            t.bind(("127.0.0.1", 0))
            api, temporal = a.getsockname()[1], t.getsockname()[1]
        if temporal + 1000 < 65536 and port_free(temporal + 1000) and api != temporal + 1000:
            return api, temporal
    raise AssertionError("no free ports")
