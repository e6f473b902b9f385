"""A worker killed between sending a message and recording it: Temporal retries the delivery, the message
goes out again under the same id, and the receiver, deduplicating on that id as documented, takes it once.
Against the Temporal dev server, with the worker as a real process and a real SMTP server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import issue_token
from service.config import Settings
from service.main import create_app
from service.notifications.models import Notification
from service.rules.dates import JST
from tests.factories import ContractBody, OrganisationBody, ProgrammeBody
from tests.support.receivers import SmtpSink
from tests.support.secrets import TEST_JWT_SECRET
from tests.support.servers import REPO


def _worker(tmp_path: Path, db_url: str, address: str, queue: str, smtp_port: int, name: str) -> subprocess.Popen:
    env = {**os.environ, "TLC_DATABASE_URL": db_url, "TLC_TEMPORAL_ADDRESS": address, "TLC_TEMPORAL_TASK_QUEUE": queue,
           "TLC_JWT_SECRET": TEST_JWT_SECRET, "TLC_SMTP_HOST": "127.0.0.1", "TLC_SMTP_PORT": str(smtp_port),
           "TLC_DATA_DIR": str(tmp_path / "data")}
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "tlc.cli", "worker"], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


async def _until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s")


async def test_killed_between_send_and_record_the_message_arrives_once(
        dev_env: WorkflowEnvironment, sqlite_engine: Engine, tmp_path: Path) -> None:
    engine = sqlite_engine
    queue = f"tq-{uuid.uuid4()}"
    address = dev_env.client.service_client.config.target_host
    db_url = engine.url.render_as_string(hide_password=False)
    settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue, temporal_address=address)
    admin = {"Authorization": "Bearer " + issue_token(settings, sub="a", role="admin", org="admin")}
    acme = {"Authorization": "Bearer " + issue_token(settings, sub="c", role="contractor", org="acme")}
    today = datetime.now(JST).date()
    workers: list[subprocess.Popen] = []
    with SmtpSink(hold=True) as smtp:
        try:
            workers.append(_worker(tmp_path, db_url, address, queue, smtp.port, "worker-1"))
            with TestClient(create_app(settings, engine=engine)) as api:
                for body in (OrganisationBody(id="meti", name="METI", kind="ministry"), OrganisationBody(id="jst", kind="funding_agency"),
                             OrganisationBody()):
                    api.post("/v1/organisations", json=body, headers=admin)
                pid, cid = f"k-{uuid.uuid4().hex[:8]}", f"c-{uuid.uuid4().hex[:8]}"
                assert api.post("/v1/programmes", json=ProgrammeBody(id=pid), headers=admin).status_code == 201
                r = api.post("/v1/contracts", headers=admin, json=ContractBody(
                    id=cid, programme_id=pid, start_date=(today - timedelta(days=60)).isoformat(),
                    end_date=(today + timedelta(days=700)).isoformat()))
                assert r.status_code == 201, r.text
                r = api.post("/v1/subscriptions", headers=acme, json={
                    "contract_id": cid, "audience": "compliance_lead", "channel": "email",
                    "address": "lead@acme.example", "lang": "en"})
                assert r.status_code == 201, r.text
                # An employee who had access to a register item (the departure duty concerns such employees),
                # since revoked, so that the departure is overdue (not violated) ...
                for kind, data in (("core_item.registered", {"item_ref": "i-1", "title": "t"}),
                                   ("access.granted", {"item_ref": "i-1", "employee_ref": "emp-9"}),
                                   ("access.revoked", {"item_ref": "i-1", "employee_ref": "emp-9"})):
                    r = api.post(f"/v1/contracts/{cid}/events", headers=acme, json={
                        "type": kind, "occurred_on": today.isoformat(), "data": data})
                    assert r.status_code == 202, r.text
                # ... whose departure is reported ten days late: its first escalation (+1 day) is due at once.
                r = api.post(f"/v1/contracts/{cid}/events", headers=acme, json={
                    "type": "employee.departing", "occurred_on": today.isoformat(),
                    "data": {"employee_ref": "emp-9", "departure_date": (today - timedelta(days=10)).isoformat()}})
                assert r.status_code == 202, r.text

                # The SMTP server has taken the message and holds the connection: kill the worker now,
                # after the send and before it can record it.
                await _until(lambda: smtp.messages, 40, "the first attempt reaching the SMTP server")
                workers[0].send_signal(signal.SIGKILL)
                assert workers[0].wait(timeout=10) == -signal.SIGKILL
                smtp.after_accept.set()
                with Session(engine) as s:
                    [note] = s.exec(select(Notification).where(Notification.contract_id == cid)).all()
                    assert note.status == "pending" and note.rung == "escalation-1"

                workers.append(_worker(tmp_path, db_url, address, queue, smtp.port, "worker-2"))

                def recorded() -> bool:
                    with Session(engine) as s:
                        return s.get(Notification, note.id).status == "sent"
                await _until(recorded, 90, "the retried delivery recorded")
            # Sent twice over the wire (nobody can know an SMTP server took a message before its reply is
            # read), once as a message: same Message-ID, dropped as a repeat by the receiving side.
            assert smtp.deliveries == 2
            assert [m.message_id for m in smtp.messages] == [note.id]
            assert smtp.messages[0].subject.startswith("[Overdue]")
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
                    w.wait(timeout=10)
