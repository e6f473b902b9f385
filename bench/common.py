"""What the benchmark scripts share: the Temporal dev server they run against, and how a figure is recorded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


async def dev_server():
    """The Temporal CLI dev server that `tlc dev` runs (the cached build), on 127.0.0.1; `await env.shutdown()`."""
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from service.config import Settings
    from service.toolchain import temporal_cli

    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli(Settings())), ip="127.0.0.1",
        data_converter=pydantic_data_converter, dev_server_startup_timeout=timedelta(seconds=60))


def record(lines: list[str], *, write: bool = True) -> None:
    """Print the figures' lines and (unless `write` is off) append them to bench/RESULTS.md."""
    for line in lines:
        print(line)
    if write:
        with RESULTS.open("a") as f:
            f.write("\n".join(lines) + "\n")
