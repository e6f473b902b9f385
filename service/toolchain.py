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
