"""`tlc lists import` (issue 13) as a real subprocess on a fresh SQLite database: a file of the publisher's shape
becomes a version, the next one says what changed; a malformed file is refused naming its row and column, and
nothing of it is kept. Temporal is a closed port on loopback here, so the re-screening waits in the outbox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.cli.procs import clean_env
from tests.support.list_files import csl_csv, eul_xlsx
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import REPO, free_port

EUL = [{"number": 1, "country": "IR", "name": "Aerospace Industries Organization", "aliases": ["AIO"],
        "concerns": ["missile"]},
       {"number": 2, "country": "CN", "name": "Beijing Institute of Technology", "aliases": [], "concerns": ["missile"]}]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = clean_env(tmp_path, TLC_JWT_SECRET=TEST_JWT_SECRET, TLC_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}")
    return subprocess.run([sys.executable, "-m", "tlc.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def rows(tmp_path: Path, sql: str) -> list[tuple]:
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'tlc.sqlite3'}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_a_list_is_imported_version_after_version_and_a_bad_file_leaves_nothing(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    first = tmp_path / "eul-2025.xlsx"
    first.write_bytes(eul_xlsx(EUL, edition="en"))
    done = run(tmp_path, "lists", "import", "--source", "eul", "--actor", "sato", str(first))
    assert done.returncode == 0, done.stderr
    assert "imported eul version 1" in done.stdout and "2 entries" in done.stdout
    assert "re-screening not started yet" in done.stderr  # no Temporal: the relay starts it later
    second = tmp_path / "eul-2026.xlsx"
    second.write_bytes(eul_xlsx(EUL[:1], edition="ja"))
    done = run(tmp_path, "lists", "import", "--source", "eul", str(second))
    assert done.returncode == 0, done.stderr
    assert "version 2" in done.stdout and "0 added, 1 removed, 0 changed" in done.stdout

    bad = tmp_path / "consolidated.csv"
    bad.write_bytes(csl_csv([{"id": "x1", "source": "Entity List (EL) - Bureau of Industry and Security",
                              "type": "Entity", "name": "Example Co.", "start_date": "2024-13-01"}]))
    refused = run(tmp_path, "lists", "import", "--source", "csl", str(bad))
    assert refused.returncode == 2 and "nothing imported" in refused.stderr, refused.stderr
    assert "start_date" in refused.stderr and "2" in refused.stderr  # the column and the row
    assert rows(tmp_path, "SELECT source, number, imported_by FROM list_version ORDER BY number") == [
        ("eul", 1, "sato (admin, admin)"), ("eul", 2, "cli (admin, admin)")]
    assert rows(tmp_path, "SELECT count(*) FROM list_entry") == [(3,)]
    assert rows(tmp_path, "SELECT count(*) FROM outbox_message WHERE kind = 'screening.rescreen'") == [(2,)]
    missing = run(tmp_path, "lists", "import", "--source", "csl", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "no file" in missing.stderr
