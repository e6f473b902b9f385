"""Screening over HTTP (issue 13, DOMAIN.md §12 [r2]), on SQLite and PostgreSQL: list versions imported from
files of the publishers' shapes, parties screened when reported, dispositions, their effects and audit entries,
and who may see and decide what. The API's clock is fixed (2026-06-01); no relay runs, so the re-screening
workflow's outbox row waits where it was written (tests/workflows/test_rescreen_workflow.py runs it)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.outbox import OutboxMessage
from service.screening import service as screening_service
from service.screening.models import ListEntryRow, ListVersion, Screening
from tests.support.clock import Clock
from tests.support.list_files import csl_json, eul_xlsx

PROBLEM = "application/problem+json"

HARBIN = {"id": "csl-harbin", "source": "Entity List (EL) - Bureau of Industry and Security", "type": "Entity",
          "name": "Harbin Institute of Technology", "alt_names": ["HIT", "Harbin Gongye Daxue"],
          "addresses": [{"address": "92 West Dazhi Street", "city": "Harbin", "country": "CN"}],
          "programs": ["EAR"], "start_date": "2020-06-05"}
ROSOBORON = {"id": "csl-rosoboron", "source": "Specially Designated Nationals (SDN) - Treasury Department",
             "type": "Entity", "name": "Rosoboronexport", "alt_names": ["Rosoboroneksport", "ROE"],
             "addresses": [{"address": "27 Stromynka", "city": "Moscow", "country": "RU"}], "programs": ["RUSSIA-EO14024"],
             "start_date": "2022-02-24"}
EUL_ROWS = [{"number": 1, "country": "IR", "name": "Aerospace Industries Organization", "aliases": ["AIO"],
             "concerns": ["missile"]},
            {"number": 2, "country": "CN", "name": "Beijing Institute of Technology", "aliases": [],
             "concerns": ["missile"]}]


@pytest.fixture
def officer(auth) -> dict[str, str]:
    return auth("ministry_officer", "meti", sub="tanaka")


@pytest.fixture
def mext(auth) -> dict[str, str]:
    return auth("ministry_officer", "mext", sub="suzuki")


@pytest.fixture
def other(auth) -> dict[str, str]:
    return auth("contractor", "other", sub="oda")


@pytest.fixture
def today(clock: Clock) -> Clock:
    clock.set("2026-06-01")
    return clock


def upload(api: TestClient, who: dict[str, str], source: str, data: bytes, name: str) -> Any:
    return api.post(f"/v1/lists/{source}/versions", headers=who, files={"file": (name, data, "application/octet-stream")})


def imported(api: TestClient, admin: dict[str, str], records: list[dict[str, Any]]) -> dict[str, Any]:
    r = upload(api, admin, "csl", csl_json(records), "consolidated.json")
    assert r.status_code == 201, r.text
    return r.json()


def report(api: TestClient, who: dict[str, str], clock: Clock, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/v1/contracts/c-001/events", headers=who,
                 json={"type": type_, "occurred_on": clock.day.isoformat(), "data": data})
    assert r.status_code == 202, r.text
    return r.json()


def plan_with(name: str, country: str, planned: str = "2026-12-01") -> dict[str, Any]:
    """A provision of know-how to `name`, with no risk the contractor knows of: it needs no consultation."""
    return {"action": "provide", "planned_date": planned,
            "counterparty": {"name": name, "country": country, "relation": "none"}}


def screenings(api: TestClient, who: dict[str, str], **params: str) -> list[dict[str, Any]]:
    r = api.get("/v1/screenings", headers=who, params=params)
    assert r.status_code == 200, r.text
    return r.json()["screenings"]


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    return r.json()


# --- list versions ----------------------------------------------------------------------------------------------

def test_an_admin_imports_a_version_and_the_next_one_says_what_changed(api: TestClient, admin, acme) -> None:
    first = imported(api, admin, [HARBIN, ROSOBORON])
    assert (first["source"], first["number"], first["entry_count"], first["previous_id"]) == ("csl", 1, 2, None)
    assert (first["diff"]["added"], first["diff"]["removed"], first["diff"]["changed"]) == (2, 0, 0)
    renamed = {**ROSOBORON, "alt_names": [*ROSOBORON["alt_names"], "JSC Rosoboronexport"]}
    huawei = {**HARBIN, "id": "csl-huawei", "name": "Huawei Technologies Co., Ltd.", "alt_names": [],
              "addresses": [{"country": "CN"}]}
    second = imported(api, admin, [renamed, huawei])
    assert (second["number"], second["previous_id"]) == (2, first["id"])
    assert second["diff"] | {} == {**second["diff"], "added": 1, "removed": 1, "changed": 1,
                                   "added_keys": ["csl-huawei"], "removed_keys": ["csl-harbin"],
                                   "changed_keys": ["csl-rosoboron"]}
    diff = api.get(f"/v1/lists/versions/{second['id']}/diff", headers=acme).json()
    assert [e["name"] for e in diff["added"]] == ["Huawei Technologies Co., Ltd."]
    assert [e["name"] for e in diff["removed"]] == ["Harbin Institute of Technology"]
    assert "JSC Rosoboronexport" in diff["changed"][0]["aliases"]
    listed = api.get("/v1/lists/versions", headers=acme, params={"source": "csl"}).json()
    assert [v["number"] for v in listed] == [2, 1]
    page = api.get(f"/v1/lists/versions/{first['id']}/entries", headers=acme, params={"limit": 1}).json()
    assert len(page["entries"]) == 1 and page["next_after"] is not None


def test_the_end_user_list_spreadsheet_is_imported(api: TestClient, admin) -> None:
    r = upload(api, admin, "eul", eul_xlsx(EUL_ROWS, edition="en"), "eul_en.xlsx")
    assert r.status_code == 201, r.text
    version = r.json()
    assert (version["source"], version["entry_count"], version["edition"]) == ("eul", 2, "en")
    entries = api.get(f"/v1/lists/versions/{version['id']}/entries", headers=admin).json()["entries"]
    assert {e["name"]: e["countries"] for e in entries} == {"Aerospace Industries Organization": ["IR"],
                                                           "Beijing Institute of Technology": ["CN"]}


def test_the_same_file_twice_is_refused_and_only_an_admin_imports(api: TestClient, admin, acme, officer,
                                                                  engine: Engine) -> None:
    data = csl_json([HARBIN])
    assert upload(api, admin, "csl", data, "a.json").status_code == 201
    assert problem(upload(api, admin, "csl", data, "b.json"), 409)["title"] == "Already imported"
    for who in (acme, officer):
        assert problem(upload(api, who, "csl", csl_json([ROSOBORON]), "c.json"), 403)["detail"] == \
            "This needs the role admin."
    assert problem(upload(api, admin, "xyz", data, "d.json"), 404)["detail"] == "No list 'xyz'."


def test_a_malformed_file_is_refused_where_it_is_wrong_and_nothing_is_imported(api: TestClient, admin,
                                                                              engine: Engine) -> None:
    bad_date = {**ROSOBORON, "start_date": "2022-02-30"}
    body = problem(upload(api, admin, "csl", csl_json([HARBIN, bad_date]), "bad.json"), 422)
    assert body["errors"][0]["loc"][:2] == ["body", "file"], body
    assert "2" in body["detail"] or 2 in body["errors"][0]["loc"], body  # the record is named
    not_utf8 = "name\nハルビン\n".encode("cp932")
    assert problem(upload(api, admin, "csl", not_utf8, "bad.csv"), 422)["errors"][0]["loc"][:2] == ["body", "file"]
    assert problem(upload(api, admin, "eul", b"PK\x03\x04 not really", "eul.xlsx"), 422)
    with Session(engine) as s:
        assert s.exec(select(ListVersion)).all() == [] and s.exec(select(ListEntryRow)).all() == []
        assert s.exec(select(OutboxMessage).where(OutboxMessage.kind == "screening.rescreen")).all() == []


def test_an_import_starts_the_re_screening_of_every_open_party(api: TestClient, admin, engine: Engine) -> None:
    version = imported(api, admin, [HARBIN])
    with Session(engine) as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "screening.rescreen")).all()
    assert [(r.workflow_id, r.payload["version_id"]) for r in rows] == [(f"rescreen-{version['id']}", version["id"])]


# --- screening a name now ----------------------------------------------------------------------------------------

def test_a_name_is_screened_now_by_any_role_and_nothing_is_recorded(api: TestClient, admin, acme,
                                                                    engine: Engine) -> None:
    empty = api.post("/v1/screenings", headers=acme, json={"name": "Harbin Institute of Technology"}).json()
    assert (empty["list_versions"], empty["candidates"]) == ([], [])
    version = imported(api, admin, [HARBIN, ROSOBORON])
    r = api.post("/v1/screenings", headers=acme, json={"name": "HARBIN INSTITUTE OF TECHNOLOGY", "country": "CN"})
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["list_versions"] == [version["id"]]
    best = found["candidates"][0]
    assert (best["entry_key"], best["source"], best["version_id"]) == ("csl-harbin", "csl", version["id"])
    assert best["score"] >= found["threshold"] and best["matched_name"] and best["feature"] and best["explanation"]
    assert best["entry"]["name"] == "Harbin Institute of Technology"
    assert api.post("/v1/screenings", headers=acme, json={"name": "Tokyo Bakery", "country": "JP"}).json()[
        "candidates"] == []
    assert problem(api.post("/v1/screenings", headers=acme, json={"name": ""}), 422)
    with Session(engine) as s:
        assert s.exec(select(Screening)).all() == []


# --- parties screened when reported -----------------------------------------------------------------------------

def test_a_plans_counterparty_is_screened_when_reported_and_flagged(api: TestClient, admin, acme, officer,
                                                                     today: Clock) -> None:
    version = imported(api, admin, [HARBIN, ROSOBORON])
    planned = report(api, acme, today, "ip_action.planned", plan_with("Harbin Institute of Technology", "CN"))
    assert [e["kind"] for e in planned["effects"]] == []  # no risk known: no consultation yet
    [s] = screenings(api, officer, contract_id="c-001")
    assert (s["role"], s["name"], s["country"], s["state"]) == ("counterparty", "Harbin Institute of Technology",
                                                               "CN", "potential_match")
    assert s["basis"] == f"reported:{planned['event_id']}" and s["list_versions"] == [version["id"]]
    assert s["candidates"][0]["entry_key"] == "csl-harbin"
    # Nothing on the list: screened, and clear.
    report(api, acme, today, "ip_action.planned", plan_with("Kyoto Optics Co., Ltd.", "JP"))
    assert sorted(x["state"] for x in screenings(api, officer, contract_id="c-001")) == ["clear", "potential_match"]
    assert [x["id"] for x in screenings(api, officer, state="potential_match")] == [s["id"]]


def test_holders_of_a_third_and_suppliers_with_core_technology_are_screened(api: TestClient, admin, acme, officer,
                                                                          today: Clock) -> None:
    imported(api, admin, [HARBIN, ROSOBORON])
    report(api, acme, today, "shareholding.changed", {"holder": {"name": "Rosoboronexport", "country": "RU"},
                                                      "shares_held": 1000, "shares_outstanding": 3000})
    report(api, acme, today, "shareholding.changed", {"holder": {"name": "Small Holder", "country": "RU"},
                                                      "shares_held": 10, "shares_outstanding": 3000})
    report(api, acme, today, "supplier.engaged", {"supplier_ref": "s-1", "name": "Harbin Gongye Daxue",
                                                  "country": "CN", "holds_core_tech": True})
    report(api, acme, today, "supplier.engaged", {"supplier_ref": "s-2", "name": "Rosoboronexport",
                                                  "country": "RU", "holds_core_tech": False})
    got = {(s["role"], s["name"]): s["state"] for s in screenings(api, officer, contract_id="c-001")}
    assert got == {("holder", "Rosoboronexport"): "potential_match",
                   ("supplier", "Harbin Gongye Daxue"): "potential_match"}
    for s in screenings(api, officer, contract_id="c-001"):
        r = api.post(f"/v1/screenings/{s['id']}/disposition", headers=officer, json={
            "decision": "true_match", "entry": f"csl:{s['candidates'][0]['entry_key']}", "reason": "Same entity."})
        assert r.status_code == 200 and [e["kind"] for e in r.json()["effects"]] == ["finding_recorded"], r.text
    contract = api.get("/v1/contracts/c-001", headers=officer).json()
    assert sorted((f["code"], f["obligation"]) for f in contract["findings"]) == [
        ("listed_holder", "shareholders"), ("listed_supplier", "suppliers")]


# --- dispositions ------------------------------------------------------------------------------------------------

def test_a_true_match_on_a_counterparty_is_condition_1_and_opens_the_case(api: TestClient, admin, acme, officer,
                                                                          today: Clock) -> None:
    imported(api, admin, [HARBIN])
    planned = report(api, acme, today, "ip_action.planned", plan_with("Harbin Institute of Technology", "CN"))
    [s] = screenings(api, officer, contract_id="c-001")
    r = api.post(f"/v1/screenings/{s['id']}/disposition", headers=officer,
                 json={"decision": "true_match", "entry": "csl:csl-harbin", "reason": "Same address and name."})
    assert r.status_code == 200, r.text
    decided = r.json()
    assert (decided["state"], decided["decision_entry"], decided["decided_by"]) == (
        "true_match", "csl:csl-harbin", "tanaka (ministry_officer, meti)")
    kinds = [e["kind"] for e in decided["effects"]]
    assert kinds == ["consultation_opened", "finding_recorded"]
    case_id = decided["effects"][0]["id"]
    assert case_id == f"case-{planned['event_id']}"
    case = api.get(f"/v1/consultations/{case_id}", headers=officer, params={"lang": "en"}).json()
    assert case["conditions_met"] == ["counterparty_listed"] and case["late"] is False
    assert any("Harbin Institute of Technology" in line and "Consolidated Screening List" in line
               for line in case["reasons"]), case["reasons"]
    contract = api.get("/v1/contracts/c-001", headers=officer).json()
    assert [f["code"] for f in contract["findings"]] == ["listed_counterparty"]
    actions = [e["action"] for e in api.get("/v1/contracts/c-001/audit", headers=officer).json()["entries"]]
    assert {"screening.recorded", "screening.disposed", "effect.consultation_opened",
            "effect.finding_recorded"} <= set(actions)
    again = api.post(f"/v1/screenings/{s['id']}/disposition", headers=officer,
                     json={"decision": "false_positive", "reason": "Changed my mind."})
    assert problem(again, 409)["title"] == "Already decided"


def test_a_true_match_on_a_plan_that_already_has_a_case_adds_the_condition(api: TestClient, admin, acme, officer,
                                                                          today: Clock) -> None:
    imported(api, admin, [HARBIN])
    data = plan_with("Harbin Institute of Technology", "CN")
    data["counterparty"]["foreign_government_influence"] = True
    planned = report(api, acme, today, "ip_action.planned", data)
    case_id = next(e["id"] for e in planned["effects"] if e["kind"] == "consultation_opened")
    [s] = screenings(api, officer, contract_id="c-001")
    decided = api.post(f"/v1/screenings/{s['id']}/disposition", headers=officer,
                       json={"decision": "true_match", "entry": "csl:csl-harbin", "reason": "Same entity."}).json()
    assert [e["kind"] for e in decided["effects"]] == ["finding_recorded"]
    case = api.get(f"/v1/consultations/{case_id}", headers=officer).json()
    assert case["conditions_met"] == ["counterparty_foreign_influence", "counterparty_listed"]
    assert "condition.counterparty_listed" in case["reason_codes"]


def test_a_false_positive_is_not_asked_again_when_re_screened(api: TestClient, admin, acme, officer, today: Clock,
                                                              engine: Engine) -> None:
    imported(api, admin, [HARBIN])
    report(api, acme, today, "ip_action.planned", plan_with("Harbin Institute of Technology", "CN"))
    [s] = screenings(api, officer, contract_id="c-001")
    r = api.post(f"/v1/screenings/{s['id']}/disposition", headers=officer,
                 json={"decision": "false_positive", "reason": "A namesake: another city's institute."})
    assert r.status_code == 200 and r.json()["effects"] == [], r.text
    assert api.get("/v1/contracts/c-001", headers=officer).json()["findings"] == []
    second = imported(api, admin, [HARBIN, ROSOBORON])
    with Session(engine) as session:
        done = screening_service.rescreen_batch(session, second["id"], None, 10)
        session.commit()
    assert done == {"screened": 1, "potential_matches": 0, "next_after": None}
    again = [x for x in screenings(api, officer, contract_id="c-001") if x["basis"] == f"version:{second['id']}"]
    assert [x["state"] for x in again] == ["clear"]
    assert again[0]["candidates"][0]["decided_before"] == "false_positive"


def test_a_disposition_is_refused_when_it_does_not_fit(api: TestClient, admin, acme, officer, today: Clock) -> None:
    imported(api, admin, [HARBIN])
    report(api, acme, today, "ip_action.planned", plan_with("Harbin Institute of Technology", "CN"))
    [s] = screenings(api, officer, contract_id="c-001")
    url = f"/v1/screenings/{s['id']}/disposition"
    assert problem(api.post(url, headers=officer, json={"decision": "true_match", "reason": "x"}), 422)
    assert problem(api.post(url, headers=officer, json={"decision": "false_positive", "reason": ""}), 422)
    wrong = api.post(url, headers=officer, json={"decision": "true_match", "entry": "csl:nope", "reason": "x"})
    assert problem(wrong, 422)["errors"][0]["loc"] == ["body", "entry"]
    assert problem(api.post(url, headers=acme, json={"decision": "false_positive", "reason": "x"}), 403)


# --- scope ---------------------------------------------------------------------------------------------------------

def test_each_side_sees_only_its_own_screenings(api: TestClient, admin, acme, officer, mext, other,
                                               today: Clock) -> None:
    imported(api, admin, [HARBIN])
    report(api, acme, today, "ip_action.planned", plan_with("Harbin Institute of Technology", "CN"))
    [s] = screenings(api, officer)
    assert [x["id"] for x in screenings(api, acme)] == [s["id"]]
    assert screenings(api, other) == [] and screenings(api, mext) == []
    for who in (other, mext):
        assert problem(api.get(f"/v1/screenings/{s['id']}", headers=who), 404)
        assert screenings(api, who, contract_id="c-001") == []
        assert problem(api.post(f"/v1/screenings/{s['id']}/disposition", headers=who,
                                json={"decision": "false_positive", "reason": "x"}), 404)
    assert api.get(f"/v1/screenings/{s['id']}", headers=acme).status_code == 200


def test_a_party_reported_after_an_import_is_not_screened_again_by_its_re_screening(
        api: TestClient, admin, acme, officer, today: Clock, engine: Engine) -> None:
    version = imported(api, admin, [HARBIN])
    report(api, acme, today, "ip_action.planned", plan_with("Harbin Institute of Technology", "CN"))
    with Session(engine) as session:
        done = screening_service.rescreen_batch(session, version["id"], None, 10)
        session.commit()
    assert done == {"screened": 0, "potential_matches": 0, "next_after": None}
    assert [s["basis"].split(":")[0] for s in screenings(api, officer, contract_id="c-001")] == ["reported"]


def test_a_match_awaiting_its_decision_is_not_asked_again_by_a_new_version(
        api: TestClient, admin, acme, officer, today: Clock, engine: Engine) -> None:
    imported(api, admin, [HARBIN])
    report(api, acme, today, "ip_action.planned", plan_with("Harbin Institute of Technology", "CN"))
    second = imported(api, admin, [HARBIN, ROSOBORON])
    with Session(engine) as session:
        done = screening_service.rescreen_batch(session, second["id"], None, 10)
        session.commit()
    assert done == {"screened": 1, "potential_matches": 0, "next_after": None}
    states = {s["basis"].split(":")[0]: s for s in screenings(api, officer, contract_id="c-001")}
    assert states["reported"]["state"] == "potential_match" and states["version"]["state"] == "clear"
    assert states["version"]["candidates"][0]["decided_before"] == "potential_match"


def test_a_holder_is_screened_against_the_lists_individuals_too(api: TestClient, admin, acme, officer,
                                                                today: Clock) -> None:
    person = {"id": "csl-ivanov", "source": "Specially Designated Nationals (SDN) - Treasury Department",
              "type": "Individual", "name": "Ivan Petrovich Ivanov", "alt_names": [], "programs": ["RUSSIA-EO14024"],
              "addresses": [{"country": "RU"}], "nationalities": ["RU"], "start_date": "2022-03-11"}
    imported(api, admin, [HARBIN, person])
    report(api, acme, today, "shareholding.changed", {"holder": {"name": "Ivan Petrovich Ivanov", "country": "RU"},
                                                      "shares_held": 1000, "shares_outstanding": 3000})
    [s] = screenings(api, officer, contract_id="c-001")
    assert (s["role"], s["state"], s["candidates"][0]["entry_key"]) == ("holder", "potential_match", "csl-ivanov")


def test_a_closed_contracts_screening_is_not_decided(api: TestClient, admin, acme, officer, today: Clock,
                                                     engine: Engine) -> None:
    imported(api, admin, [HARBIN])
    report(api, acme, today, "ip_action.planned", plan_with("Harbin Institute of Technology", "CN"))
    [s] = screenings(api, officer, contract_id="c-001")
    with Session(engine) as session:
        session.exec(sa.text("UPDATE contract SET closed_at = '2034-04-01 00:00:00+00:00' WHERE id = 'c-001'"))
        session.commit()
    r = api.post(f"/v1/screenings/{s['id']}/disposition", headers=officer,
                 json={"decision": "true_match", "entry": "csl:csl-harbin", "reason": "Same entity."})
    assert problem(r, 409)["title"] == "Contract closed"
    assert screenings(api, officer, contract_id="c-001")[0]["state"] == "potential_match"


def test_an_entry_longer_than_tlc_keeps_is_refused_by_its_place(api: TestClient, admin) -> None:
    long_name = {**ROSOBORON, "name": "Rosoboronexport " + "x" * 1000}
    body = problem(upload(api, admin, "csl", csl_json([HARBIN, long_name]), "long.json"), 422)
    assert body["errors"][0]["loc"] == ["body", "file", 2], body
    assert api.get("/v1/lists/versions", headers=admin).json() == []
