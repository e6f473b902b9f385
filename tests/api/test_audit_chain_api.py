"""The tamper-evident audit trail (issue 10) end to end, on SQLite and PostgreSQL: entries chained through real
API calls, a row edited or deleted behind the service's back with SQL, and `tlc audit verify` and the export
both saying so. These tests commit (the CLI reads the database on its own connection), so they run on the
session's real engines, emptied first, rather than inside the rolled-back transaction of tests/api/conftest."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service import audit
from service.config import get_settings
from service.db import session_scope
from tests.factories import ContractBody
from tests.support import db as testdb
from tests.support.clock import Clock
from tests.support.problems import assert_problem
from tlc import cli

AUDIT = "/v1/contracts/c-001/audit"
SUPPLIER = {"supplier_ref": "SUP-1", "name": "サプライヤー株式会社", "country": "JP", "holds_core_tech": True,
            "nda_signed_on": None}


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    eng: Engine = request.getfixturevalue(f"{request.param}_engine")
    testdb.empty_all_tables(eng)
    yield eng
    testdb.empty_all_tables(eng)


@pytest.fixture
def verify(engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """verify(*args) -> (exit code, stdout) of `tlc audit verify` against the test's database."""
    monkeypatch.setenv("TLC_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> tuple[int, str]:
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            code = cli.main(["audit", "verify", *args])
        finally:
            get_settings.cache_clear()
        return code, capsys.readouterr().out
    return run


def _events(api: TestClient, acme: dict[str, str], clock: Clock) -> None:
    """Three transactions: the supplier's event with its two effects, then two incidents."""
    clock.set("2026-04-02")
    for type_, data in (("supplier.engaged", SUPPLIER),
                        ("incident.reported", {"severity": "near_miss", "summary": "鍵の置き忘れ"}),
                        ("incident.reported", {"severity": "near_miss", "summary": "s"})):
        r = api.post("/v1/contracts/c-001/events", headers=acme,
                     json={"type": type_, "occurred_on": "2026-04-02", "data": data})
        assert r.status_code == 202, r.text


def _sql(engine: Engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        assert conn.execute(sa.text(statement), params).rowcount == 1


def test_entries_written_through_the_api_form_a_chain_that_verifies(api: TestClient, acme, admin, clock: Clock,
                                                                   verify) -> None:
    _events(api, acme, clock)
    r = api.get(AUDIT, headers=acme)
    assert r.status_code == 200, r.text
    body = r.json()
    entries = body["entries"]
    assert [e["action"] for e in entries] == ["contract.registered", "event.supplier.engaged",
                                              "effect.violation_recorded", "effect.deadline_set",
                                              "event.incident.reported", "event.incident.reported"]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))
    assert body["verified"] is True and body["broken"] is None
    assert body["head_hash"] == entries[-1]["hash"] and body["contract_id"] == "c-001"
    assert {"id", "seq", "at_utc", "at_jst", "actor", "action", "detail", "prev_hash", "hash"} <= set(entries[0])
    assert entries[1]["detail"]["data"]["name"] == "サプライヤー株式会社"

    assert verify() == (0, "OK      c-001: 6 entries\nall 1 chains intact\n")
    assert verify("--contract", "c-001")[0] == 0


def test_a_row_edited_with_sql_fails_verify_naming_it_and_the_export_says_so(
        api: TestClient, acme, admin, clock: Clock, engine: Engine, verify) -> None:
    _events(api, acme, clock)
    assert api.post("/v1/contracts", json=ContractBody(id="c-002"), headers=admin).status_code == 201
    entry = api.get(AUDIT, headers=acme).json()["entries"][4]
    _sql(engine, "update audit_entry set detail = :d where id = :id",
         d=json.dumps({**entry["detail"], "data": {"severity": "near_miss", "summary": "なにもなかった"}}),
         id=entry["id"])

    code, out = verify()
    assert code == 1
    assert f"BROKEN  contract c-001: entry seq 5 (id {entry['id']}): content hash mismatch" in out
    assert "OK      c-002: 1 entries" in out and out.endswith("2 chains checked, 1 broken\n")
    assert verify("--contract", "c-002")[0] == 0
    assert verify("--contract", "c-001")[0] == 1

    body = api.get(AUDIT, headers=acme).json()
    assert body["verified"] is False
    assert body["broken"]["seq"] == 5 and body["broken"]["id"] == entry["id"]
    assert body["broken"]["problem"] == "content hash mismatch"
    r = api.get(AUDIT, params={"format": "csv"}, headers=acme)
    assert r.status_code == 200 and r.headers["x-audit-verified"] == "false"


def test_a_deleted_middle_row_is_a_gap(api: TestClient, acme, clock: Clock, engine: Engine, verify) -> None:
    _events(api, acme, clock)
    entries = api.get(AUDIT, headers=acme).json()["entries"]
    _sql(engine, "delete from audit_entry where id = :id", id=entries[2]["id"])
    code, out = verify("--contract", "c-001")
    assert code == 1
    assert f"entry seq 4 (id {entries[3]['id']}): gap in seq: expected seq 3, found 4" in out
    body = api.get(AUDIT, headers=acme).json()
    assert (body["verified"], body["broken"]["seq"], body["broken"]["problem"]) == (False, 4, "gap in seq")


def test_a_rewritten_hash_breaks_the_next_link_and_a_contract_without_entries_is_broken(
        api: TestClient, acme, clock: Clock, engine: Engine, verify) -> None:
    _events(api, acme, clock)
    entries = api.get(AUDIT, headers=acme).json()["entries"]
    _sql(engine, "update audit_entry set hash = :h where id = :id", h="a" * 64, id=entries[5]["id"])
    assert "entry seq 6" in verify()[1]  # the last one: its own content no longer hashes to it
    _sql(engine, "update audit_entry set hash = :h where id = :id", h=entries[5]["hash"], id=entries[5]["id"])
    assert verify()[0] == 0
    with engine.begin() as conn:
        conn.execute(sa.text("delete from audit_entry"))
    code, out = verify()
    assert code == 1 and "contract c-001: no audit entries" in out


def test_verify_of_an_unknown_contract_says_so(api: TestClient, verify, capsys) -> None:
    get_settings.cache_clear()
    try:
        assert cli.main(["audit", "verify", "--contract", "nope"]) == 2
    finally:
        get_settings.cache_clear()
    assert "no contract 'nope'" in capsys.readouterr().err


def test_the_csv_export(api: TestClient, acme, clock: Clock) -> None:
    _events(api, acme, clock)
    body = api.get(AUDIT, headers=acme).json()
    for r in (api.get(AUDIT, params={"format": "csv"}, headers=acme),
              api.get(AUDIT, headers={**acme, "Accept": "text/csv"}),
              api.get(AUDIT, headers={**acme, "Accept": "application/json;q=0.5, text/csv"})):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        assert r.headers["content-disposition"] == 'attachment; filename="audit-c-001.csv"'
        assert (r.headers["x-audit-verified"], r.headers["x-audit-head-hash"]) == ("true", body["head_hash"])
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [int(row["seq"]) for row in rows] == [e["seq"] for e in body["entries"]]
        assert [json.loads(row["detail"]) for row in rows] == [e["detail"] for e in body["entries"]]
        assert [(row["actor"], row["action"], row["prev_hash"], row["hash"]) for row in rows] == [
            (e["actor"], e["action"], e["prev_hash"], e["hash"]) for e in body["entries"]]
        assert rows[1]["at_jst"].endswith("+09:00") and rows[1]["at_utc"].endswith("+00:00")
    for r in (api.get(AUDIT, headers={**acme, "Accept": "text/csv;q=0.1, application/json"}),
              api.get(AUDIT, params={"format": "json"}, headers={**acme, "Accept": "text/csv"})):
        assert r.headers["content-type"] == "application/json" and r.json() == body
    assert_problem(api.get(AUDIT, params={"format": "xml"}, headers=acme), 422, loc=["query", "format"])


def test_the_export_is_for_exactly_those_who_may_read_the_contract(api: TestClient, auth) -> None:
    for who in (auth("contractor", "other"), auth("ministry_officer", "mext")):
        assert_problem(api.get(AUDIT, headers=who), 404)
        assert_problem(api.get(AUDIT, params={"format": "csv"}, headers=who), 404)
    for who in (auth("contractor", "acme"), auth("ministry_officer", "meti"), auth("admin", "admin")):
        assert api.get(AUDIT, params={"format": "csv"}, headers=who).status_code == 200
    assert_problem(api.get("/v1/contracts/nope/audit", params={"format": "csv"}, headers=auth()), 404)


def test_appends_in_one_transaction_chain_in_order_flushed_or_not(api: TestClient, engine: Engine) -> None:
    """Entries added before a flush chain onto each other; those of a savepoint rolled back are not the head."""
    with session_scope(engine) as s:
        for n in range(3):
            audit.append(s, contract_id="c-001", actor="system", action=f"pending.{n}")
        s.flush()
        audit.append(s, contract_id="c-001", actor="system", action="after-flush")
        nested = s.begin_nested()
        audit.append(s, contract_id="c-001", actor="system", action="rolled-back")
        nested.rollback()
        audit.append(s, contract_id="c-001", actor="system", action="last")
    with Session(engine) as s:
        t = audit.trail(s, "c-001")
    assert [(e.seq, e.action) for e in t.entries] == [(1, "contract.registered"), (2, "pending.0"), (3, "pending.1"),
                                                      (4, "pending.2"), (5, "after-flush"), (6, "last")]
    assert t.verified
