"""One realistic example per request body, shown by /docs and by clients generated from the OpenAPI (issue 12:
the document had none). tests/api/test_openapi.py checks that each validates against its model, so an example
that no longer fits the API fails the build instead of misleading a reader."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

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
}


def install(app: FastAPI) -> None:
    """Each example into its component's JSON Schema (`examples`, OpenAPI 3.1) of the served document."""
    built = app.openapi

    def openapi() -> dict[str, Any]:
        schema = built()
        components = schema.get("components", {}).get("schemas", {})
        for name, example in EXAMPLES.items():
            if name in components:
                components[name]["examples"] = [example]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
