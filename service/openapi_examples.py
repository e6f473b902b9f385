"""One realistic example per request body, shown by /docs, /redoc and by clients generated from the OpenAPI
(issue 12: the document had none), and the wiring of every example into the served document: these, the answers'
(service/openapi_response_examples.py) and the problems'. tests/api/test_openapi.py checks that each request
example validates against its model, tests/api/test_openapi_examples.py that every example fits its schema and
that the API answers the documented requests as documented, so an example that no longer fits the API fails the
build instead of misleading a reader."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from service import openapi_research_examples as research
from service import openapi_response_examples as answers
from service import problems

EXAMPLES: dict[str, dict[str, Any]] = {
    "ObligationPeriodRequest": {"start_date": "2026-04-01", "end_date": "2031-03-31"},
    "ShareholdingRequest": {"shares_held": 3400, "shares_outstanding": 10000},
    "IpActionQuery": {"action": "transfer", "planned_date": "2026-09-01", "as_of": "2026-06-01",
                      "counterparty": {"name": "Example Robotics GmbH", "country": "DE"},
                      "programme_id": "meti-k-q1"},
    "OrganisationCreate": {"id": "acme", "name": "株式会社アクメ精機", "kind": "contractor", "country": "JP"},
    "ProgrammeCreate": {"id": "meti-k-q1", "name": "経済安全保障重要技術育成プログラム（K Program）第1回公募",
                        "ministry": "meti", "funding_agency": "nedo", "technology_areas": ["ai_robotics"],
                        "annual_support_jpy": 1200000000},
    "ProgrammeUpdate": {"annual_support_jpy": 1500000000},
    "PersonCreate": {"org": "meti", "sub": "tanaka", "display_name": "田中 太郎", "role": "ministry_officer",
                     "email": "tanaka-taro@meti.go.jp"},
    "PersonUpdate": {"display_name": "田中 太郎", "active": False},
    "ContractCreate": {"id": "meti-2026-001", "programme_id": "meti-k-q1", "contractor_org": "acme",
                       "title": "自律移動ロボットの高精度位置推定技術の研究開発", "start_date": "2026-04-01",
                       "end_date": "2031-03-31", "commissioned": True},
    "EventCreate": {"type": "employee.departing", "occurred_on": "2026-06-01",
                    "data": {"employee_ref": "emp-0042", "departure_date": "2026-06-30"}},
    "EventBatch": {"events": [
        {"type": "core_item.registered", "occurred_on": "2026-04-01",
         "data": {"item_ref": "item-1", "title": "位置推定アルゴリズムの設計書"}},
        {"type": "access.granted", "occurred_on": "2026-04-01",
         "data": {"item_ref": "item-1", "employee_ref": "emp-0042"}}]},
    "RequestInfo": {"question": "譲渡先の株主構成が分かる資料を提出してください。", "respond_by": "2026-07-15"},
    "Respond": {"answer": "株主名簿の写しを添付します。"},
    "Conclude": {"outcome": "conditions", "conditions": "譲渡後3年間、年1回利用状況を報告すること。",
                 "reason": "懸念国への再移転の可能性は低いが、継続的な確認が必要なため。"},
    "Withdraw": {"reason": "計画を取りやめたため。"},
    "Reassign": {"to": "suzuki"},
    "NoticeCreate": {"scope": "counterparty", "counterparty_name": "Example Robotics GmbH",
                     "reason": "同社への技術移転は事前相談の対象とします。"},
    "ApprovalDecision": {"granted": True, "reason": "国内での実施が見込まれるため承認します。"},
    "SubscriptionCreate": {"contract_id": "meti-2026-001", "audience": "compliance_lead", "channel": "email",
                           "address": "compliance@acme.example", "lang": "ja"},
    "CalendarFeedCreate": {"days": 365},
    "ScreenRequest": {"name": "Example Robotics GmbH", "country": "DE", "kind": "organization"},
    "DispositionCreate": {"decision": "true_match", "entry": "csl:a7f3c2e19b",
                          "reason": "所在地と代表者が一致するため、同一の者と判断した。"},
    **research.REQUESTS,
}


def install(app: FastAPI) -> None:
    """Examples into the served document: each component's JSON Schema gets one (`examples`, OpenAPI 3.1), each
    request body, 2xx answer and problem+json answer of each operation one of its own (the media type's `example`,
    which Swagger UI and ReDoc show: one, as a named `examples` map would give Swagger UI a <select> without a
    label, which axe-core finds), and each path parameter one."""
    built = app.openapi
    done: list[bool] = []

    def openapi() -> dict[str, Any]:
        schema = built()
        if not done:
            _add(schema)
            done.append(True)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add(doc: dict[str, Any]) -> None:
    components = doc.get("components", {}).get("schemas", {})
    # Counterparty: the model inside a request body (IpActionQuery's), with its example.
    known = {**answers.components(), "Counterparty": EXAMPLES["IpActionQuery"]["counterparty"], "Empty": {},
             **EXAMPLES}
    for name, example in known.items():
        if name in components:
            components[name]["examples"] = [example]

    def of(schema: dict[str, Any]) -> Any | None:
        """The example of a schema from its component's: $ref, an optional $ref, an array of $ref."""
        if "$ref" in schema:
            return known.get(schema["$ref"].rsplit("/", 1)[1])
        if "anyOf" in schema:
            return next((of(s) for s in schema["anyOf"] if "$ref" in s), None)
        if schema.get("type") == "array" and "items" in schema:
            item = of(schema["items"])
            return None if item is None else [item]
        return None

    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                if param["in"] == "path" and param["name"] in answers.PATH_EXAMPLES:
                    param["example"] = answers.PATH_EXAMPLES[param["name"]]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and (example := of(body["schema"])) is not None:
                body["example"] = example
            for status, response in op.get("responses", {}).items():
                # Each media type object anew: the problem+json ones are one object shared by every answer.
                if "content" not in response:
                    continue
                content = response["content"] = {k: dict(v) for k, v in response["content"].items()}
                value = None
                if status.startswith("2") and "application/json" in content:
                    value = answers.answer(method, path) or of(content["application/json"]["schema"])
                elif path == "/readyz" and status == "503":
                    value = answers.unready()
                if value is not None:
                    content["application/json"]["example"] = value
                if problems.MEDIA_TYPE in content and (value := answers.problem(int(status), method, path, op)):
                    content[problems.MEDIA_TYPE]["example"] = value
                for media_type, text in answers.TEXT.get((method, path), {}).items():
                    if media_type in content:
                        content[media_type]["example"] = text
    if "ProblemDetail" in components:
        components["ProblemDetail"]["examples"] = [answers.problem(404, "get", "/v1/contracts/{contract_id}", {})]
