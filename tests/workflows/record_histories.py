"""Records contract-workflow histories for the replay test: `python -m tests.workflows.record_histories`; and
the research-security workflows' (a review round, a retention, a re-screening) with
`python -m tests.workflows.record_histories research v1`.

Run it when a release changes workflows/ on purpose, and commit the new files next to the old ones:
the old histories must keep replaying (workflow.patched), which is what protects contracts that have
been running for years.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHistory

from service.rules.dates import JST, add_months
from tests.support import servers
from tests.support.db import migrated_engine
from tests.workflows.harness import harness, settled
from tests.workflows.test_contract_walkthrough import _register

OUT = Path(__file__).parent / "histories"


def _plans(h, cid: str):
    from sqlmodel import Session

    from service.obligations import service as obligations

    with Session(h.engine) as s:
        return list(obligations.load(s, cid).plans.values())


async def _history(h, cid: str, run_id: str | None = None) -> WorkflowHistory:
    handle = h.env.client.get_workflow_handle(f"contract-{cid}", run_id=run_id)
    return await handle.fetch_history()


async def record(tag: str) -> list[Path]:
    env = await servers.start_time_skipping()
    written = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = migrated_engine(f"sqlite:///{tmp}/rec.sqlite3")
            async with harness(env, engine, policy={"due_soon_days": 7}) as h:
                R = (await h.sync_clock()).astimezone(JST).date()
                cid, _ = _register(h, R, 5)
                await h.delivered()
                first_run = (await h.handle(cid).describe()).run_id
                D = timedelta(days=1)
                h.event(cid, "core_item.registered", R, {"item_ref": "item-1", "title": "design"})
                h.event(cid, "access.granted", R, {"item_ref": "item-1", "employee_ref": "emp-1"})
                h.event(cid, "employee.departing", R, {"employee_ref": "emp-1",
                                                       "departure_date": (R + 30 * D).isoformat()})
                h.event(cid, "supplier.engaged", R, {"supplier_ref": "s-1", "name": "S", "country": "VN",
                                                     "holds_core_tech": True, "nda_signed_on": R.isoformat()})
                h.event(cid, "ip_action.planned", R, {
                    "action": "transfer", "planned_date": (R + 90 * D).isoformat(),
                    "counterparty": {"name": "X", "country": "CN", "relation": "subsidiary",
                                     "foreign_government_influence": True}})
                await settled(h, cid)
                await h.go_to(cid, R + 40 * D)
                h.event(cid, "shareholding.declared", R + 40 * D, {"shares_outstanding": 9, "holders": []})
                await settled(h, cid)
                await h.go_to(cid, add_months(R, 7))
                p = OUT / f"{tag}-contract-active.json"
                p.write_text((await _history(h, cid)).to_json())
                written.append(p)
                # Past the period the transfer's approval is still open (DOMAIN.md §3 [r2]): the workflow keeps its
                # clock until the officer decides, after the period, and then ends.
                status = await h.status(cid)
                await h.go_to_instant(cid, status.closes_at + timedelta(days=2))
                plan_id = next(p.event_id for p in _plans(h, cid))
                r = h.client.post(f"/v1/contracts/{cid}/approvals/approval-{plan_id}/decide", headers=h.officer,
                                  json={"granted": False, "reason": "recorded for the replay test"})
                assert r.status_code == 200, r.text
                await h.finish(cid)
                p = OUT / f"{tag}-contract-first-run.json"
                p.write_text((await _history(h, cid, first_run)).to_json())
                written.append(p)
                p = OUT / f"{tag}-contract-closed.json"
                p.write_text((await _history(h, cid)).to_json())
                written.append(p)
            engine.dispose()
    finally:
        await env.shutdown()
    return written


async def record_research(tag: str) -> list[Path]:
    """A review round through its whole life (reminders, escalations, a late answer, acceptance), a retention whose
    day was moved, and a re-screening, on the pinned dates of tests/workflows/test_research_round.py."""
    from datetime import date

    from service.workflow_io import research_rescreen_workflow_id, retention_workflow_id, round_workflow_id
    from tests.support.list_files import csl_json
    from tests.support.research import PROGRAMME_ID
    from tests.workflows.test_research_round import _researcher, at, world

    env = await servers.start_time_skipping()
    written = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = migrated_engine(f"sqlite:///{tmp}/rec.sqlite3")
            async with world(env, engine, programme={"ends_on": "2031-09-30",
                                                     "policy": {"research_retention_years": 1}}) as w:
                yamada = _researcher(w, "山田 花子", "Hanako Yamada", date(2031, 5, 20))
                aid = w.call("POST", "/v1/applications", "todai", {
                    "programme_id": PROGRAMME_ID, "institution": "todai", "title": "超伝導量子ビットの研究",
                    "researchers": [yamada]}, status=201)["id"]
                r = w.client.post("/v1/lists/csl/versions", headers=w.tokens["admin"], files={"file": (
                    "consolidated.json", csl_json([{"id": "csl-1", "source": "Entity List (EL)", "type": "Entity",
                                                    "name": "Rosoboronexport", "addresses": [{"country": "RU"}]}]),
                    "application/json")})
                assert r.status_code == 201, r.text
                version = r.json()["id"]
                await w.go(at(date(2031, 6, 2)))
                rid = w.call("POST", f"/v1/applications/{aid}/submit", "todai")["rounds"][0]["id"]
                await w.go(at(date(2031, 6, 10)))
                w.call("POST", f"/v1/applications/{aid}/request-mitigation", "jst",
                       {"request": "手順を示してください。", "respond_by": "2031-07-22"})
                w.call("PATCH", f"/v1/programmes/{PROGRAMME_ID}", "admin", {"ends_on": "2031-12-26"})
                await w.go(at(date(2031, 7, 30)))
                w.call("POST", f"/v1/applications/{aid}/respond", "todai", {"answer": "手順書を添付します。"})
                await w.go(at(date(2031, 8, 4)))
                w.call("POST", f"/v1/applications/{aid}/accept", "jst", {})
                await w.delivered()
                await w.ended(round_workflow_id(rid))
                await w.go(at(date(2032, 12, 26), 12))
                await w.ended(retention_workflow_id(PROGRAMME_ID))
                await w.ended(research_rescreen_workflow_id(version))
                for name, workflow_id in (("research-round", round_workflow_id(rid)),
                                          ("research-retention", retention_workflow_id(PROGRAMME_ID)),
                                          ("research-rescreen", research_rescreen_workflow_id(version))):
                    p = OUT / f"{tag}-{name}.json"
                    p.write_text((await w.handle(workflow_id).fetch_history()).to_json())
                    written.append(p)
            engine.dispose()
    finally:
        await env.shutdown()
    return written


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "research":
        paths = asyncio.run(record_research(sys.argv[2] if len(sys.argv) > 2 else "v1"))
    else:
        paths = asyncio.run(record(sys.argv[1] if len(sys.argv) > 1 else "v1"))
    for path in paths:
        print(path)
