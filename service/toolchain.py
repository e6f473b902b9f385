"""Where the Temporal servers built by scripts/bootstrap live (outside the repo, under the cache dir)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from service.config import Settings


class ToolMissing(RuntimeError):
    pass


def temporal_cli(settings: Settings) -> Path:
    """The Temporal CLI (dev server): $TLC_TEMPORAL_CLI, the bootstrap's build, or `temporal` on PATH."""
    candidates = [os.environ.get("TLC_TEMPORAL_CLI"), str(settings.cache_dir / "bin" / "temporal"),
                  shutil.which("temporal")]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    raise ToolMissing("The Temporal dev server is not installed: run scripts/bootstrap (it builds the "
                      "Temporal CLI v1.5.1 with Go into ~/.cache/tlc), or set TLC_TEMPORAL_CLI.")


def temporal_test_server(settings: Settings) -> Path:
    """The wrapper around Temporal's Java time-skipping test server, fetched from Maven Central."""
    c = os.environ.get("TLC_TEMPORAL_TEST_SERVER") or str(settings.cache_dir / "tts" / "temporal-test-server")
    if Path(c).is_file() and os.access(c, os.X_OK):
        return Path(c)
    raise ToolMissing("Temporal's time-skipping test server is not installed: run scripts/bootstrap --test "
                      "(it fetches io.temporal:temporal-test-server from Maven Central), or set "
                      "TLC_TEMPORAL_TEST_SERVER.")


TEMPORAL_SERVER_VERSION = "v1.29.1"


def temporal_server(settings: Settings) -> Path:
    """The Temporal server itself (scripts/temporal-cluster runs it on PostgreSQL), built from the module proxy."""
    return _built(settings, "temporal-server", "TLC_TEMPORAL_SERVER")


def temporal_sql_tool(settings: Settings) -> Path:
    """temporal-sql-tool, which creates and upgrades the server's databases, of the server's own version."""
    return _built(settings, "temporal-sql-tool", "TLC_TEMPORAL_SQL_TOOL")


def temporal_server_schema(settings: Settings) -> Path:
    """The PostgreSQL schema files shipped in the server's module source, kept beside the binaries."""
    d = settings.cache_dir / f"temporal-server-{TEMPORAL_SERVER_VERSION}" / "schema" / "postgresql" / "v12"
    if (d / "temporal" / "versioned").is_dir():
        return d
    raise ToolMissing(f"The Temporal server's schema files are not at {d}: run scripts/bootstrap --test.")


def _built(settings: Settings, name: str, env: str) -> Path:
    c = os.environ.get(env) or str(settings.cache_dir / "bin" / name)
    if Path(c).is_file() and os.access(c, os.X_OK):
        return Path(c)
    raise ToolMissing(f"{name} is not installed: run scripts/bootstrap --test (it builds the Temporal server "
                      f"{TEMPORAL_SERVER_VERSION} and temporal-sql-tool with go install into ~/.cache/tlc/bin, "
                      f"once), or set {env}.")
