"""The OpenAPI's examples and statuses (issue 12: "an example for every operation and schema, every status
documented"): every component and every JSON body, 2xx answer and problem answer of every operation has an example
that validates against its schema; every authenticated operation documents 401; and the API, asked the documented
requests with the documented examples, answers only documented statuses, in documented shapes, with the fields the
examples show."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from service import openapi_research_examples as research
from service import openapi_response_examples as answers
from service.openapi_examples import EXAMPLES
from service.rules.audit_chain import ChainRow, first_break
from tests.support.clock import Clock
from tests.support.list_files import csl_json

PROBLEM = "application/problem+json"
JSON_TYPES = ("application/json", PROBLEM)


@pytest.fixture
def doc(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield method, path, op


def validator(doc: dict[str, Any], schema: dict[str, Any]) -> jsonschema_rs.Validator:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) of `schema`, whose $refs name the document's
    components; formats (date, date-time) are checked too."""
    return jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]}, validate_formats=True)


def errors_of(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in validator(doc, schema).iter_errors(value)]


def test_every_component_has_an_example_that_fits_its_schema(doc: dict[str, Any]) -> None:
    wrong = {}
    for name, schema in doc["components"]["schemas"].items():
        examples = schema.get("examples")
        if not examples:
            wrong[name] = "no example"
            continue
        if errs := errors_of(doc, {"$ref": f"#/components/schemas/{name}"}, examples[0]):
            wrong[name] = errs
    assert wrong == {}
    assert len(doc["components"]["schemas"]) >= 55


def test_every_body_answer_and_parameter_of_every_operation_has_an_example_that_fits(doc: dict[str, Any]) -> None:
    missing, wrong, counted = [], [], 0
    for method, path, op in operations(doc):
        where = f"{method.upper()} {path}"
        body = op.get("requestBody", {}).get("content", {})
        if "application/json" in body and "example" not in body["application/json"]:
            missing.append(f"{where}: request body")
        for status, response in op["responses"].items():
            for media_type, media in response.get("content", {}).items():
                if media_type in JSON_TYPES and "example" not in media:
                    missing.append(f"{where}: {status} {media_type}")
        for status, media_type, media in [("body", t, m) for t, m in body.items()] + [
                (s, t, m) for s, r in op["responses"].items() for t, m in r.get("content", {}).items()]:
            if media_type not in JSON_TYPES:
                continue
            counted += 1
            if errs := errors_of(doc, media["schema"], media["example"]):
                wrong.append(f"{where} {status} {media_type}: {errs}")
            if media_type == PROBLEM and status != "body":
                assert media["example"]["status"] == int(status), where
        missing += [f"{where}: parameter {p['name']}" for p in op.get("parameters", [])
                    if p["in"] == "path" and "example" not in p]
    assert missing == [] and wrong == []
    assert counted >= 250, counted


def test_every_authenticated_operation_documents_401_and_its_other_refusals(doc: dict[str, Any]) -> None:
    for method, path, op in operations(doc):
        if op.get("security"):
            assert {"401", "403", "422"} <= set(op["responses"]), f"{method} {path}"
            assert op["responses"]["401"]["content"][PROBLEM]["example"]["title"] == "Unauthorized"
        if re.search(r"\{\w+\}", path):
            assert "404" in op["responses"], f"{method} {path}"
    # The readiness probe's 503 is its own body (which dependency is down), not a problem.
    ready = doc["paths"]["/readyz"]["get"]["responses"]
    assert ready["503"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Readiness"}
    assert ready["503"]["content"]["application/json"]["example"]["status"] == "not ready"


def test_a_case_action_shows_the_case_after_it(doc: dict[str, Any]) -> None:
    def shown(action: str) -> dict[str, Any]:
        ok = doc["paths"][f"/v1/consultations/{{case_id}}/{action}"]["post"]["responses"]["200"]
        return ok["content"]["application/json"]["example"]

    assert [shown(a)["status"] for a in ("claim", "start-review", "request-info", "respond", "conclude",
                                         "withdraw")] == [
        "submitted", "under_review", "info_requested", "under_review", "concluded", "withdrawn"]
    assert shown("reassign")["assigned_to"] == EXAMPLES["Reassign"]["to"]
    assert [h["action"] for h in shown("conclude")["history"]][-1] == "conclude"


def test_the_audit_example_is_a_chain_that_verifies() -> None:
    trail = answers.audit_trail
    rows = [ChainRow(id=e.id, contract_id=trail.contract_id, seq=e.seq, at=e.at_utc, actor=e.actor,
                     action=e.action, detail=e.detail, prev_hash=e.prev_hash, hash=e.hash) for e in trail.entries]
    assert first_break(rows) is None and trail.head_hash == rows[-1].hash
    tampered = [rows[0], ChainRow(**{**rows[1].__dict__, "actor": "someone else"}), rows[2]]
    assert first_break(tampered) is not None


# --------------------------------------------------------------------------------------------------------------
# What the API answers to the documented requests


class Caller:
    """Sends requests by operation (method, path template), and checks each answer against the document: a
    documented status, a documented content type, a body that fits the documented schema; for a 2xx JSON answer,
    the same fields as the documented example. Remembers which operations answered what."""

    def __init__(self, client: TestClient, doc: dict[str, Any]):
        self.client, self.doc = client, doc
        self.answered: dict[tuple[str, str], set[int]] = {}
        self.compared: set[tuple[str, str]] = set()

    def __call__(self, method: str, path: str, headers: dict[str, str] | None = None, json: Any = None,
                 expect: int | None = None, files: dict[str, Any] | None = None, **params: str) -> Any:
        op = self.doc["paths"][path][method]
        r = self.client.request(method, path.format(**params), headers=headers or {},
                                **({"files": files} if files else {"json": json}))
        where = f"{method.upper()} {path} -> {r.status_code}"
        self.answered.setdefault((method, path), set()).add(r.status_code)
        assert expect is None or r.status_code == expect, f"{where}: {r.text[:500]}"
        assert str(r.status_code) in op["responses"], f"{where}: undocumented status"
        documented = op["responses"][str(r.status_code)].get("content", {})
        if r.status_code == 204 or not r.content:
            assert not documented, where
            return None
        media_type = r.headers["content-type"].split(";")[0]
        assert any(t.split(";")[0] == media_type for t in documented), f"{where}: {media_type} not in {documented}"
        if media_type not in JSON_TYPES:
            return r.text if media_type.startswith("text/") else r.content
        media = documented[media_type]
        body = r.json()
        assert errors_of(self.doc, media["schema"], body) == [], f"{where}: {body}"
        if 200 <= r.status_code < 300 and fields(body) is not None:  # (an empty list shows no fields)
            assert fields(body) == fields(media["example"]), f"{where}: the example's fields are not the answer's"
            self.compared.add((method, path))
        return body


def fields(value: Any) -> set[str] | None:
    """An object's keys (a list's first item's), to compare an answer's shape with its example's."""
    if isinstance(value, list):
        return fields(value[0]) if value else None
    return set(value) if isinstance(value, dict) else None


@pytest.fixture
def call(client: TestClient, doc: dict[str, Any]) -> Caller:
    return Caller(client, doc)


def test_the_documented_requests_answer_as_documented(call: Caller, doc: dict[str, Any], clock: Clock, auth
                                                      ) -> None:
    """The story of the examples, told to the API with the examples themselves as bodies: each answer is checked
    by `call`, and every operation of the document is reached and answers 2xx (/readyz its documented 503: no
    Temporal server here)."""
    clock.set("2026-07-01")  # after the examples' dates (an event may not be reported before it happened)
    admin, acme = auth("admin", "admin"), auth("contractor", "acme", sub="sato")
    officer = auth("ministry_officer", "meti", sub="tanaka")
    call("get", "/healthz", expect=200)
    call("get", "/readyz", expect=503)
    assert "tlc_http_requests_total" in call("get", "/metrics", expect=200)
    for body in ({"id": "meti", "name": "経済産業省", "kind": "ministry", "country": "JP"},
                 {"id": "nedo", "name": "国立研究開発法人新エネルギー・産業技術総合開発機構", "kind": "funding_agency",
                  "country": "JP"}, EXAMPLES["OrganisationCreate"]):
        call("post", "/v1/organisations", admin, body, expect=201)
    call("get", "/v1/organisations", admin, expect=200)
    call("get", "/v1/organisations/{org_id}", admin, expect=200, org_id="acme")
    call("post", "/v1/people", admin, EXAMPLES["PersonCreate"], expect=201)
    call("get", "/v1/people", officer, expect=200)
    call("patch", "/v1/people/{org}/{sub}", admin, EXAMPLES["PersonUpdate"], expect=200, org="meti", sub="tanaka")
    call("post", "/v1/programmes", admin, EXAMPLES["ProgrammeCreate"], expect=201)
    call("get", "/v1/programmes", admin, expect=200)
    programme = {"programme_id": EXAMPLES["ProgrammeCreate"]["id"]}
    call("patch", "/v1/programmes/{programme_id}", admin, EXAMPLES["ProgrammeUpdate"], expect=200, **programme)
    call("get", "/v1/programmes/{programme_id}", officer, expect=200, **programme)
    call("post", "/v1/contracts", admin, EXAMPLES["ContractCreate"], expect=201)
    call("get", "/v1/contracts", officer, expect=200)
    for name, kind in (("ObligationPeriodRequest", "obligation-period"), ("ShareholdingRequest", "shareholding"),
                       ("IpActionQuery", "ip-action")):
        call("post", f"/v1/determinations/{kind}", acme, EXAMPLES[name], expect=200)
    contract = {"contract_id": EXAMPLES["ContractCreate"]["id"]}
    call("post", "/v1/contracts/{contract_id}/events:batch", acme, EXAMPLES["EventBatch"], expect=202, **contract)
    call("post", "/v1/contracts/{contract_id}/events", acme, EXAMPLES["EventCreate"], expect=202, **contract)
    # The lists (issue 13): the Consolidated Screening List imported, a name screened now.
    listed = {"id": "a7f3c2e19b", "source": "Entity List (EL) - Bureau of Industry and Security", "type": "Entity",
              "name": "Example Robotics GmbH", "alt_names": ["Example Robotik"], "programs": ["EAR"],
              "addresses": [{"city": "Berlin", "country": "DE"}], "start_date": "2026-03-02"}
    version = {"version_id": call("post", "/v1/lists/{source}/versions", admin, expect=201, source="csl", files={
        "file": ("consolidated.json", csl_json([listed]), "application/json")})["id"]}
    call("get", "/v1/lists/versions", officer, expect=200)
    for path in ("/v1/lists/versions/{version_id}", "/v1/lists/versions/{version_id}/diff",
                 "/v1/lists/versions/{version_id}/entries"):
        call("get", path, officer, expect=200, **version)
    assert call("post", "/v1/screenings", acme, EXAMPLES["ScreenRequest"], expect=200)["candidates"]
    plan = call("post", "/v1/contracts/{contract_id}/events", acme, expect=202, **contract, json={
        "type": "ip_action.planned", "occurred_on": "2026-07-01",
        "data": {"action": "transfer", "planned_date": "2026-10-01", "counterparty": {
            "name": "Example Robotics GmbH", "country": "DE", "foreign_government_influence": True}}})
    opened = {e["kind"]: e["id"] for e in plan["effects"]}
    case = {"case_id": opened["consultation_opened"]}
    # The counterparty was screened when the plan was reported; the officer finds it is the listed company.
    [screened] = call("get", "/v1/screenings", officer, expect=200)["screenings"]
    found = {"screening_id": screened["id"]}
    call("get", "/v1/screenings/{screening_id}", acme, expect=200, **found)
    call("post", "/v1/screenings/{screening_id}/disposition", officer, expect=200, **found, json={
        **EXAMPLES["DispositionCreate"], "entry": f"csl:{listed['id']}"})
    assert [c["id"] for c in call("get", "/v1/consultations", officer, expect=200)["items"]] == [case["case_id"]]
    call("get", "/v1/consultations/{case_id}", officer, expect=200, **case)
    for action, who, body in (("claim", officer, {}), ("start-review", officer, None),
                              ("request-info", officer, EXAMPLES["RequestInfo"])):
        call("post", f"/v1/consultations/{{case_id}}/{action}", who, body, expect=200, **case)
    # A file for the answer (multipart: the one operation whose body has no JSON example), and its download.
    attached = call("post", "/v1/consultations/{case_id}/attachments", acme, expect=201, **case,
                    files={"file": ("一覧.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    assert call("get", "/v1/consultations/{case_id}/attachments/{attachment_id}", officer, expect=200, **case,
                attachment_id=attached["id"]).startswith(b"%PDF")
    for action, who, body in (("respond", acme, EXAMPLES["Respond"]), ("reassign", officer, {"to": "tanaka"}),
                              ("conclude", officer, EXAMPLES["Conclude"])):
        call("post", f"/v1/consultations/{{case_id}}/{action}", who, body, expect=200, **case)
    call("post", "/v1/contracts/{contract_id}/notices", officer, EXAMPLES["NoticeCreate"], expect=201, **contract)
    call("get", "/v1/contracts/{contract_id}/notices", officer, expect=200, **contract)
    call("post", "/v1/contracts/{contract_id}/approvals/{approval_id}/decide", officer,
         EXAMPLES["ApprovalDecision"], expect=200, **contract, approval_id=opened["prior_approval_requested"])
    sub = call("post", "/v1/subscriptions", acme, EXAMPLES["SubscriptionCreate"], expect=201)
    call("get", "/v1/subscriptions", acme, expect=200)
    call("get", "/v1/notifications", acme, expect=200)
    feed = call("post", "/v1/calendar-feeds", acme, EXAMPLES["CalendarFeedCreate"], expect=201)
    call("get", "/v1/calendar-feeds", acme, expect=200)
    token = urlsplit(feed["url"]).path.rsplit("/", 1)[1].removesuffix(".ics")
    assert "BEGIN:VCALENDAR" in call("get", "/v1/calendar/{token}.ics", expect=200, token=token)
    call("get", "/v1/contracts/{contract_id}", acme, expect=200, **contract)
    call("get", "/v1/contracts/{contract_id}/deadlines", acme, expect=200, **contract)
    call("get", "/v1/deadlines", acme, expect=200)
    call("get", "/v1/contracts/{contract_id}/events", acme, expect=200, **contract)
    call("get", "/v1/contracts/{contract_id}/audit", officer, expect=200, **contract)
    assert call("get", "/v1/consultations/{case_id}/notice.pdf", officer, expect=200, **case).startswith(b"%PDF")
    assert call("get", "/v1/contracts/{contract_id}/dossier.pdf", acme, expect=200, **contract).startswith(b"%PDF")
    for path in ("/v1/consultations.csv", "/v1/deadlines.csv", "/v1/notifications.csv"):
        assert call("get", path, officer, expect=200).startswith("\ufeff")  # a BOM, for Excel
    for kind in ("deadlines", "shareholders", "audit"):
        call("get", f"/v1/contracts/{{contract_id}}/{kind}.csv", officer, expect=200, **contract)
    call("delete", "/v1/subscriptions/{subscription_id}", acme, expect=204, subscription_id=sub["id"])
    call("delete", "/v1/calendar-feeds/{feed_id}", acme, expect=204, feed_id=feed["id"])
    # A case withdrawn by its contractor, for the last case action.
    second = call("post", "/v1/contracts/{contract_id}/events", acme, expect=202, **contract, json={
        "type": "ip_action.planned", "occurred_on": "2026-07-01",
        "data": {"action": "provide", "planned_date": "2026-12-01", "forced_transfer_risk": True,
                 "counterparty": {"name": "Beispiel AG", "country": "DE"}}})
    call("post", "/v1/consultations/{case_id}/withdraw", acme, EXAMPLES["Withdraw"], expect=200,
         case_id=next(e["id"] for e in second["effects"] if e["kind"] == "consultation_opened"))

    research_story(call, auth, listed)

    not_2xx = [f"{m.upper()} {p}" for m, p, _ in operations(doc)
               if not any(200 <= s < 300 for s in call.answered.get((m, p), ())) and p != "/readyz"]
    assert not_2xx == []
    # The notification log is written by the contract's workflow (no Temporal here): its example is compared
    # with the model only.
    json_ok = {(m, p) for m, p, op in operations(doc) for s, r in op["responses"].items()
               if s.startswith("2") and "application/json" in r.get("content", {})}
    assert json_ok - call.compared == {("get", "/v1/notifications"), ("get", "/readyz")}


def research_story(call: Caller, auth, listed: dict[str, Any]) -> None:
    """Research security (issue 14): 東都大学 declares, screens and submits to MEXT's designated programme run by
    JST, which asks for more mitigation and accepts; a researcher added later; JST checks its PD; a measure, a
    checklist, a leak review. The ids the API makes replace the examples' where a body names one."""
    admin = auth("admin", "admin")
    inst, fa = auth("institution_officer", "todai", sub="kato"), auth("fa_officer", "jst", sub="ishii")
    mext = auth("ministry_officer", "mext", sub="suzuki")
    for body in ({"id": "mext", "name": "文部科学省", "kind": "ministry", "country": "JP"},
                 {"id": "jst", "name": "国立研究開発法人科学技術振興機構", "kind": "funding_agency", "country": "JP"},
                 {"id": "todai", "name": "東都大学", "kind": "research_institution", "country": "JP"}):
        call("post", "/v1/organisations", admin, body, expect=201)
    programme = research.programme.model_dump(mode="json", include={
        "id", "name", "ministry", "funding_agency", "technology_areas", "leakage_measures_required",
        "annual_support_jpy", "policy", "kind", "designation"})
    call("post", "/v1/programmes", admin, programme, expect=201)
    first = call("post", "/v1/researchers", inst, EXAMPLES["ResearcherCreate"], expect=201)
    # A co-author at the listed company's name: a potential match the institution finds to be another.
    near = {**research.ITEMS, "papers": [{"title": "Robot arms", "on": "2025-05-01", "role": "co_author",
                                          "co_authors": [{"name": "Anna Schmidt", "affiliation": listed["name"],
                                                          "country": "DE"}]}]}
    second = call("post", "/v1/researchers", inst, {**EXAMPLES["ResearcherCreate"], "name": "佐藤 次郎",
                                                     "name_latin": "Jiro Sato", "items": near}, expect=201)
    [pending] = [s for s in second["declaration"]["screenings"] if s["state"] == "potential_match"]
    call("post", "/v1/research-screenings/{screening_id}/disposition", inst, EXAMPLES["ResearchDisposition"],
         expect=200, screening_id=pending["id"])
    who = {"researcher_id": first["id"]}
    call("post", "/v1/researchers/{researcher_id}/declarations", inst, EXAMPLES["DeclarationCreate"], expect=201,
         **who)
    call("get", "/v1/researchers", inst, expect=200)
    assert call("get", "/v1/researchers/{researcher_id}/audit", inst, expect=200, **who)["verified"]
    call("get", "/v1/researchers/{researcher_id}/declarations/{declaration_id}", inst, expect=200, **who,
         declaration_id=first["declaration"]["id"])
    mine = [{"researcher_id": first["id"], "measure": research.MITIGATION}]
    app = call("post", "/v1/applications", inst, {**EXAMPLES["ApplicationCreate"], "researchers": [first["id"]],
                                                  "mitigations": mine}, expect=201)
    it = {"application_id": app["id"]}
    call("post", "/v1/applications/{application_id}/submit", inst, EXAMPLES["SubmitCreate"], expect=200, **it)
    call("get", "/v1/applications", fa, expect=200)
    call("get", "/v1/researchers/{researcher_id}", fa, expect=200, **who)
    call("post", "/v1/applications/{application_id}/request-mitigation", fa, EXAMPLES["MitigationRequestCreate"],
         expect=200, **it)
    call("post", "/v1/applications/{application_id}/respond", inst, {**EXAMPLES["ResponseCreate"], "mitigations": [
        {**EXAMPLES["ResponseCreate"]["mitigations"][0], "researcher_id": first["id"]}]}, expect=200, **it)
    call("post", "/v1/applications/{application_id}/accept", fa, EXAMPLES["AcceptCreate"], expect=200, **it)
    call("post", "/v1/applications/{application_id}/researchers", inst, {
        "researcher_id": second["id"], "mitigations": [{"researcher_id": second["id"], "measure": research.MITIGATION}]},
        expect=200, **it)
    call("get", "/v1/applications/{application_id}", mext, expect=200, **it)
    appointee = {**EXAMPLES["AppointmentCreate"], "items": near}
    pd = call("post", "/v1/appointments", fa, appointee, expect=201)
    [check] = [s for s in pd["declaration"]["screenings"] if s["state"] == "potential_match"]
    call("post", "/v1/appointments/{appointment_id}/screenings/{screening_id}/disposition", fa,
         EXAMPLES["ResearchDisposition"], expect=200, appointment_id=pd["id"], screening_id=check["id"])
    call("post", "/v1/appointments/{appointment_id}/decision", fa, EXAMPLES["AppointmentDecision"], expect=200,
         appointment_id=pd["id"])
    call("get", "/v1/appointments", fa, expect=200)
    call("get", "/v1/appointments/{appointment_id}", mext, expect=200, appointment_id=pd["id"])
    call("post", "/v1/research-measures", fa, {**EXAMPLES["MeasureCreate"], **who, **it}, expect=201)
    call("get", "/v1/research-measures", mext, expect=200)
    call("post", "/v1/institution-checklists", inst, EXAMPLES["ChecklistCreate"], expect=201)
    call("get", "/v1/institution-checklists", fa, expect=200)
    call("post", "/v1/leak-reviews", inst, {**EXAMPLES["LeakReviewCreate"], **it}, expect=201)
    call("get", "/v1/leak-reviews", fa, expect=200)


def test_the_documented_refusals_are_what_the_api_answers(api: TestClient, call: Caller, doc: dict[str, Any],
                                                          auth) -> None:
    """401 from every authenticated operation without a token; 404 from every operation with an id in its path
    when nothing has that id; and a 403, a 409 and a 422 of the kinds the examples show."""
    unknown = {name: "nope" for name in answers.PATH_EXAMPLES}
    for method, path, op in operations(doc):
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
        # A multipart upload is sent a file, so that what is refused is the unknown id, not a missing file.
        files = {"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")} \
            if "multipart/form-data" in op.get("requestBody", {}).get("content", {}) else None
        if op.get("security"):
            call(method, path, None, body, expect=401, files=files, **unknown)
        if "{" in path:
            call(method, path, auth("admin", "admin"), body, expect=404, files=files, **unknown)
    acme = auth("contractor", "acme", sub="sato")
    assert call("post", "/v1/organisations", acme, EXAMPLES["OrganisationCreate"], expect=403)["detail"] == \
        "This needs the role admin."
    call("post", "/v1/organisations", auth("admin", "admin"), {**EXAMPLES["OrganisationCreate"], "id": "acme"},
         expect=409)
    invalid = call("post", "/v1/contracts/{contract_id}/events", acme, {}, expect=422, contract_id="c-001")
    assert invalid["errors"][0]["loc"][0] == "body"
