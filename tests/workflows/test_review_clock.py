"""A consultation case's review clock on Temporal's time-skipping server, through the real API, relay, worker
and database (DOMAIN.md §5): ok until the target's warning period, due soon from target - due_soon_days,
overdue from target + 1; paused while information is requested (the target moves by the days paused);
and the case's workflow ends once the case is concluded."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import issue_token
from service.config import Settings
from service.consultations.models import ConsultationCase
from service.main import create_app
from service.obligations.models import ObligationRecord
from service.relay import drain
from service.rules.dates import JST, add_years
from service.workflow_io import CaseStatus
from tests.factories import ContractBody, OrganisationBody, ProgrammeBody
from tests.support import db as testdb
from tests.support.secrets import TEST_JWT_SECRET
from tests.workflows.harness import Clock, Harness, harness
from workflows.consultation.workflows import ConsultationWorkflow
from workflows.contract.workflows import ContractWorkflow
from workflows.worker import build_worker

D = timedelta(days=1)
DUE_SOON = 5  # the programme's due_soon_days; review_target_days stays at its default of 30
OFFICER = {"Authorization": "Bearer " + issue_token(Settings(jwt_secret=TEST_JWT_SECRET), sub="o",
                                                    role="ministry_officer", org="meti", ttl_seconds=10**9)}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    """A database of this module's own: the session's SQLite file may hold outbox rows other tests left
    undelivered, which the harness's relay would deliver as workflows nobody ends."""
    eng = testdb.migrated_engine(f"sqlite:///{tmp_path_factory.mktemp('review-clock') / 'tlc.sqlite3'}")
    yield eng
    eng.dispose()


def _handle(h: Harness, case_id: str) -> WorkflowHandle:
    return h.env.client.get_workflow_handle(f"consultation-{case_id}")


async def _status(h: Harness, case_id: str) -> CaseStatus:
    return await _handle(h, case_id).query(ConsultationWorkflow.status)


async def _settled(h: Harness, *case_ids: str, timeout: float = 20) -> None:
    """Every transition has reached the case's workflow: its clock is at the case's version."""
    await h.delivered(timeout)
    for case_id in case_ids:
        for _ in range(int(timeout * 20)):
            with Session(h.engine) as s:
                version = s.get(ConsultationCase, case_id).version
            try:
                if (await _status(h, case_id)).clock_version >= version:
                    break
            except Exception:
                pass
            await asyncio.sleep(0.05)
        else:
            run = (await _handle(h, case_id).describe()).status
            raise AssertionError(f"the workflow of {case_id} did not adopt version {version} (it is {run.name})")


async def _started(h: Harness, *case_ids: str, timeout: float = 20) -> None:
    """The cases' workflows have run their first task (they answer queries)."""
    await h.delivered(timeout)
    for case_id in case_ids:
        for _ in range(int(timeout * 20)):
            try:
                await _status(h, case_id)
                break
            except Exception:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"the workflow of {case_id} did not start")


async def _go_to(h: Harness, day: date, *open_cases: str, hour: int = 12) -> None:
    """Advance the server's time to `hour`:00 JST on `day`, then wait for the cases' workflows to catch up."""
    target = datetime.combine(day, time(hour), tzinfo=JST)
    now = await h.env.get_current_time()
    assert target >= now, f"cannot go back to {target} from {now}"
    await h.env.sleep(target - now)
    await h.sync_clock()
    for case_id in open_cases:
        for _ in range(400):
            st = await _status(h, case_id)
            if st.closed or st.next_wake_on is None or st.next_wake_on > day:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"the workflow of {case_id} did not catch up with {day}")


async def _quiet(handle: WorkflowHandle, timeout: float = 10) -> None:
    """Wait until the workflow has had no activity or workflow task in flight for half a second: it is
    asleep until its next day. (Terminating it while an activity runs leaves that activity pending on the
    time-skipping server, and its clock stops for the tests after this one.)"""
    quiet = 0
    for _ in range(int(timeout * 20)):
        d = (await handle.describe()).raw_description
        quiet = quiet + 1 if not d.pending_activities and not d.HasField("pending_workflow_task") else 0
        if quiet >= 10:
            return
        await asyncio.sleep(0.05)


def _case(h: Harness, case_id: str) -> dict:
    r = h.client.get(f"/v1/consultations/{case_id}", headers=OFFICER)
    assert r.status_code == 200, r.text
    return r.json()


def _clock(h: Harness, case_id: str) -> str:
    return _case(h, case_id)["review_clock"]


def _act(h: Harness, who: dict[str, str], case_id: str, action: str, body: dict | None = None) -> dict:
    url = f"/v1/consultations/{case_id}/{action}"
    r = h.client.post(url, headers=who) if body is None else h.client.post(url, headers=who, json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def _completed(h: Harness, case_id: str) -> None:
    for _ in range(400):
        if (await _handle(h, case_id).describe()).status == WorkflowExecutionStatus.COMPLETED:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the workflow of {case_id} did not complete")


def _clock_history(h: Harness, case_id: str) -> list[tuple[str, str]]:
    """The system's review-clock entries of the case: (action, the day it changed)."""
    return [(e["action"], e["detail"]["on"]) for e in _case(h, case_id)["history"]
            if e["action"].startswith("review_clock.")]


PLAN = {"action": "provide", "counterparty": {"name": "Risky Co.", "country": "CN",
                                             "foreign_government_influence": True}}


def _register(h: Harness, R: date) -> str:
    cid = f"c-{uuid.uuid4().hex[:8]}"
    r = h.client.post("/v1/contracts", headers=h.admin, json=ContractBody(
        id=cid, programme_id=h.programme_id, start_date=R.isoformat(), end_date=(add_years(R, 1) - D).isoformat()))
    assert r.status_code == 201, r.text
    return cid


async def test_a_transition_delivered_with_the_start_reaches_the_case_workflow(
        ts_env: WorkflowEnvironment, engine: Engine) -> None:
    """Temporal was away while a plan was reported and the officer started the review: the relay then
    delivers the backlog in order (start the contract's and the case's workflows, signal each), so each
    workflow gets its start and its first signal in one task. Both must adopt the signal and keep running."""
    queue = f"tq-{uuid.uuid4()}"
    settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue,
                        temporal_address=ts_env.client.service_client.config.target_host)
    clock = Clock(at=await ts_env.get_current_time())
    R = clock.at.astimezone(JST).date()
    admin = {"Authorization": "Bearer " + issue_token(settings, sub="a", role="admin", org="admin")}
    contractor = {"Authorization": "Bearer " + issue_token(settings, sub="c", role="contractor", org="acme")}
    programme_id = f"k-{uuid.uuid4().hex[:8]}"
    with TestClient(create_app(settings, engine=engine, run_relay=False, now=clock)) as client:
        for body in (OrganisationBody(id="meti", name="METI", kind="ministry"), OrganisationBody(id="jst", kind="funding_agency"),
                     OrganisationBody()):
            assert client.post("/v1/organisations", json=body, headers=admin).status_code in (201, 409)
        assert client.post("/v1/programmes", json=ProgrammeBody(id=programme_id), headers=admin).status_code == 201
        cid = f"c-{uuid.uuid4().hex[:8]}"
        r = client.post("/v1/contracts", headers=admin, json=ContractBody(
            id=cid, programme_id=programme_id, start_date=R.isoformat(), end_date=(add_years(R, 1) - D).isoformat()))
        assert r.status_code == 201, r.text
        r = client.post(f"/v1/contracts/{cid}/events", headers=contractor, json={
            "type": "ip_action.planned", "occurred_on": R.isoformat(),
            "data": PLAN | {"planned_date": (R + 100 * D).isoformat()}})
        assert r.status_code == 202, r.text
        case_id = next(e["id"] for e in r.json()["effects"] if e["kind"] == "consultation_opened")
        r = client.post(f"/v1/consultations/{case_id}/start-review", headers=OFFICER)
        assert r.status_code == 200, r.text

        assert await drain(engine, ts_env.client, queue) == 0  # the backlog, before any worker polls
        contract_wf = ts_env.client.get_workflow_handle(f"contract-{cid}")
        case_wf = ts_env.client.get_workflow_handle(f"consultation-{case_id}")
        with Session(engine) as s:
            expected = (s.get(ObligationRecord, cid).version, s.get(ConsultationCase, case_id).version)
        async with build_worker(ts_env.client, engine, queue):
            try:
                versions: tuple = ()
                for _ in range(100):
                    await asyncio.sleep(0.05)
                    runs = ((await contract_wf.describe()).status, (await case_wf.describe()).status)
                    if WorkflowExecutionStatus.FAILED in runs:
                        break
                    versions = ((await contract_wf.query(ContractWorkflow.status)).clock_version,
                                (await case_wf.query(ConsultationWorkflow.status)).clock_version)
                    if versions == expected:
                        break
                assert (runs[0].name, runs[1].name) == ("RUNNING", "RUNNING")
                assert versions == expected  # each adopted the signal it got with its start
            finally:
                # Ended while the worker is still here: an open workflow, or an activity it left in flight,
                # would stop the time-skipping server's clock for the tests after this one.
                for handle in (contract_wf, case_wf):
                    await _quiet(handle)
                    try:
                        if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                            await handle.terminate("test finished")
                    except Exception:
                        pass


async def test_review_clock_with_and_without_a_pause(ts_env: WorkflowEnvironment, engine: Engine) -> None:
    async with harness(ts_env, engine, policy={"due_soon_days": DUE_SOON}) as h:
        R = (await h.sync_clock()).astimezone(JST).date()
        cid = _register(h, R)
        plan = PLAN | {"planned_date": (R + 100 * D).isoformat()}
        c1 = next(e["id"] for e in h.event(cid, "ip_action.planned", R, plan)["effects"]
                  if e["kind"] == "consultation_opened")
        c2 = next(e["id"] for e in h.event(cid, "ip_action.planned", R, plan)["effects"]
                  if e["kind"] == "consultation_opened")
        # (A transition signalled before the workflow's first task is the subject of the test below.)
        await _started(h, c1, c2)
        for case_id in (c1, c2):
            _act(h, OFFICER, case_id, "start-review")
        await _settled(h, c1, c2)
        target = R + 30 * D
        assert [_case(h, c)["review_target_on"] for c in (c1, c2)] == [target.isoformat()] * 2
        assert [_clock(h, c) for c in (c1, c2)] == ["ok", "ok"]

        # c2: information requested on day A = R+10, to be answered by R+35.
        A = R + 10 * D
        await _go_to(h, A, c1, c2)
        case = _act(h, OFFICER, c2, "request-info", {"question": "Who will see the know-how?",
                                                      "respond_by": (R + 35 * D).isoformat()})
        assert case["review_clock"] == "paused"
        await _settled(h, c2)

        # c1: ok until target - due_soon_days - 1, due soon from target - due_soon_days, overdue from target + 1.
        await _go_to(h, target - (DUE_SOON + 1) * D, c1, c2)
        assert (_clock(h, c1), _clock(h, c2)) == ("ok", "paused")
        await _go_to(h, target - DUE_SOON * D, c1, c2)
        assert (_clock(h, c1), _clock(h, c2)) == ("due_soon", "paused")
        await _go_to(h, target, c1, c2, hour=23)
        assert (_clock(h, c1), _clock(h, c2)) == ("due_soon", "paused")
        await _go_to(h, target + D, c1, c2, hour=0)
        assert (_clock(h, c1), _clock(h, c2)) == ("overdue", "paused")
        assert _clock_history(h, c1) == [("review_clock.due_soon", (target - DUE_SOON * D).isoformat()),
                                         ("review_clock.overdue", (target + D).isoformat())]

        # c1 is concluded: its workflow ends, its clock is done.
        await _go_to(h, target + D, c1, c2, hour=12)
        _act(h, OFFICER, c1, "conclude", {"outcome": "no_objection", "reason": "fine"})
        await h.delivered()
        await _completed(h, c1)
        assert _clock(h, c1) == "done"

        # c2's contractor is late with the answer: flagged, but the review clock still stands still.
        await _go_to(h, R + 36 * D, c2)
        case = _case(h, c2)
        assert (case["review_clock"], case["respond_overdue"]) == ("paused", True)
        assert [e["detail"] for e in case["history"] if e["action"] == "respond_by.passed"] == [
            {"respond_by": (R + 35 * D).isoformat()}]

        # Answered on day B = R+40: the target moves by B - A = 30 days.
        B = R + 40 * D
        await _go_to(h, B, c2)
        case = _act(h, h.contractor, c2, "respond", {"answer": "Two engineers under NDA."})
        moved = target + (B - A)
        assert (case["review_target_on"], case["paused_days"], case["review_clock"]) == (
            moved.isoformat(), (B - A).days, "ok")
        await _settled(h, c2)
        assert _clock_history(h, c2) == []  # no due soon and no overdue while paused

        await _go_to(h, moved - (DUE_SOON + 1) * D, c2)
        assert _clock(h, c2) == "ok"
        await _go_to(h, moved - DUE_SOON * D, c2)
        assert _clock(h, c2) == "due_soon"
        await _go_to(h, moved, c2, hour=23)
        assert _clock(h, c2) == "due_soon"
        await _go_to(h, moved + D, c2, hour=0)
        assert _clock(h, c2) == "overdue"
        assert _clock_history(h, c2) == [("review_clock.due_soon", (moved - DUE_SOON * D).isoformat()),
                                         ("review_clock.overdue", (moved + D).isoformat())]
        assert (await _status(h, c2)).closed is False

        await _go_to(h, moved + D, c2, hour=12)
        _act(h, OFFICER, c2, "conclude", {"outcome": "conditions", "conditions": "No source code.", "reason": "r"})
        await h.delivered()
        await _completed(h, c2)
        assert _clock(h, c2) == "done"
        status = await _status(h, c2)
        assert status.closed and status.next_wake_on is None
