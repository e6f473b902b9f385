"""Problems in the caller's language (issue 12): the same bad request answered in English by default, and in
Japanese with `Accept-Language: ja` (or `ja-JP;q=0.9`, or `?lang=ja`), with `Content-Language` saying which.

`type`, `status`, `errors[].loc` and `errors[].type` are the same in both (clients key on them); `title`,
`detail` and `errors[].msg` are worded from the catalogues, and a Japanese one has no Latin letters beyond the
ids and values it quotes.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_events_api import ip_plan, post
from tests.support.clock import Clock

PROBLEM = "application/problem+json"
JA = {"Accept-Language": "ja"}
JA_Q = {"Accept-Language": "ja-JP;q=0.9"}
# Names that Japanese writes in Latin letters: the product, and the technical ones people read as they are.
LATIN_IN_JAPANESE = ("tlc", "ID", "JSON", "URL", "Unicode", "Authorization", "Bearer")
LATIN = re.compile(r"[A-Za-z]")
KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def japanese(text: str, *quoted: str) -> str:
    """`text` is Japanese: kana or kanji, and no Latin letter except in `quoted` (the ids and values it names)
    and the few names Japanese writes in Latin letters."""
    assert KANA_OR_KANJI.search(text), text
    rest = text
    for word in sorted((*quoted, *LATIN_IN_JAPANESE), key=len, reverse=True):
        rest = rest.replace(word, "")
    assert not LATIN.search(rest), f"English in Japanese: {text!r}"
    return text


def answer(r: Any, status: int, lang: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.headers["content-language"] == lang
    assert "accept-language" in r.headers["vary"].lower()
    body = r.json()
    assert body["status"] == status
    return body


def machine(body: dict[str, Any]) -> tuple:
    """What clients key on: the same in every language."""
    return (body["type"], body["status"], body.get("instance"),
            [(e["loc"], e.get("type"), e.get("field")) for e in body.get("errors") or []])


def both(call, status: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The English answer (no Accept-Language) and the Japanese one (ja, and ja-JP;q=0.9 the same)."""
    en = answer(call({}), status, "en")
    ja = answer(call(JA), status, "ja")
    assert answer(call(JA_Q), status, "ja") == ja
    assert machine(en) == machine(ja)
    return en, ja


@pytest.fixture
def officer(auth) -> dict[str, str]:
    return auth("ministry_officer", "meti", sub="tanaka")


@pytest.fixture
def case_id(api: TestClient, acme, clock: Clock) -> str:
    """A case under review: a provision to a counterparty under foreign influence, reported on 2026-06-01."""
    clock.set("2026-06-01")
    r = post(api, acme, "ip_action.planned", "2026-06-01", ip_plan())
    assert r.status_code == 202, r.text
    return r.json()["effects"][0]["id"]


def test_a_404_in_english_by_default_and_in_japanese_on_request(api: TestClient, admin) -> None:
    en, ja = both(lambda lang: api.get("/v1/contracts/c-nope", headers={**admin, **lang}), 404)
    assert (en["title"], en["detail"]) == ("Not Found", "No contract 'c-nope'.")
    assert (ja["title"], ja["detail"]) == ("見つかりません", "契約「c-nope」は見つかりません。")
    japanese(ja["title"]), japanese(ja["detail"], "c-nope")


def test_a_409_on_a_concluded_case(api: TestClient, officer, case_id: str) -> None:
    for action, body in (("start-review", None), ("conclude", {"outcome": "no_objection"})):
        r = api.post(f"/v1/consultations/{case_id}/{action}", headers=officer, json=body)
        assert r.status_code == 200, r.text
    en, ja = both(lambda lang: api.post(f"/v1/consultations/{case_id}/start-review", headers={**officer, **lang}),
                  409)
    assert en["title"] == "Transition not allowed"
    assert en["detail"] == "'start-review' is not allowed while the case is concluded; nothing is allowed now."
    assert en["allowed"] == ja["allowed"] == [] and en["status_now"] == ja["status_now"] == "concluded"
    assert ja["detail"] == "この案件は「結論済み」のため、「審査を開始」はできません。現在できる操作はありません。"
    japanese(ja["title"]), japanese(ja["detail"])


def test_a_409_names_what_is_allowed_in_words(api: TestClient, officer, case_id: str) -> None:
    ja = answer(api.post(f"/v1/consultations/{case_id}/respond", headers={**officer, **JA}, json={"answer": "a"}),
                403, "ja")
    assert ja["detail"] == "「回答する」は実施者が行う操作です。"
    ja = answer(api.post(f"/v1/consultations/{case_id}/conclude", headers={**officer, **JA},
                         json={"outcome": "no_objection"}), 409, "ja")
    assert ja["detail"] == ("この案件は「提出済み」のため、「結論を出す」はできません。"
                            "現在できる操作：審査を開始、担当する、担当を変更。")


PYDANTIC_CASES = {
    "missing": ("request-info", {"respond_by": "2026-07-01"}, ["body", "question"], "missing",
                "question is required.", "質問は必須です。"),
    "too long": ("request-info", {"question": "あ" * 5001, "respond_by": "2026-07-01"}, ["body", "question"],
                 "string_too_long", "question must have at most 5000 characters.",
                 "質問は5000文字以内で入力してください。"),
    "bad date": ("request-info", {"question": "q", "respond_by": "2026-13-01"}, ["body", "respond_by"],
                 "date_from_datetime_parsing", "respond_by must be a date in the form YYYY-MM-DD.",
                 "回答期限は「2026-04-01」のような年月日の形式で指定してください。"),
    "bad enum": ("conclude", {"outcome": "maybe"}, ["body", "outcome"], "literal_error",
                 "outcome must be one of 'no_objection', 'conditions' or 'objection'.",
                 "結論は「no_objection」、「conditions」、「objection」のいずれかを指定してください。"),
    "extra field": ("conclude", {"outcome": "objection", "verdict": "no"}, ["body", "verdict"], "extra_forbidden",
                    "verdict is not a field of this request.", "verdictは、このリクエストでは指定できない項目です。"),
}


@pytest.mark.parametrize("case", PYDANTIC_CASES)
def test_a_422_of_pydantic_says_its_message_in_the_callers_words(api: TestClient, officer, case_id: str,
                                                               case: str) -> None:
    action, body, loc, kind, in_english, in_japanese = PYDANTIC_CASES[case]
    en, ja = both(lambda lang: api.post(f"/v1/consultations/{case_id}/{action}", headers={**officer, **lang},
                                        json=body), 422)
    assert (en["type"], en["title"], en["detail"]) == ("https://tlc.example/problems/validation",
                                                       "Unprocessable Content", "The request is not valid.")
    assert (ja["title"], ja["detail"]) == ("入力内容に誤りがあります", "リクエストの内容に誤りがあります。")
    assert [(e["loc"], e["type"], e["msg"]) for e in en["errors"]] == [(loc, kind, in_english)]
    assert [e["msg"] for e in ja["errors"]] == [in_japanese]
    assert en["errors"][0]["field"] == loc[-1]
    japanese(ja["errors"][0]["msg"], "no_objection", "conditions", "objection", "verdict")
    assert "Value error" not in str(en) and "Input should" not in str(en)


def test_a_422_of_our_own_validator_is_a_msgid_too(api: TestClient, officer, case_id: str) -> None:
    """Issue 12: ": Value error, an outcome of 'conditions' needs the conditions" reached the pages."""
    api.post(f"/v1/consultations/{case_id}/start-review", headers=officer)
    en, ja = both(lambda lang: api.post(f"/v1/consultations/{case_id}/conclude", headers={**officer, **lang},
                                        json={"outcome": "conditions"}), 422)
    assert [(e["loc"], e["type"], e["field"]) for e in en["errors"]] == [(["body"], "value_error", "conditions")]
    assert en["errors"][0]["msg"] == "an outcome of 'conditions' needs the conditions."
    assert ja["errors"][0]["msg"] == "結論が「条件付き」の場合は、条件を入力してください。"
    japanese(ja["errors"][0]["msg"])


def test_a_422_of_a_service_names_the_field_by_its_label(api: TestClient, officer, case_id: str) -> None:
    api.post(f"/v1/consultations/{case_id}/start-review", headers=officer)
    en, ja = both(lambda lang: api.post(f"/v1/consultations/{case_id}/request-info", headers={**officer, **lang},
                                        json={"question": "q", "respond_by": "2026-05-31"}), 422)
    assert en["detail"] == "respond_by is in the past."
    assert en["errors"][0]["msg"] == "respond_by is before today (2026-06-01, JST)."
    assert ja["detail"] == "回答期限が過去の日付です。"
    assert ja["errors"][0]["msg"] == "回答期限に本日（2026年6月1日（月））より前の日付は指定できません。"
    japanese(ja["detail"]), japanese(ja["errors"][0]["msg"])


def test_an_event_s_data_is_judged_in_the_callers_words(api: TestClient, acme) -> None:
    """Errors of an event's data (validated below the router, their `loc` under body.data) and the dates they
    name: ISO in English, in words in Japanese."""
    en, ja = both(lambda lang: post(api, {**acme, **lang}, "employee.departing", "2026-04-01",
                                    {"employee_ref": "e", "departure_date": "0001-01-01"}), 422)
    assert en["detail"] == "The event is not valid." and ja["detail"] == "報告の内容に誤りがあります。"
    assert en["errors"][0]["loc"] == ["body", "data", "departure_date"]
    assert "between 1900-01-01 and 2199-12-31" in en["errors"][0]["msg"]
    assert ja["errors"][0]["msg"].startswith("退職日は1900年1月1日（月）から2199年12月31日（火）までの日付で")
    japanese(ja["errors"][0]["msg"])


def test_a_refusal_in_a_batch_names_the_event_in_the_callers_words(api: TestClient, acme) -> None:
    events = [{"type": "core_item.registered", "occurred_on": "2026-04-01",
               "data": {"item_ref": "i1", "title": "t"}}] * 2
    en, ja = both(lambda lang: api.post("/v1/contracts/c-001/events:batch", headers={**acme, **lang},
                                        json={"events": events}), 409)
    assert en["event_index"] == ja["event_index"] == 1
    assert en["detail"] == "Event 1 (core_item.registered): core-technology item 'i1' is already registered"
    assert ja["detail"] == "1番の報告（core_item.registered）：コア技術等「i1」は既に登録されています。"
    japanese(ja["detail"], "core_item.registered", "i1")
    en, ja = both(lambda lang: api.post("/v1/contracts/c-001/events:batch", headers={**acme, **lang}, json={
        "events": [{**events[0], "occurred_on": "2026-04-02"}]}), 422)
    assert en["errors"][0]["loc"] == ["body", "events", 0, "occurred_on"]
    assert en["errors"][0]["field"] == "events.0.occurred_on"
    assert ja["errors"][0]["msg"] == "発生日に本日（2026年4月1日（水））より後の日付は指定できません。"


@pytest.mark.parametrize("headers, english, japanese_detail", [
    ({}, "An Authorization: Bearer <token> header is required.",
     "Authorizationヘッダーに「Bearer <トークン>」を指定してください。"),
    ({"Authorization": "Bearer not.a.token"}, "malformed token", "トークンの形式が正しくありません。"),
    ({"Authorization": "Basic abc"}, "The Authorization header must be 'Bearer <token>'.",
     "Authorizationヘッダーは「Bearer <トークン>」の形式で指定してください。"),
])
def test_a_401(api: TestClient, headers: dict[str, str], english: str, japanese_detail: str) -> None:
    en, ja = both(lambda lang: api.get("/v1/contracts", headers={**headers, **lang}), 401)
    assert (en["title"], en["detail"]) == ("Unauthorized", english)
    assert (ja["title"], ja["detail"]) == ("認証が必要です", japanese_detail)
    japanese(ja["detail"])
    assert api.get("/v1/contracts", headers={**headers, **JA}).headers["www-authenticate"] == 'Bearer realm="tlc"'


def test_an_expired_token(api: TestClient, settings) -> None:
    from datetime import UTC, datetime

    from service.auth.tokens import issue_token

    old = issue_token(settings, sub="s", role="admin", org="admin", ttl_seconds=60,
                      now=datetime(2020, 1, 1, tzinfo=UTC))
    en, ja = both(lambda lang: api.get("/v1/contracts", headers={"Authorization": f"Bearer {old}", **lang}), 401)
    assert en["detail"] == "token has expired" and ja["detail"] == "トークンの有効期限が切れています。"


def test_how_the_language_is_chosen(api: TestClient, admin) -> None:
    def lang_of(headers: dict[str, str], query: str = "") -> str:
        r = api.get(f"/v1/contracts/c-nope{query}", headers={**admin, **headers})
        assert r.status_code == 404
        return r.headers["content-language"]

    assert lang_of({}) == "en"  # the API's default, where pages default to Japanese
    assert lang_of({"Accept-Language": "fr"}) == "en"
    assert lang_of({"Accept-Language": "fr, ja;q=0.5"}) == "ja"
    assert lang_of({"Accept-Language": "ja;q=0, en"}) == "en"
    assert lang_of({"Accept-Language": "en;q=0.5, ja-JP;q=0.9"}) == "ja"
    assert lang_of({"Accept-Language": "ja"}, "?lang=en") == "en"
    assert lang_of({}, "?lang=ja") == "ja"


def test_answers_of_the_middleware_and_the_framework_are_worded_too(api: TestClient, admin) -> None:
    """A NUL in the query, a lone surrogate in the body, an unknown path: refused before any route runs."""
    ja = answer(api.get("/v1/contracts?programme_id=%00", headers={**admin, **JA}), 422, "ja")
    assert ja["errors"][0]["loc"] == ["query"]
    japanese(ja["detail"], "NUL"), japanese(ja["errors"][0]["msg"], "NUL")
    raw = '{"type": "incident.reported", "occurred_on": "2026-04-01", "data": {"summary": "a\\ud800b"}}'
    ja = answer(api.post("/v1/contracts/c-001/events", content=raw,
                         headers={**admin, **JA, "Content-Type": "application/json"}), 422, "ja")
    assert ja["errors"][0]["msg"].startswith("概要に対になっていないサロゲート")
    en = answer(api.get("/v1/nowhere"), 404, "en")
    ja = answer(api.get("/v1/nowhere", headers=JA), 404, "ja")
    assert (en["title"], ja["title"]) == ("Not Found", "見つかりません")
    assert ja["detail"] == "指定されたものは見つかりません。"
    ja = answer(api.post("/v1/contracts", content=b'{"id": ', headers={**admin, **JA,
                                                                      "Content-Type": "application/json"}), 422, "ja")
    assert ja["errors"][0]["type"] == "json_invalid" and "field" not in ja["errors"][0]
    japanese(ja["errors"][0]["msg"])


def test_every_field_a_request_takes_has_a_japanese_label(client: TestClient) -> None:
    """A Japanese message, and a page in either language, names a field by its label (回答期限, not respond_by):
    every field of every request body and parameter in the OpenAPI has one, and so has every field of event data
    and of a programme's policy."""
    from typing import get_args

    from pydantic import BaseModel

    from service.i18n import missing_in
    from service.rules.obligations.events import DATA_SCHEMAS
    from service.rules.policy import Policy

    doc = client.app.openapi()
    schemas = doc["components"]["schemas"]
    names: set[str] = set()

    def walk(schema: dict[str, Any], seen: frozenset[str] = frozenset()) -> None:
        if "$ref" in schema:
            ref = schema["$ref"].rsplit("/", 1)[-1]
            if ref not in seen:
                walk(schemas[ref], seen | {ref})
            return
        for name, sub in schema.get("properties", {}).items():
            names.add(name)
            walk(sub, seen)
        for sub in (*schema.get("anyOf", ()), *schema.get("oneOf", ()), *schema.get("allOf", ())):
            walk(sub, seen)
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], seen)

    for path in doc["paths"].values():
        for op in path.values():
            names |= {p["name"] for p in op.get("parameters", [])}
            for content in op.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"])

    def fields(model: Any, seen: set[Any]) -> None:
        if isinstance(model, type) and issubclass(model, BaseModel):
            if model not in seen:
                seen.add(model)
                names.update(model.model_fields)
                for f in model.model_fields.values():
                    fields(f.annotation, seen)
            return
        for arg in get_args(model):
            fields(arg, seen)

    seen: set[Any] = set()
    for model in (*DATA_SCHEMAS.values(), Policy):
        fields(model, seen)
    assert {"respond_by", "departure_date", "holders", "prior_approval_lead_days", "exclusive_license"} <= names
    assert missing_in("ja", names, context="field") == set()
    assert missing_in("en", names, context="field") == set()  # English pages name fields in words too


# --- pages ---------------------------------------------------------------------------------------------------

@pytest.fixture
def pages(api: TestClient, officer, case_id: str) -> TestClient:
    """A browser signed in as the officer (tanaka of METI), on the day the case was reported."""
    from tests.support.pages import csrf_of

    browser = TestClient(api.app, base_url="https://testserver", follow_redirects=False)
    token = officer["Authorization"].removeprefix("Bearer ")
    assert browser.post("/inbox/login", data={"csrf": csrf_of(browser.get("/inbox/login")), "token": token}
                        ).status_code == 303
    return browser


def _errors_of(page: Any) -> tuple[list[str], dict[str, str]]:
    """The error summary's lines, and the message beside each field, of a refused form's page."""
    import html

    summary = re.search(r'<div class="error-summary".*?</div>', page.text, re.S)
    assert summary, page.text[:3000]
    lines = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", summary.group(0), re.S)]
    beside = dict(re.findall(r'<span class="field-error" id="e-([^"]+)">(.*?)</span>', page.text, re.S))
    return [html.unescape(x) for x in lines], {k: html.unescape(v) for k, v in beside.items()}


def test_a_refused_case_action_says_why_in_the_pages_language(pages: TestClient, api: TestClient, officer,
                                                               case_id: str) -> None:
    from tests.support.pages import csrf_of

    api.post(f"/v1/consultations/{case_id}/start-review", headers=officer)
    csrf = csrf_of(pages.get(f"/inbox/cases/{case_id}"))
    html = {"accept": "text/html"}
    r = pages.post(f"/inbox/cases/{case_id}/conclude", data={"csrf": csrf, "outcome": "conditions"}, headers=html)
    assert r.status_code == 422
    summary, beside = _errors_of(r)
    assert beside == {"conditions": japanese("結論が「条件付き」の場合は、条件を入力してください。")}
    assert summary == ["条件：結論が「条件付き」の場合は、条件を入力してください。"]
    r = pages.post(f"/inbox/cases/{case_id}/conclude?lang=en", data={"csrf": csrf, "outcome": "conditions"},
                   headers=html)
    assert _errors_of(r)[1] == {"conditions": "An outcome of 'conditions' needs the conditions."}
    r = pages.post(f"/inbox/cases/{case_id}/request-info", headers=html,
                   data={"csrf": csrf, "question": "q", "respond_by": "2026-05-31"})
    assert r.status_code == 422
    assert _errors_of(r)[1] == {"respond_by": "回答期限に本日（2026年6月1日（月））より前の日付は指定できません。"}
    r = pages.post(f"/inbox/cases/{case_id}/request-info?lang=en", headers=html,
                   data={"csrf": csrf, "question": "q", "respond_by": "2026-05-31"})
    assert _errors_of(r)[1] == {"respond_by": "Respond by is before today (Mon 1 Jun 2026, JST)."}
    r = pages.post(f"/inbox/cases/{case_id}/start-review", data={"csrf": csrf}, headers=html)
    assert r.status_code == 409
    summary, _ = _errors_of(r)
    assert japanese(summary[0]) == ("この案件は「審査中」のため、「審査を開始」はできません。"
                                    "現在できる操作：情報提供を依頼、結論を出す、担当する、担当を変更。")
    r = pages.post(f"/inbox/cases/{case_id}/start-review?lang=en", data={"csrf": csrf}, headers=html)
    assert _errors_of(r)[0][0].startswith("'Start review' is not allowed while the case is under review")


def test_the_error_page_is_in_the_pages_language(pages: TestClient, case_id: str) -> None:
    r = pages.get(f"/inbox/cases/{case_id}/notice.pdf", headers={"accept": "text/html"})
    assert r.status_code == 409
    assert japanese("結論の通知書は、案件の結論が出た後に発行されます。この案件は現在「提出済み」です（結論はまだ出ていません）。") \
        in r.text
    r = pages.get(f"/inbox/cases/{case_id}/notice.pdf?lang=en", headers={"accept": "text/html"})
    assert "The conclusion notice is issued once the case is concluded; the case is submitted" in r.text


def test_field_errors_give_a_page_each_field_s_label_and_message() -> None:
    from pydantic import ValidationError

    from service.consultations.schemas import Conclude, RequestInfo
    from service.problems import FieldError, Invalid, NotFound, field_errors

    with pytest.raises(ValidationError) as missing:
        RequestInfo.model_validate({"question": "", "respond_by": "2026-02-30"})
    assert field_errors(missing.value, "ja") == [
        FieldError("question", "質問", "質問を入力してください。"),
        FieldError("respond_by", "回答期限", "回答期限は「2026-04-01」のような年月日の形式で指定してください。")]
    assert field_errors(missing.value, "en")[0] == FieldError("question", "question", "Question must not be empty.")
    with pytest.raises(ValidationError) as conditions:
        Conclude.model_validate({"outcome": "objection", "conditions": "c"})
    assert field_errors(conditions.value, "ja") == [
        FieldError("conditions", "条件", "条件は、結論が「条件付き」の場合にだけ入力してください。")]
    refused = Invalid(["body", "respond_by"], "{field} is in the past.")
    assert field_errors(refused, "ja") == [FieldError("respond_by", "回答期限", "回答期限が過去の日付です。")]
    assert field_errors(NotFound("No contract '{id}'.", id="c-1"), "ja") == [
        FieldError("", "", "契約「c-1」は見つかりません。")]
