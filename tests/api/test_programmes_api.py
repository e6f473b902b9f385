"""Programmes over HTTP: technology areas, ministry and funding agency, policy overrides, follow-up list."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.rules.areas import TECHNOLOGY_AREAS
from tests.factories import ContractBody, ProgrammeBody
from tests.support.db import count_rows
from tests.support.problems import assert_problem

PROGS = "/v1/programmes"

DEFAULT_POLICY = {
    "consultation_lead_days": 60, "review_target_days": 30, "access_review_months": 6,
    "supplier_review_months": 12, "supplier_follow_up_days": 30, "shareholder_initial_days": 14,
    "shareholder_change_days": 14,
    "due_soon_days": 14, "reminder_days_before": [30, 7, 1], "escalation_days_after": [1, 7],
    "prior_consultation": True, "shareholder_reports": True, "core_tech_measures": True,
    "act_before_conclusion": "finding", "prior_approval_lead_days": 30, "core_tech_period": "term_plus_3",
    "act_report_days": 14, "incident_follow_up_days": 30,
    "result_publication_reports": False, "overseas_research_application": False, "release_report_days": 14,
    "research_review_days": 30, "declaration_fresh_months": 12, "research_retention_years": 5,
}
CURRENT_AREAS = ["maritime_shipbuilding", "aviation", "digital_cyber", "energy_gx", "bio_health_food",
                 "manufacturing_materials", "mobility_logistics", "ai_robotics", "quantum",
                 "semiconductors_comms", "fusion", "space"]


def programme_count(engine: Engine) -> int:
    return count_rows(engine, "programme")


def ids(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["items"]]


def create(client: TestClient, headers: dict[str, str], **kw: Any):
    return client.post(PROGS, json=ProgrammeBody(**kw), headers=headers)


def test_admin_creates_a_programme(world: TestClient, admin) -> None:
    r = create(world, admin, id="k-q2", technology_areas=["quantum", "semiconductors_comms"])
    assert r.status_code == 201, r.text
    body = r.json()
    expected = ProgrammeBody(id="k-q2", technology_areas=["quantum", "semiconductors_comms"])
    assert {k: body[k] for k in expected} == expected
    assert body["effective_policy"] == DEFAULT_POLICY
    assert isinstance(body["created_at"], str)
    got = world.get(f"{PROGS}/k-q2", headers=admin)
    assert got.status_code == 200
    assert got.json() == body


def test_programme_without_funding_agency(world: TestClient, admin) -> None:
    r = world.post(PROGS, json={k: v for k, v in ProgrammeBody(id="p2").items() if k != "funding_agency"},
                   headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["funding_agency"] is None


@pytest.mark.parametrize("role,org", [("contractor", "acme"), ("ministry_officer", "meti")])
def test_only_admins_create_programmes(world: TestClient, auth, engine: Engine, role: str, org: str) -> None:
    assert_problem(create(world, auth(role, org), id="k-q2"), 403)
    assert programme_count(engine) == 1


def test_duplicate_id_is_409(world: TestClient, admin, engine: Engine) -> None:
    assert_problem(create(world, admin, name="again"), 409)
    assert programme_count(engine) == 1


def test_bad_id_is_422(world: TestClient, admin) -> None:
    for bad_id in ("", "k q", "_k", "k" * 65, "k/1"):
        r = create(world, admin, id=bad_id)
        assert r.status_code == 422, (bad_id, r.text)
        assert_problem(r, 422, loc=["body", "id"])


def test_unknown_technology_area_is_422(world: TestClient, admin, engine: Engine) -> None:
    for areas in (["quantum", "warp_drive"], ["Quantum"], ["interim_quantum"], ["interim_"], [""]):
        r = create(world, admin, id="k-q2", technology_areas=areas)
        assert r.status_code == 422, (areas, r.text)
        assert_problem(r, 422, loc=["body", "technology_areas"])
    assert programme_count(engine) == 1


def test_duplicated_technology_area_is_422(world: TestClient, admin) -> None:
    assert_problem(create(world, admin, id="k-q2", technology_areas=["quantum", "space", "quantum"]), 422,
                   loc=["body", "technology_areas"])


def test_a_programme_needs_at_least_one_technology_area(world: TestClient, admin, engine: Engine) -> None:
    # DOMAIN.md §3: a programme "is tagged with one or more technology areas".
    assert_problem(create(world, admin, id="k-q2", technology_areas=[]), 422, loc=["body", "technology_areas"])
    assert programme_count(engine) == 1


def test_every_area_code_is_accepted(world: TestClient, admin) -> None:
    interim = sorted(code for code, a in TECHNOLOGY_AREAS.items() if a.interim)
    assert len(interim) == 20 and all(c.startswith("interim_") for c in interim)
    assert "interim_quantum_information_science" in interim
    r = create(world, admin, id="k-all", technology_areas=CURRENT_AREAS)
    assert r.status_code == 201, r.text
    assert r.json()["technology_areas"] == CURRENT_AREAS
    r = create(world, admin, id="k-interim", technology_areas=["interim_quantum_information_science"])
    assert r.status_code == 201, r.text
    assert r.json()["technology_areas"] == ["interim_quantum_information_science"]
    r = create(world, admin, id="k-mixed", technology_areas=["space", "interim_space"] + interim[:3])
    assert r.status_code == 201, r.text


def test_ministry_and_funding_agency_must_be_of_their_kind(world: TestClient, admin, engine: Engine) -> None:
    for field, value in (("ministry", "acme"), ("ministry", "jst"), ("ministry", "nobody"),
                         ("funding_agency", "meti"), ("funding_agency", "acme"), ("funding_agency", "nobody")):
        r = create(world, admin, id="k-q2", **{field: value})
        assert r.status_code == 422, (field, value, r.text)
        assert_problem(r, 422, loc=["body", field])
    assert programme_count(engine) == 1


BAD_POLICIES = [
    ({"bogus_days": 3}, ["body", "policy", "bogus_days"]),
    ({"consultation_lead_days": "30"}, ["body", "policy", "consultation_lead_days"]),
    ({"consultation_lead_days": -1}, ["body", "policy", "consultation_lead_days"]),
    ({"consultation_lead_days": 30.5}, ["body", "policy", "consultation_lead_days"]),
    ({"consultation_lead_days": True}, ["body", "policy", "consultation_lead_days"]),
    ({"consultation_lead_days": 100000}, ["body", "policy", "consultation_lead_days"]),
    ({"review_target_days": 0}, ["body", "policy", "review_target_days"]),
    ({"access_review_months": 0}, ["body", "policy", "access_review_months"]),
    ({"reminder_days_before": "weekly"}, ["body", "policy", "reminder_days_before"]),
    ({"reminder_days_before": [7, -1]}, ["body", "policy", "reminder_days_before", "1"]),
    ({"escalation_days_after": [0]}, ["body", "policy", "escalation_days_after", "0"]),
]


def test_unknown_policy_override_key_is_422(world: TestClient, admin, engine: Engine) -> None:
    assert_problem(create(world, admin, id="k-q2", policy={"bogus_days": 3}), 422,
                   loc=["body", "policy", "bogus_days"])
    assert programme_count(engine) == 1


def test_bad_policy_override_value_is_422(world: TestClient, admin, engine: Engine) -> None:
    for policy, loc in BAD_POLICIES:
        r = create(world, admin, id="k-q2", policy=policy)
        assert r.status_code == 422, (policy, r.text)
        assert_problem(r, 422, loc=loc)
    assert programme_count(engine) == 1


def test_effective_policy_applies_overrides_to_defaults(world: TestClient, admin) -> None:
    overrides = {"consultation_lead_days": 45, "reminder_days_before": [7, 30, 7], "due_soon_days": 0}
    r = create(world, admin, id="k-q2", policy=overrides)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["policy"] == overrides
    assert body["effective_policy"] == {**DEFAULT_POLICY, "consultation_lead_days": 45,
                                        "reminder_days_before": [30, 7], "due_soon_days": 0}
    assert world.get(f"{PROGS}/k-q2", headers=admin).json()["effective_policy"] == body["effective_policy"]


BAD_BODIES = [
    (ProgrammeBody(id="k-q2", annual_support_jpy=-1), ["body", "annual_support_jpy"]),
    (ProgrammeBody(id="k-q2", annual_support_jpy=1.5), ["body", "annual_support_jpy"]),
    ({**ProgrammeBody(id="k-q2"), "budget": 1}, ["body", "budget"]),
    ({k: v for k, v in ProgrammeBody(id="k-q2").items() if k != "annual_support_jpy"},
     ["body", "annual_support_jpy"]),
    (ProgrammeBody(id="k-q2", name=""), ["body", "name"]),
    (ProgrammeBody(id="k-q2", technology_areas=["quantum", 3]), ["body", "technology_areas", "1"]),
    (ProgrammeBody(id="k-q2", technology_areas="quantum"), ["body", "technology_areas"]),
    (ProgrammeBody(id="k-q2", policy=[1, 2]), ["body", "policy"]),
]


def test_other_bad_bodies_are_422(world: TestClient, admin, engine: Engine) -> None:
    for body, loc in BAD_BODIES:
        r = world.post(PROGS, json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert_problem(r, 422, loc=loc)
    assert programme_count(engine) == 1


def test_large_annual_support_round_trips(world: TestClient, admin) -> None:
    r = create(world, admin, id="big", annual_support_jpy=5_000_000_000_000)  # ¥5 trillion, beyond 32 bits
    assert r.status_code == 201, r.text
    assert world.get(f"{PROGS}/big", headers=admin).json()["annual_support_jpy"] == 5_000_000_000_000


def test_follow_up_lists_programmes_with_a_billion_yen_or_more(world: TestClient, admin) -> None:
    assert create(world, admin, id="p-below", annual_support_jpy=999_999_999).status_code == 201
    assert create(world, admin, id="p-exact", annual_support_jpy=1_000_000_000).status_code == 201
    assert create(world, admin, id="p-zero", annual_support_jpy=0).status_code == 201
    assert ids(world.get(PROGS, params={"follow_up": "true"}, headers=admin)) == ["k-q1", "p-exact"]
    assert ids(world.get(PROGS, headers=admin)) == ["k-q1", "p-below", "p-exact", "p-zero"]
    assert ids(world.get(PROGS, params={"follow_up": "false"}, headers=admin)) == [
        "k-q1", "p-below", "p-exact", "p-zero"]
    assert_problem(world.get(PROGS, params={"follow_up": "sometimes"}, headers=admin), 422,
                   loc=["query", "follow_up"])


def test_officers_see_their_ministrys_programmes_and_contractors_theirs(world: TestClient, admin, auth) -> None:
    assert create(world, admin, id="x-mext", ministry="mext", annual_support_jpy=2_000_000_000).status_code == 201
    meti, mext = auth("ministry_officer", "meti"), auth("ministry_officer", "mext")
    assert ids(world.get(PROGS, headers=meti)) == ["k-q1"]
    assert ids(world.get(PROGS, params={"follow_up": "true"}, headers=mext)) == ["x-mext"]
    assert_problem(world.get(f"{PROGS}/x-mext", headers=meti), 404)
    assert world.get(f"{PROGS}/x-mext", headers=mext).status_code == 200

    acme = auth("contractor", "acme")
    assert ids(world.get(PROGS, headers=acme)) == []
    assert world.post("/v1/contracts", json=ContractBody(), headers=admin).status_code == 201
    assert ids(world.get(PROGS, headers=acme)) == ["k-q1"]
    assert world.get(f"{PROGS}/k-q1", headers=acme).status_code == 200
    assert_problem(world.get(f"{PROGS}/x-mext", headers=acme), 404)
    assert ids(world.get(PROGS, headers=auth("contractor", "other"))) == []


def test_unknown_programme_is_404(world: TestClient, admin) -> None:
    body = assert_problem(world.get(f"{PROGS}/nope", headers=admin), 404)
    assert body["title"] == "Not Found"


def test_programme_idempotency(world: TestClient, admin, engine: Engine) -> None:
    h = {**admin, "Idempotency-Key": "prog-1"}
    first = create(world, h, id="k-q2")
    assert first.status_code == 201, first.text
    again = create(world, h, id="k-q2")
    assert (again.status_code, again.json()) == (201, first.json())
    assert programme_count(engine) == 2
    assert_problem(create(world, h, id="k-q3"), 409)
    assert programme_count(engine) == 2


def test_pagination(world: TestClient, admin) -> None:
    for i in range(3):
        assert create(world, admin, id=f"p{i}").status_code == 201
    page = world.get(PROGS, params={"limit": 2}, headers=admin).json()
    assert [p["id"] for p in page["items"]] == ["k-q1", "p0"] and page["next_after"] == "p0"
    page = world.get(PROGS, params={"limit": 2, "after": page["next_after"]}, headers=admin).json()
    assert [p["id"] for p in page["items"]] == ["p1", "p2"] and page["next_after"] is None


def test_nul_character_in_the_name_is_422(world: TestClient, admin, engine: Engine) -> None:
    # A NUL cannot be stored in a PostgreSQL text column; bad input must never give a 500 (API.md).
    assert_problem(create(world, admin, id="k-q2", name="K\x00Program"), 422, loc=["body", "name"])
    assert programme_count(engine) == 1


def test_nul_character_in_an_id_is_an_ordinary_404(world: TestClient, admin) -> None:
    body = assert_problem(world.get(f"{PROGS}/a%00b", headers=admin), 404)
    assert body["title"] == "Not Found"
    r = world.get(PROGS, params={"after": "\x00"}, headers=admin)
    assert r.status_code in (200, 422), r.text


def test_an_admin_changes_a_programme_and_earlier_contracts_keep_their_switches(world: TestClient, admin, auth,
                                                                                 engine: Engine) -> None:
    """DOMAIN.md §3 [r2]: a contract follows its programme's switches as they were when it was registered."""
    assert world.post("/v1/contracts", json=ContractBody(), headers=admin).status_code == 201
    r = world.patch(f"{PROGS}/k-q1", headers=admin, json={
        "leakage_measures_required": False, "policy": {"prior_consultation": False, "consultation_lead_days": 45}})
    assert r.status_code == 200, r.text
    assert (r.json()["leakage_measures_required"], r.json()["effective_policy"]["consultation_lead_days"]) == (False, 45)
    assert world.post("/v1/contracts", json=ContractBody(id="c-002"), headers=admin).status_code == 201
    acme = auth("contractor", "acme")
    plan = {"type": "ip_action.planned", "occurred_on": "2026-04-01", "data": {
        "action": "provide", "planned_date": "2026-12-01", "forced_transfer_risk": True,
        "counterparty": {"name": "X", "country": "CN"}}}
    old = world.post("/v1/contracts/c-001/events", headers=acme, json=plan)
    # Registered with measures on: still consulted, on today's figure (45 days before).
    assert old.status_code == 202 and old.json()["effects"] == [
        {"kind": "consultation_opened", "id": f"case-{old.json()['event_id']}", "due_on": "2026-10-17"}]
    new = world.post("/v1/contracts/c-002/events", headers=acme, json=plan)
    assert new.status_code == 202 and new.json()["effects"] == []
    detail = world.get("/v1/contracts/c-001", headers=admin).json()
    assert detail["switches"]["leakage_measures_required"] is True
    assert world.get("/v1/contracts/c-002", headers=admin).json()["switches"]["prior_consultation"] is False


def test_a_programme_change_is_admin_only_and_validated(world: TestClient, admin, auth, engine: Engine) -> None:
    assert world.patch(f"{PROGS}/k-q1", headers=auth("ministry_officer", "meti"), json={"name": "x"}).status_code \
        == 403
    bad = world.patch(f"{PROGS}/k-q1", headers=admin, json={"policy": {"consultation_lead_days": "60"}})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert world.patch(f"{PROGS}/k-q1", headers=admin, json={"ministry": "mext"}).status_code == 422
    assert world.patch(f"{PROGS}/nope", headers=admin, json={"name": "x"}).status_code == 404
    assert world.get(f"{PROGS}/k-q1", headers=admin).json()["policy"] == {}
