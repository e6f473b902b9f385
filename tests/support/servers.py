"""Real servers for the tests: the PostgreSQL cluster, the Temporal dev server and the Java test server.

Nothing here is a mock: when a server cannot be had, the fixture fails with the reason, it never skips.
"""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from service.config import Settings
from service.toolchain import temporal_cli, temporal_test_server

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_url() -> str:
    """The test cluster's URL: $TLC_TEST_POSTGRES_URL, or the one scripts/test-postgres starts."""
    url = os.environ.get("TLC_TEST_POSTGRES_URL")
    if url:
        return url
    out = subprocess.run([str(REPO / "scripts" / "test-postgres"), "start"], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


async def start_dev_server(db_file: Path | None = None) -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli(Settings())),
        dev_server_database_filename=str(db_file) if db_file else None,
        port=free_port(), data_converter=pydantic_data_converter,
        dev_server_startup_timeout=timedelta(seconds=60))


async def start_time_skipping() -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server(Settings())),
        port=free_port(), data_converter=pydantic_data_converter,
        test_server_startup_timeout=timedelta(seconds=60))
