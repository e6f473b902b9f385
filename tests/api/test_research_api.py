"""Research security over HTTP (issue 14; DOMAIN.md §8 [r2]), on SQLite and PostgreSQL: designated programmes,
researchers' declarations (lookback, freshness, supersession), their screenings and dispositions, applications
through submission, requests for mitigation, answers and acceptance, a researcher added later, PD/PO due diligence,
measures after a breach, checklists and leak reviews, who may read a declaration (404 outside), the audit of the
FA's and the ministry's reads, and erasure after the retention period. The API's clock is fixed (2026-04-01 unless
a test moves it); no relay runs, so the workflows' outbox rows wait where they were written
(tests/workflows/test_research_round.py runs them)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.outbox import OutboxMessage
from service.research import audit as research_audit
from service.research import oversight
from service.research.models import Declaration, ResearchAuditEntry, Researcher, SubjectScreening
from service.rules.research.measures import CHECKLIST
from tests.support import research as R
from tests.support.clock import Clock
from tests.support.list_files import csl_json

PROBLEM = "application/problem+json"
HARBIN = {"id": "csl-harbin", "source": "Entity List (EL) - Bureau of Industry and Security", "type": "Entity",
          "name": "Harbin Institute of Technology", "alt_names": ["HIT"],
          "addresses": [{"address": "92 West Dazhi Street", "city": "Harbin", "country": "CN"}],
          "programs": ["EAR"], "start_date": "2020-06-05"}
MITIGATION = "海外の共同研究先との研究データの共有を、所属機関の承認を得たものに限る"


@pytest.fixture
def inst(auth) -> dict[str, str]:
    return auth("institution_officer", "todai", sub="kato")


@pytest.fixture
def inst2(auth) -> dict[str, str]:
    return auth("institution_officer", "hokuto", sub="mori")


@pytest.fixture
def fa(auth) -> dict[str, str]:
    return auth("fa_officer", "jst", sub="ishii")


@pytest.fixture
def fa2(auth) -> dict[str, str]:
    return auth("fa_officer", "nedo", sub="ueda")


@pytest.fixture
def mext(auth) -> dict[str, str]:
    return auth("ministry_officer", "mext", sub="suzuki")


@pytest.fixture
def meti(auth) -> dict[str, str]:
    return auth("ministry_officer", "meti", sub="tanaka")


@pytest.fixture
def acme(auth) -> dict[str, str]:
    return auth("contractor", "acme", sub="sato")


@pytest.fixture
def rs(client: TestClient, admin: dict[str, str]) -> TestClient:
    """Two ministries, two FAs, two institutions, a contractor, and MEXT's designated programme run by JST."""
    for body in (*R.ORGANISATIONS, {"id": "acme", "name": "Acme K.K.", "kind": "contractor", "country": "JP"}):
        r = client.post("/v1/organisations", json=body, headers=admin)
        assert r.status_code == 201, r.text
    r = client.post("/v1/programmes", json=R.programme_body(), headers=admin)
    assert r.status_code == 201, r.text
    return client


def researcher(rs: TestClient, who: dict[str, str], **over: Any) -> dict[str, Any]:
    r = rs.post("/v1/researchers", json=R.researcher_body(**over), headers=who)
    assert r.status_code == 201, r.text
    return r.json()


def application(rs: TestClient, who: dict[str, str], researchers: list[str], mitigations: list | None = None,
                **over: Any) -> dict[str, Any]:
    body = {"programme_id": R.PROGRAMME_ID, "institution": "todai", "title": "超伝導量子ビットの誤り訂正",
            "researchers": researchers, "mitigations": mitigations or []}
    body.update(over)
    r = rs.post("/v1/applications", json=body, headers=who)
    assert r.status_code == 201, r.text
    return r.json()


def submitted(rs: TestClient, inst: dict[str, str], researchers: list[str], mitigations: list | None = None
              ) -> dict[str, Any]:
    app = application(rs, inst, researchers, mitigations)
    r = rs.post(f"/v1/applications/{app['id']}/submit", headers=inst)
    assert r.status_code == 200, r.text
    return r.json()


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    return r.json()


# --- programmes ----------------------------------------------------------------------------------------------

def test_a_designated_programme_records_its_designation_and_its_fa(rs: TestClient, admin, inst, fa, acme) -> None:
    got = rs.get(f"/v1/programmes/{R.PROGRAMME_ID}", headers=admin).json()
    assert got["kind"] == "specific_rd"
    assert [c["by"] for c in got["designation"]["confirmations"]] == ["nss", "cao_economic_security", "cao_csti"]
    bad = problem(rs.post("/v1/programmes", json=R.programme_body(id="p2", designation=None), headers=admin), 422)
    assert bad["errors"][0]["field"] == "designation"
    bad = problem(rs.post("/v1/programmes", json=R.programme_body(id="p3", funding_agency=None), headers=admin), 422)
    assert bad["errors"][0]["field"] == "funding_agency"
    social = R.programme_body(id="p4", kind="social_deployment")
    assert problem(rs.post("/v1/programmes", json=social, headers=admin), 422)["errors"][0]["field"] == "designation"
    late = R.programme_body(id="p5")
    late["designation"] = {**late["designation"], "designated_on": "2025-11-01"}
    problem(rs.post("/v1/programmes", json=late, headers=admin), 422)
    # Calls of designated programmes are public to institutions; an FA sees those it runs; a contractor none.
    assert [p["id"] for p in rs.get("/v1/programmes", headers=inst).json()["items"]] == [R.PROGRAMME_ID]
    assert [p["id"] for p in rs.get("/v1/programmes", headers=fa).json()["items"]] == [R.PROGRAMME_ID]
    assert rs.get("/v1/programmes", headers=acme).json()["items"] == []


def test_a_programme_s_end_starts_its_retention_clock(rs: TestClient, admin, engine: Engine) -> None:
    r = rs.patch(f"/v1/programmes/{R.PROGRAMME_ID}", json={"ends_on": "2030-03-31"}, headers=admin)
    assert r.status_code == 200, r.text
    with Session(engine) as s:
        row = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "research.retention")).one()
    assert row.payload == {"programme_id": R.PROGRAMME_ID, "erase_on": "2035-03-31"}
    assert row.workflow_id == f"research-retention-{R.PROGRAMME_ID}"


# --- researchers and declarations -------------------------------------------------------------------------------

def test_an_institution_records_a_researcher_with_the_lookback_computed(rs: TestClient, inst) -> None:
    got = researcher(rs, inst)
    d = got["declaration"]
    assert (d["number"], d["declared_on"], d["lookback"]) == (1, "2026-03-20",
                                                            {"start_on": "2023-03-20", "end_on": "2026-03-20"})
    assert (d["fresh_through"], d["fresh"], d["flags"]) == ("2027-03-19", True, [])
    assert {s["item"]: s["in_window"] for s in d["summary"]}["papers"] == 1
    assert got["history"] == [d["id"]]


def test_a_declaration_is_refused_where_it_is_wrong_in_the_caller_s_language(rs: TestClient, inst, inst2,
                                                                              acme) -> None:
    future = problem(rs.post("/v1/researchers", json=R.researcher_body(declared_on="2026-04-02"), headers=inst), 422)
    assert future["errors"][0]["field"] == "declared_on"
    ja = rs.post("/v1/researchers", json=R.researcher_body(declared_on="2026-04-02"),
                 headers={**inst, "Accept-Language": "ja"}).json()
    assert "申告日は本日" in ja["errors"][0]["msg"]
    later = R.researcher_body(items=R.items(papers=[{"title": "t", "on": "2026-03-21", "role": "first"}]))
    assert "papers[0]" in problem(rs.post("/v1/researchers", json=later, headers=inst), 422)["errors"][0]["msg"]
    backwards = R.researcher_body(items=R.items(funding=[{"funder": "f", "country": "JP", "title": "t",
                                                           "start_on": "2025-01-02", "end_on": "2025-01-01"}]))
    problem(rs.post("/v1/researchers", json=backwards, headers=inst), 422)
    # Only the institution's own officers record its researchers; a ministry is no institution.
    assert problem(rs.post("/v1/researchers", json=R.researcher_body(), headers=inst2), 422)["errors"][0][
        "field"] == "institution"
    problem(rs.post("/v1/researchers", json=R.researcher_body(), headers=acme), 403)
    problem(rs.post("/v1/researchers", json=R.researcher_body(institution="mext"),
                    headers=auth_admin(rs)), 422)
    assert rs.get("/v1/researchers", headers=inst).json()["items"] == []


def auth_admin(rs: TestClient) -> dict[str, str]:
    from service.auth.tokens import issue_token
    from tests.api.conftest import SETTINGS
    return {"Authorization": "Bearer " + issue_token(SETTINGS, sub="root", role="admin", org="admin")}


def test_a_new_declaration_supersedes_and_the_old_stays_as_it_was(rs: TestClient, inst, clock: Clock) -> None:
    first = researcher(rs, inst)
    clock.set("2026-09-01")
    body = {"declared_on": "2026-08-30", "items": R.flagged_items()}
    r = rs.post(f"/v1/researchers/{first['id']}/declarations", json=body, headers=inst)
    assert r.status_code == 201, r.text
    now = r.json()
    assert now["declaration"]["number"] == 2 and now["history"] == [first["declaration"]["id"], now["declaration"]["id"]]
    old = rs.get(f"/v1/researchers/{first['id']}/declarations/{first['declaration']['id']}", headers=inst).json()
    assert old["items"] == first["declaration"]["items"] and old["superseded_by"] == now["declaration"]["id"]
    assert old["fresh"] is False
    earlier = {"declared_on": "2026-08-01", "items": R.items()}
    assert problem(rs.post(f"/v1/researchers/{first['id']}/declarations", json=earlier, headers=inst),
                   422)["errors"][0]["field"] == "declared_on"


# --- who may read a declaration ----------------------------------------------------------------------------------

def test_a_declaration_is_read_by_its_institution_and_the_fa_and_ministry_it_was_submitted_to(
        rs: TestClient, inst, inst2, fa, fa2, mext, meti, acme, admin, engine: Engine) -> None:
    r = researcher(rs, inst)
    rid = r["id"]
    before = {name: rs.get(f"/v1/researchers/{rid}", headers=who).status_code
              for name, who in {"inst": inst, "inst2": inst2, "fa": fa, "fa2": fa2, "mext": mext, "meti": meti,
                                "acme": acme, "admin": admin}.items()}
    assert before == {"inst": 200, "inst2": 404, "fa": 404, "fa2": 404, "mext": 404, "meti": 404, "acme": 404,
                      "admin": 200}
    draft = application(rs, inst, [rid])
    assert rs.get(f"/v1/researchers/{rid}", headers=fa).status_code == 404  # a draft is the institution's own
    assert rs.get(f"/v1/applications/{draft['id']}", headers=fa).status_code == 404
    rs.post(f"/v1/applications/{draft['id']}/submit", headers=inst)
    after = {name: rs.get(f"/v1/researchers/{rid}", headers=who).status_code
             for name, who in {"inst": inst, "inst2": inst2, "fa": fa, "fa2": fa2, "mext": mext, "meti": meti,
                               "acme": acme, "admin": admin}.items()}
    assert after == {"inst": 200, "inst2": 404, "fa": 200, "fa2": 404, "mext": 200, "meti": 404, "acme": 404,
                     "admin": 200}
    for who in (inst2, fa2, meti, acme):
        assert rs.get(f"/v1/applications/{draft['id']}", headers=who).status_code == 404
        assert rs.get(f"/v1/researchers/{rid}/declarations/{r['declaration']['id']}",
                      headers=who).status_code == 404
    assert [x["id"] for x in rs.get("/v1/researchers", headers=fa).json()["items"]] == [rid]
    assert rs.get("/v1/researchers", headers=fa2).json()["items"] == []
    # Every read by the FA or the ministry is in the researcher's trail; the institution's own are not.
    with Session(engine) as s:
        rows = research_audit.entries(s, f"researcher:{rid}")
    reads = [(e.action, e.actor) for e in rows if e.action == "declaration.read"]
    assert reads == [("declaration.read", "ishii (fa_officer, jst)"), ("declaration.read", "suzuki (ministry_officer, mext)")]
    assert research_audit.verified(rows)
    trail = rs.get(f"/v1/researchers/{rid}/audit", headers=inst).json()
    assert trail["verified"] and [e["action"] for e in trail["entries"]] == [
        "declaration.recorded", "declaration.submitted", "declaration.read", "declaration.read"]
    assert rs.get(f"/v1/researchers/{rid}/audit", headers=fa).status_code == 403
    assert rs.get(f"/v1/researchers/{rid}/audit", headers=inst2).status_code == 404


def test_a_newer_declaration_is_not_shown_to_the_fa_until_it_is_submitted(rs: TestClient, inst, fa,
                                                                          clock: Clock) -> None:
    r = researcher(rs, inst)
    submitted(rs, inst, [r["id"]])
    clock.set("2026-05-01")
    rs.post(f"/v1/researchers/{r['id']}/declarations", json={"declared_on": "2026-04-30", "items": R.items()},
            headers=inst)
    seen = rs.get(f"/v1/researchers/{r['id']}", headers=fa).json()
    assert seen["history"] == [r["declaration"]["id"]] and seen["declaration"]["id"] == r["declaration"]["id"]
    [listed] = rs.get("/v1/researchers", headers=fa).json()["items"]
    assert listed["declared_on"] == "2026-03-20"  # not the newer one's 2026-04-30
    [own] = rs.get("/v1/researchers", headers=inst).json()["items"]
    assert own["declared_on"] == "2026-04-30"


# --- applications and their review -------------------------------------------------------------------------------

def test_an_application_goes_through_a_mitigation_request_to_acceptance(rs: TestClient, inst, fa, mext,
                                                                        clock: Clock, engine: Engine) -> None:
    clean = researcher(rs, inst)
    flagged = researcher(rs, inst, name="佐藤 次郎", items=R.flagged_items())
    assert [f["code"] for f in flagged["declaration"]["flags"]] == ["talent_programme", "listed_relation"]
    app = application(rs, inst, [clean["id"], flagged["id"]])
    refused = problem(rs.post(f"/v1/applications/{app['id']}/submit", headers=inst), 409)
    assert flagged["id"] in refused["detail"] and clean["id"] not in refused["detail"]
    app = submitted(rs, inst, [clean["id"], flagged["id"]], [{"researcher_id": flagged["id"], "measure": MITIGATION}])
    assert (app["state"], app["submitted_on"], app["next_step"]) == ("submitted", "2026-04-01", "fa")
    assert app["rounds"][0]["review_due_on"] == "2026-05-01"
    problem(rs.post(f"/v1/applications/{app['id']}/submit", headers=inst), 409)
    ask = {"request": "共同研究先とのデータ共有の範囲を示してください。", "respond_by": "2026-04-20"}
    problem(rs.post(f"/v1/applications/{app['id']}/request-mitigation", json=ask, headers=inst), 403)
    problem(rs.post(f"/v1/applications/{app['id']}/request-mitigation", json={**ask, "respond_by": "2026-04-01"},
                    headers=fa), 422)
    problem(rs.post(f"/v1/applications/{app['id']}/respond", json={"answer": "x"}, headers=inst), 409)
    r = rs.post(f"/v1/applications/{app['id']}/request-mitigation", json=ask, headers=mext)  # 「所管府省とともに」
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["next_step"], r.json()["rounds"][0]["respond_by"]) == (
        "mitigation_requested", "institution", "2026-04-20")
    problem(rs.post(f"/v1/applications/{app['id']}/accept", headers=fa), 409)
    problem(rs.post(f"/v1/applications/{app['id']}/respond", json={"answer": "x"}, headers=fa), 403)
    clock.set("2026-04-22")  # two days late
    answer = {"answer": "共有範囲を研究計画書の別紙に限定しました。",
              "mitigations": [{"researcher_id": flagged["id"], "measure": "成果の外部共有前に機関の審査を受ける"}]}
    r = rs.post(f"/v1/applications/{app['id']}/respond", json=answer, headers=inst)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["state"], got["rounds"][0]["review_due_on"], got["rounds"][0]["respond_by"]) == (
        "submitted", "2026-05-22", None)
    assert got["rounds"][0]["requests"][0]["answered_on"] == "2026-04-22" and len(got["mitigations"]) == 2
    problem(rs.post(f"/v1/applications/{app['id']}/accept", headers=mext), 403)  # the FA accepts
    r = rs.post(f"/v1/applications/{app['id']}/accept", json={"note": "確認しました"}, headers=fa)
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["accepted_on"], r.json()["next_step"]) == ("accepted", "2026-04-22", "none")
    with Session(engine) as s:
        kinds = [m.kind for m in s.exec(select(OutboxMessage).where(OutboxMessage.kind.like("research.round%"))
                                        .order_by(OutboxMessage.id)).all()]
        trail = research_audit.entries(s, f"application:{app['id']}")
    assert kinds == ["research.round_start", "research.round_update", "research.round_update",
                     "research.round_update"]
    assert [e.action for e in trail] == ["application.created", "application.submitted",
                                         "application.mitigation_requested", "application.responded",
                                         "application.accepted"]
    assert trail[3].detail["late"] is True


def test_a_researcher_added_later_is_checked_alone(rs: TestClient, inst, fa, clock: Clock) -> None:
    first = researcher(rs, inst)
    app = submitted(rs, inst, [first["id"]])
    rs.post(f"/v1/applications/{app['id']}/accept", headers=fa)
    clock.set("2027-04-05")
    late = researcher(rs, inst, name="田中 三郎", declared_on="2027-04-01", items=R.flagged_items())
    problem(rs.post(f"/v1/applications/{app['id']}/researchers", json={"researcher_id": late["id"]}, headers=inst),
            409)  # flagged, no mitigation
    body = {"researcher_id": late["id"], "mitigations": [{"researcher_id": late["id"], "measure": MITIGATION}]}
    r = rs.post(f"/v1/applications/{app['id']}/researchers", json=body, headers=inst)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["state"] == "accepted"  # the rest is not reopened
    rounds = {x["researcher_id"]: x for x in got["rounds"]}
    assert rounds[None]["state"] == "accepted" and rounds[late["id"]]["state"] == "submitted"
    assert rounds[late["id"]]["submitted_on"] == "2027-04-05" and got["next_step"] == "fa"
    ask = {"request": "参加の範囲を示してください。", "respond_by": "2027-04-20", "researcher_id": late["id"]}
    assert rs.post(f"/v1/applications/{app['id']}/request-mitigation", json=ask, headers=fa).json()["state"] == \
        "accepted"
    rs.post(f"/v1/applications/{app['id']}/respond", json={"answer": "示しました", "researcher_id": late["id"]},
            headers=inst)
    r = rs.post(f"/v1/applications/{app['id']}/accept", json={"researcher_id": late["id"]}, headers=fa)
    assert {x["researcher_id"]: x["state"] for x in r.json()["rounds"]} == {None: "accepted", late["id"]: "accepted"}
    problem(rs.post(f"/v1/applications/{app['id']}/researchers", json={"researcher_id": first["id"]}, headers=inst),
            409)
    problem(rs.post(f"/v1/applications/{app['id']}/accept", json={"researcher_id": "rsr_nobody"}, headers=fa), 422)


def test_a_stale_declaration_an_unconfirmed_programme_and_a_restriction_stop_a_submission(
        rs: TestClient, admin, inst, fa, clock: Clock) -> None:
    r = researcher(rs, inst)
    app = application(rs, inst, [r["id"]])
    clock.set("2027-03-20")  # twelve months and a day after the declaration
    stale = problem(rs.post(f"/v1/applications/{app['id']}/submit", headers=inst), 409)
    assert r["id"] in stale["detail"] and "12" in stale["detail"]
    clock.set("2026-04-01")
    unconfirmed = R.programme_body(id="mext-open-2", designation={
        "fa_consulted_on": "2025-12-01", "designated_on": "2025-12-15",
        "confirmations": [{"by": "nss", "confirmed_on": "2025-12-20"}]})
    assert rs.post("/v1/programmes", json=unconfirmed, headers=admin).status_code == 201
    other = application(rs, inst, [r["id"]], programme_id="mext-open-2")
    assert "cao_csti" in problem(rs.post(f"/v1/applications/{other['id']}/submit", headers=inst), 409)["detail"]
    # A restriction on applying, recorded by the FA after an earlier application, stops the next one.
    done = submitted(rs, inst, [r["id"]])
    m = rs.post("/v1/research-measures", headers=fa, json={
        "researcher_id": r["id"], "application_id": done["id"], "breach": "false_declaration",
        "found_on": "2026-04-01", "description": "外国の人材採用プログラムへの参加を申告していなかった",
        "restriction_starts_on": "2026-04-01", "restriction_years": 2, "institution_followed_procedure": True})
    assert m.status_code == 201, m.text
    assert (m.json()["restriction_ends_on"], m.json()["in_force"]) == ("2028-03-31", True)
    assert "in force" in problem(rs.post(f"/v1/applications/{app['id']}/submit", headers=inst), 409)["detail"]
    assert rs.get(f"/v1/researchers/{r['id']}", headers=inst).json()["restricted_until"] == "2028-03-31"


def test_an_application_is_refused_when_its_parts_do_not_fit(rs: TestClient, admin, inst, inst2, fa) -> None:
    mine = researcher(rs, inst)
    theirs = researcher(rs, inst2, institution="hokuto", name="森 四郎")
    body = {"programme_id": R.PROGRAMME_ID, "institution": "todai", "title": "t", "researchers": [theirs["id"]]}
    assert problem(rs.post("/v1/applications", json=body, headers=inst), 422)["errors"][0]["loc"] == [
        "body", "researchers", 0]
    problem(rs.post("/v1/applications", json={**body, "researchers": [mine["id"], mine["id"]]}, headers=inst), 422)
    social = R.programme_body(id="k-social", kind="social_deployment", designation=None, ministry="meti",
                              leakage_measures_required=True)
    assert rs.post("/v1/programmes", json=social, headers=admin).status_code == 201
    problem(rs.post("/v1/applications", json={**body, "researchers": [mine["id"]], "programme_id": "k-social"},
                    headers=inst), 422)
    problem(rs.post("/v1/applications", json={**body, "researchers": [mine["id"]],
                                              "mitigations": [{"researcher_id": "rsr_x", "measure": "m"}]},
                    headers=inst), 422)
    problem(rs.post("/v1/applications", json={**body, "researchers": [mine["id"]]}, headers=fa), 403)
    problem(rs.post("/v1/applications/app_none/submit", headers=inst), 404)


# --- screening of what is declared ------------------------------------------------------------------------------

def test_declared_subjects_are_screened_and_decided_before_submission(rs: TestClient, admin, inst, fa, mext,
                                                                      engine: Engine) -> None:
    r = rs.post("/v1/lists/csl/versions", headers=admin,
                files={"file": ("consolidated.json", csl_json([HARBIN]), "application/octet-stream")})
    assert r.status_code == 201, r.text
    items = R.items(papers=[{"title": "Qubits", "on": "2025-06-01", "role": "first", "co_authors": [
        {"name": "Li Wei", "affiliation": "Harbin Institute of Technology", "country": "CN"}]}])
    got = researcher(rs, inst, items=items)
    pending = [s for s in got["declaration"]["screenings"] if s["state"] == "potential_match"]
    assert [(s["role"], s["name"]) for s in pending] == [("co_author_affiliation", "Harbin Institute of Technology")]
    assert [f["code"] for f in got["declaration"]["flags"]] == ["screening_pending"]
    app = application(rs, inst, [got["id"]], [{"researcher_id": got["id"], "measure": MITIGATION}])
    assert "wait for a decision" in problem(rs.post(f"/v1/applications/{app['id']}/submit", headers=inst),
                                            409)["detail"]
    sid = pending[0]["id"]
    entry = f"{pending[0]['candidates'][0]['source']}:{pending[0]['candidates'][0]['entry_key']}"
    problem(rs.post(f"/v1/research-screenings/{sid}/disposition", headers=inst,
                    json={"decision": "true_match", "entry": "csl:nobody", "reason": "r"}), 422)
    problem(rs.post(f"/v1/research-screenings/{sid}/disposition", headers=inst,
                    json={"decision": "true_match", "reason": "r"}), 422)
    problem(rs.post(f"/v1/research-screenings/{sid}/disposition", headers=fa,
                    json={"decision": "false_positive", "reason": "r"}), 404)  # not submitted to the FA yet
    r = rs.post(f"/v1/research-screenings/{sid}/disposition", headers=inst,
                json={"decision": "true_match", "entry": entry, "reason": "共著者の所属が掲載機関そのもの"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["decision_entry"]) == ("true_match", entry)
    problem(rs.post(f"/v1/research-screenings/{sid}/disposition", headers=inst,
                    json={"decision": "false_positive", "reason": "r"}), 409)
    flags = rs.get(f"/v1/researchers/{got['id']}", headers=inst).json()["declaration"]["flags"]
    assert [(f["code"], f["item"]) for f in flags] == [("screening_true_match", 5)]
    r = rs.post(f"/v1/applications/{app['id']}/submit", headers=inst)
    assert r.status_code == 200, r.text
    problem(rs.post(f"/v1/research-screenings/{sid}/disposition", headers=mext,
                    json={"decision": "false_positive", "reason": "r"}), 403)
    with Session(engine) as s:
        assert s.exec(select(SubjectScreening).where(SubjectScreening.id == sid)).one().decided_by == \
            "kato (institution_officer, todai)"


def test_a_new_list_version_re_screens_declarations_in_use(rs: TestClient, admin, inst, engine: Engine,
                                                           clock: Clock) -> None:
    from service.research import declarations
    items = R.items(papers=[{"title": "Qubits", "on": "2025-06-01", "role": "first", "co_authors": [
        {"name": "Li Wei", "affiliation": "Harbin Institute of Technology", "country": "CN"}]}])
    used = researcher(rs, inst, items=items)
    unused = researcher(rs, inst, items=items, name="未提出 太郎")
    submitted(rs, inst, [used["id"]])
    r = rs.post("/v1/lists/csl/versions", headers=admin,
                files={"file": ("consolidated.json", csl_json([HARBIN]), "application/octet-stream")})
    version = r.json()["id"]
    with Session(engine) as s:
        done = declarations.rescreen_batch(s, version, None, 50, clock.day)
        again = declarations.rescreen_batch(s, version, None, 50, clock.day)
        s.commit()
        rows = s.exec(select(SubjectScreening).where(SubjectScreening.basis == f"version:{version}")).all()
    assert (done["screened"], done["potential_matches"], again["potential_matches"]) == (1, 1, 0)
    assert {x.declaration_id for x in rows} == {used["declaration"]["id"]}
    assert unused["declaration"]["id"] not in {x.declaration_id for x in rows}


# --- PD/PO, measures, checklists, leak reviews -----------------------------------------------------------------

def test_the_fa_checks_a_pd_before_appointing_them(rs: TestClient, inst, fa, fa2, mext, meti, engine: Engine
                                                   ) -> None:
    body = {"programme_id": R.PROGRAMME_ID, "role": "PD", "person": "高橋 一郎", "name_latin": "Ichiro Takahashi",
            "affiliation": "東都大学", "country": "JP", "declared_on": "2026-03-01", "items": R.items()}
    problem(rs.post("/v1/appointments", json=body, headers=inst), 403)
    problem(rs.post("/v1/appointments", json=body, headers=fa2), 422)
    r = rs.post("/v1/appointments", json=body, headers=fa)
    assert r.status_code == 201, r.text
    apt = r.json()
    assert (apt["state"], apt["declaration"]["lookback"]["start_on"]) == ("checking", "2023-03-01")
    assert rs.get(f"/v1/appointments/{apt['id']}", headers=mext).status_code == 200
    for who in (inst, fa2, meti):
        assert rs.get(f"/v1/appointments/{apt['id']}", headers=who).status_code == 404
    problem(rs.post(f"/v1/appointments/{apt['id']}/decision", json={"decision": "appointed"}, headers=mext), 403)
    r = rs.post(f"/v1/appointments/{apt['id']}/decision", json={"decision": "appointed", "note": "問題なし"},
                headers=fa)
    assert (r.json()["state"], r.json()["decided_on"]) == ("appointed", "2026-04-01")
    problem(rs.post(f"/v1/appointments/{apt['id']}/decision", json={"decision": "declined"}, headers=fa), 409)
    assert [a["id"] for a in rs.get("/v1/appointments", headers=fa).json()["items"]] == [apt["id"]]
    assert rs.get("/v1/appointments", headers=fa2).json()["items"] == []
    with Session(engine) as s:
        assert [e.action for e in research_audit.entries(s, f"appointment:{apt['id']}")] == [
            "declaration.recorded", "declaration.read", "appointment.appointed"]


def test_a_measure_is_seen_by_the_fa_the_ministry_and_the_institution_only(rs: TestClient, inst, inst2, fa, fa2,
                                                                           mext, meti) -> None:
    r = researcher(rs, inst)
    body = {"researcher_id": r["id"], "breach": "hidden_declaration", "found_on": "2026-04-01",
            "description": "申告隠し", "restriction_starts_on": "2026-04-01", "restriction_years": 1,
            "institution_followed_procedure": True}
    problem(rs.post("/v1/research-measures", json=body, headers=fa), 422)  # not submitted to the FA
    submitted(rs, inst, [r["id"]])
    problem(rs.post("/v1/research-measures", json=body, headers=inst), 403)
    problem(rs.post("/v1/research-measures", json={**body, "restriction_years": 11}, headers=fa), 422)
    problem(rs.post("/v1/research-measures", json={**body, "found_on": "2026-04-02"}, headers=fa), 422)
    assert rs.post("/v1/research-measures", json=body, headers=fa).status_code == 201
    seen = {name: len(rs.get("/v1/research-measures", headers=who).json()["items"])
            for name, who in {"inst": inst, "inst2": inst2, "fa": fa, "fa2": fa2, "mext": mext, "meti": meti}.items()}
    assert seen == {"inst": 1, "inst2": 0, "fa": 1, "fa2": 0, "mext": 1, "meti": 0}
    got = rs.get("/v1/research-measures", headers=mext).json()["items"][0]
    assert got["institution_followed_procedure"] is True and got["restriction_ends_on"] == "2027-03-31"


def test_an_institution_records_its_checklist_once_a_year_and_its_leak_reviews(rs: TestClient, inst, inst2, fa,
                                                                              fa2) -> None:
    answers = {k: {"answer": "yes"} for k in CHECKLIST}
    body = {"institution": "todai", "year": 2026, "answers": answers}
    assert rs.post("/v1/institution-checklists", json=body, headers=inst).status_code == 201
    problem(rs.post("/v1/institution-checklists", json=body, headers=inst), 409)
    problem(rs.post("/v1/institution-checklists", json={**body, "year": 2027,
                                                        "answers": {"policy": {"answer": "yes"}}}, headers=inst), 422)
    problem(rs.post("/v1/institution-checklists", json={**body, "answers": {**answers, "policy": {"answer": "maybe"}}},
                    headers=inst), 422)
    problem(rs.post("/v1/institution-checklists", json=body, headers=inst2), 422)
    problem(rs.post("/v1/institution-checklists", json=body, headers=fa), 403)
    leak = {"institution": "todai", "occurred_on": "2026-03-01", "setup_existed": True, "setup_worked": False,
            "followed_procedure": True, "findings": "研究データの持ち出し記録が残っていなかった"}
    assert rs.post("/v1/leak-reviews", json=leak, headers=inst).status_code == 201
    problem(rs.post("/v1/leak-reviews", json={**leak, "occurred_on": "2026-04-02"}, headers=inst), 422)
    assert rs.get("/v1/institution-checklists", headers=fa).json()["items"] == []  # no application submitted yet
    submitted(rs, inst, [researcher(rs, inst)["id"]])
    assert len(rs.get("/v1/institution-checklists", headers=fa).json()["items"]) == 1
    assert len(rs.get("/v1/leak-reviews", headers=fa).json()["items"]) == 1
    assert rs.get("/v1/leak-reviews", headers=fa2).json()["items"] == []
    assert rs.get("/v1/leak-reviews", headers=inst2).json()["items"] == []


# --- retention ----------------------------------------------------------------------------------------------

def test_personal_data_is_erased_after_the_retention_period_and_the_decisions_stay(
        rs: TestClient, admin, inst, fa, engine: Engine, clock: Clock) -> None:
    from datetime import date
    r = researcher(rs, inst)
    app = submitted(rs, inst, [r["id"]])
    rs.post(f"/v1/applications/{app['id']}/accept", headers=fa)
    rs.patch(f"/v1/programmes/{R.PROGRAMME_ID}", json={"ends_on": "2027-03-31"}, headers=admin)
    with Session(engine) as s:
        assert oversight.erase_programme(s, R.PROGRAMME_ID, date(2032, 3, 30)) == 0
        assert oversight.erase_programme(s, R.PROGRAMME_ID, date(2032, 3, 31)) == 1
        s.commit()
        assert oversight.erase_programme(s, R.PROGRAMME_ID, date(2032, 4, 1)) == 0
        gone = s.get(Researcher, r["id"])
        d = s.get(Declaration, r["declaration"]["id"])
        assert (gone.name, gone.name_latin, gone.erased_at is not None, d.items) == (None, None, True, None)
        assert s.exec(select(ResearchAuditEntry).where(ResearchAuditEntry.action == "researcher.erased")).one()
    clock.set("2032-04-01")
    got = rs.get(f"/v1/researchers/{r['id']}", headers=inst).json()
    assert (got["name"], got["declaration"]["items"], got["declaration"]["declared_on"]) == (None, None, "2026-03-20")
    assert rs.get(f"/v1/applications/{app['id']}", headers=fa).json()["state"] == "accepted"
    problem(rs.post(f"/v1/researchers/{r['id']}/declarations", json={"declared_on": "2032-04-01",
                                                                     "items": R.items()}, headers=inst), 409)



def test_a_declaration_is_screened_against_a_version_imported_since_before_it_is_submitted(
        rs: TestClient, admin, inst, engine: Engine) -> None:
    items = R.items(papers=[{"title": "Qubits", "on": "2025-06-01", "role": "first", "co_authors": [
        {"name": "Li Wei", "affiliation": "Harbin Institute of Technology", "country": "CN"}]}])
    r = researcher(rs, inst, items=items)  # no list imported yet: nothing screened
    assert r["declaration"]["screenings"] == []
    app = application(rs, inst, [r["id"]], [{"researcher_id": r["id"], "measure": MITIGATION}])
    rs.post("/v1/lists/csl/versions", headers=admin,
            files={"file": ("consolidated.json", csl_json([HARBIN]), "application/octet-stream")})
    # The re-screening workflow has not run (no relay here): the submission screens it, and waits for a decision.
    assert "wait for a decision" in problem(rs.post(f"/v1/applications/{app['id']}/submit", headers=inst),
                                            409)["detail"]
    with Session(engine) as s:
        found = s.exec(select(SubjectScreening).where(SubjectScreening.state == "potential_match")).all()
    assert [x.name for x in found] == ["Harbin Institute of Technology"]
