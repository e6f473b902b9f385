"""The served OpenAPI document agrees with API.md (paths, methods, field names), and the operations routes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"

# API.md, the paths that exist so far; path parameters are compared without their names.
API_PATHS: list[tuple[str, str]] = [
    ("post", "/v1/determinations/obligation-period"),
    ("post", "/v1/determinations/shareholding"),
    ("post", "/v1/determinations/ip-action"),
    ("post", "/v1/organisations"),
    ("post", "/v1/programmes"),
    ("post", "/v1/contracts"),
    ("get", "/v1/contracts"),
    ("get", "/v1/contracts/{}"),
    ("get", "/v1/contracts/{}/audit"),
    ("get", "/healthz"),
    ("get", "/readyz"),
]
RECORDING_POSTS = ["/v1/organisations", "/v1/programmes", "/v1/contracts"]

IP_REQUEST = {"action", "planned_date", "as_of", "forced_transfer_risk", "ministry_notice", "counterparty",
              "site", "commissioned", "obligation_period_end", "exclusive_license", "programme_id"}  # [r2] two fields
IP_COUNTERPARTY = {"name", "country", "relation", "un_violation_within_5y", "foreign_government_influence"}
IP_SITE = {"country", "new_site", "capacity_before", "capacity_after", "local_consumption_share"}
IP_RESPONSE = {"consultation_required", "act_covered", "conditions", "exemptions", "prior_approval_required",
               "consult_by", "late", "reasons"}
IP_RESPONSE_ADDITIONS = {"reason_codes"}


@pytest.fixture
def doc(client: TestClient) -> dict[str, Any]:
    r = client.get("/openapi.json")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def normalised_paths(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {re.sub(r"\{[^}]+\}", "{}", path): ops for path, ops in doc["paths"].items()}


def operation(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return normalised_paths(doc)[path][method]


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref, and unwrap `anyOf: [X, null]` (an optional object)."""
    while True:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = doc["components"]["schemas"][name]
        elif "anyOf" in schema:
            non_null = [s for s in schema["anyOf"] if s.get("type") != "null"]
            assert len(non_null) == 1, schema
            schema = non_null[0]
        else:
            return schema


def request_schema(doc: dict[str, Any], path: str) -> dict[str, Any]:
    body = operation(doc, "post", path)["requestBody"]["content"]["application/json"]["schema"]
    return resolve(doc, body)


def response_schema(doc: dict[str, Any], method: str, path: str, status: str) -> dict[str, Any]:
    content = operation(doc, method, path)["responses"][status]["content"]["application/json"]["schema"]
    return resolve(doc, content)


def props(schema: dict[str, Any]) -> set[str]:
    return set(schema["properties"])


def enum_of(doc: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    schema = resolve(doc, schema)
    if schema.get("type") == "array":
        schema = resolve(doc, schema["items"])
    return set(schema["enum"])


def test_every_api_path_and_method_is_documented(doc: dict[str, Any]) -> None:
    paths = normalised_paths(doc)
    missing = [(m, p) for m, p in API_PATHS if p not in paths or m not in paths[p]]
    assert missing == []
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]


def test_ip_action_request_fields_are_exactly_those_of_api_md(doc: dict[str, Any]) -> None:
    req = request_schema(doc, "/v1/determinations/ip-action")
    assert props(req) == IP_REQUEST
    assert set(req["required"]) == {"action", "planned_date"}
    assert enum_of(doc, req["properties"]["action"]) == {
        "transfer", "provide", "joint_rd", "overseas_rd", "overseas_production"}
    counterparty = resolve(doc, req["properties"]["counterparty"])
    assert props(counterparty) == IP_COUNTERPARTY
    assert enum_of(doc, counterparty["properties"]["relation"]) == {"none", "parent", "subsidiary"}
    site = resolve(doc, req["properties"]["site"])
    assert props(site) == IP_SITE
    for name in ("planned_date", "as_of", "obligation_period_end"):
        assert resolve(doc, req["properties"][name]).get("format") == "date", name
    for name in ("forced_transfer_risk", "ministry_notice", "commissioned"):
        assert resolve(doc, req["properties"][name])["type"] == "boolean", name


def test_ip_action_response_fields_are_those_of_api_md_plus_reason_codes(doc: dict[str, Any]) -> None:
    resp = response_schema(doc, "post", "/v1/determinations/ip-action", "200")
    assert props(resp) == IP_RESPONSE | IP_RESPONSE_ADDITIONS
    assert set(resp["required"]) == IP_RESPONSE | IP_RESPONSE_ADDITIONS
    p = resp["properties"]
    # counterparty_listed: added beside API.md's for screening (issue 13): a list entry confirmed as the counterparty.
    assert enum_of(doc, p["conditions"]) == {"forced_transfer_risk", "counterparty_un_violation",
                                              "counterparty_foreign_influence", "counterparty_listed",
                                              "ministry_notice"}
    assert enum_of(doc, p["exemptions"]) == {"local_consumption_85", "capacity_increase_not_over_10",
                                              "outside_obligation_period"}
    for name in ("consultation_required", "act_covered", "prior_approval_required", "late"):
        assert p[name]["type"] == "boolean", name
    assert p["reasons"]["type"] == "array" and p["reasons"]["items"]["type"] == "string"
    assert p["reason_codes"]["type"] == "array" and p["reason_codes"]["items"]["type"] == "string"
    assert resolve(doc, p["consult_by"]).get("format") == "date"


def test_other_determination_schemas(doc: dict[str, Any]) -> None:
    assert props(request_schema(doc, "/v1/determinations/obligation-period")) == {"start_date", "end_date"}
    assert props(response_schema(doc, "post", "/v1/determinations/obligation-period", "200")) == {
        "obligation_period_end"}
    shares = request_schema(doc, "/v1/determinations/shareholding")
    assert props(shares) == {"shares_held", "shares_outstanding"}
    assert all(shares["properties"][n]["type"] == "integer" for n in ("shares_held", "shares_outstanding"))
    assert props(response_schema(doc, "post", "/v1/determinations/shareholding", "200")) == {"reportable"}


def test_registration_schemas(doc: dict[str, Any]) -> None:
    org = request_schema(doc, "/v1/organisations")
    assert props(org) == {"id", "name", "kind", "country"}
    assert enum_of(doc, org["properties"]["kind"]) == {"contractor", "ministry", "funding_agency",
                                                       "research_institution"}
    assert props(request_schema(doc, "/v1/programmes")) == {
        "id", "name", "ministry", "funding_agency", "technology_areas", "leakage_measures_required",
        "annual_support_jpy", "policy", "kind", "designation", "ends_on"}
    assert props(request_schema(doc, "/v1/contracts")) == {
        "id", "programme_id", "contractor_org", "title", "start_date", "end_date", "commissioned"}
    created = response_schema(doc, "post", "/v1/contracts", "201")
    assert {"obligation_period_end", "status", "workflow_id"} <= props(created)
    one = response_schema(doc, "get", "/v1/contracts/{}", "200")
    assert {"id", "obligation_period_end", "status"} <= props(one)


@pytest.mark.parametrize("path", RECORDING_POSTS)
def test_recording_posts_document_the_idempotency_key_header(doc: dict[str, Any], path: str) -> None:
    params = operation(doc, "post", path).get("parameters", [])
    assert any(p["in"] == "header" and p["name"].lower() == "idempotency-key" for p in params)


def test_documented_422_is_problem_json(doc: dict[str, Any]) -> None:
    # API.md: errors, validation included, are application/problem+json with `errors` [{loc, msg}];
    # the document must describe what the service actually sends (service/problems.py).
    wrong = []
    for method, path in API_PATHS:
        responses = operation(doc, method, path)["responses"]
        if "422" not in responses:
            continue
        content = responses["422"].get("content", {})
        if PROBLEM not in content or not {"type", "title", "status", "detail", "errors"} <= props(
                resolve(doc, content[PROBLEM]["schema"])):
            wrong.append(f"{method.upper()} {path}: {sorted(content)}")
    assert wrong == []


def test_the_token_is_a_bearer_security_scheme_not_a_header_field(doc: dict[str, Any]) -> None:
    # /docs gets its Authorize button, and a client generated from the document sends the token (issue 12).
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    secured, open_ = [], []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            params = {(p["in"], p["name"].lower()) for p in op.get("parameters", [])}
            assert ("header", "authorization") not in params, f"{method} {path}"
            (secured if op.get("security") == [{"bearerAuth": []}] else open_).append(f"{method} {path}")
            assert ("401" in op["responses"]) == (op.get("security") is not None), f"{method} {path}"
    assert "post /v1/contracts/{contract_id}/events" in secured and "get /v1/deadlines" in secured
    # Open: the probes, the metrics, and the calendar feed (its secret URL is its key).
    assert sorted(open_) == ["get /healthz", "get /metrics", "get /readyz", "get /v1/calendar/{token}.ics"]


# --------------------------------------------------------------------------------------------
# Operations and generic errors


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_reports_database_and_temporal(client: TestClient) -> None:
    # The test settings point Temporal at 127.0.0.1:1, where nothing listens; the database is real.
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {"status": "not ready", "database": "ok", "temporal": "unreachable"}


def test_unknown_route_and_method_are_problem_json(client: TestClient, admin) -> None:
    r = client.get("/v1/nothing-here", headers=admin)
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["status"] == 404 and r.json()["title"] == "Not Found"
    r = client.delete("/v1/determinations/shareholding", headers=admin)
    assert r.status_code == 405
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["status"] == 405 and r.json()["title"]


def test_metrics_count_requests_by_route_template_and_status(client: TestClient, admin) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/v1/contracts/c-nobody", headers=admin).status_code == 404
    text = client.get("/metrics").text
    assert 'tlc_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'tlc_http_requests_total{method="GET",route="/v1/contracts/{contract_id}",status="404"}' in text
    assert 'tlc_http_request_seconds_count{method="GET",route="/healthz"}' in text


def test_every_request_body_has_an_example_that_its_model_accepts(client: TestClient) -> None:
    """Issue 12: the document had no examples. Each body's example validates against the model the document
    names for it (so an example that drifts from the API fails here)."""
    from pydantic import BaseModel

    def subclasses(cls: type) -> list[type]:
        return [cls] + [s for sub in cls.__subclasses__() for s in subclasses(sub)]

    models = {m.__name__: m for m in subclasses(BaseModel) if m.__module__.startswith("service.")}
    doc = client.get("/openapi.json").json()
    checked = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if "application/json" not in op.get("requestBody", {}).get("content", {}):
                continue  # none, or a file upload (multipart/form-data, documented by its own schema)
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            ref = schema.get("$ref") or next(s["$ref"] for s in schema["anyOf"] if "$ref" in s)
            name = ref.rsplit("/", 1)[1]
            if name == "Empty":
                continue
            assert "examples" in doc["components"]["schemas"][name], f"{method} {path}: {name} has no example"
            (example,) = doc["components"]["schemas"][name]["examples"]
            models[name].model_validate(example)
            checked.add(name)
    assert len(checked) >= 18, checked
