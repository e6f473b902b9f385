"""Re-screening against a new list version (issue 13): two thousand open parties, a worker killed with SIGKILL in
the middle of a batch, a second worker that finishes the job. Every party is screened against the new version
exactly once, the workflow hands over to fresh runs (continue-as-new) on the way, and the potential matches are
the parties that bear a listed name. Against the Temporal dev server, with the workers as real processes and the
import and the outbox relay as the service runs them."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import Principal
from service.db import run_in_transaction, session_scope
from service.relay import drain
from service.screening import service as screening
from service.screening.models import ScreenedParty, Screening
from service.workflow_io import RescreenState, rescreen_workflow_id
from tests.factories import seed_contract
from tests.support import db as testdb
from tests.support.list_files import csl_json
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import REPO

PARTIES = 2000
LISTED_EVERY = 100  # every 100th party bears a listed name
WORDS = ["Apex", "Blue", "Crest", "Delta", "Echo", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kestrel",
         "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Ridge", "Summit", "Tidal"]
FORMS = ["Co., Ltd.", "K.K.", "GmbH", "LLC", "Pte. Ltd.", "S.A."]
LISTED = [{"id": f"csl-{i}", "source": "Entity List (EL) - Bureau of Industry and Security", "type": "Entity",
           "name": name, "alt_names": [], "addresses": [{"country": country}], "programs": ["EAR"],
           "start_date": "2020-06-05"}
          for i, (name, country) in enumerate([("Harbin Institute of Technology", "CN"),
                                               ("Rosoboronexport", "RU"), ("Aerospace Industries Organization", "IR"),
                                               ("Beijing Institute of Technology", "CN")])]


def _worker(tmp_path: Path, db_url: str, address: str, queue: str, name: str) -> subprocess.Popen:
    env = {**os.environ, "TLC_DATABASE_URL": db_url, "TLC_TEMPORAL_ADDRESS": address, "TLC_TEMPORAL_TASK_QUEUE": queue,
           "TLC_JWT_SECRET": TEST_JWT_SECRET, "TLC_DATA_DIR": str(tmp_path / "data")}
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "tlc.cli", "worker"], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _seed_parties(engine: Engine) -> int:
    """PARTIES open counterparties over 20 contracts, named from a fixed seed; returns how many bear a listed name."""
    rng = random.Random(13)
    for i in range(20):
        seed_contract(engine, contract_id=f"c-{i:03d}")
    listed = 0
    with session_scope(engine) as s:
        rows = []
        for i in range(PARTIES):
            if i % LISTED_EVERY == 0:
                name, country = LISTED[0]["name"], "CN"
                listed += 1
            else:
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(FORMS)}"
                country = rng.choice(["JP", "DE", "US", "SG", "FR"])
            rows.append({"id": f"pty_{i:06d}", "contract_id": f"c-{i % 20:03d}", "contractor_org": "acme",
                         "ministry": "meti", "role": "counterparty", "subject": f"evt_{i:06d}", "name": name,
                         "country": country, "event_id": f"evt_{i:06d}", "open": True})
        s.execute(sa.insert(ScreenedParty.__table__), rows)  # type: ignore[attr-defined]
    return listed


async def _until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


def _screened(engine: Engine, basis: str) -> int:
    with Session(engine) as s:
        return s.exec(select(sa.func.count()).select_from(Screening).where(Screening.basis == basis)).one()


async def test_a_new_version_re_screens_every_open_party_exactly_once_through_a_crash(
        dev_env: WorkflowEnvironment, sqlite_engine: Engine, tmp_path: Path) -> None:
    engine = sqlite_engine
    testdb.empty_all_tables(engine)
    listed = _seed_parties(engine)
    queue = f"tq-{uuid.uuid4()}"
    address = dev_env.client.service_client.config.target_host
    db_url = engine.url.render_as_string(hide_password=False)

    # The admin's import, as `tlc lists import` and the API run it: the version, its entries, the outbox row.
    admin = Principal(sub="admin", role="admin", org="admin")
    version = run_in_transaction(engine, lambda s: screening.import_version(
        s, principal=admin, source="csl", filename="consolidated.json", data=csl_json(LISTED)).model_dump())
    # Small batches and short runs, so that the crash lands inside a batch and the runs hand over several times.
    with session_scope(engine) as s:
        s.execute(sa.text("UPDATE outbox_message SET payload = :p WHERE kind = 'screening.rescreen'"),
                  {"p": RescreenState(version_id=version["id"], batch_size=50, batches_per_run=6).model_dump_json()})
    basis = f"version:{version['id']}"

    workers = [_worker(tmp_path, db_url, address, queue, "worker-1")]
    try:
        assert await drain(engine, dev_env.client, queue) == 0  # the relay starts the workflow
        await _until(lambda: _screened(engine, basis) >= PARTIES // 3, 180, "a third of the parties screened")
        workers[0].send_signal(signal.SIGKILL)
        assert workers[0].wait(timeout=10) == -signal.SIGKILL
        at_crash = _screened(engine, basis)
        assert at_crash < PARTIES, "the worker was killed after the work was done: no crash in the middle"
        workers.append(_worker(tmp_path, db_url, address, queue, "worker-2"))
        handle = dev_env.client.get_workflow_handle(rescreen_workflow_id(version["id"]))
        result = await asyncio.wait_for(handle.result(), timeout=300)
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
                w.wait(timeout=30)

    final = RescreenState.model_validate(result) if isinstance(result, dict) else result
    assert final.done and final.screened == PARTIES and final.potential_matches == listed
    # Two passes (the second finds what the first could not see), each of full batches and one that finds no
    # party left; the second screens nobody again.
    assert final.passes == 2 and final.batches == 2 * (PARTIES // 50 + 1)
    with Session(engine) as s:
        rows = s.exec(select(Screening.party_id, Screening.state).where(Screening.basis == basis)).all()
    assert len(rows) == PARTIES and len({party for party, _ in rows}) == PARTIES
    assert sorted(party for party, state in rows if state == "potential_match") == [
        f"pty_{i:06d}" for i in range(0, PARTIES, LISTED_EVERY)]
    # The workflow handed over to fresh runs (continue-as-new) as it went.
    history = [e async for e in handle.fetch_history_events()]
    assert len(history) < 200
    assert final.batches > 6
