"""The Alembic migrations, on SQLite and PostgreSQL: up to head, down to base, up again, and the schema
they build is exactly the one the models describe."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import service.tables  # noqa: F401
from service import migrate
from service.db import make_engine
from tests.support import db as testdb


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    url = testdb.fresh_postgres_database(admin)
    yield url
    testdb.drop_postgres_database(admin, url)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                    SQLModel.metadata)
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_url: str) -> None:
    expected = set(SQLModel.metadata.tables)
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == expected
    migrate.downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == expected


def test_migrations_match_the_models(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    assert _diff(empty_url) == []


def test_cases_recorded_before_the_lifecycle_revision_are_backfilled(empty_url: str) -> None:
    migrate.upgrade(empty_url, "0002")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("insert into organisation values ('meti','METI','ministry','JP',:t), "
                                 "('acme','Acme','contractor','JP',:t)"), {"t": "2026-04-01 00:00:00+00:00"})
            conn.execute(sa.text("insert into programme values ('p','P','meti',null,'[]',true,1,'{}',:t)"),
                         {"t": "2026-04-01 00:00:00+00:00"})
            conn.execute(sa.text("insert into contract values ('c','p','acme','t','2026-04-01','2031-03-31',true,"
                                 "'2034-03-31','contract-c',null,:t,'x')"), {"t": "2026-04-01 00:00:00+00:00"})
            conn.execute(sa.text("insert into consultation_case values ('case-1','c','evt_1','submitted','provide',"
                                 "'2026-09-01','2026-07-03','2026-04-10',false,'{}',:t)"),
                         {"t": "2026-04-10 00:00:00+00:00"})
        migrate.upgrade(empty_url)
        with engine.connect() as conn:
            row = conn.execute(sa.text("select programme_id, ministry, contractor_org, review_target_on, "
                                       "paused_days, review_clock, version from consultation_case")).one()
        assert tuple(map(str, row)) == ("p", "meti", "acme", "2026-05-10", "0", "ok", "0")
        assert _diff(empty_url) == []
    finally:
        engine.dispose()


def test_open_contracts_ending_28_february_before_a_leap_year_get_their_civil_code_last_day(empty_url: str) -> None:
    """DOMAIN.md §3 [r2]: 2025-02-28 gives 2028-02-29. Open contracts stored a day short are corrected and their
    workflows told; a closed one stays as it closed; other end dates are untouched."""
    migrate.upgrade(empty_url, "0004")
    engine = make_engine(empty_url)
    t = {"t": "2024-04-01 00:00:00+00:00"}
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("insert into organisation values ('meti','METI','ministry','JP',:t), "
                                 "('acme','Acme','contractor','JP',:t)"), t)
            conn.execute(sa.text("insert into programme values ('p','P','meti',null,'[]',true,1,'{}',:t)"), t)
            for cid, end, period_end, closed in (("short", "2025-02-28", "2028-02-28", None),
                                                 ("closed", "2021-02-28", "2024-02-28", "2024-02-28 15:00:00+00:00"),
                                                 ("plain", "2025-03-31", "2028-03-31", None),
                                                 ("leap", "2028-02-29", "2031-02-28", None)):
                conn.execute(sa.text("insert into contract values (:id,'p','acme','t','2020-04-01',:end,true,"
                                     ":pe,:wf,:closed,:t,'x')"),
                             {"id": cid, "end": end, "pe": period_end, "wf": f"contract-{cid}", "closed": closed, **t})
        migrate.upgrade(empty_url)
        with engine.connect() as conn:
            ends = dict(conn.execute(sa.text("select id, obligation_period_end from contract")).all())
            told = conn.execute(sa.text("select kind, workflow_id, payload from outbox_message")).all()
        assert {k: str(v) for k, v in ends.items()} == {"short": "2028-02-29", "closed": "2024-02-28",
                                                        "plain": "2028-03-31", "leap": "2031-02-28"}
        assert [(k, w) for k, w, _ in told] == [("contract.terms", "contract-short")]
        payload = told[0][2] if isinstance(told[0][2], dict) else json.loads(told[0][2])
        assert payload["obligation_period_end"] == "2028-02-29"
    finally:
        engine.dispose()


def test_audit_entries_recorded_before_the_chain_revision_are_chained_in_the_order_written(empty_url: str) -> None:
    """Migration 0007 numbers and hashes the existing entries per contract in id order, with its frozen copy of
    the canonical form; the service's own walk then finds every chain intact, and appending goes on from the
    head. Down again keeps the entries and drops the chain."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from service import audit
    from service.db import UTCDateTime, session_scope

    migrate.upgrade(empty_url, "0006")
    engine = make_engine(empty_url)
    t = {"t": "2026-04-01 00:00:00+00:00"}
    entry = sa.table("audit_entry", sa.column("contract_id", sa.String), sa.column("at", UTCDateTime()),
                     sa.column("actor", sa.String), sa.column("action", sa.String), sa.column("detail", sa.JSON))
    written = [("a", "contract.registered", {"programme_id": "p", "名前": "ＡＢＣ株式会社"}),
               ("b", "contract.registered", {}),
               ("a", "event.supplier.engaged", {"data": {"z": 1, "a": [1.5, None, {"ü": True}]}}),
               ("b", "effect.deadline_set", {"due_on": "2027-04-02"}),
               ("a", "effect.violation_recorded", {"id": "violation.1"})]
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("insert into organisation values ('meti','METI','ministry','JP',:t), "
                                 "('acme','Acme','contractor','JP',:t)"), t)
            conn.execute(sa.text("insert into programme values ('p','P','meti',null,'[]',true,1,'{}',:t)"), t)
            for cid in ("a", "b"):
                conn.execute(sa.text("insert into contract (id, programme_id, contractor_org, title, start_date, "
                                     "end_date, commissioned, obligation_period_end, workflow_id, created_at, "
                                     "created_by) values (:id,'p','acme','t','2026-04-01','2031-03-31',true,"
                                     "'2034-03-31',:wf,:t,'x')"), {"id": cid, "wf": f"contract-{cid}", **t})
            for i, (cid, action, detail) in enumerate(written):
                conn.execute(sa.insert(entry).values(contract_id=cid, actor="system", action=action, detail=detail,
                                                     at=datetime(2026, 4, 1, 3, 0, i, 654321, tzinfo=UTC)))
        migrate.upgrade(empty_url)
        assert _diff(empty_url) == []
        with Session(engine) as s:
            assert [(cid, n, brk) for cid, n, brk in audit.verify(s)] == [("a", 3, None), ("b", 2, None)]
            trail = audit.trail(s, "a")
        assert [(e.seq, e.action) for e in trail.entries] == [
            (1, "contract.registered"), (2, "event.supplier.engaged"), (3, "effect.violation_recorded")]
        assert trail.verified and trail.entries[0].prev_hash == "0" * 64
        with session_scope(engine) as s:
            audit.append(s, contract_id="a", actor="system", action="contract.closed")
        with Session(engine) as s:
            assert [(cid, n, brk) for cid, n, brk in audit.verify(s, "a")] == [("a", 4, None)]

        migrate.downgrade(empty_url, "0006")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("audit_entry")}
        assert {"seq", "prev_hash", "hash"}.isdisjoint(columns)
        with engine.connect() as conn:
            assert conn.execute(sa.text("select count(*) from audit_entry")).scalar_one() == 6
        migrate.upgrade(empty_url)
        with Session(engine) as s:
            assert [(cid, n, brk) for cid, n, brk in audit.verify(s)] == [("a", 4, None), ("b", 2, None)]
    finally:
        engine.dispose()


def test_the_scope_is_copied_onto_contracts_deadlines_and_messages_recorded_before_the_list_indexes(
        empty_url: str) -> None:
    """Migration 0009: each contract gets its programme's ministry, each deadline and message its contract's
    ministry and contractor, so that the lists scope them without a join (issue 11)."""
    migrate.upgrade(empty_url, "0008")
    engine = make_engine(empty_url)
    t = {"t": "2026-04-01 00:00:00+00:00"}
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("insert into organisation values ('meti','METI','ministry','JP',:t), "
                                 "('mext','MEXT','ministry','JP',:t), ('acme','Acme','contractor','JP',:t), "
                                 "('beta','Beta','contractor','JP',:t)"), t)
            for pid, ministry in (("p1", "meti"), ("p2", "mext")):
                conn.execute(sa.text("insert into programme (id, name, ministry, technology_areas, "
                                     "leakage_measures_required, annual_support_jpy, policy, created_at) "
                                     "values (:id, 'P', :m, '[]', true, 1, '{}', :t)"), {"id": pid, "m": ministry, **t})
            for cid, pid, org in (("c1", "p1", "acme"), ("c2", "p2", "beta")):
                conn.execute(sa.text("insert into contract (id, programme_id, contractor_org, title, start_date, "
                                     "end_date, commissioned, obligation_period_end, workflow_id, created_at, "
                                     "created_by) values (:id, :p, :o, 't', '2026-04-01', '2031-03-31', true, "
                                     "'2034-03-31', :wf, :t, 'x')"), {"id": cid, "p": pid, "o": org, "wf": cid, **t})
                conn.execute(sa.text("insert into deadline (contract_id, id, kind, obligation, subject, due_on, "
                                     "state, updated_at) values (:c, 'd.1', 'k', 'o', 's', '2026-05-01', 'ok', :t)"),
                             {"c": cid, **t})
                conn.execute(sa.text("insert into notification (id, contract_id, deadline_id, due_on_text, rung, "
                                     "audience, subscription_id, channel, address, lang, scheduled_for, status, "
                                     "attempts, subject, created_at) values (:id, :c, 'd.1', '2026-05-01', 'r', "
                                     "'contractor', 's', 'email', 'a@example.invalid', 'en', :t, 'pending', 0, '', "
                                     ":t)"), {"id": f"msg-{cid}", "c": cid, **t})
        migrate.upgrade(empty_url)
        with engine.connect() as conn:
            contracts = conn.execute(sa.text("select id, ministry from contract order by id")).all()
            deadlines = conn.execute(sa.text("select contract_id, ministry, contractor_org from deadline "
                                             "order by contract_id")).all()
            notes = conn.execute(sa.text("select contract_id, ministry, contractor_org from notification "
                                         "order by contract_id")).all()
        assert [tuple(r) for r in contracts] == [("c1", "meti"), ("c2", "mext")]
        assert [tuple(r) for r in deadlines] == [tuple(r) for r in notes] == [("c1", "meti", "acme"),
                                                                             ("c2", "mext", "beta")]
        assert _diff(empty_url) == []
        migrate.downgrade(empty_url, "0008")
        migrate.upgrade(empty_url)
    finally:
        engine.dispose()


def test_cases_recorded_before_case_numbers_are_numbered_in_order_of_submission(empty_url: str) -> None:
    """Migration 0010: each ministry's cases are counted per year of submission, oldest first, and the counters
    go on from there, so the next case opened gets the next number."""
    migrate.upgrade(empty_url, "0009")
    engine = make_engine(empty_url)
    t = {"t": "2026-04-01 00:00:00+00:00"}
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("insert into organisation values ('meti','METI','ministry','JP',:t), "
                                 "('mext','MEXT','ministry','JP',:t), ('acme','Acme','contractor','JP',:t)"), t)
            for cid, ministry in (("c1", "meti"), ("c2", "mext")):
                conn.execute(sa.text("insert into programme (id, name, ministry, technology_areas, "
                                     "leakage_measures_required, annual_support_jpy, policy, created_at) "
                                     "values (:id, 'P', :m, '[]', true, 1, '{}', :t)"), {"id": cid, "m": ministry, **t})
                conn.execute(sa.text("insert into contract (id, programme_id, contractor_org, title, start_date, "
                                     "end_date, commissioned, obligation_period_end, workflow_id, created_at, "
                                     "created_by, ministry) values (:id, :id, 'acme', 't', '2026-04-01', '2031-03-31', "
                                     "true, '2034-03-31', :id, :t, 'x', :m)"), {"id": cid, "m": ministry, **t})
            for case_id, cid, ministry, day in (("case-b", "c1", "meti", "2026-05-02"), ("case-a", "c1", "meti", "2026-05-02"),
                                                ("case-z", "c1", "meti", "2026-04-10"), ("case-n", "c1", "meti", "2027-01-05"),
                                                ("case-m", "c2", "mext", "2026-06-01")):
                conn.execute(sa.text(
                    "insert into consultation_case (id, contract_id, programme_id, ministry, contractor_org, "
                    "plan_event_id, status, action, planned_date, consult_by, submitted_on, late, determination, "
                    "reason_codes, conditions_met, review_target_on, paused_days, review_clock, version, created_at, "
                    "updated_at) values (:id, :c, :c, :m, 'acme', 'evt', 'submitted', 'provide', '2027-09-01', "
                    "'2027-07-03', :d, false, :plan, '[]', '[]', '2027-07-01', 0, 'ok', 0, :t, :t)"),
                    {"id": case_id, "c": cid, "m": ministry, "d": day, **t,
                     "plan": json.dumps({"counterparty": {"name": f"Partner {case_id}"}} if case_id != "case-n" else {})})
        migrate.upgrade(empty_url)
        with engine.connect() as conn:
            numbers = dict(conn.execute(sa.text("select id, number from consultation_case")).all())
            parties = dict(conn.execute(sa.text("select id, counterparty from consultation_case")).all())
            counters = sorted(tuple(r) for r in conn.execute(sa.text("select ministry, year, last from case_number_counter")))
        assert numbers == {"case-z": "METI-2026-000001", "case-a": "METI-2026-000002", "case-b": "METI-2026-000003",
                           "case-n": "METI-2027-000001", "case-m": "MEXT-2026-000001"}
        assert counters == [("meti", 2026, 3), ("meti", 2027, 1), ("mext", 2026, 1)]
        assert parties == {"case-z": "Partner case-z", "case-a": "Partner case-a", "case-b": "Partner case-b",
                           "case-n": None, "case-m": "Partner case-m"}
        assert _diff(empty_url) == []
        migrate.downgrade(empty_url, "0009")
        migrate.upgrade(empty_url)
    finally:
        engine.dispose()


def test_parties_reported_before_screening_are_there_to_be_screened(empty_url: str) -> None:
    """Migration 0013: the open counterparties, holders of one third and suppliers with core technology of the
    contracts' stored states become screened parties, so that the first list import screens them; a closed
    contract's are kept, not open."""
    migrate.upgrade(empty_url, "0012")
    engine = make_engine(empty_url)
    t = {"t": "2026-04-01 00:00:00+00:00"}
    state = {"version": 3, "plans": {"evt_1": {
        "event_id": "evt_1", "action": "provide", "planned_date": "2026-12-01", "consultation_required": False,
        "request": {"action": "provide", "planned_date": "2026-12-01",
                    "counterparty": {"name": "Partner GmbH", "country": "DE"}}}},
        "holders": {"SG:bigholder": {"name": "Big Holder", "country": "SG", "shares_held": 1000,
                                     "shares_outstanding": 3000, "at_or_above_third": True, "changed_on": "2026-05-01"}},
        "suppliers": {"s-1": {"supplier_ref": "s-1", "name": "Supplier One", "country": "VN", "holds_core_tech": True,
                              "engaged_on": "2026-05-01", "nda_signed_on": None}}}
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("insert into organisation values ('meti','METI','ministry','JP',:t), "
                                 "('acme','Acme','contractor','JP',:t)"), t)
            conn.execute(sa.text("insert into programme (id, name, ministry, technology_areas, "
                                 "leakage_measures_required, annual_support_jpy, policy, created_at) "
                                 "values ('p', 'P', 'meti', '[]', true, 1, '{}', :t)"), t)
            for cid, closed in (("c1", None), ("c2", "2034-04-01 00:00:00+00:00")):
                conn.execute(sa.text("insert into contract (id, programme_id, contractor_org, title, start_date, "
                                     "end_date, commissioned, obligation_period_end, workflow_id, created_at, "
                                     "created_by, ministry, closed_at) values (:id, 'p', 'acme', 't', '2026-04-01', "
                                     "'2031-03-31', true, '2034-03-31', :id, :t, 'x', 'meti', :closed)"),
                             {"id": cid, "closed": closed, **t})
                conn.execute(sa.text("insert into obligation_state (contract_id, version, state, updated_at) "
                                     "values (:id, 3, :s, :t)"), {"id": cid, "s": json.dumps(state), **t})
        migrate.upgrade(empty_url)
        with engine.connect() as conn:
            rows = sorted(tuple(r) for r in conn.execute(sa.text(
                "select contract_id, role, subject, name, country, open from screened_party")))
        assert rows == [("c1", "counterparty", "evt_1", "Partner GmbH", "DE", True),
                        ("c1", "holder", "SG:bigholder", "Big Holder", "SG", True),
                        ("c1", "supplier", "s-1", "Supplier One", "VN", True),
                        ("c2", "counterparty", "evt_1", "Partner GmbH", "DE", False),
                        ("c2", "holder", "SG:bigholder", "Big Holder", "SG", False),
                        ("c2", "supplier", "s-1", "Supplier One", "VN", False)]
        assert _diff(empty_url) == []
    finally:
        engine.dispose()
