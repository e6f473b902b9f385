"""Contracts over HTTP: registration, who may register, idempotency, scoping, pagination, audit, outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import ContractBody, ProgrammeBody
from tests.support.db import count_rows
from tests.support.problems import assert_problem

CONTRACTS = "/v1/contracts"


def nothing_recorded(engine: Engine) -> None:
    for table in ("contract", "audit_entry", "outbox_message", "idempotency_record"):
        assert count_rows(engine, table) == 0, table


def ids(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["items"]]


@pytest.fixture
def officer(auth) -> dict[str, str]:
    return auth("ministry_officer", "meti", sub="oka")


@pytest.fixture
def mext_world(world: TestClient, admin) -> TestClient:
    """The world plus a MEXT programme."""
    r = world.post("/v1/programmes", json=ProgrammeBody(id="m-ai", ministry="mext", technology_areas=["ai_robotics"]),
                   headers=admin)
    assert r.status_code == 201, r.text
    return world


# --------------------------------------------------------------------------------------------
# Registration


def test_admin_registers_a_contract(world: TestClient, admin) -> None:
    r = world.post(CONTRACTS, json=ContractBody(), headers=admin)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert {k: body[k] for k in ContractBody()} == ContractBody()
    assert body["obligation_period_end"] == "2034-03-31"
    assert body["status"] == "active"
    assert body["workflow_id"] == "contract-c-001"
    assert isinstance(body["created_at"], str)
    got = world.get(f"{CONTRACTS}/c-001", headers=admin)
    assert got.status_code == 200
    assert {k: got.json()[k] for k in body} == body


def test_officer_of_the_programmes_ministry_registers_a_contract(world: TestClient, officer) -> None:
    r = world.post(CONTRACTS, json=ContractBody(id="meti-off"), headers=officer)
    assert r.status_code == 201, r.text
    assert r.json()["workflow_id"] == "contract-meti-off"
    assert r.json()["status"] == "active"
    assert world.get(f"{CONTRACTS}/meti-off", headers=officer).status_code == 200


def test_an_officer_cannot_probe_which_contract_ids_another_ministry_has(mext_world: TestClient, admin,
                                                                         auth) -> None:
    """Issue 10 defect 7: a taken id of another ministry answered 409 "already exists", a free one did not."""
    w = mext_world
    meti, mext = auth("ministry_officer", "meti"), auth("ministry_officer", "mext")
    assert w.post(CONTRACTS, json=ContractBody(id="meti-2026-001"), headers=meti).status_code == 201
    assert w.post(CONTRACTS, json=ContractBody(id="c-legacy", programme_id="m-ai"), headers=admin).status_code == 201

    def answer(contract_id: str) -> tuple[int, dict]:
        r = w.post(CONTRACTS, json=ContractBody(id=contract_id, programme_id="m-ai"), headers=mext)
        body = r.json()
        return r.status_code, {k: v for k, v in body.items() if k != "instance"}

    # Taken or free, an id outside the officer's namespace gets one and the same answer.
    assert answer("meti-2026-001") == answer("meti-2026-002")
    assert answer("meti-2026-001")[0] == 422
    assert answer("c-legacy") == answer("c-free")
    # Within it, the officer's own ministry's ids are the only ones that can be taken: 409 tells nothing new.
    assert w.post(CONTRACTS, json=ContractBody(id="mext-1", programme_id="m-ai"), headers=mext).status_code == 201
    r = w.post(CONTRACTS, json=ContractBody(id="mext-1", programme_id="m-ai"), headers=mext)
    assert r.status_code == 409 and w.get(f"{CONTRACTS}/mext-1", headers=mext).status_code == 200
    problem = answer("mext-")
    assert problem[0] == 422 and "mext-" in problem[1]["detail"]


@pytest.mark.parametrize("start,end,period_end", [
    ("2021-04-01", "2024-02-29", "2027-02-28"),
    ("2026-04-01", "2026-04-01", "2029-04-01"),
    ("2025-10-01", "2028-02-29", "2031-02-28"),
])
def test_obligation_period_end_of_a_contract(world: TestClient, admin, start: str, end: str, period_end: str) -> None:
    r = world.post(CONTRACTS, json=ContractBody(start_date=start, end_date=end), headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["obligation_period_end"] == period_end


def test_contract_whose_obligation_period_has_ended_is_closed(world: TestClient, admin) -> None:
    r = world.post(CONTRACTS, json=ContractBody(start_date="2010-04-01", end_date="2012-03-31"), headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["obligation_period_end"] == "2015-03-31"
    assert r.json()["status"] == "closed"


def test_status_turns_closed_the_day_after_the_obligation_period_ends(world: TestClient, admin, clock) -> None:
    today = clock.day
    for cid, last_day, status in (("c-today", today, "active"), ("c-yday", today - timedelta(days=1), "closed")):
        if (last_day.month, last_day.day) == (2, 29):
            continue  # no end date + 3 years lands on 29 Feb (the years between are common years)
        end = last_day.replace(year=last_day.year - 3)
        r = world.post(CONTRACTS, json=ContractBody(id=cid, start_date="2000-01-01", end_date=end.isoformat()),
                       headers=admin)
        assert r.status_code == 201, r.text
        assert r.json()["obligation_period_end"] == last_day.isoformat()
        assert r.json()["status"] == status
        assert world.get(f"{CONTRACTS}/{cid}", headers=admin).json()["status"] == status


def test_officer_of_another_ministry_gets_422_on_programme_id(world: TestClient, auth, engine: Engine) -> None:
    r = world.post(CONTRACTS, json=ContractBody(), headers=auth("ministry_officer", "mext"))
    assert_problem(r, 422, loc=["body", "programme_id"])
    nothing_recorded(engine)


@pytest.mark.parametrize("org", ["acme", "other"])
def test_contractors_may_not_register_contracts(world: TestClient, auth, engine: Engine, org: str) -> None:
    body = assert_problem(world.post(CONTRACTS, json=ContractBody(), headers=auth("contractor", org)), 403)
    assert body["title"] == "Forbidden"
    nothing_recorded(engine)


@pytest.mark.parametrize("who", ["admin", "officer"])
def test_unknown_programme_is_422(world: TestClient, admin, officer, engine: Engine, who: str) -> None:
    h = admin if who == "admin" else officer
    assert_problem(world.post(CONTRACTS, json=ContractBody(programme_id="nope"), headers=h), 422,
                   loc=["body", "programme_id"])
    nothing_recorded(engine)


def test_contractor_org_must_be_a_contractor(world: TestClient, admin, engine: Engine) -> None:
    for org in ("meti", "jst", "nobody"):
        r = world.post(CONTRACTS, json=ContractBody(contractor_org=org), headers=admin)
        assert r.status_code == 422, (org, r.text)
        assert_problem(r, 422, loc=["body", "contractor_org"])
    nothing_recorded(engine)


def test_end_before_start_is_422(world: TestClient, admin, engine: Engine) -> None:
    r = world.post(CONTRACTS, json=ContractBody(start_date="2026-04-01", end_date="2026-03-31"), headers=admin)
    assert_problem(r, 422, loc=["body"])
    nothing_recorded(engine)


def test_period_past_the_calendar_is_422(world: TestClient, admin, engine: Engine) -> None:
    r = world.post(CONTRACTS, json=ContractBody(start_date="9990-01-01", end_date="9998-06-30"), headers=admin)
    assert_problem(r, 422)
    nothing_recorded(engine)


BAD_BODIES = [
    (ContractBody(id="c 1"), ["body", "id"]),
    (ContractBody(id=""), ["body", "id"]),
    (ContractBody(start_date="2026-02-30"), ["body", "start_date"]),
    (ContractBody(end_date="soon"), ["body", "end_date"]),
    (ContractBody(title=""), ["body", "title"]),
    (ContractBody(commissioned="perhaps"), ["body", "commissioned"]),
    ({**ContractBody(), "budget": 5}, ["body", "budget"]),
    ({k: v for k, v in ContractBody().items() if k != "programme_id"}, ["body", "programme_id"]),
]


def test_bad_bodies_are_422(world: TestClient, admin, engine: Engine) -> None:
    for body, loc in BAD_BODIES:
        r = world.post(CONTRACTS, json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert_problem(r, 422, loc=loc)
    nothing_recorded(engine)


def test_duplicate_id_is_409(world: TestClient, admin, officer, engine: Engine) -> None:
    assert world.post(CONTRACTS, json=ContractBody(id="meti-001"), headers=admin).status_code == 201
    assert_problem(world.post(CONTRACTS, json=ContractBody(id="meti-001", title="again"), headers=admin), 409)
    assert_problem(world.post(CONTRACTS, json=ContractBody(id="meti-001", contractor_org="other"), headers=officer),
                   409)
    assert count_rows(engine, "contract") == 1
    assert count_rows(engine, "outbox_message") == 1
    assert count_rows(engine, "audit_entry") == 1


def test_commissioned_defaults_to_true(world: TestClient, admin) -> None:
    body = {k: v for k, v in ContractBody().items() if k != "commissioned"}
    r = world.post(CONTRACTS, json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["commissioned"] is True


# --------------------------------------------------------------------------------------------
# Idempotency-Key


def test_retry_with_the_same_key_records_nothing_twice(world: TestClient, admin, engine: Engine) -> None:
    h = {**admin, "Idempotency-Key": "reg-c-001"}
    first = world.post(CONTRACTS, json=ContractBody(), headers=h)
    assert first.status_code == 201, first.text
    for _ in range(2):
        again = world.post(CONTRACTS, json=ContractBody(), headers=h)
        assert again.status_code == first.status_code
        assert again.json() == first.json()
    assert ids(world.get(CONTRACTS, headers=admin)) == ["c-001"]
    assert count_rows(engine, "contract") == 1
    assert count_rows(engine, "outbox_message") == 1
    assert len(world.get(f"{CONTRACTS}/c-001/audit", headers=admin).json()["entries"]) == 1


def test_same_key_with_another_body_is_409(world: TestClient, admin, engine: Engine) -> None:
    h = {**admin, "Idempotency-Key": "reg-1"}
    assert world.post(CONTRACTS, json=ContractBody(), headers=h).status_code == 201
    body = assert_problem(world.post(CONTRACTS, json=ContractBody(id="c-002"), headers=h), 409)
    assert "Idempotency-Key" in body["title"] or "Idempotency-Key" in body["detail"]
    assert_problem(world.post(CONTRACTS, json=ContractBody(title="Other title"), headers=h), 409)
    assert ids(world.get(CONTRACTS, headers=admin)) == ["c-001"]
    assert count_rows(engine, "outbox_message") == 1


def test_different_principals_may_reuse_a_key(world: TestClient, admin, officer, engine: Engine) -> None:
    r1 = world.post(CONTRACTS, json=ContractBody(id="c-a"), headers={**admin, "Idempotency-Key": "same"})
    r2 = world.post(CONTRACTS, json=ContractBody(id="meti-b"), headers={**officer, "Idempotency-Key": "same"})
    assert (r1.status_code, r2.status_code) == (201, 201), (r1.text, r2.text)
    assert (r1.json()["id"], r2.json()["id"]) == ("c-a", "meti-b")
    assert ids(world.get(CONTRACTS, headers=admin)) == ["c-a", "meti-b"]
    assert count_rows(engine, "outbox_message") == 2


def test_key_retry_after_a_validation_failure_can_succeed(world: TestClient, admin, engine: Engine) -> None:
    h = {**admin, "Idempotency-Key": "k"}
    assert_problem(world.post(CONTRACTS, json=ContractBody(contractor_org="meti"), headers=h), 422)
    nothing_recorded(engine)
    assert world.post(CONTRACTS, json=ContractBody(), headers=h).status_code == 201


# --------------------------------------------------------------------------------------------
# Scoping


def test_a_contractor_sees_only_its_own_contracts(world: TestClient, admin, auth) -> None:
    assert world.post(CONTRACTS, json=ContractBody(id="c-acme"), headers=admin).status_code == 201
    assert world.post(CONTRACTS, json=ContractBody(id="c-other", contractor_org="other"),
                      headers=admin).status_code == 201
    acme, other = auth("contractor", "acme"), auth("contractor", "other")
    assert ids(world.get(CONTRACTS, headers=acme)) == ["c-acme"]
    assert ids(world.get(CONTRACTS, headers=other)) == ["c-other"]
    assert ids(world.get(CONTRACTS, params={"contractor_org": "other"}, headers=acme)) == []
    assert world.get(f"{CONTRACTS}/c-acme", headers=acme).status_code == 200
    assert world.get(f"{CONTRACTS}/c-acme/audit", headers=acme).status_code == 200

    hidden = assert_problem(world.get(f"{CONTRACTS}/c-other", headers=acme), 404)
    missing = assert_problem(world.get(f"{CONTRACTS}/c-nope", headers=acme), 404)
    assert hidden == {**missing, "detail": missing["detail"].replace("c-nope", "c-other"),
                      "instance": missing["instance"].replace("c-nope", "c-other")}
    assert_problem(world.get(f"{CONTRACTS}/c-other/audit", headers=acme), 404)


def test_an_officer_sees_only_their_ministrys_contracts(mext_world: TestClient, admin, auth) -> None:
    w = mext_world
    assert w.post(CONTRACTS, json=ContractBody(id="c-meti"), headers=admin).status_code == 201
    assert w.post(CONTRACTS, json=ContractBody(id="c-mext", programme_id="m-ai"), headers=admin).status_code == 201
    meti, mext = auth("ministry_officer", "meti"), auth("ministry_officer", "mext")
    assert ids(w.get(CONTRACTS, headers=meti)) == ["c-meti"]
    assert ids(w.get(CONTRACTS, headers=mext)) == ["c-mext"]
    assert ids(w.get(CONTRACTS, headers=admin)) == ["c-meti", "c-mext"]
    assert ids(w.get(CONTRACTS, params={"programme_id": "m-ai"}, headers=meti)) == []
    assert w.get(f"{CONTRACTS}/c-meti", headers=meti).status_code == 200
    assert_problem(w.get(f"{CONTRACTS}/c-mext", headers=meti), 404)
    assert_problem(w.get(f"{CONTRACTS}/c-mext/audit", headers=meti), 404)
    assert_problem(w.get(f"{CONTRACTS}/c-meti", headers=mext), 404)
    # an officer of a ministry with no programmes sees nothing
    assert ids(w.get(CONTRACTS, headers=auth("ministry_officer", "mof"))) == []


def test_list_filters(mext_world: TestClient, admin) -> None:
    w = mext_world
    for body in (ContractBody(id="c1"), ContractBody(id="c2", contractor_org="other"),
                 ContractBody(id="c3", programme_id="m-ai")):
        assert w.post(CONTRACTS, json=body, headers=admin).status_code == 201
    assert ids(w.get(CONTRACTS, params={"programme_id": "k-q1"}, headers=admin)) == ["c1", "c2"]
    assert ids(w.get(CONTRACTS, params={"contractor_org": "acme"}, headers=admin)) == ["c1", "c3"]
    assert ids(w.get(CONTRACTS, params={"programme_id": "m-ai", "contractor_org": "other"}, headers=admin)) == []


def test_unknown_contract_is_404(world: TestClient, admin) -> None:
    body = assert_problem(world.get(f"{CONTRACTS}/nope", headers=admin), 404)
    assert body["title"] == "Not Found"
    assert_problem(world.get(f"{CONTRACTS}/nope/audit", headers=admin), 404)


# --------------------------------------------------------------------------------------------
# Pagination


def test_pagination_with_limit_and_after(world: TestClient, admin, auth) -> None:
    for i in range(1, 6):
        assert world.post(CONTRACTS, json=ContractBody(id=f"c-00{i}"), headers=admin).status_code == 201
    page = world.get(CONTRACTS, params={"limit": 2}, headers=admin).json()
    assert [c["id"] for c in page["items"]] == ["c-001", "c-002"] and page["next_after"] == "c-002"
    page = world.get(CONTRACTS, params={"limit": 2, "after": page["next_after"]}, headers=admin).json()
    assert [c["id"] for c in page["items"]] == ["c-003", "c-004"] and page["next_after"] == "c-004"
    page = world.get(CONTRACTS, params={"limit": 2, "after": page["next_after"]}, headers=admin).json()
    assert [c["id"] for c in page["items"]] == ["c-005"] and page["next_after"] is None
    page = world.get(CONTRACTS, params={"limit": 5}, headers=admin).json()
    assert len(page["items"]) == 5 and page["next_after"] is None
    page = world.get(CONTRACTS, params={"after": "c-005"}, headers=admin).json()
    assert page == {"items": [], "next_after": None}
    page = world.get(CONTRACTS, headers=admin).json()
    assert len(page["items"]) == 5 and page["next_after"] is None
    # pagination stays within the caller's scope
    page = world.get(CONTRACTS, params={"limit": 1}, headers=auth("contractor", "other")).json()
    assert page == {"items": [], "next_after": None}
    for limit in ("0", "501", "-2", "many"):
        assert_problem(world.get(CONTRACTS, params={"limit": limit}, headers=admin), 422, loc=["query", "limit"])


# --------------------------------------------------------------------------------------------
# Audit trail and outbox


def test_audit_trail_has_the_registration(world: TestClient, officer) -> None:
    before = datetime.now(UTC)
    assert world.post(CONTRACTS, json=ContractBody(id="meti-001"), headers=officer).status_code == 201
    after = datetime.now(UTC)
    r = world.get(f"{CONTRACTS}/meti-001/audit", headers=officer)
    assert r.status_code == 200, r.text
    trail = r.json()["entries"]
    assert len(trail) == 1
    entry = trail[0]
    assert entry["action"] == "contract.registered"
    assert "oka" in entry["actor"] and "meti" in entry["actor"]
    assert entry["detail"]["obligation_period_end"] == "2034-03-31"
    assert entry["detail"]["start_date"] == "2026-04-01"
    assert entry["detail"]["end_date"] == "2031-03-31"
    assert entry["detail"]["programme_id"] == "k-q1"
    assert entry["detail"]["contractor_org"] == "acme"
    assert entry["at_jst"].endswith("+09:00")
    at_utc = datetime.fromisoformat(entry["at_utc"].replace("Z", "+00:00"))
    at_jst = datetime.fromisoformat(entry["at_jst"])
    assert at_utc.utcoffset() == timedelta(0)
    assert at_jst.utcoffset() == timedelta(hours=9)
    assert at_utc == at_jst
    assert before - timedelta(seconds=1) <= at_utc <= after + timedelta(seconds=1)


def test_outbox_row_is_written_with_the_contract(world: TestClient, admin, engine: Engine) -> None:
    assert world.post(CONTRACTS, json=ContractBody(), headers=admin).status_code == 201
    with Session(engine) as s:
        rows = s.execute(text("select kind, workflow_id, payload, delivered_at, attempts "
                              "from outbox_message")).mappings().all()
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "contract.start"
    assert row["workflow_id"] == "contract-c-001"
    assert row["delivered_at"] is None  # no relay in these tests
    assert row["attempts"] == 0
    payload = row["payload"]
    if isinstance(payload, str):
        payload = json.loads(payload)
    terms = payload["terms"]
    assert terms["contract_id"] == "c-001"
    assert terms["programme_id"] == "k-q1"
    assert terms["contractor_org"] == "acme"
    assert terms["obligation_period_end"] == "2034-03-31"


def test_rejected_registration_writes_no_outbox_row(world: TestClient, admin, auth, engine: Engine) -> None:
    world.post(CONTRACTS, json=ContractBody(contractor_org="meti"), headers=admin)
    world.post(CONTRACTS, json=ContractBody(), headers=auth("contractor", "acme"))
    world.post(CONTRACTS, json=ContractBody(), headers=auth("ministry_officer", "mext"))
    world.post(CONTRACTS, json=ContractBody(end_date="2020-01-01"), headers=admin)
    nothing_recorded(engine)


# --------------------------------------------------------------------------------------------
# Bad input never gives a 500 (API.md, "Conventions"), whatever the database


def test_nul_character_in_an_id_is_an_ordinary_404(world: TestClient, admin) -> None:
    for path in (f"{CONTRACTS}/a%00b", f"{CONTRACTS}/a%00b/audit"):
        body = assert_problem(world.get(path, headers=admin), 404)
        assert body["title"] == "Not Found"


def test_nul_character_in_list_parameters_is_not_a_500(world: TestClient, admin) -> None:
    for params in ({"after": "a\x00b"}, {"programme_id": "a\x00b"}, {"contractor_org": "\x00"}):
        r = world.get(CONTRACTS, params=params, headers=admin)
        assert r.status_code in (200, 422), (params, r.text)
        if r.status_code == 200:
            assert r.json() == {"items": [], "next_after": None}
        else:
            assert_problem(r, 422)


def test_nul_character_in_the_title_is_422(world: TestClient, admin, engine: Engine) -> None:
    r = world.post(CONTRACTS, json=ContractBody(title="Quantum\x00sensors"), headers=admin)
    assert_problem(r, 422, loc=["body", "title"])
    nothing_recorded(engine)
