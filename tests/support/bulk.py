"""Many rows at once, inserted with plain SQL (no services, no workflows), for query plans and benchmarks.

Eight ministries, contractors working for all of them, and `cases` consultation cases spread over them, with their
contracts' deadlines, messages and audit entries; everything is derived from the row number, so the same
call builds the same data on any day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import service.tables  # noqa: F401

# Eight ministries, so that one ministry's rows are an eighth of a list: with only two, reading the unscoped
# time index and filtering half its rows out cost PostgreSQL's planner about as much as the scope's own index,
# and which one it took depended on the statistics of the moment.
MINISTRIES = ("meti", "mext", "mhlw", "maff", "mod", "mic", "mlit", "env")
CONTRACTORS = tuple(f"org-{i:02d}" for i in range(20))
STATUSES = ("submitted", "under_review", "info_requested", "concluded", "withdrawn")
T0 = datetime(2026, 4, 1, tzinfo=UTC)
D0 = date(2026, 4, 1)


def _t(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def _insert(conn: Connection, table: str, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        conn.execute(_t(table).insert(), rows[i:i + chunk])


def contract_of(n: int, contracts: int) -> tuple[str, str, str, str]:
    """(contract id, programme id, ministry, contractor) of row n."""
    c = n % contracts
    ministry = MINISTRIES[c % len(MINISTRIES)]
    return f"{ministry}-c-{c:05d}", f"{ministry}-p-{c % 4}", ministry, CONTRACTORS[c % len(CONTRACTORS)]


def seed(engine: Engine, *, cases: int, contracts: int = 200, per_contract: int = 5) -> None:
    """`cases` cases over `contracts` contracts, and `per_contract` deadlines, messages and audit entries each."""
    with engine.begin() as conn:
        _insert(conn, "organisation", [dict(id=o, name=o, kind="ministry" if o in MINISTRIES else "contractor",
                                            country="JP", created_at=T0) for o in MINISTRIES + CONTRACTORS])
        _insert(conn, "programme", [dict(id=f"{m}-p-{p}", name="P", ministry=m, technology_areas=[],
                                         leakage_measures_required=True, annual_support_jpy=1, policy={},
                                         created_at=T0) for m in MINISTRIES for p in range(4)])
        contract_rows, deadlines, notes, entries = [], [], [], []
        for c in range(contracts):
            cid, pid, ministry, org = contract_of(c, contracts)
            contract_rows.append(dict(id=cid, programme_id=pid, contractor_org=org, title="t", start_date=D0,
                                      end_date=date(2031, 3, 31), commissioned=True,
                                      obligation_period_end=date(2034, 3, 31), workflow_id=f"contract-{cid}",
                                      created_at=T0, created_by="bulk", ministry=ministry))
            for k in range(per_contract):
                scope = dict(contract_id=cid, ministry=ministry, contractor_org=org)
                deadlines.append(dict(scope, id=f"d.{k}", kind="k", obligation="o", subject="s",
                                      due_on=D0 + timedelta(days=(c * 7 + k * 31) % 900),
                                      state=("ok", "due_soon", "overdue", "met")[(c + k) % 4], updated_at=T0))
                notes.append(dict(scope, id=f"msg-{c}-{k}", deadline_id=f"d.{k}", due_on_text="2026-05-01",
                                  rung="r", audience=("contractor", "ministry_officer")[k % 2],
                                  subscription_id="s", channel="email", address="a@example.invalid", lang="en",
                                  scheduled_for=T0 + timedelta(hours=(c * 13 + k * 5) % 5000),
                                  status=("pending", "sent")[k % 2], attempts=0, subject="", created_at=T0))
                entries.append(dict(contract_id=cid, seq=k + 1, at=T0, actor="system", action="a", detail={},
                                    prev_hash="0" * 64, hash="0" * 64))
        _insert(conn, "contract", contract_rows)
        _insert(conn, "deadline", deadlines)
        _insert(conn, "notification", notes)
        _insert(conn, "audit_entry", entries)
        rows = []
        for n in range(cases):
            cid, pid, ministry, org = contract_of(n, contracts)
            submitted = D0 + timedelta(days=(n * 7919) % 1500)
            rows.append(dict(id=f"case-{n:07d}", number=f"{ministry.upper()}-BULK-{n:07d}", contract_id=cid,
                             programme_id=pid, ministry=ministry,
                             contractor_org=org, plan_event_id=f"evt_{n}", status=STATUSES[n % len(STATUSES)],
                             action="provide", planned_date=submitted + timedelta(days=60),
                             consult_by=submitted + timedelta(days=30), submitted_on=submitted, late=False,
                             determination={}, reason_codes=[], conditions_met=[],
                             review_target_on=submitted + timedelta(days=30 + n % 17), paused_days=0,
                             review_clock="ok", version=0, created_at=T0, updated_at=T0))
        _insert(conn, "consultation_case", rows)
