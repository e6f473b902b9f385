"""The real Temporal server's tools: when they are missing, the toolchain and scripts/temporal-cluster say so
and how to get them (scripts/bootstrap --test), and fail; nothing is skipped as passed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from service.config import Settings
from service.toolchain import ToolMissing, temporal_server, temporal_server_schema, temporal_sql_tool
from tests.support.servers import REPO


@pytest.mark.parametrize("tool", [temporal_server, temporal_sql_tool, temporal_server_schema])
def test_a_missing_tool_names_the_bootstrap(tool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TLC_TEMPORAL_SERVER", raising=False)
    monkeypatch.delenv("TLC_TEMPORAL_SQL_TOOL", raising=False)
    with pytest.raises(ToolMissing, match=r"scripts/bootstrap --test"):
        tool(Settings(cache_dir=tmp_path))


def test_the_cluster_script_fails_loudly_without_the_server(tmp_path: Path) -> None:
    # Checked before anything starts or connects: an empty cache has no server to run.
    out = subprocess.run([str(REPO / "scripts" / "temporal-cluster"), "start"], capture_output=True, text=True,
                         timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                          "TLC_CACHE_DIR": str(tmp_path / "cache"),
                                          "TLC_TEST_TEMPORAL_DIR": str(tmp_path / "t")})
    assert out.returncode == 1
    assert out.stdout == ""
    assert "temporal-server is missing: run scripts/bootstrap --test" in out.stderr
    assert not (tmp_path / "t").exists()
